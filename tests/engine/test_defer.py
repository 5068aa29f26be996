"""``add_node(..., defer=True)``: a triggered deferred node waits until no other node is
left to run, then runs once, however often it was triggered."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from hitl_notebook import START, Command, InMemorySaver, Send, StateGraph, interrupt

CFG = {"configurable": {"thread_id": "t"}}


class Log(TypedDict):
    log: Annotated[list, operator.add]


def _mark(name):
    return lambda s: {"log": [name]}


def _steps(graph, config=None) -> list:
    """The node names of each step, in order."""
    out: dict[int, list] = {}
    for chunk in graph.stream({"log": []}, config, stream_mode="debug"):
        if chunk["type"] == "task" and chunk["payload"]["name"] != "__start__":
            out.setdefault(chunk["step"], []).append(chunk["payload"]["name"])
    return [sorted(names) for _, names in sorted(out.items())]


def test_a_deferred_node_waits_for_the_longer_branch():
    """``a -> d`` and ``b -> b2 -> d``: ``d`` runs once, after ``b2``."""
    graph = (
        StateGraph(Log)
        .add_node("a", _mark("a"))
        .add_node("b", _mark("b"))
        .add_node("b2", _mark("b2"))
        .add_node("d", _mark("d"), defer=True)
        .add_edge(START, "a")
        .add_edge(START, "b")
        .add_edge("b", "b2")
        .add_edge("a", "d")
        .add_edge("b2", "d")
        .compile()
    )
    assert _steps(graph) == [["a", "b"], ["b2"], ["d"]]
    assert graph.invoke({"log": []}) == {"log": ["a", "b", "b2", "d"]}


def test_without_defer_the_node_runs_as_soon_as_triggered():
    """The same graph without ``defer`` runs ``d`` twice (LangGraph's plain edges)."""
    graph = (
        StateGraph(Log)
        .add_node("a", _mark("a"))
        .add_node("b", _mark("b"))
        .add_node("b2", _mark("b2"))
        .add_node("d", _mark("d"))
        .add_edge(START, "a")
        .add_edge(START, "b")
        .add_edge("b", "b2")
        .add_edge("a", "d")
        .add_edge("b2", "d")
        .compile()
    )
    assert _steps(graph) == [["a", "b"], ["b2", "d"], ["d"]]


def test_a_deferred_join_target_runs_after_everything_else():
    """A join into a deferred node: it waits for its sources and for the rest of the graph."""
    graph = (
        StateGraph(Log)
        .add_node("a", _mark("a"))
        .add_node("b", _mark("b"))
        .add_node("a2", _mark("a2"))
        .add_node("a3", _mark("a3"))
        .add_node("qa", _mark("qa"), defer=True)
        .add_edge(START, "a")
        .add_edge(START, "b")
        .add_edge("a", "a2")
        .add_edge("a2", "a3")
        .add_edge(["a", "b"], "qa")
        .compile()
    )
    assert _steps(graph) == [["a", "b"], ["a2"], ["a3"], ["qa"]]


def test_send_tasks_do_not_hold_a_deferred_node_back():
    """As in LangGraph, only edge-triggered nodes count: a deferred node runs beside Sends."""
    graph = (
        StateGraph(Log)
        .add_node("w", lambda i: {"log": [f"w{i}"]})
        .add_node("sum", _mark("sum"), defer=True)
        .add_conditional_edges(START, lambda s: [Send("w", i) for i in range(2)] + ["sum"])
        .compile()
    )
    assert _steps(graph) == [["sum", "w", "w"]]


def test_the_waiting_deferred_node_survives_a_pause_and_is_hidden_from_the_state():
    """Paused while a deferred node waits: the state shows no bookkeeping key, and resuming
    runs the deferred node after the rest."""
    graph = (
        StateGraph(Log)
        .add_node("a", _mark("a"))
        .add_node("ask", lambda s: {"log": [interrupt("go?")]})
        .add_node("d", _mark("d"), defer=True)
        .add_edge(START, "a")
        .add_edge("a", "d")
        .add_edge("a", "ask")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"log": []}, CFG)
    state = graph.get_state(CFG)
    assert state.next == ("ask",) and state.values == {"log": ["a"]}
    assert graph.invoke(Command(resume="yes"), CFG) == {"log": ["a", "yes", "d"]}


def test_update_state_triggers_a_deferred_node_the_same_way():
    """An edit as a node whose edge leads to a deferred node, with nothing else next: it runs."""
    graph = (
        StateGraph(Log)
        .add_node("a", _mark("a"))
        .add_node("d", _mark("d"), defer=True)
        .add_edge(START, "a")
        .add_edge("a", "d")
        .compile(checkpointer=InMemorySaver(), interrupt_before=["a"])
    )
    graph.invoke({"log": []}, CFG)
    graph.update_state(CFG, {"log": ["by hand"]}, as_node="a")
    assert graph.get_state(CFG).next == ("d",)
    assert graph.invoke(None, CFG) == {"log": ["by hand", "d"]}
