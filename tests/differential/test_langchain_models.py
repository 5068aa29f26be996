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


@pytest.mark.parametrize("subgraphs", [True, False])
def test_a_model_in_a_subgraph_a_node_function_runs_streams_as_the_subgraphs(subgraphs):
    """``stream_mode="messages"``: a model called in a subgraph that a node function
    invokes is the subgraph node's message (its namespace and node), shown only with
    ``subgraphs=True``."""

    def scenario(api: Api):
        model = FakeMessagesListChatModel(responses=[LCAIMessage("inner")])
        inner = (
            api.StateGraph(api.MessagesState)
            .add_node("think", lambda s: {"messages": model.invoke(s["messages"])})
            .add_edge(api.START, "think")
            .compile()
        )
        graph = (
            api.StateGraph(api.MessagesState)
            .add_node("outer", lambda s: inner.invoke(s))
            .add_edge(api.START, "outer")
            .compile()
        )
        chunks = graph.stream(
            {"messages": [("user", "hi")]}, stream_mode="messages", subgraphs=subgraphs
        )
        if not subgraphs:
            chunks = (((), chunk) for chunk in chunks)
        return [
            (len(ns), [s.split(":")[0] for s in ns], message.content, meta["langgraph_node"])
            for ns, (message, meta) in chunks
        ]

    same(scenario)


def test_messages_stream_metadata():
    """``stream_mode="messages"`` metadata: a returned message's carries
    ``ls_integration="langgraph"``, a model's its LangSmith keys and user tags, both the
    run's allow-listed ``configurable`` keys (not others)."""

    def scenario(api: Api):
        model = FakeMessagesListChatModel(responses=[LCAIMessage("reply")], tags=["meow"])
        graph = (
            api.StateGraph(api.MessagesState)
            .add_node("ask", lambda s: {"messages": model.invoke(s["messages"])})
            .add_node("say", lambda s: {"messages": [LCAIMessage("said")]})
            .add_edge(api.START, "ask")
            .add_edge("ask", "say")
            .compile()
        )
        config = {"configurable": {"run_id": "r-1", "graph_id": "g", "secret": "no"}}
        chunks = graph.stream({"messages": [("user", "hi")]}, config, stream_mode="messages")
        return [
            (
                message.content,
                {k: v for k, v in meta.items() if "checkpoint_ns" not in k},
                "checkpoint_ns" in meta,
            )
            for message, meta in chunks
        ]

    same(scenario)


def test_a_returned_message_without_id_streams_with_the_id_it_is_stored_with():
    """``stream_mode="messages"``: a message a node returns without an id is shown with
    one (LangGraph gives it one), the id the state then holds."""

    def scenario(api: Api):
        from langchain_core.messages import HumanMessage

        graph = (
            api.StateGraph(api.MessagesState)
            .add_node("say", lambda s: {"messages": HumanMessage(content="foo")})
            .add_edge(api.START, "say")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        streamed = [m.id for m, _ in graph.stream({"messages": []}, config, stream_mode="messages")]
        stored = [m.id for m in graph.get_state(config).values["messages"]]
        return len(streamed), all(streamed), streamed == stored

    assert same(scenario) == (1, True, True)
