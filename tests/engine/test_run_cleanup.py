"""A call's run is freed as soon as the call returns: nothing it made is a reference
cycle (left to the garbage collector, a run would keep its values, records and events
alive until the next collection, and every collection meanwhile would walk them)."""

from __future__ import annotations

import gc
from collections import Counter

from hitl_notebook import END, START, Command, InMemorySaver, StateGraph, interrupt

from .helpers import Vals


def _cycles_left_by(call) -> Counter:
    """The types of the objects only the cycle collector could free after ``call()``."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        call()
        gc.collect()
        return Counter(type(o).__name__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


def test_a_pause_and_its_resume_leave_no_reference_cycle():
    graph = (
        StateGraph(Vals)
        .add_node("write", lambda s: {"vals": ["draft"]})
        .add_node("review", lambda s: {"vals": [interrupt("ok?")]})
        .add_edge(START, "write")
        .add_edge("write", "review")
        .add_edge("review", END)
        .compile(checkpointer=InMemorySaver())
    )
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"vals": []}, config)  # warm: first calls build caches

    def pair():
        config = {"configurable": {"thread_id": "u"}}
        graph.invoke({"vals": []}, config)
        assert graph.invoke(Command(resume="yes"), config)["vals"] == ["draft", "yes"]

    assert _cycles_left_by(pair) == Counter()


def test_a_streamed_call_leaves_no_reference_cycle():
    graph = (
        StateGraph(Vals)
        .add_node("a", lambda s: {"vals": ["a"]})
        .add_edge(START, "a")
        .compile(checkpointer=InMemorySaver())
    )
    config = {"configurable": {"thread_id": "t"}}
    modes = ["updates", "values", "tasks", "checkpoints", "debug"]

    def streamed():
        assert list(graph.stream({"vals": []}, config, stream_mode=modes))

    assert _cycles_left_by(streamed) == Counter()
