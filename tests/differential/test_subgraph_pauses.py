"""What a subgraph shows and keeps when it stops early: a question asked while a sibling
task finished, and a ``Command(graph=Command.PARENT)`` handed up. Found by the random
subgraph runs (issue 10, eleventh session); each differed from LangGraph before its fix."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, plain, same, thread

pytestmark = pytest.mark.langgraph


class Log(TypedDict, total=False):
    log: Annotated[list, operator.add]


def _fan_out(api: Api, **compile_options):
    """``first``, then ``ask`` (asks) and ``done`` (finishes) side by side."""
    builder = api.StateGraph(Log)
    builder.add_node("first", lambda s: {"log": ["first"]})
    builder.add_node("ask", lambda s: {"log": [f"ask:{api.interrupt('q')}"]})
    builder.add_node("done", lambda s: {"log": ["done"]})
    builder.add_edge(api.START, "first")
    builder.add_edge("first", "ask")
    builder.add_edge("first", "done")
    return builder.compile(**compile_options)


@pytest.mark.parametrize("called", [False, True], ids=["as-node", "called-by-a-node"])
@pytest.mark.parametrize("modes", [["values"], ["updates", "values"]])
def test_a_subgraphs_pause_shows_no_state_with_the_finished_siblings_writes(called, modes):
    """A paused root graph shows its state with the finished siblings' writes last; a
    paused subgraph does not (its pause goes on up to the parent, which shows its own)."""

    def scenario(api: Api):
        sub = _fan_out(api)
        builder = api.StateGraph(Log)
        builder.add_node("before", lambda s: {"log": ["before"]})
        builder.add_node("sub", (lambda s: sub.invoke(s)) if called else sub)
        builder.add_edge(api.START, "before")
        builder.add_edge("before", "sub")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        chunks = [
            (len(ns), mode, plain(chunk))
            for ns, mode, chunk in graph.stream(
                {"log": []}, config, stream_mode=modes, subgraphs=True
            )
        ]
        done = graph.invoke(api.Command(resume="yes"), config)
        return chunks, plain(done)

    chunks, done = same(scenario)
    # the subgraph's last values chunk is its question, not its state with "done" in it
    inner = [chunk for depth, mode, chunk in chunks if depth == 1 and mode == "values"]
    assert inner[-1] == {"log": ["before", "first"], "__interrupt__": ("q",)}
    assert {"ask:yes", "done"} <= set(done["log"])


def test_a_root_pause_still_shows_the_finished_siblings_writes():
    def scenario(api: Api):
        graph = _fan_out(api, checkpointer=api.InMemorySaver())
        return [plain(c) for c in graph.stream({"log": []}, thread("t"), stream_mode="values")]

    assert same(scenario)[-1] == {"log": ["first", "done"]}


@pytest.mark.parametrize("called", [False, True], ids=["as-node", "called-by-a-node"])
def test_a_command_for_the_parent_is_not_recorded_as_the_subgraphs_error(called):
    """The subgraph task that hands a command up ends the subgraph's run; its checkpoint
    keeps the task waiting, with no error (we recorded the command as one)."""

    def scenario(api: Api):
        sub_builder = api.StateGraph(Log)
        sub_builder.add_node(
            "hand_up",
            lambda s: api.Command(graph=api.Command.PARENT, goto="after", update={"log": ["up"]}),
        )
        sub_builder.add_node("never", lambda s: {"log": ["never"]})
        sub_builder.add_edge(api.START, "hand_up")
        sub_builder.add_edge("hand_up", "never")
        sub = sub_builder.compile()
        builder = api.StateGraph(Log)
        builder.add_node("start", lambda s: {"log": ["start"]})
        builder.add_node("sub", (lambda s: sub.invoke(s)) if called else sub)
        builder.add_node("after", lambda s: {"log": ["after"]})
        builder.add_node("ask", lambda s: {"log": [f"ask:{api.interrupt('q')}"]})
        builder.add_edge(api.START, "start")
        builder.add_edge("start", "sub")
        builder.add_edge("start", "ask")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        graph.invoke({"log": []}, config)
        snapshot = graph.get_state(config, subgraphs=True)
        subgraph_states = [t.state for t in snapshot.tasks if hasattr(t.state, "values")]
        return [
            (
                plain(s.values),
                s.next,
                [(t.name, repr(t.error), plain(t.result)) for t in s.tasks],
            )
            for s in subgraph_states
        ]

    (sub_state,) = same(scenario)
    assert sub_state[1] == ("hand_up",)
    assert sub_state[2] == [("hand_up", "None", None)]


def test_a_stateful_subgraph_called_again_later_in_the_run_starts_on_its_new_input():
    """A ``checkpointer=True`` subgraph stopped by a command for its parent keeps a task
    waiting; called again in a later step of the same call, it takes its new input on top
    of its state (only the first step of a continued call picks up where it stopped)."""

    def scenario(api: Api):
        sub_builder = api.StateGraph(Log)
        sub_builder.add_node(
            "hand_up",
            lambda s: api.Command(
                graph=api.Command.PARENT,
                goto="sub" if len(s["log"]) < 4 else "end",
                update={"log": ["up"]},
            ),
        )
        sub_builder.add_node("never", lambda s: {"log": ["never"]})
        sub_builder.add_edge(api.START, "hand_up")
        sub_builder.add_edge("hand_up", "never")
        builder = api.StateGraph(Log)
        builder.add_node("start", lambda s: {"log": ["start"]})
        builder.add_node("sub", sub_builder.compile(checkpointer=True))
        builder.add_node("end", lambda s: {"log": ["end"]})
        builder.add_edge(api.START, "start")
        builder.add_edge("start", "sub")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        chunks = [
            (ns[-1].split(":")[0] if ns else "", mode, plain(chunk))
            for ns, mode, chunk in graph.stream(
                {"log": []}, thread("t"), stream_mode=["updates", "checkpoints"], subgraphs=True
            )
        ]
        return [
            (where, "checkpoint", c["metadata"]["source"], c["metadata"]["step"], c["next"])
            if mode == "checkpoints"
            else (where, mode, c)
            for where, mode, c in chunks
        ]

    seen = same(scenario)
    sub_inputs = [c for c in seen if c[0] == "sub" and c[2] == "input"]
    assert [c[3] for c in sub_inputs] == [-1, 1, 3]  # each later call: a new input step


def test_a_stateful_subgraph_keeps_its_latest_state_after_an_edit_above_it():
    """Editing the parent (``as_node``) while a stateful subgraph waits, then continuing:
    the subgraph continues from its latest checkpoint, as LangGraph's does (time travel
    with a checkpoint id is what takes it back to its state as of that point)."""

    def scenario(api: Api):
        sub_builder = api.StateGraph(Log)
        sub_builder.add_node("one", lambda s: {"log": ["one"]})
        sub_builder.add_node("two", lambda s: {"log": [f"two:{api.interrupt('q')}"]})
        sub_builder.add_edge(api.START, "one")
        sub_builder.add_edge("one", "two")
        builder = api.StateGraph(Log)
        builder.add_node("start", lambda s: {"log": ["start"]})
        builder.add_node("sub", sub_builder.compile(checkpointer=True))
        builder.add_edge(api.START, "start")
        builder.add_edge("start", "sub")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        graph.invoke({"log": []}, config)
        graph.update_state(config, {"log": ["edit"]}, as_node="start")
        first = graph.invoke(None, config)
        done = graph.invoke(api.Command(resume="yes"), config)
        return plain(first), plain(done)

    first, done = same(scenario)
    assert first["__interrupt__"] == ["q"]
    assert "two:yes" in done["log"]


@pytest.mark.parametrize("how", ["replay", "fork"])
def test_a_replay_counts_its_copy_in_the_recursion_budget(how):
    """A loop replayed from a past checkpoint stops where LangGraph's does: the copy of
    the checkpoint it starts from takes one step of ``recursion_limit``."""

    def scenario(api: Api):
        builder = api.StateGraph(Log)
        builder.add_node("a", lambda s: {"log": ["a"]})
        builder.add_node("b", lambda s: {"log": ["b"]})
        builder.add_edge(api.START, "a")
        builder.add_edge("a", "b")
        builder.add_edge("b", "a")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = {**thread("t"), "recursion_limit": 5}
        with pytest.raises(api.RecursionError):
            graph.invoke({"log": []}, config)
        past = next(s for s in graph.get_state_history(config) if s.metadata["step"] == 2)
        start = past.config if how == "replay" else graph.update_state(past.config, {"log": []})
        with pytest.raises(api.RecursionError):
            graph.invoke(None, {**start, "recursion_limit": 5})
        head = graph.get_state(config)
        return head.metadata["step"], len(head.values["log"])

    same(scenario)
