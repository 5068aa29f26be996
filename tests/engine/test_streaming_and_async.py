"""stream modes, async nodes (ainvoke/astream), and the custom stream writer."""

from __future__ import annotations

import asyncio
import time

import pytest

from hitl_notebook import START, Command, InMemorySaver, StateGraph, get_stream_writer, interrupt

from .helpers import Vals, one_question_graph

CFG = {"configurable": {"thread_id": "t"}}


def _chain(checkpointer=None):
    return (
        StateGraph(Vals)
        .add_node("a", lambda s: {"vals": ["a"]})
        .add_node("b", lambda s: {"vals": ["b"]})
        .add_edge(START, "a")
        .add_edge("a", "b")
        .compile(checkpointer=checkpointer)
    )


def test_stream_values_and_updates():
    """values: the state after each step (an input that writes nothing shows none, as in
    LangGraph); updates: {node: writes} per task."""
    graph = _chain()
    assert next(iter(graph.stream({"vals": ["in"]}, stream_mode="values"))) == {"vals": ["in"]}
    assert list(graph.stream({}, stream_mode="values")) == [
        {"vals": ["a"]},
        {"vals": ["a", "b"]},
    ]
    assert list(graph.stream({}, stream_mode="updates")) == [
        {"a": {"vals": ["a"]}},
        {"b": {"vals": ["b"]}},
    ]


def test_stream_list_of_modes_yields_pairs():
    """A list of modes yields (mode, chunk) pairs in order."""
    chunks = list(_chain().stream({"vals": []}, stream_mode=["updates", "values"]))
    assert chunks[0] == ("values", {"vals": []})
    assert ("updates", {"a": {"vals": ["a"]}}) in chunks and chunks[-1] == (
        "values",
        {"vals": ["a", "b"]},
    )


def test_stream_updates_reports_interrupts():
    """A pause appears as an __interrupt__ update carrying the Interrupt objects."""
    graph = one_question_graph()
    chunks = list(graph.stream({}, CFG, stream_mode="updates"))
    assert chunks[-1]["__interrupt__"][0].value == "question?"


def test_unknown_stream_mode_is_an_error():
    """A mode we do not produce is rejected rather than yielding nothing."""
    with pytest.raises(ValueError, match="Unknown stream_mode 'message'"):
        list(_chain().stream({}, stream_mode="message"))


def test_custom_stream_writer():
    """get_stream_writer() chunks come out on the custom mode."""

    def talk(state):
        get_stream_writer()({"progress": 50})
        return {}

    graph = StateGraph(Vals).add_node("talk", talk).add_edge(START, "talk").compile()
    assert list(graph.stream({}, stream_mode="custom")) == [{"progress": 50}]


def test_invoke_time_breakpoints_and_star():
    """interrupt_before/after given to invoke; "*" pauses before every node."""
    graph = _chain(InMemorySaver())
    graph.invoke({}, CFG, interrupt_after=["a"])
    assert graph.get_state(CFG).next == ("b",)
    other = {"configurable": {"thread_id": "star"}}
    graph.invoke({}, other, interrupt_before="*")
    assert graph.get_state(other).next == ("a",)
    graph.invoke(None, other, interrupt_before="*")
    assert graph.get_state(other).next == ("b",)


def test_async_nodes_run_concurrently_with_ainvoke():
    """Two async nodes in one step overlap on the event loop."""
    events = []

    async def a(state):
        events.append("a start")
        await asyncio.sleep(0.05)
        events.append("a end")
        return {"vals": ["a"]}

    async def b(state):
        events.append("b start")
        await asyncio.sleep(0.05)
        events.append("b end")
        return {"vals": ["b"]}

    graph = (
        StateGraph(Vals)
        .add_node("a", a)
        .add_node("b", b)
        .add_edge(START, "a")
        .add_edge(START, "b")
        .compile()
    )
    out = asyncio.run(graph.ainvoke({}))
    assert out["vals"] == ["a", "b"]
    assert events[:2] == ["a start", "b start"]


def test_async_interrupt_and_resume_with_astream():
    """interrupt() inside an async node pauses; astream resumes it."""

    async def ask(state):
        return {"text": interrupt("async question")}

    graph = (
        StateGraph(Vals)
        .add_node("ask", ask)
        .add_edge(START, "ask")
        .compile(checkpointer=InMemorySaver())
    )

    async def scenario():
        paused = await graph.ainvoke({}, CFG)
        chunks = [c async for c in graph.astream(Command(resume="done"), CFG, stream_mode="values")]
        return paused, chunks

    paused, chunks = asyncio.run(scenario())
    assert paused["__interrupt__"][0].value == "async question"
    assert chunks[-1] == {"vals": [], "text": "done"}


