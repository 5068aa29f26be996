"""Message ids as LangGraph gives them: ``add_messages`` sets a missing id on the message
object itself (so a node's streamed update, and the caller's own input message, show the id
the state stores), and takes it from ``uuid.uuid4`` (so a test that patches it sees the
same ids on both engines)."""

from __future__ import annotations

from typing import Annotated, Literal
from unittest import mock
from uuid import UUID

import pytest
from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from pydantic import BaseModel, Field

from .harness import LANGGRAPH, OURS, Api, same, thread

pytestmark = pytest.mark.langgraph


class _TheirPydanticState(BaseModel):
    messages: Annotated[list[AnyMessage], LANGGRAPH.add_messages] = Field(default_factory=list)


class _OurPydanticState(BaseModel):
    messages: Annotated[list[AnyMessage], OURS.add_messages] = Field(default_factory=list)


_PYDANTIC_STATE = {LANGGRAPH.name: _TheirPydanticState, OURS.name: _OurPydanticState}


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


@pytest.mark.parametrize("schema", ["typeddict", "pydantic"])
def test_messages_stream_after_a_subgraph_resumes_sends_only_new_messages(schema):
    """A subgraph writes a message, then pauses; after the answer, the ``messages`` stream
    sends the messages written since, not the one the first request already showed."""

    def scenario(api: Api):
        State = _PYDANTIC_STATE[api.name] if schema == "pydantic" else api.MessagesState

        def propose(state) -> api.Command[Literal["approve"]]:
            return api.Command(goto="approve", update={"messages": [AIMessage("p", id="p1")]})

        def approve(state):
            answer = api.interrupt("ok?")
            return {"messages": [HumanMessage(answer, id="h2")]}

        saver = api.InMemorySaver()
        sub = (
            api.StateGraph(State)
            .add_node("propose", propose)
            .add_node("approve", approve)
            .add_edge(api.START, "propose")
            .compile(checkpointer=saver)
        )
        graph = (
            api.StateGraph(State)
            .add_node("sub", sub)
            .add_node("done", lambda state: {"messages": [AIMessage("d", id="d1")]})
            .add_edge(api.START, "sub")
            .add_edge("sub", "done")
            .compile(checkpointer=saver)
        )
        config = thread("m")
        requests = []
        for given in ({"messages": [HumanMessage("go", id="h1")]}, api.Command(resume="yes")):
            chunks = graph.stream(given, config, stream_mode="messages", subgraphs=True)
            requests.append(sorted({pair[0].id for _, pair in chunks}))
        return requests

    assert same(scenario) == [["p1"], ["d1", "h2"]]
