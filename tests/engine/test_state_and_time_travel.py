"""get_state / history / update_state / fork / replay: history is a tree, never rewritten."""

from __future__ import annotations

import pytest

from hitl_notebook import START, Command, InMemorySaver, InvalidUpdateError, StateGraph, interrupt
from hitl_notebook.engine.snapshot import recorded_writes

from .helpers import Vals, history, one_question_graph

CFG = {"configurable": {"thread_id": "t"}}


def _chain():
    return (
        StateGraph(Vals)
        .add_node("a", lambda s: {"vals": ["a"]})
        .add_node("b", lambda s: {"vals": ["b"]})
        .add_node("c", lambda s: {"vals": ["c"]})
        .add_edge(START, "a")
        .add_edge("a", "b")
        .add_edge("b", "c")
        .compile(checkpointer=InMemorySaver())
    )


def test_snapshot_fields():
    """A paused thread's snapshot: values, next, tasks with interrupts, metadata, configs."""
    graph = one_question_graph()
    graph.invoke({"text": "x"}, CFG)
    s = graph.get_state(CFG)
    assert s.values == {"vals": [], "text": "x"}
    assert s.next == ("ask",)
    assert s.tasks[0].name == "ask" and s.tasks[0].interrupts[0].value == "question?"
    assert s.interrupts == s.tasks[0].interrupts
    assert s.metadata["source"] == "loop" and s.metadata["step"] == 0
    assert s.config["configurable"]["checkpoint_id"]
    assert (
        s.parent_config["configurable"]["checkpoint_id"]
        != s.config["configurable"]["checkpoint_id"]
    )
    assert s.created_at.endswith("+00:00")


def test_history_newest_first_with_limit_and_before():
    """get_state_history lists newest first and honours limit and before."""
    graph = _chain()
    graph.invoke({}, CFG)
    steps = [s.metadata["step"] for s in graph.get_state_history(CFG)]
    assert steps == [3, 2, 1, 0, -1]
    assert [s.metadata["step"] for s in graph.get_state_history(CFG, limit=2)] == [3, 2]
    second = list(graph.get_state_history(CFG))[1]
    assert [s.metadata["step"] for s in graph.get_state_history(CFG, before=second.config)] == [
        1,
        0,
        -1,
    ]
    newest = next(iter(graph.get_state_history(CFG)))
    assert newest.metadata == {"source": "loop", "step": 3, "parents": {}}  # LangGraph's shape
    assert recorded_writes(graph, newest) == {"c": {"vals": ["c"]}}  # what the timeline shows


def test_update_state_applies_reducers_as_the_node():
    """update_state folds values through reducers and computes next from as_node."""
    graph = _chain()
    graph.invoke({}, CFG)
    a_done = next(s for s in graph.get_state_history(CFG) if s.next == ("b",))
    fork = graph.update_state(a_done.config, {"vals": ["edited"]}, as_node="a")
    forked = graph.get_state(fork)
    assert forked.values["vals"] == ["a", "edited"]
    assert forked.next == ("b",)
    assert forked.metadata["source"] == "update"
    assert (
        forked.parent_config["configurable"]["checkpoint_id"]
        == a_done.config["configurable"]["checkpoint_id"]
    )


def test_fork_then_run_leaves_the_original_branch_intact():
    """Running from a fork adds a branch; every earlier checkpoint is unchanged."""
    graph = _chain()
    graph.invoke({}, CFG)
    before = history(graph, CFG)
    a_done = next(s for s in graph.get_state_history(CFG) if s.next == ("b",))
    fork = graph.update_state(a_done.config, {"text": "fork"})
    out = graph.invoke(None, fork)
    assert out["vals"] == ["a", "b", "c"] and out["text"] == "fork"
    after = history(graph, CFG)
    assert all(entry in after for entry in before)
    assert len(after) == len(before) + 3


def test_update_state_unknown_node_and_key_are_errors():
    """as_node and keys are validated; nothing is written."""
    graph = _chain()
    graph.invoke({}, CFG)
    before = history(graph, CFG)
    with pytest.raises(InvalidUpdateError, match="no such node"):
        graph.update_state(CFG, {"text": "x"}, as_node="zzz")
    with pytest.raises(InvalidUpdateError, match="wrote key 'nope'"):
        graph.update_state(CFG, {"nope": 1}, as_node="a")
    assert history(graph, CFG) == before


