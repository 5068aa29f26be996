"""A resume that cannot be applied or stored changes nothing, on every saver (issue 14,
defects 1 and 2): the answer is not consumed, the interrupt stays pending, a retry works."""

from __future__ import annotations

from typing import TypedDict

import pytest

from hitl_notebook import END, START, Command, ResumeError, StateGraph, interrupt
from hitl_notebook.checkpoint.serde import SerializationError

CFG = {"configurable": {"thread_id": "t"}}


class State(TypedDict, total=False):
    answer: object
    prepared: bool


def _graph(saver, **compile_kwargs):
    def prepare(state):
        return {"prepared": True}

    def ask(state):
        return {"answer": interrupt("approve?")}

    return (
        StateGraph(State)
        .add_node("prepare", prepare)
        .add_node("ask", ask)
        .add_edge(START, "prepare")
        .add_edge("prepare", "ask")
        .add_edge("ask", END)
        .compile(checkpointer=saver, **compile_kwargs)
    )


def _history(graph) -> list[tuple]:
    return [
        (s.config["configurable"]["checkpoint_id"], s.values, s.next, [i.id for i in s.interrupts])
        for s in graph.get_state_history(CFG)
    ]


def test_stale_resume_map_at_a_breakpoint_is_a_resume_error(saver):
    """Stopped at an ``interrupt_before`` breakpoint, a map keyed by an interrupt id (a stale
    one, say from another kernel) is a ResumeError, not stored as the node's answer."""
    graph = _graph(saver, interrupt_before=["ask"])
    graph.invoke({}, CFG)
    before = _history(graph)
    stale = "0123456789abcdef0123456789abcdef"
    with pytest.raises(ResumeError, match=stale):
        graph.invoke(Command(resume={stale: "yes"}), CFG)
    assert _history(graph) == before
    # The breakpoint still takes a plain answer, which reaches the node's interrupt().
    assert graph.invoke(Command(resume="yes"), CFG)["answer"] == "yes"


def test_stale_resume_map_on_a_finished_thread_is_a_resume_error(saver):
    """Another process answered and finished the thread: an id-keyed map is refused."""
    graph = _graph(saver)
    first = graph.invoke({}, CFG)["__interrupt__"][0].id
    graph.invoke(Command(resume="yes"), CFG)
    before = _history(graph)
    with pytest.raises(ResumeError, match="no pending interrupt"):
        graph.invoke(Command(resume={first: "again"}), CFG)
    assert _history(graph) == before


@pytest.mark.parametrize(
    "metadata",
    [{"x": float("nan")}, {"x": lambda: 1}, {"x": "a\x00b"}],
    ids=["nan", "lambda", "nul"],
)
def test_resume_with_unstorable_metadata_consumes_no_answer(saver, metadata):
    """Run metadata that cannot be stored fails the call before the answer is saved: the
    interrupt is still pending, a plain retry answers it, ``invoke(None)`` does not use the
    failed answer."""
    graph = _graph(saver)
    asked = graph.invoke({}, CFG)["__interrupt__"][0]
    before = _history(graph)
    with pytest.raises(SerializationError, match="metadata"):
        graph.invoke(Command(resume="failed"), {**CFG, "metadata": metadata})
    assert _history(graph) == before
    assert [i.id for i in graph.get_state(CFG).interrupts] == [asked.id]
    again = graph.invoke(None, CFG)  # continuing without an answer asks again
    assert again["__interrupt__"][0].id == asked.id and "answer" not in again
    assert graph.invoke(Command(resume="retried"), CFG)["answer"] == "retried"


def test_resume_with_an_unstorable_update_consumes_no_answer(saver):
    """``Command(resume=..., update=...)`` whose update cannot be stored stores neither."""
    graph = _graph(saver)
    graph.invoke({}, CFG)
    before = _history(graph)
    with pytest.raises(SerializationError, match="update"):
        graph.invoke(Command(resume="yes", update={"prepared": object()}), CFG)
    assert _history(graph) == before
    assert graph.invoke(Command(resume="ok"), CFG)["answer"] == "ok"


def test_update_state_with_a_list_names_what_it_expected(saver):
    """``update_state(cfg, [1, 2])`` is a TypeError saying a dict was expected."""
    graph = _graph(saver)
    graph.invoke({}, CFG)
    before = _history(graph)
    with pytest.raises(TypeError, match="Expected a dict"):
        graph.update_state(CFG, [1, 2])
    assert _history(graph) == before
