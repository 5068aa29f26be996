"""The ``tasks`` and ``debug`` streams of joins, deferred nodes and conditional branches on
both engines: which trigger channels each task reports (``branch:to:x``,
``join:a+b:x``, ``__pregel_push``), in which step, and which checkpoint events go out."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, same, thread

pytestmark = pytest.mark.langgraph


class Docs(TypedDict, total=False):
    query: str
    docs: Annotated[list, operator.add]


def _mark(name):
    return lambda s: {"docs": [name]}


def _fan_out(api: Api, *, join: bool, defer: bool, checkpointer: bool):
    """``START -> rw -> (r1 -> an, r2)``, then ``qa`` after ``r1`` and ``r2``: one waiting
    edge (``join``) or two edges; ``qa`` deferred or not."""
    builder = (
        api.StateGraph(Docs)
        .add_node("rw", _mark("rw"))
        .add_node("r1", _mark("r1"))
        .add_node("r2", _mark("r2"))
        .add_node("an", _mark("an"))
        .add_node("qa", _mark("qa"), defer=defer)
        .add_edge(api.START, "rw")
        .add_edge("rw", "r1")
        .add_edge("rw", "r2")
        .add_edge("r1", "an")
        .add_edge("qa", api.END)
    )
    if join:
        builder.add_edge(["r1", "r2"], "qa")
    else:
        builder.add_edge("r1", "qa").add_edge("r2", "qa")
    return builder.compile(checkpointer=api.InMemorySaver() if checkpointer else None)


def _debug_view(chunk: dict) -> tuple:
    """A ``debug`` chunk without ids and times: its type and step, and a task's name,
    input and triggers or a checkpoint's next nodes."""
    payload = chunk["payload"]
    if chunk["type"] == "checkpoint":
        return ("checkpoint", chunk["step"], tuple(payload["next"]))
    detail = payload.get("triggers", payload.get("result"))
    return (chunk["type"], chunk["step"], payload["name"], payload.get("input"), detail)


@pytest.mark.parametrize("defer", [False, True], ids=["plain", "deferred"])
@pytest.mark.parametrize("join", [False, True], ids=["edges", "join"])
def test_a_join_target_reports_its_join_channel_among_its_triggers(join, defer):
    """A node a waiting edge leads to reports ``branch:to:qa`` and ``join:r1+r2:qa``; the
    ``debug`` stream of a graph without a checkpointer has no checkpoint events."""

    def scenario(api: Api) -> list:
        graph = _fan_out(api, join=join, defer=defer, checkpointer=False)
        return [_debug_view(c) for c in graph.stream({"docs": []}, stream_mode="debug")]

    seen = same(scenario)
    qa = [event for event in seen if event[:3] == ("task", event[1], "qa")]
    expected = ("branch:to:qa", "join:r1+r2:qa") if join else ("branch:to:qa",)
    assert [event[4] for event in qa] == [expected]


@pytest.mark.parametrize("join", [False, True], ids=["edges", "join"])
def test_the_tasks_and_debug_streams_of_a_checkpointed_deferred_join(join):
    """With a checkpointer: the same task events, and a checkpoint event per step naming
    the next nodes (a deferred node shows up when it is finally due)."""

    def scenario(api: Api) -> list:
        graph = _fan_out(api, join=join, defer=True, checkpointer=True)
        tasks = [
            (c["name"], c.get("triggers"), c.get("result"))
            for c in graph.stream({"docs": []}, thread("tasks"), stream_mode="tasks")
        ]
        debug = graph.stream({"docs": []}, thread("debug"), stream_mode="debug")
        return [tasks, [_debug_view(c) for c in debug]]

    same(scenario)


def test_the_triggers_of_conditional_branches_and_sends():
    """A node reached through a conditional edge reports ``branch:to:<node>``; a ``Send``
    task reports ``__pregel_push``."""

    def scenario(api: Api) -> list:
        graph = (
            api.StateGraph(Docs)
            .add_node("pick", _mark("pick"))
            .add_node("left", _mark("left"))
            .add_node("each", lambda item: {"docs": [item]})
            .add_edge(api.START, "pick")
            .add_conditional_edges(
                "pick", lambda s: ["left", *(api.Send("each", i) for i in ("x", "y"))]
            )
            .compile()
        )
        return [
            (c["name"], c["input"], c["triggers"])
            for c in graph.stream({"docs": []}, stream_mode="tasks")
            if "triggers" in c
        ]

    assert ("each", "x", ("__pregel_push",)) in same(scenario)


def test_a_state_edit_before_a_join_target_keeps_it_due():
    """Paused before ``qa`` (its join complete), ``update_state`` as one of the join's
    sources leaves ``qa`` next, as LangGraph's join channel stays full until ``qa`` runs."""

    def scenario(api: Api) -> list:
        builder = (
            api.StateGraph(Docs)
            .add_node("rw", _mark("rw"))
            .add_node("an", _mark("an"))
            .add_node("r1", _mark("r1"))
            .add_node("r2", _mark("r2"))
            .add_node("qa", _mark("qa"))
            .add_edge(api.START, "rw")
            .add_edge("rw", "an")
            .add_edge("an", "r1")
            .add_edge("rw", "r2")
            .add_edge(["r1", "r2"], "qa")
            .add_edge("qa", api.END)
        )
        graph = builder.compile(checkpointer=api.InMemorySaver(), interrupt_before=["qa"])
        config = thread("t")
        graph.invoke({"docs": []}, config)
        seen = [graph.get_state(config).next]
        graph.update_state(config, {"docs": ["edit"]})
        seen.append(graph.get_state(config).next)
        seen.append(graph.invoke(None, config))
        graph.update_state(config, {"docs": ["again"]}, as_node="r1")
        seen.append(graph.get_state(config).next)
        return seen

    assert same(scenario)[1] == ("qa",)


@pytest.mark.parametrize("join", [False, True], ids=["edges", "join"])
def test_a_state_edit_before_a_deferred_node_keeps_it_due(join):
    """Paused before a deferred ``qa``, ``update_state`` (as the last node that ran) leaves
    ``qa`` next, and resuming runs it once."""

    def scenario(api: Api) -> list:
        graph = _fan_out(api, join=join, defer=True, checkpointer=False)
        graph = graph.builder.compile(checkpointer=api.InMemorySaver(), interrupt_before=["qa"])
        config = thread("t")
        graph.invoke({"docs": []}, config)
        seen = [graph.get_state(config).next]
        graph.update_state(config, {"docs": ["edit"]})
        seen.append(graph.get_state(config).next)
        seen.append(graph.invoke(None, config))
        seen.append(graph.get_state(config).next)
        return seen

    assert same(scenario)[1] == ("qa",)
