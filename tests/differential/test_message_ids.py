"""Message ids as LangGraph gives them: ``add_messages`` sets a missing id on the message
object itself (so a node's streamed update, and the caller's own input message, show the id
the state stores), and takes it from ``uuid.uuid4`` (so a test that patches it sees the
same ids on both engines)."""

from __future__ import annotations

from unittest import mock
from uuid import UUID

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from .harness import Api, same, thread

pytestmark = pytest.mark.langgraph


def _reply_graph(api: Api, reply):
    """``START -> reply``: ``reply`` returns the message ``reply()`` builds."""
    return (
        api.StateGraph(api.MessagesState)
        .add_node("reply", lambda state: {"messages": reply()})
        .add_edge(api.START, "reply")
        .compile(checkpointer=api.InMemorySaver())
    )


def test_the_updates_stream_shows_the_id_the_state_stores():
    """The message a node returned is the one streamed, and it carries its stored id."""

    def scenario(api: Api):
        returned: list = []

        def reply():
            returned.append(AIMessage("hi"))
            return returned[-1]

        graph = _reply_graph(api, reply)
        config = thread("s")
        chunks = list(graph.stream({"messages": [("user", "hello")]}, config))
        streamed = chunks[0]["reply"]["messages"]
        stored = graph.get_state(config).values["messages"][-1]
        return {
            "streamed is returned": streamed is returned[0],
            "streamed id is stored id": streamed.id is not None and streamed.id == stored.id,
        }

    assert same(scenario) == {"streamed is returned": True, "streamed id is stored id": True}


def test_an_input_message_gets_its_id_in_place():
    """A message passed in without an id has, after the run, the id the state gave it."""

    def scenario(api: Api):
        question = HumanMessage("hello")
        graph = _reply_graph(api, lambda: AIMessage("hi", id="a1"))
        out = graph.invoke({"messages": [question]}, thread("i"))
        return question.id is not None and question.id == out["messages"][0].id

    assert same(scenario) is True


def test_ids_come_from_a_patched_uuid4():
    """With ``uuid.uuid4`` patched to count, both engines hand out the same ids in the
    same order (input message first, then the node's reply), on two runs of one thread."""

    def scenario(api: Api):
        numbers = (UUID(f"00000000-0000-4000-8000-{i:012}", version=4) for i in range(100))
        graph = _reply_graph(api, lambda: AIMessage("hi"))
        with mock.patch("uuid.uuid4", side_effect=numbers):
            graph.invoke({"messages": [HumanMessage("one")]}, thread("u"))
            out = graph.invoke({"messages": [("user", "two")]}, thread("u"))
        return [m.id for m in out["messages"]]

    assert same(scenario) == [f"00000000-0000-4000-8000-{i:012}" for i in range(4)]
