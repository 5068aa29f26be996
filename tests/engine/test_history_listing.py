"""A thread's history shows each checkpoint exactly as ``get_state`` shows it: paused and
finished steps, forks, long threads, and walking one branch back from a checkpoint."""

from __future__ import annotations

from typing import TypedDict

from hitl_notebook import END, START, Command, InMemorySaver, StateGraph, interrupt

from .helpers import Vals

CFG = {"configurable": {"thread_id": "t"}}


def _same_as_get_state(graph, config) -> list:
    snapshots = list(graph.get_state_history(config))
    for snapshot in snapshots:
        assert snapshot == graph.get_state(snapshot.config)
    return snapshots


def test_history_of_paused_and_finished_steps_matches_get_state():
    """A step with a finished sibling and a pending question, then the same step answered:
    every listed snapshot (values, next, tasks, interrupts) equals ``get_state``'s."""

    def ask(state):
        return {"vals": [interrupt("q")]}

    graph = (
        StateGraph(Vals)
        .add_node("ask", ask)
        .add_node("work", lambda s: {"vals": ["work"]})
        .add_edge(START, "ask")
        .add_edge(START, "work")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({}, CFG)
    paused = _same_as_get_state(graph, CFG)[0]
    # The record of the step lists both its tasks and the values the step started from; the
    # thread's live view only the waiting one, with the finished sibling's write (as LangGraph).
    assert paused.values["vals"] == [] and paused.next == ("ask", "work") and paused.interrupts
    live = graph.get_state(CFG)
    assert live.next == ("ask",) and live.values["vals"] == ["work"]
    graph.invoke(Command(resume="answer"), CFG)
    answered = _same_as_get_state(graph, CFG)[1]
    assert (
        answered.next == ("ask", "work") and answered.interrupts == answered.tasks[0].interrupts
    )  # kept, as LangGraph
    assert answered.tasks[0].interrupts[0].value == "q" and answered.tasks[1].result == {
        "vals": ["work"]
    }


class _Count(TypedDict):
    n: int
    limit: int


def test_history_of_a_long_forked_thread_matches_get_state():
    """A counting loop of a few hundred steps, forked far back and run on: the whole
    history, and one branch walked back from its tip, match ``get_state``."""
    builder = StateGraph(_Count)
    builder.add_node("tick", lambda s: {"n": s["n"] + 1})
    builder.add_edge(START, "tick")
    builder.add_conditional_edges(
        "tick", lambda s: "tick" if s["n"] < s["limit"] else END, ["tick", END]
    )
    graph = builder.compile(checkpointer=InMemorySaver())
    graph.invoke({"n": 0, "limit": 300}, {**CFG, "recursion_limit": 400})
    target = list(graph.get_state_history(CFG))[200]
    forked = graph.update_state(target.config, {"limit": target.values["n"] + 5}, as_node="tick")
    graph.invoke(None, forked)

    snapshots = _same_as_get_state(graph, CFG)
    assert len(snapshots) == 302 + 1 + 5
    tip = next(s for s in snapshots if s.values["n"] == target.values["n"] + 5)
    branch = list(graph.get_state_history(tip.config))
    assert branch[0] == tip and len(branch) == (target.values["n"] + 5) + 2 + 1
    by_id = {s.config["configurable"]["checkpoint_id"]: s for s in snapshots}
    assert all(s == by_id[s.config["configurable"]["checkpoint_id"]] for s in branch)
