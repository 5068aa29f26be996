"""``Overwrite`` on both engines: values, history and the error for two in one step."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, history, same, thread

pytestmark = pytest.mark.langgraph


class Log(TypedDict):
    log: Annotated[list, operator.add]


def _forms(api: Api):
    return {"typed": api.Overwrite, "dict": lambda v: {"__overwrite__": v}}


@pytest.mark.parametrize("form", ["typed", "dict"])
def test_overwrite_in_sequence_and_in_parallel(form):
    """``a`` appends; ``b`` (parallel with ``c``) overwrites; ``d`` appends after the join."""

    def scenario(api: Api):
        overwrite = _forms(api)[form]
        graph = (
            api.StateGraph(Log)
            .add_node("a", lambda s: {"log": ["a"]})
            .add_node("b", lambda s: {"log": overwrite(["b"])})
            .add_node("c", lambda s: {"log": ["c"]})
            .add_node("d", lambda s: {"log": ["d"]})
            .add_edge(api.START, "a")
            .add_edge("a", "b")
            .add_edge("a", "c")
            .add_edge("b", "d")
            .add_edge("c", "d")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        return {
            "result": graph.invoke({"log": ["start"]}, config),
            "history": history(graph, config),
        }

    assert same(scenario)["result"] == {"log": ["b", "d"]}


def test_two_overwrites_in_one_step():
    """Both engines raise ``InvalidUpdateError`` starting with the same sentence."""

    def scenario(api: Api):
        graph = (
            api.StateGraph(Log)
            .add_node("a", lambda s: {"log": api.Overwrite(["a"])})
            .add_node("b", lambda s: {"log": api.Overwrite(["b"])})
            .add_edge(api.START, "a")
            .add_edge(api.START, "b")
            .compile()
        )
        with pytest.raises(api.InvalidUpdateError) as raised:
            graph.invoke({"log": []})
        return str(raised.value).split(".")[0]

    assert same(scenario) == "Can receive only one Overwrite value per super-step"


def test_update_state_with_an_overwrite():
    """An edit can overwrite a reduced key."""

    def scenario(api: Api):
        graph = (
            api.StateGraph(Log)
            .add_node("a", lambda s: {"log": ["a"]})
            .add_edge(api.START, "a")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        graph.invoke({"log": ["start"]}, config)
        graph.update_state(config, {"log": api.Overwrite(["edited"])}, as_node="a")
        return history(graph, config)

    assert same(scenario)[0]["values"] == {"log": ["edited"]}
