"""``Overwrite``: a write that bypasses the key's reducer, in its three forms; two in one
step are an error; it survives storage and works with ``add_messages``."""

from __future__ import annotations

import itertools
import operator
from typing import Annotated, TypedDict

import pytest

from hitl_notebook import (
    START,
    AIMessage,
    HumanMessage,
    InMemorySaver,
    InvalidUpdateError,
    MessagesState,
    Overwrite,
    StateGraph,
)
from hitl_notebook.checkpoint.sqlite import SqliteSaver

CFG = {"configurable": {"thread_id": "t"}}


class Log(TypedDict, total=False):
    log: Annotated[list, operator.add]
    name: str


FORMS = {
    "typed": lambda v: Overwrite(v),
    "dict": lambda v: {"__overwrite__": v},
    "json": lambda v: {"type": "__overwrite__", "value": v},
}


def _sequence(*nodes, checkpointer=None):
    builder = StateGraph(Log)
    for name, fn in nodes:
        builder.add_node(name, fn)
    builder.add_edge(START, nodes[0][0])
    for (a, _), (b, _) in itertools.pairwise(nodes):
        builder.add_edge(a, b)
    return builder.compile(checkpointer=checkpointer)


@pytest.mark.parametrize("form", FORMS)
def test_an_overwrite_replaces_the_value_instead_of_reducing(form):
    """``operator.add`` would append; the overwrite sets the list."""
    graph = _sequence(("a", lambda s: {"log": ["a"]}), ("b", lambda s: {"log": FORMS[form](["b"])}))
    assert graph.invoke({"log": ["start"]}) == {"log": ["b"]}


def test_in_a_parallel_step_earlier_writes_are_replaced_and_later_ones_ignored():
    """Writes fold in node order: ``a`` before the overwrite is replaced, ``c`` after it ignored."""
    graph = (
        StateGraph(Log)
        .add_node("a", lambda s: {"log": ["a"]})
        .add_node("b", lambda s: {"log": Overwrite(["b"])})
        .add_node("c", lambda s: {"log": ["c"]})
        .add_node("d", lambda s: {"log": ["d"]})
        .add_edge(START, "a")
        .add_edge(START, "b")
        .add_edge(START, "c")
        .add_edge(["a", "b", "c"], "d")
        .compile()
    )
    assert graph.invoke({"log": ["start"]}) == {"log": ["b", "d"]}


@pytest.mark.parametrize("form", FORMS)
def test_two_overwrites_of_one_key_in_one_step_are_an_error(form):
    """LangGraph's message first, then which key."""
    graph = (
        StateGraph(Log)
        .add_node("a", lambda s: {"log": FORMS[form](["a"])})
        .add_node("b", lambda s: {"log": FORMS[form](["b"])})
        .add_edge(START, "a")
        .add_edge(START, "b")
        .compile()
    )
    with pytest.raises(
        InvalidUpdateError, match="^Can receive only one Overwrite value per super-step.*'log'"
    ):
        graph.invoke({"log": []})


def test_an_overwrite_of_a_plain_key_is_its_value():
    """A key without a reducer takes the wrapped value (never the wrapper)."""
    graph = _sequence(("a", lambda s: {"name": Overwrite("x")}))
    assert graph.invoke({"log": []}) == {"log": [], "name": "x"}


def test_update_state_can_overwrite():
    """An edit with ``Overwrite`` replaces the list."""
    graph = _sequence(("a", lambda s: {"log": ["a"]}), checkpointer=InMemorySaver())
    graph.invoke({"log": ["start"]}, CFG)
    graph.update_state(CFG, {"log": Overwrite(["edited"])}, as_node="a")
    assert graph.get_state(CFG).values == {"log": ["edited"]}


def test_overwritten_messages_keep_their_ids_and_later_appends_work():
    """``add_messages`` with an overwrite: the new list gets ids, the next append adds to it."""
    graph = (
        StateGraph(MessagesState)
        .add_node("reset", lambda s: {"messages": Overwrite([HumanMessage("fresh")])})
        .add_node("reply", lambda s: {"messages": [AIMessage("ok")]})
        .add_edge(START, "reset")
        .add_edge("reset", "reply")
        .compile(checkpointer=InMemorySaver())
    )
    result = graph.invoke({"messages": [HumanMessage("old 1"), HumanMessage("old 2")]}, CFG)
    assert [m.content for m in result["messages"]] == ["fresh", "ok"]
    assert all(m.id for m in result["messages"])
    assert [m.content for m in graph.get_state(CFG).values["messages"]] == ["fresh", "ok"]


def test_a_parallel_overwrite_is_stored_and_read_back(tmp_path):
    """In a step that pauses, a finished task's Overwrite is saved with its outcome and
    applied when the step completes, also from SQLite."""
    from hitl_notebook import Command, interrupt

    with SqliteSaver.from_conn_string(tmp_path / "t.db") as saver:
        graph = (
            StateGraph(Log)
            .add_node("a", lambda s: {"log": Overwrite(["a"])})
            .add_node("ask", lambda s: {"name": interrupt("name?")})
            .add_edge(START, "a")
            .add_edge(START, "ask")
            .compile(checkpointer=saver)
        )
        graph.invoke({"log": ["start"]}, CFG)
        assert graph.invoke(Command(resume="n"), CFG) == {"log": ["a"], "name": "n"}
