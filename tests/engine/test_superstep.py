"""Super-steps: concurrency, deterministic write order, conflicts, and what survives a
paused or failed step."""

from __future__ import annotations

import threading

import pytest

from hitl_notebook import (
    END,
    START,
    Command,
    InMemorySaver,
    InvalidUpdateError,
    StateGraph,
    interrupt,
)

from .helpers import Vals

CFG = {"configurable": {"thread_id": "t"}}


def test_parallel_sync_nodes_run_concurrently():
    """Nodes triggered in one step run at the same time (a barrier both must reach)."""
    barrier = threading.Barrier(2, timeout=5)

    def a(state):
        barrier.wait()
        return {"vals": ["a"]}

    def b(state):
        barrier.wait()
        return {"vals": ["b"]}

    graph = (
        StateGraph(Vals)
        .add_node("a", a)
        .add_node("b", b)
        .add_edge(START, "a")
        .add_edge(START, "b")
        .compile()
    )
    assert graph.invoke({})["vals"] == ["a", "b"]


def test_writes_apply_in_node_name_order_not_finish_or_added_order():
    """Whichever finishes or was added first, the reducer sees writes in node-name order
    (LangGraph's order)."""
    import time

    def slow(state):
        time.sleep(0.05)
        return {"vals": ["a"]}

    def fast(state):
        return {"vals": ["b"]}

    graph = (
        StateGraph(Vals)
        .add_node("b", fast)
        .add_node("a", slow)
        .add_edge(START, "b")
        .add_edge(START, "a")
        .compile()
    )
    for _ in range(3):
        assert graph.invoke({})["vals"] == ["a", "b"]


def test_last_value_key_written_twice_in_one_step_is_a_clear_error():
    """Two parallel writes to a plain key name the key and the fix; nothing is saved."""
    graph = (
        StateGraph(Vals)
        .add_node("a", lambda s: {"text": "a"})
        .add_node("b", lambda s: {"text": "b"})
        .add_edge(START, "a")
        .add_edge(START, "b")
        .compile(checkpointer=InMemorySaver())
    )
    with pytest.raises(InvalidUpdateError, match="'text' received 2 values in one step"):
        graph.invoke({}, CFG)
    assert graph.get_state(CFG).next == ("a", "b")


def test_finished_sibling_does_not_rerun_when_other_branch_interrupts():
    """The sibling that finished keeps its writes; only the interrupted task re-runs."""
    runs = []

    def ask(state):
        runs.append("ask")
        return {"vals": [interrupt("q")]}

    def work(state):
        runs.append("work")
        return {"vals": ["work"]}

    graph = (
        StateGraph(Vals)
        .add_node("ask", ask)
        .add_node("work", work)
        .add_edge(START, "ask")
        .add_edge(START, "work")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({}, CFG)
    state = graph.get_state(CFG)
    assert state.next == ("ask",)
    assert {t.name: t.result for t in state.tasks}["work"] == {"vals": ["work"]}
    out = graph.invoke(Command(resume="answer"), CFG)
    assert out["vals"] == ["answer", "work"]
    assert runs == ["ask", "work", "ask"]


def test_failed_task_is_retried_alone_and_sibling_writes_kept():
    """A node error is raised to the caller; invoke(None) retries only the failed task."""
    runs = []
    flaky = {"fail": True}

    def boom(state):
        runs.append("boom")
        if flaky["fail"]:
            raise RuntimeError("upstream timeout")
        return {"vals": ["boom"]}

    def work(state):
        runs.append("work")
        return {"vals": ["work"]}

    graph = (
        StateGraph(Vals)
        .add_node("boom", boom)
        .add_node("work", work)
        .add_edge(START, "boom")
        .add_edge(START, "work")
        .compile(checkpointer=InMemorySaver())
    )
    with pytest.raises(RuntimeError, match="upstream timeout"):
        graph.invoke({}, CFG)
    state = graph.get_state(CFG)
    assert {t.name: t.error for t in state.tasks}[
        "boom"
    ] == "RuntimeError('upstream timeout')"  # LangGraph's repr
    flaky["fail"] = False
    assert graph.invoke(None, CFG)["vals"] == ["boom", "work"]
    assert runs == ["boom", "work", "boom"]


def test_command_goto_list_and_end():
    """Command(goto=[...]) fans out; goto=END stops that path."""

    def router(state):
        return Command(update={"vals": ["router"]}, goto=["x", "y"])

    def x(state):
        return Command(update={"vals": ["x"]}, goto=END)

    graph = (
        StateGraph(Vals)
        .add_node("router", router)
        .add_node("x", x)
        .add_node("y", lambda s: {"vals": ["y"]})
        .add_edge(START, "router")
        .compile()
    )
    assert graph.invoke({})["vals"] == ["router", "x", "y"]


def test_join_waits_for_all_sources():
    """add_edge([a, b], c): c runs once, after both a and b, even when they finish in
    different steps."""

    graph = (
        StateGraph(Vals)
        .add_node("a", lambda s: {"vals": ["a"]})
        .add_node("b1", lambda s: {"vals": ["b1"]})
        .add_node("b2", lambda s: {"vals": ["b2"]})
        .add_node("c", lambda s: {"vals": ["c"]})
        .add_edge(START, "a")
        .add_edge(START, "b1")
        .add_edge("b1", "b2")
        .add_edge(["a", "b2"], "c")
        .compile()
    )
    assert graph.invoke({})["vals"] == ["a", "b1", "b2", "c"]


def test_send_map_reduce():
    """Send fans out one task per item, each with its own input."""
    from hitl_notebook import Send

    class S(Vals, total=False):
        items: list

    def fan(state):
        return [Send("work", {"item": i}) for i in state["items"]]

    graph = (
        StateGraph(S)
        .add_node("work", lambda arg: {"vals": [arg["item"] * 10]})
        .add_conditional_edges(START, fan)
        .compile()
    )
    assert graph.invoke({"items": [1, 2, 3]})["vals"] == [10, 20, 30]


def test_paused_step_shows_finished_siblings_writes_in_values():
    """While a sibling waits, the finished task's writes show in values (next excludes it)."""

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
    out = graph.invoke({}, CFG)
    assert out["vals"] == ["work"]
    assert graph.get_state(CFG).values["vals"] == ["work"]
    assert graph.invoke(Command(resume="answer"), CFG)["vals"] == ["answer", "work"]
