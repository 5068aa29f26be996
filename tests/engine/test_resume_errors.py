"""Misuses of resume are a clear exception at the call, and the thread's history is unchanged."""

from __future__ import annotations

import warnings

import pytest

from hitl_notebook import (
    START,
    Command,
    HITLWarning,
    InMemorySaver,
    ResumeError,
    StateGraph,
    interrupt,
)

from .helpers import Vals, history, one_question_graph, two_branch_graph

CFG = {"configurable": {"thread_id": "t"}}


def test_resume_on_unknown_thread_names_the_thread():
    """Resuming a thread that never ran is an error, not a silent new run."""
    graph = one_question_graph()
    with pytest.raises(ResumeError, match="Thread 'nope' has no checkpoint"):
        graph.invoke(Command(resume="x"), {"configurable": {"thread_id": "nope"}})
    assert history(graph, {"configurable": {"thread_id": "nope"}}) == []


def test_resume_on_finished_thread_is_an_error_and_changes_nothing():
    """A finished thread has nothing pending: the answer is not silently dropped."""
    graph = one_question_graph()
    graph.invoke({"text": ""}, CFG)
    graph.invoke(Command(resume="first"), CFG)
    before = history(graph, CFG)
    with pytest.raises(ResumeError, match="no pending interrupt"):
        graph.invoke(Command(resume="again"), CFG)
    assert history(graph, CFG) == before


def test_resume_map_with_unknown_id_is_rejected():
    """A map naming an id that is not pending says which id and lists the pending ones."""
    graph = two_branch_graph()
    out = graph.invoke({}, CFG)
    ids = [i.id for i in out["__interrupt__"]]
    before = history(graph, CFG)
    with pytest.raises(ResumeError) as err:
        graph.invoke(Command(resume={ids[0]: "x", "0" * 32: "y"}), CFG)
    assert "0" * 32 in str(err.value) and ids[1] in str(err.value)
    assert history(graph, CFG) == before


def test_stale_id_shaped_key_with_one_pending_is_not_taken_as_the_answer():
    """With one interrupt pending, a dict keyed by a non-pending interrupt id is an error."""
    graph = one_question_graph()
    graph.invoke({}, CFG)
    with pytest.raises(ResumeError, match="not pending"):
        graph.invoke(Command(resume={"f" * 32: "x"}), CFG)


def test_plain_value_with_several_pending_lists_the_ids():
    """A single value is ambiguous when several interrupts wait: the error lists their ids."""
    graph = two_branch_graph()
    out = graph.invoke({}, CFG)
    before = history(graph, CFG)
    with pytest.raises(ResumeError, match="2 pending interrupts") as err:
        graph.invoke(Command(resume="yes"), CFG)
    for pending in out["__interrupt__"]:
        assert pending.id in str(err.value)
    assert history(graph, CFG) == before


def test_partial_resume_map_answers_some_and_keeps_the_rest_pending():
    """Answering one of two parallel interrupts runs that branch only; the other stays."""
    runs = []

    def a(state):
        runs.append("a")
        return {"vals": [f"a:{interrupt('qa')}"]}

    def b(state):
        runs.append("b")
        return {"vals": [f"b:{interrupt('qb')}"]}

    graph = (
        StateGraph(Vals)
        .add_node("a", a)
        .add_node("b", b)
        .add_edge(START, "a")
        .add_edge(START, "b")
        .compile(checkpointer=InMemorySaver())
    )
    out = graph.invoke({}, CFG)
    by_value = {i.value: i.id for i in out["__interrupt__"]}
    partial = graph.invoke(Command(resume={by_value["qa"]: 1}), CFG)
    assert [i.id for i in partial["__interrupt__"]] == [by_value["qb"]]
    # a and b start together on worker threads, so the first two may come in either order
    assert sorted(runs[:2]) == ["a", "b"] and runs[2:] == ["a"], (
        "b must not re-run while still unanswered"
    )
    done = graph.invoke(Command(resume=2), CFG)
    assert done["vals"] == ["a:1", "b:2"]


