"""LangGraph's saver API on our savers: configs in, ``CheckpointTuple``s out, every
namespace of a thread listed, pending writes recorded; misuse is a precise error that
leaves the thread unchanged."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict

import pytest

from hitl_notebook import START, CheckpointTuple, Command, Interrupt, StateGraph, interrupt


class Log(TypedDict):
    log: str


class Log2(TypedDict):
    log: Annotated[list, operator.add]


def _ask_graph(saver):
    """``ask`` pauses on a question; ``inner`` is a subgraph with its own namespace."""
    inner = StateGraph(Log)
    inner.add_node("work", lambda s: {"log": s["log"] + "|inner"})
    inner.add_edge(START, "work")

    def ask(state):
        return {"log": state["log"] + "|" + interrupt("go?")}

    builder = StateGraph(Log)
    builder.add_node("inner", inner.compile())
    builder.add_node("ask", ask)
    builder.add_edge(START, "inner")
    builder.add_edge("inner", "ask")
    return builder.compile(checkpointer=saver)


def test_list_with_a_config_walks_every_namespace_and_get_tuple_reads_one(saver):
    """``list(config)`` without ``checkpoint_ns`` also lists the subgraph's checkpoints;
    with ``checkpoint_ns=""`` only the root graph's, which ``get_state_history`` shows."""
    graph = _ask_graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"log": "start"}, config)
    everything = list(saver.list(config))
    root = list(saver.list({"configurable": {"thread_id": "t", "checkpoint_ns": ""}}))
    assert all(isinstance(t, CheckpointTuple) for t in everything)
    assert {t.config["configurable"]["checkpoint_ns"] for t in everything} - {""}
    assert [t.config["configurable"]["checkpoint_id"] for t in root] == [
        s.config["configurable"]["checkpoint_id"] for s in graph.get_state_history(config)
    ]
    latest = saver.get_tuple(config)
    # As LangGraph's: the trigger channel of the task due next is among the channel values.
    assert latest.checkpoint["channel_values"] == {"log": "start|inner", "branch:to:ask": None}
    assert [(channel, [i.value for i in value]) for _, channel, value in latest.pending_writes] == [
        ("__interrupt__", ["go?"])
    ]
    assert saver.get(config)["id"] == latest.config["configurable"]["checkpoint_id"]
    assert next(iter(saver.list(None, limit=1))).config["configurable"]["thread_id"] == "t"


def test_put_writes_records_a_tasks_answer_that_resume_uses(saver):
    """A ``__resume__`` write stored through ``put_writes`` is the answer the next
    ``invoke(None)`` gives the waiting node."""
    graph = _ask_graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"log": "start"}, config)
    state = graph.get_state(config)
    saver.put_writes(state.config, [("__resume__", ["yes"])], state.tasks[0].id)
    assert graph.invoke(None, config)["log"] == "start|inner|yes"


def test_put_writes_misuse_names_the_problem_and_changes_nothing(saver):
    """An unknown task, a malformed write, a config without a checkpoint id: each a
    precise error, the checkpoint's pending writes unchanged."""
    graph = _ask_graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"log": "start"}, config)
    state = graph.get_state(config)
    before = saver.get_tuple(state.config).pending_writes
    task = state.tasks[0].id
    with pytest.raises(ValueError, match="'nope' is not a task of checkpoint"):
        saver.put_writes(state.config, [("log", "x")], "nope")
    with pytest.raises(ValueError, match="a pending write is a \\(channel, value\\) pair"):
        saver.put_writes(state.config, [("log", "x"), "oops"], task)
    with pytest.raises(ValueError, match="holds Interrupt objects"):
        saver.put_writes(state.config, [("__interrupt__", ["not an interrupt"])], task)
    with pytest.raises(ValueError, match="needs a config with a checkpoint_id"):
        saver.put_writes(config, [("log", "x")], task)
    with pytest.raises(KeyError, match="does not exist"):
        saver.put_writes(
            {"configurable": {"thread_id": "t", "checkpoint_id": "missing"}}, [("log", "x")], task
        )
    assert saver.get_tuple(state.config).pending_writes == before
    saver.put_writes(state.config, [("__interrupt__", (Interrupt("again?", "other-id"),))], task)
    ((_, _channel, questions),) = saver.get_tuple(state.config).pending_writes
    assert [q.id for q in questions][-1] == "other-id"


def test_a_config_without_a_thread_is_a_clear_error(saver):
    """``get_tuple``/``list`` need ``configurable.thread_id``; ``before`` needs a config."""
    with pytest.raises(ValueError, match="needs a config naming a thread"):
        saver.get_tuple({"configurable": {}})
    with pytest.raises(ValueError, match="needs a config naming a thread"):
        list(saver.list({"thread_id": "t"}))
    with pytest.raises(ValueError, match="before= takes a config"):
        list(saver.list({"configurable": {"thread_id": "t"}}, before="some-id"))
    with pytest.raises(ValueError, match="limit must be a non-negative int"):
        list(saver.list({"configurable": {"thread_id": "t"}}, limit=-1))


def test_async_twins_answer_as_the_sync_calls(saver):
    """``alist``/``aget_tuple``/``aput_writes`` give what their sync twins give."""
    graph = _ask_graph(saver)
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"log": "start"}, config)

    async def read():
        listed = [t async for t in saver.alist(config, limit=2)]
        return listed, await saver.aget_tuple(config)

    listed, latest = asyncio.run(read())
    assert listed == list(saver.list(config, limit=2))
    assert latest == saver.get_tuple(config)


def test_an_interrupt_write_replaces_the_tasks_unanswered_question(saver):
    """``put_writes`` of ``__interrupt__`` sets the task's pending question (LangGraph
    keeps one such write per task): the one it asked is gone, the answered ones stay in
    order, and the next answer goes to the node's next ``interrupt()``."""
    graph = (
        StateGraph(Log2)
        .add_node("ask", lambda s: {"log": [f"{interrupt('first?')},{interrupt('second?')}"]})
        .add_edge(START, "ask")
        .compile(checkpointer=saver)
    )
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"log": []}, config)
    graph.invoke(Command(resume="1"), config)
    state = graph.get_state(config)
    task = state.tasks[0].id
    saver.put_writes(state.config, [("__interrupt__", (Interrupt("instead?", "raw-id"),))], task)
    ((_, _, questions), _answers) = saver.get_tuple(state.config).pending_writes
    assert [q.value for q in questions] == ["first?", "instead?"]
    assert [(q.value, q.id) for q in graph.get_state(config).interrupts] == [("instead?", "raw-id")]
    assert graph.invoke(Command(resume={"raw-id": "2"}), config)["log"] == ["1,2"]