def test_async_node_under_sync_invoke_names_ainvoke():
    """A sync invoke of an async node fails with a message that says to await ainvoke (no
    event loop is started inside the node call, so a Jupyter cell never sees asyncio.run's
    error); ainvoke runs it."""

    async def hello(state):
        await asyncio.sleep(0)
        return {"text": "hi"}

    graph = StateGraph(Vals).add_node("hello", hello).add_edge(START, "hello").compile()
    with pytest.raises(TypeError, match=r"Node 'hello' is an async function.*await graph.ainvoke"):
        graph.invoke({})
    assert asyncio.run(graph.ainvoke({}))["text"] == "hi"


def test_stream_subgraphs_prefixes_events_with_their_namespace():
    """subgraphs=True: the parent's events have namespace () and the subgraph's its own."""
    sub = (
        StateGraph(Vals)
        .add_node("inner", lambda s: {"vals": ["inner"]})
        .add_edge(START, "inner")
        .compile()
    )
    parent = StateGraph(Vals).add_node("sub", sub).add_edge(START, "sub").compile()
    chunks = list(parent.stream({}, stream_mode="updates", subgraphs=True))
    assert chunks[0][0][0].startswith("sub:") and chunks[0][1] == {"inner": {"vals": ["inner"]}}
    assert chunks[-1] == ((), {"sub": {"vals": ["inner"]}})
    plain = list(parent.stream({}, stream_mode="updates"))
    assert plain == [{"sub": {"vals": ["inner"]}}]


def test_messages_stream_sends_scripted_model_tokens():
    """Our scripted model streams its reply word by word on the messages mode, with the
    reply's id on every piece, and the finished reply is not sent a second time."""
    from hitl_notebook import MessagesState, ScriptedChatModel

    model = ScriptedChatModel(["Hello there, friend!"])
    graph = (
        StateGraph(MessagesState)
        .add_node("chat", lambda s: {"messages": [model.invoke(s["messages"])]})
        .add_edge(START, "chat")
        .compile()
    )
    pairs = list(graph.stream({"messages": [("user", "hi")]}, stream_mode="messages"))
    assert [m.content for m, _ in pairs] == ["Hello ", "there, ", "friend!"]
    assert {m.id for m, _ in pairs} == {"scripted-1"}
    assert all(meta["langgraph_node"] == "chat" for _, meta in pairs)


def test_leaving_astream_early_cancels_running_tasks():
    """Breaking out of ``astream`` while a slow task runs cancels it (it never finishes)."""
    finished = []

    async def slow(state):
        await asyncio.sleep(5)
        finished.append("slow")
        return {"vals": ["slow"]}

    async def fast(state):
        return {"vals": ["fast"]}

    graph = (
        StateGraph(Vals)
        .add_node("slow", slow)
        .add_node("fast", fast)
        .add_edge(START, "slow")
        .add_edge(START, "fast")
        .compile()
    )

    async def main():
        stream = graph.astream({}, stream_mode="updates")
        async for chunk in stream:
            assert chunk == {"fast": {"vals": ["fast"]}}
            break
        await stream.aclose()
        await asyncio.sleep(0.05)

    started = time.monotonic()
    asyncio.run(main())
    assert time.monotonic() - started < 3 and finished == []


def test_sync_invoke_inside_a_running_event_loop():
    """A Jupyter cell runs inside an event loop: sync ``invoke`` of a sync graph works there."""

    async def cell():
        return _chain().invoke({})

    assert asyncio.run(cell())["vals"] == ["a", "b"]


def test_custom_chunks_stream_while_the_node_runs_and_writer_is_injected():
    """``def node(state, writer)`` gets the custom stream's writer by name, and its chunks
    reach the caller while the node is still running (not when the step ends)."""
    released = []

    def node(state, writer):
        writer("before")
        deadline = time.monotonic() + 5
        while not released and time.monotonic() < deadline:  # waits until the caller saw "before"
            time.sleep(0.005)
        writer("after")
        return {"vals": ["done"]}

    graph = StateGraph(Vals).add_node("n", node).add_edge(START, "n").compile()
    seen = []
    for chunk in graph.stream({}, stream_mode="custom"):
        seen.append(chunk)
        released.append(True)
    assert seen == ["before", "after"]
    assert graph.invoke({}) == {"vals": ["done"]}  # nobody streams custom: the writer is a no-op
