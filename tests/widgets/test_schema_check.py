"""Edited state values are checked against the graph's state schema before saving."""

from __future__ import annotations

import dataclasses
import operator
from typing import Annotated, Literal, TypedDict

import pytest

from hitl_notebook.widgets.schema_check import SchemaRefusal, check_edit


class Typed(TypedDict):
    count: int
    ratio: float
    mode: Literal["fast", "slow"]
    tags: Annotated[list[str], operator.add]
    note: str | None


@dataclasses.dataclass
class DataState:
    count: int = 0


def test_typed_dict_mismatches_are_named():
    """Each wrong value is named with the type the schema wants; right ones pass."""
    ok = {"count": 3, "ratio": 1, "mode": "fast", "tags": ["a"], "note": None}
    assert check_edit(Typed, {}, ok) == []
    warnings = check_edit(Typed, {}, {"count": "3", "mode": "medium", "tags": [1], "ratio": True})
    assert len(warnings) == 4
    assert warnings[0].startswith("count: the schema says int, the value is str '3'")
    assert any(w.startswith("mode:") for w in warnings)
    assert any(w.startswith("tags:") for w in warnings)


def test_dataclass_fields_are_checked():
    assert check_edit(DataState, {}, {"count": "x"}) == [
        "count: the schema says int, the value is str 'x'"
    ]


def test_pydantic_state_refuses_with_its_message():
    pydantic = pytest.importorskip("pydantic")

    class Model(pydantic.BaseModel):
        count: int

    assert check_edit(Model, {"count": 1}, {"count": 2}) == []
    with pytest.raises(SchemaRefusal, match="count"):
        check_edit(Model, {"count": 1}, {"count": "not a number"})


def typed_graph(e):
    class State(TypedDict):
        count: int

    b = e.StateGraph(State)
    b.add_node("bump", lambda s: {"count": s["count"] + 1})
    b.add_edge(e.START, "bump")
    b.add_edge("bump", e.END)
    return b.compile(checkpointer=e.InMemorySaver(), interrupt_before=["bump"])


def test_widget_asks_before_saving_a_mismatch_then_saves_when_confirmed(engine, open_widget):
    """The editor's first Save of a wrong type is answered with the warning and writes
    nothing; the confirmed save writes it (as LangGraph would)."""
    graph = typed_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"count": 1})
    history = len(list(widget.session.runtime.get_state_history(widget.session.config)))
    reply = browser.action("update_state", values={"count": "two"})
    assert not reply["ok"] and reply["kind"] == "confirm"
    assert reply["warnings"] == ["count: the schema says int, the value is str 'two'"]
    assert len(list(widget.session.runtime.get_state_history(widget.session.config))) == history
    assert widget.error == ""
    assert browser.action("update_state", values={"count": "two"}, confirm=True)["ok"]
    assert widget.session.head.values["count"] == "two"


def test_python_update_state_warns_on_a_mismatch(engine, open_widget):
    graph = typed_graph(engine)
    widget, _ = open_widget(graph)
    widget.run({"count": 1})
    with pytest.warns(UserWarning, match="count: the schema says int"):
        widget.update_state({"count": "two"})
    assert widget.session.head.values["count"] == "two"
