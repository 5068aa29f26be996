"""``add_node(defer=True)`` on both engines: when the deferred node runs, and the history."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, history, same, thread

pytestmark = pytest.mark.langgraph


class Log(TypedDict):
    log: Annotated[list, operator.add]


def _mark(name):
    return lambda s: {"log": [name]}


@pytest.mark.parametrize("join", [False, True], ids=["edges", "join"])
def test_a_deferred_node_runs_last_and_once(join):
    """Branches of different lengths lead to ``qa``: same result and history."""

    def scenario(api: Api):
        builder = (
            api.StateGraph(Log)
            .add_node("a", _mark("a"))
            .add_node("b", _mark("b"))
            .add_node("b2", _mark("b2"))
            .add_node("qa", _mark("qa"), defer=True)
            .add_edge(api.START, "a")
            .add_edge(api.START, "b")
            .add_edge("b", "b2")
        )
        if join:
            builder.add_edge(["a", "b2"], "qa")
        else:
            builder.add_edge("a", "qa").add_edge("b2", "qa")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        return {"result": graph.invoke({"log": []}, config), "history": history(graph, config)}

    assert same(scenario)["result"] == {"log": ["a", "b", "b2", "qa"]}


def test_a_deferred_node_beside_send_tasks():
    """Sends do not hold a deferred node back, on either engine. (The order of a step's
    pull and Send tasks in ``next`` differs between the engines, so it is compared sorted.)"""

    def scenario(api: Api):
        graph = (
            api.StateGraph(Log)
            .add_node("w", lambda i: {"log": [f"w{i}"]})
            .add_node("sum", _mark("sum"), defer=True)
            .add_conditional_edges(
                api.START, lambda s: [api.Send("w", i) for i in range(2)] + ["sum"]
            )
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        result = graph.invoke({"log": []}, config)
        return {
            "result": result,
            "steps": [(sorted(s.next), s.values) for s in graph.get_state_history(config)],
        }

    assert same(scenario)["steps"][1][0] == ["sum", "w", "w"]


def test_a_breakpoint_before_a_deferred_node():
    """``interrupt_before`` a deferred node pauses when it is finally due."""

    def scenario(api: Api):
        graph = (
            api.StateGraph(Log)
            .add_node("a", _mark("a"))
            .add_node("b", _mark("b"))
            .add_node("b2", _mark("b2"))
            .add_node("qa", _mark("qa"), defer=True)
            .add_edge(api.START, "a")
            .add_edge(api.START, "b")
            .add_edge("b", "b2")
            .add_edge("a", "qa")
            .add_edge("b2", "qa")
            .compile(checkpointer=api.InMemorySaver(), interrupt_before=["qa"])
        )
        config = thread("t")
        paused = graph.invoke({"log": []}, config)
        return {
            "paused": paused,
            "next": graph.get_state(config).next,
            "then": graph.invoke(None, config),
        }

    assert same(scenario)["next"] == ("qa",)


@pytest.mark.parametrize("shape", ["edges", "join", "fed by the step before", "no defer"])
def test_the_diagram_of_a_deferred_node(shape):
    """``draw_mermaid`` draws a dashed edge into a deferred node from each node of the step
    it waited for (here ``a2``, which runs while ``qa`` waits), unless one of them leads
    there; the text is LangGraph's."""

    def scenario(api: Api) -> str:
        builder = (
            api.StateGraph(Log)
            .add_node("start", _mark("start"))
            .add_node("a", _mark("a"))
            .add_node("a2", _mark("a2"))
            .add_node("b", _mark("b"))
            .add_node("qa", _mark("qa"), defer=shape != "no defer")
            .add_edge(api.START, "start")
            .add_edge("start", "a")
            .add_edge("start", "b")
            .add_edge("a", "a2")
        )
        if shape == "join":
            builder.add_edge(["a", "b"], "qa")
        else:
            builder.add_edge("a", "qa").add_edge("b", "qa")
        if shape == "fed by the step before":
            builder.add_edge("a2", "qa")
        return builder.compile().get_graph().draw_mermaid(with_styles=False)

    drawn = same(scenario)
    assert ("a2 -.-> qa" in drawn) == (shape in ("edges", "join"))