def test_ambiguous_update_asks_for_as_node():
    """After a parallel step, update_state without as_node names the candidate nodes."""
    graph = (
        StateGraph(Vals)
        .add_node("x", lambda s: {"vals": ["x"]})
        .add_node("y", lambda s: {"vals": ["y"]})
        .add_edge(START, "x")
        .add_edge(START, "y")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({}, CFG)
    with pytest.raises(InvalidUpdateError, match="Ambiguous update.*as_node"):
        graph.update_state(CFG, {"text": "t"})


def test_update_state_on_unknown_checkpoint_is_an_error():
    """A wrong checkpoint id is named, not treated as the latest."""
    graph = _chain()
    graph.invoke({}, CFG)
    with pytest.raises(ValueError, match="no checkpoint 'bogus'"):
        graph.update_state(
            {"configurable": {"thread_id": "t", "checkpoint_id": "bogus"}}, {"text": "x"}
        )


def test_threads_are_isolated():
    """Two thread ids never see each other's state."""
    graph = one_question_graph()
    graph.invoke({"text": "one"}, {"configurable": {"thread_id": "1"}})
    graph.invoke({"text": "two"}, {"configurable": {"thread_id": "2"}})
    graph.invoke(Command(resume="answer"), {"configurable": {"thread_id": "1"}})
    assert graph.get_state({"configurable": {"thread_id": "1"}}).values["text"] == "answer"
    assert graph.get_state({"configurable": {"thread_id": "2"}}).next == ("ask",)


def test_interrupt_ids_are_distinct_per_call_site_and_stable():
    """Two interrupts in one node get different ids; re-asking the same call keeps its id."""

    def two(state):
        first = interrupt("one")
        second = interrupt("two")
        return {"text": f"{first}{second}"}

    graph = (
        StateGraph(Vals)
        .add_node("two", two)
        .add_edge(START, "two")
        .compile(checkpointer=InMemorySaver())
    )
    first = graph.invoke({}, CFG)["__interrupt__"][0]
    assert graph.invoke(None, CFG)["__interrupt__"][0].id == first.id
    second = graph.invoke(Command(resume="A"), CFG)["__interrupt__"][0]
    assert second.value == "two" and second.id != first.id
    assert graph.invoke(Command(resume="B"), CFG)["text"] == "AB"


def test_subgraph_as_node_with_interrupt():
    """A compiled subgraph added as a node pauses the parent and the resume reaches it; its
    final list goes back whole, so the parent's reducer sees "first" twice (LangGraph's rule)."""
    runs = []

    def inner(state):
        runs.append("inner")
        return {"vals": [f"inner:{interrupt('inner question')}"]}

    sub = StateGraph(Vals).add_node("inner", inner).add_edge(START, "inner").compile()
    parent = (
        StateGraph(Vals)
        .add_node("first", lambda s: {"vals": ["first"]})
        .add_node("sub", sub)
        .add_edge(START, "first")
        .add_edge("first", "sub")
        .compile(checkpointer=InMemorySaver())
    )
    paused = parent.invoke({}, CFG)
    assert paused["__interrupt__"][0].value == "inner question"
    state = parent.get_state(CFG, subgraphs=True)
    assert state.next == ("sub",)
    assert state.tasks[0].state.next == ("inner",)
    out = parent.invoke(Command(resume="ok"), CFG)
    assert out["vals"] == ["first", "first", "inner:ok"]
    assert runs == ["inner", "inner"]


def test_update_as_one_branch_ends_the_step_waiting_send_tasks_too():
    """An edit is a step of its own in which only ``as_node`` ran: the tasks that were
    waiting (Send tasks and their questions too) are dropped, and only the edit's own
    routing decides what runs next (LangGraph's rule)."""

    from hitl_notebook import END, Send

    class S(Vals, total=False):
        items: list

    def work(arg):
        return {"vals": [interrupt(f"item {arg['item']}")]}

    graph = (
        StateGraph(S)
        .add_node("work", work)
        .add_node("note", lambda s: {"vals": ["note"]})
        .add_conditional_edges(
            START, lambda s: [Send("work", {"item": i}) for i in s["items"]] + ["note"]
        )
        .add_edge("note", END)
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"items": [1, 2]}, CFG)
    assert [t.name for t in graph.get_state(CFG).tasks].count("work") == 2
    fork = graph.update_state(CFG, {"vals": ["by hand"]}, as_node="note")
    assert graph.get_state(fork).tasks == ()
    assert graph.invoke(None, fork)["vals"] == ["by hand"]
