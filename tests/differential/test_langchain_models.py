"""A LangChain chat model reading the state on both engines: the messages ``add_messages``
builds from tuples, dicts and strings are ones LangChain accepts (LangGraph builds its
classes; so do we once LangChain is loaded), so the usual agent node runs unchanged."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import FakeMessagesListChatModel
from langchain_core.messages import AIMessage as LCAIMessage
from langchain_core.prompts import ChatPromptTemplate

from hitl_notebook import START, MessagesState, StateGraph
from hitl_notebook.checkpoint import SqliteSaver

from .harness import Api, plain, same, thread

pytestmark = pytest.mark.langgraph


def _agent_graph(api: Api):
    model = FakeMessagesListChatModel(responses=[LCAIMessage("first"), LCAIMessage("second")])
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Be brief."), ("placeholder", "{messages}")]
    )

    def agent(state):
        return {"messages": model.invoke(prompt.invoke(state))}

    return (
        api.StateGraph(api.MessagesState)
        .add_node("agent", agent)
        .add_edge(api.START, "agent")
        .compile(checkpointer=api.InMemorySaver())
    )


def test_a_langchain_model_reads_messages_built_from_tuples_dicts_and_strings():
    """Each input form reaches the model; the state (and its types' names) match."""

    def scenario(api: Api):
        graph = _agent_graph(api)
        outputs = [
            graph.invoke({"messages": [("user", "hi")]}, thread("t")),
            graph.invoke({"messages": [{"role": "user", "content": "again"}]}, thread("t")),
            graph.invoke({"messages": "and a string"}, thread("u")),
        ]
        return [(plain(out), [type(m).__name__ for m in out["messages"]]) for out in outputs]

    same(scenario)


def test_built_messages_are_langchain_classes_after_a_checkpoint_round_trip(tmp_path):
    """Read back from a SQLite checkpoint, the conversation still feeds the model."""
    model = FakeMessagesListChatModel(responses=[LCAIMessage("one"), LCAIMessage("two")])
    graph = (
        StateGraph(MessagesState)
        .add_node("agent", lambda s: {"messages": model.invoke(s["messages"])})
        .add_edge(START, "agent")
        .compile(checkpointer=SqliteSaver(str(tmp_path / "t.db")))
    )
    graph.invoke({"messages": [("user", "hi")]}, thread("t"))
    out = graph.invoke({"messages": [("user", "more")]}, thread("t"))
    assert [type(m).__module__.split(".")[0] for m in out["messages"]] == ["langchain_core"] * 4
    assert [m.content for m in out["messages"]] == ["hi", "one", "more", "two"]
