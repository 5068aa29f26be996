"""A LangChain chat model in a graph of ours: ``to_langchain_messages`` hands it our
conversation (it rejects our message classes), and ``ToolNode`` answers its tool calls in
LangChain's classes, so the bring-your-own-model agent runs end to end."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain_core")

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage as LCAIMessage
from langchain_core.messages import BaseMessage as LCBaseMessage
from langchain_core.messages import ToolMessage as LCToolMessage
from pydantic import Field

from hitl_notebook import (
    START,
    AIMessage,
    HumanMessage,
    InMemorySaver,
    MessagesState,
    StateGraph,
    ToolMessage,
    ToolNode,
    to_langchain_messages,
    tools_condition,
)


class RecordingModel(GenericFakeChatModel):
    """A LangChain chat model replaying scripted replies and recording what it was sent."""

    seen: list = Field(default_factory=list)

    def bind_tools(self, tools, **kwargs):
        return self

    def _generate(self, messages, *args, **kwargs):
        self.seen.append(list(messages))
        return super()._generate(messages, *args, **kwargs)


def model(*replies):
    return RecordingModel(messages=iter(replies))


def test_a_langchain_model_rejects_our_messages_and_reads_the_converted_ones():
    """The defect: LangChain refuses our classes. Converted, every field a model reads is
    kept: content, ids, tool calls, and the tool message's link and status."""
    conversation = [
        HumanMessage("weather?", id="h1"),
        AIMessage(
            "", id="a1", tool_calls=[{"name": "weather", "args": {"city": "Oslo"}, "id": "c1"}]
        ),
        ToolMessage("rain", tool_call_id="c1", name="weather", status="error", id="t1"),
    ]
    llm = model(LCAIMessage("Take an umbrella."))
    with pytest.raises(NotImplementedError):
        llm.invoke(conversation)
    reply = llm.invoke(to_langchain_messages({"messages": conversation}))
    assert reply.content == "Take an umbrella."
    sent = llm.seen[0]
    assert all(isinstance(m, LCBaseMessage) for m in sent)
    assert [(m.type, m.id) for m in sent] == [("human", "h1"), ("ai", "a1"), ("tool", "t1")]
    assert sent[1].tool_calls[0]["args"] == {"city": "Oslo"}
    assert (sent[2].tool_call_id, sent[2].name, sent[2].status) == ("c1", "weather", "error")


def test_langchain_messages_pass_through_and_bad_input_is_named():
    """LangChain messages are kept as they are; a state without messages says so."""
    kept = LCAIMessage("hi", id="x")
    assert to_langchain_messages([kept])[0] is kept
    with pytest.raises(ValueError, match="'messages' key"):
        to_langchain_messages({"history": []})
    with pytest.raises(TypeError, match="list of messages"):
        to_langchain_messages("hello")


def test_agent_with_a_langchain_model_and_tool_node():
    """The bring-your-own-model agent: the model's tool call is run by ``ToolNode``, whose
    answer is a LangChain tool message with the call's id, and the model gets it back."""

    def weather(city: str) -> str:
        """Weather in a city."""
        return f"rain in {city}"

    llm = model(
        LCAIMessage("", tool_calls=[{"name": "weather", "args": {"city": "Oslo"}, "id": "c1"}]),
        LCAIMessage("Take an umbrella."),
    ).bind_tools([weather])

    def agent(state):
        return {"messages": [llm.invoke(to_langchain_messages(state["messages"]))]}

    builder = StateGraph(MessagesState)
    builder.add_node("agent", agent)
    builder.add_node("tools", ToolNode([weather]))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    graph = builder.compile(checkpointer=InMemorySaver())
    out = graph.invoke(
        {"messages": [("user", "weather in Oslo?")]}, {"configurable": {"thread_id": "1"}}
    )
    answer = out["messages"][2]
    assert isinstance(answer, LCToolMessage)
    assert (answer.content, answer.tool_call_id, answer.name) == ("rain in Oslo", "c1", "weather")
    assert out["messages"][-1].content == "Take an umbrella."
    assert llm.seen[1][-1].content == "rain in Oslo"
