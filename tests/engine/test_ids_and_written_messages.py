"""Ids a user can rely on: a written message keeps one id from its routing to its history,
message and checkpoint ids never repeat (not even after ``random.seed``), and what a node
returned is what streams and history show."""

from __future__ import annotations

import random
import uuid
from datetime import datetime

from hitl_notebook import END, START, InMemorySaver, MessagesState, StateGraph
from hitl_notebook.checkpoint.base import new_checkpoint_id, task_id
from hitl_notebook.engine.loop import now_iso
from hitl_notebook.engine.snapshot import recorded_writes
from hitl_notebook.messages import new_message_id


def _reply_graph(seen_by_router: list):
    """One node writes a message as a plain dict; its conditional edge records what it saw."""

    def reply(state):
        return {"messages": [{"role": "assistant", "content": "hi"}]}

    def route(state) -> str:
        seen_by_router.append(state["messages"][-1])
        return END

    return (
        StateGraph(MessagesState)
        .add_node("reply", reply)
        .add_edge(START, "reply")
        .add_conditional_edges("reply", route, [END])
        .compile(checkpointer=InMemorySaver())
    )


def test_the_router_sees_the_message_id_that_is_stored():
    seen: list = []
    graph = _reply_graph(seen)
    config = {"configurable": {"thread_id": "t"}}
    out = graph.invoke({"messages": []}, config)
    [routed] = seen
    assert routed.id is not None
    assert out["messages"][-1].id == routed.id
    assert graph.get_state(config).values["messages"][-1].id == routed.id


def test_streams_and_history_show_what_the_node_returned():
    graph = _reply_graph([])
    config = {"configurable": {"thread_id": "t"}}
    chunks = list(graph.stream({"messages": []}, config, stream_mode="updates"))
    assert chunks == [{"reply": {"messages": [{"role": "assistant", "content": "hi"}]}}]
    latest = graph.get_state(config)
    assert recorded_writes(graph, latest) == {
        "reply": {"messages": [{"role": "assistant", "content": "hi"}]}
    }
    assert latest.values["messages"][-1].content == "hi"


def test_message_ids_are_uuid4_and_ignore_random_seed():
    random.seed(7)
    first = [new_message_id() for _ in range(3)]
    random.seed(7)
    again = [new_message_id() for _ in range(3)]
    assert not set(first) & set(again)
    for text in first:
        parsed = uuid.UUID(text)
        assert (str(parsed), parsed.version, parsed.variant) == (text, 4, uuid.RFC_4122)


def test_checkpoint_ids_increase_strictly_and_ignore_random_seed():
    random.seed(7)
    ids = [new_checkpoint_id() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    random.seed(7)
    assert new_checkpoint_id()[19:] != ids[0][19:]  # the random low bits differ


def test_checkpoint_ids_are_uuid_shaped_hex_of_the_time_then_random_bits():
    """The id is the creation time in nanoseconds (16 hex digits) then 16 random ones."""
    before = datetime.now().timestamp()
    cid = new_checkpoint_id()
    assert str(uuid.UUID(cid)) == cid
    assert abs(int(cid.replace("-", "")[:16], 16) / 1e9 - before) < 5


def test_task_ids_keep_their_values():
    """A stored plan whose id is the derived one is stored without it, so the derivation
    must give what earlier versions gave (a name with a lone surrogate included)."""
    cid = "1ef4f797-8335-6428-8001-8a1503f9b875"
    assert task_id(cid, "", "write") == "060175e9-be2e-5707-da3b-10b05a22478d"
    assert task_id(cid, "sub:abc", "fan", 2) == "a80fbeae-0972-009b-f90f-c6567a622d3f"
    assert task_id("cp", "", "odd\udc80name") == "4d1a8ebc-1ec5-e647-a407-1ca2b7c87e5f"


def test_created_at_is_iso_utc_with_microseconds():
    before = datetime.now().astimezone()
    stamp = now_iso()
    parsed = datetime.fromisoformat(stamp)
    assert stamp.endswith("+00:00") and len(stamp) == len("2026-01-02T03:04:05.000006+00:00")
    assert abs((parsed - before).total_seconds()) < 5


def test_a_node_changing_its_input_dict_changes_neither_routing_nor_state():
    """Only returned updates count: a node that assigns into the dict it was given changes
    nothing its conditional edge or the next step sees (as in LangGraph)."""
    from typing import TypedDict

    class S(TypedDict, total=False):
        count: int
        note: str

    seen: list = []

    def sloppy(state):
        state["count"] = 99
        return {"note": "done"}

    def route(state) -> str:
        seen.append(state.get("count"))
        return END

    graph = (
        StateGraph(S)
        .add_node("sloppy", sloppy)
        .add_edge(START, "sloppy")
        .add_conditional_edges("sloppy", route, [END])
        .compile()
    )
    assert graph.invoke({"count": 1}) == {"count": 1, "note": "done"}
    assert seen == [1]


def test_a_finished_siblings_message_keeps_its_id_across_a_pause():
    """In a step where one branch asks a question, the branch that finished keeps the very
    message (and id) it wrote: shown while the step waits, committed after the answer."""
    from hitl_notebook import Command, interrupt

    def quick(state):
        return {"messages": [{"role": "assistant", "content": "done early"}]}

    def asks(state):
        return {"messages": [{"role": "user", "content": interrupt("name?")}]}

    graph = (
        StateGraph(MessagesState)
        .add_node("quick", quick)
        .add_node("asks", asks)
        .add_edge(START, "quick")
        .add_edge(START, "asks")
        .compile(checkpointer=InMemorySaver())
    )
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"messages": []}, config)
    [waiting] = [m for m in graph.get_state(config).values["messages"] if m.content == "done early"]
    out = graph.invoke(Command(resume="Ada"), config)
    [committed] = [m for m in out["messages"] if m.content == "done early"]
    assert waiting.id is not None and committed.id == waiting.id
    # applied in node-name order, as LangGraph does: "asks" before "quick"
    assert [m.content for m in out["messages"]] == ["Ada", "done early"]