def test_resume_none_is_a_legal_answer():
    """Command(resume=None) answers with None (LangGraph treats it as no resume)."""
    graph = one_question_graph()
    graph.invoke({"text": "before"}, CFG)
    assert graph.invoke(Command(resume=None), CFG) == {"vals": [], "text": None}


def test_interrupt_without_checkpointer_fails_at_the_interrupt_call():
    """The error comes from interrupt() itself and says how to fix it."""

    def ask(state):
        return {"text": interrupt("q")}

    graph = StateGraph(Vals).add_node("ask", ask).add_edge(START, "ask").compile()
    with pytest.raises(RuntimeError, match="needs a checkpointer"):
        graph.invoke({})


def test_unserialisable_interrupt_payload_fails_at_the_call():
    """A payload that cannot be stored is rejected when interrupt() is called, with its path."""

    class Opaque:
        pass

    def ask(state):
        return {"text": interrupt({"question": "ok?", "thing": Opaque()})}

    graph = (
        StateGraph(Vals)
        .add_node("ask", ask)
        .add_edge(START, "ask")
        .compile(checkpointer=InMemorySaver())
    )
    with pytest.raises(TypeError, match="interrupt\\(\\) in node 'ask'.*thing"):
        graph.invoke({}, CFG)


def test_new_input_over_pending_interrupt_warns_and_starts_a_new_run():
    """New dict input to a paused thread is not silent: a warning names the pending ids."""
    graph = one_question_graph()
    first = graph.invoke({"text": ""}, CFG)
    with pytest.warns(HITLWarning, match=first["__interrupt__"][0].id):
        second = graph.invoke({"text": "new"}, CFG)
    assert second["__interrupt__"][0].value == "question?"
    assert second["__interrupt__"][0].id != first["__interrupt__"][0].id


def test_continue_with_none_returns_the_pending_interrupt_without_rerunning():
    """invoke(None) on a paused thread shows the same question; the node is not re-run."""
    runs = []

    def ask(state):
        runs.append(1)
        return {"text": interrupt("q")}

    graph = (
        StateGraph(Vals)
        .add_node("ask", ask)
        .add_edge(START, "ask")
        .compile(checkpointer=InMemorySaver())
    )
    first = graph.invoke({}, CFG)
    again = graph.invoke(None, CFG)
    assert [i.id for i in again["__interrupt__"]] == [first["__interrupt__"][0].id]
    assert runs == [1]


def test_resume_at_static_breakpoint_answers_the_nodes_interrupt():
    """Paused by interrupt_before, Command(resume=v) continues and v answers that node's
    interrupt() (the seed's plan/approve sample relies on this)."""

    def ask(state):
        return {"text": interrupt("q")}

    graph = (
        StateGraph(Vals)
        .add_node("ask", ask)
        .add_edge(START, "ask")
        .compile(checkpointer=InMemorySaver(), interrupt_before=["ask"])
    )
    assert "__interrupt__" not in graph.invoke({}, CFG)
    with warnings.catch_warnings():
        warnings.simplefilter("error", HITLWarning)  # taken by interrupt(): not "unused"
        assert graph.invoke(Command(resume="yes"), CFG) == {"vals": [], "text": "yes"}


def test_resume_at_static_breakpoint_warns_when_node_never_asks():
    """An answer no interrupt() consumes is reported, not silently dropped."""
    graph = (
        StateGraph(Vals)
        .add_node("plain", lambda s: {"text": "ran"})
        .add_edge(START, "plain")
        .compile(checkpointer=InMemorySaver(), interrupt_before=["plain"])
    )
    graph.invoke({}, CFG)
    with pytest.warns(HITLWarning, match="not used"):
        graph.invoke(Command(resume="unused"), CFG)
