"""``ToolNode`` and ``tools_condition`` behave as LangGraph's ``langgraph.prebuilt`` ones: the
same tool messages (content, name, tool_call_id, status) for plain functions and LangChain
tools, the same error handling, parallel calls, ``interrupt()`` inside a tool, ``Command``
from a tool, injected state and call id, and the classic review pattern
(``interrupt_before=["tools"]`` + ``update_state`` + resume).

No ``from __future__ import annotations`` here: the tools' ``Annotated[..., marker]``
parameters name each engine's marker from a closure, which only real annotations see."""

import asyncio
import threading
import time
from dataclasses import dataclass
from typing import Annotated, Any

import langchain_core.messages as lc
import langgraph.prebuilt
import pytest
from langchain_core.tools import InjectedToolCallId, tool

import hitl_notebook

from .harness import LANGGRAPH, OURS, Api, assert_same, thread

pytestmark = pytest.mark.langgraph


@dataclass(frozen=True)
class Prebuilt:
    """One engine's graph API plus its prebuilt pieces and AI message class."""

    api: Api
    ToolNode: Any
    tools_condition: Any
    InjectedState: Any
    InjectedToolCallId: Any
    AIMessage: Any
    ToolMessage: Any


THEIRS = Prebuilt(
    LANGGRAPH,
    langgraph.prebuilt.ToolNode,
    langgraph.prebuilt.tools_condition,
    langgraph.prebuilt.InjectedState,
    InjectedToolCallId,
    lc.AIMessage,
    lc.ToolMessage,
)
MINE = Prebuilt(
    OURS,
    hitl_notebook.ToolNode,
    hitl_notebook.tools_condition,
    hitl_notebook.InjectedState,
    hitl_notebook.InjectedToolCallId,
    hitl_notebook.AIMessage,
    hitl_notebook.ToolMessage,
)


def same(scenario) -> Any:
    reference, ours = scenario(THEIRS), scenario(MINE)
    assert_same(reference, ours)
    return reference


def seen(obj: Any) -> Any:
    """Messages as what a user reads of them, tool messages with their call link."""
    if isinstance(obj, list):
        return [seen(x) for x in obj]
    if isinstance(obj, dict):
        return {k: seen(v) for k, v in obj.items()}
    if hasattr(obj, "type") and hasattr(obj, "content") and not isinstance(obj, type):
        out = {"type": obj.type, "content": obj.content}
        if obj.type == "tool":
            out |= {"name": obj.name, "tool_call_id": obj.tool_call_id, "status": obj.status}
        if obj.type == "ai" and obj.tool_calls:
            out["tool_calls"] = [(c["name"], c["args"], c["id"]) for c in obj.tool_calls]
        return out
    if isinstance(obj, (hitl_notebook.Interrupt, LANGGRAPH.Interrupt)):
        return seen(obj.value)
    return obj


def call(name: str, args: dict, call_id: str) -> dict:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def tools_graph(p: Prebuilt, tools: list, **node_options: Any) -> Any:
    """START -> tools -> END over MessagesState (LangGraph's ToolNode needs a graph to run)."""
    builder = p.api.StateGraph(p.api.MessagesState)
    builder.add_node("tools", p.ToolNode(tools, **node_options))
    builder.add_edge(p.api.START, "tools")
    return builder.compile(checkpointer=p.api.InMemorySaver())


def run_calls(p: Prebuilt, tools: list, calls: list[dict], **node_options: Any) -> Any:
    graph = tools_graph(p, tools, **node_options)
    out = graph.invoke({"messages": [p.AIMessage("", tool_calls=calls)]}, thread("t"))
    return seen(out["messages"][1:])


def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


def describe(city: str) -> dict:
    """Facts about a city."""
    return {"city": city, "temp_c": 18, "note": "sunny é"}


def fail(reason: str) -> str:
    """Always raises."""
    raise ValueError(f"cannot: {reason}")


PLAIN = [add, describe, fail]
LANGCHAIN = [tool(add), tool(describe), tool(fail)]


@pytest.mark.parametrize("tools", [PLAIN, LANGCHAIN], ids=["functions", "langchain-tools"])
def test_tool_messages_answer_each_call(tools):
    """Each call gets a tool message with its id and the tool's name; results that are not
    text arrive as JSON; string arguments are coerced to the annotated type."""
    calls = [call("add", {"a": 1, "b": "2"}, "c1"), call("describe", {"city": "Oslo"}, "c2")]
    out = same(lambda p: run_calls(p, tools, calls))
    assert out[0] == {
        "type": "tool",
        "content": "3",
        "name": "add",
        "tool_call_id": "c1",
        "status": "success",
    }
    assert out[1]["content"] == '{"city": "Oslo", "temp_c": 18, "note": "sunny é"}'


@pytest.mark.parametrize("tools", [PLAIN, LANGCHAIN], ids=["functions", "langchain-tools"])
def test_unknown_tool_and_bad_arguments_become_error_messages(tools):
    """A call to a tool that does not exist, or with arguments it cannot take, is answered
    with an error message for the model (status "error"), and the run goes on."""
    calls = [
        call("search", {"q": "x"}, "c1"),
        call("add", {"a": "one"}, "c2"),
        call("add", {"a": 1, "b": 2, "extra": True}, "c3"),
    ]
    out = same(lambda p: run_calls(p, tools, calls))
    assert (
        out[0]["content"] == "Error: search is not a valid tool, try one of [add, describe, fail]."
    )
    assert [m["status"] for m in out] == ["error", "error", "success"]
    assert "a: Input should be a valid integer" in out[1]["content"]
    assert "b: Field required" in out[1]["content"]


@pytest.mark.parametrize("tools", [PLAIN, LANGCHAIN], ids=["functions", "langchain-tools"])
def test_an_exception_in_a_tool_fails_the_run_by_default(tools):
    """By default a tool's own exception is not hidden from the developer: the run fails
    with it."""

    def scenario(p: Prebuilt) -> Any:
        with pytest.raises(ValueError) as raised:
            run_calls(p, tools, [call("fail", {"reason": "disk"}, "c1")])
        return str(raised.value)

    assert same(scenario) == "cannot: disk"


def handler(e: ValueError) -> str:
    return f"handled {e}"


@pytest.mark.parametrize(
    "flag",
    [True, "Tool failed, try something else.", handler, ValueError, (KeyError, ValueError)],
    ids=["true", "string", "annotated-handler", "type", "tuple"],
)
def test_handle_tool_errors_turns_exceptions_into_messages(flag):
    """``handle_tool_errors`` decides the message a failing tool's call gets."""
    out = same(
        lambda p: run_calls(
            p, PLAIN, [call("fail", {"reason": "disk"}, "c1")], handle_tool_errors=flag
        )
    )
    assert out[0]["status"] == "error"


def test_handle_tool_errors_for_other_types_still_raises():
    """An exception the handler is not for still fails the run; ``False`` lets even bad
    arguments fail it, and so does a handler for ``ValueError`` (bad arguments are no
    ``ValueError``)."""

    def scenario(p: Prebuilt) -> Any:
        kinds = []
        for flag, calls in [
            (KeyError, [call("fail", {"reason": "x"}, "c1")]),
            (False, [call("add", {"a": 1}, "c2")]),
            (ValueError, [call("add", {"a": 1}, "c3")]),
            ((ValueError,), [call("add", {"a": "one", "b": 2}, "c4")]),
        ]:
            try:
                run_calls(p, PLAIN, calls, handle_tool_errors=flag)
                kinds.append(None)
            except Exception as exc:
                kinds.append(type(exc).__name__)
        return kinds

    assert same(scenario) == ["ValueError", *["ToolInvocationError"] * 3]


def test_calls_run_in_parallel():
    """Two calls of one message run at the same time (each waits for the other to start)."""

    def scenario(p: Prebuilt) -> Any:
        barrier = threading.Barrier(2, timeout=20)

        def meet(who: str) -> str:
            """Waits for the other call."""
            barrier.wait()
            return f"{who} met"

        return run_calls(
            p, [meet], [call("meet", {"who": "a"}, "1"), call("meet", {"who": "b"}, "2")]
        )

    assert [m["content"] for m in same(scenario)] == ["a met", "b met"]


async def fetch(url: str) -> str:
    """An async tool."""
    await asyncio.sleep(0)
    return f"page at {url}"


@pytest.mark.parametrize(
    "tools", [[fetch, add], [tool(fetch), tool(add)]], ids=["functions", "langchain-tools"]
)
def test_async_tools_under_ainvoke(tools):
    """``ainvoke`` runs async and sync tools of one message, each answered in order."""

    def scenario(p: Prebuilt) -> Any:
        graph = tools_graph(p, tools)
        calls = [call("fetch", {"url": "a.org"}, "f1"), call("add", {"a": 2, "b": 2}, "f2")]
        out = asyncio.run(
            graph.ainvoke({"messages": [p.AIMessage("", tool_calls=calls)]}, thread("async"))
        )
        return seen(out["messages"][1:])

    assert [m["content"] for m in same(scenario)] == ["page at a.org", "4"]


def agent_graph(p: Prebuilt, tools: list, replies: list, **compile_options: Any) -> Any:
    """agent -> tools_condition -> tools -> agent, the agent answering from ``replies``."""
    script = iter(replies)

    def agent(state):
        return {"messages": [p.AIMessage(**next(script))]}

    builder = p.api.StateGraph(p.api.MessagesState)
    builder.add_node("agent", agent)
    builder.add_node("tools", p.ToolNode(tools))
    builder.add_edge(p.api.START, "agent")
    builder.add_conditional_edges("agent", p.tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=p.api.InMemorySaver(), **compile_options)


WEATHER_REPLIES = [
    {"content": "", "tool_calls": [call("describe", {"city": "sf"}, "w1")], "id": "ai-1"},
    {"content": "It is sunny.", "id": "ai-2"},
]


def test_agent_loop_with_tools_condition():
    """``tools_condition`` routes a message with tool calls to "tools" and one without to
    the end."""
    out = same(
        lambda p: seen(
            agent_graph(p, PLAIN, WEATHER_REPLIES).invoke(
                {"messages": [("user", "Weather in SF?")]}, thread("t")
            )
        )
    )
    assert [m["type"] for m in out["messages"]] == ["human", "ai", "tool", "ai"]


def test_tools_condition_on_lists_dicts_and_empty_state():
    """Lists of messages, dict states and dict messages route the same way; a state with no
    messages is a ``ValueError``."""

    def scenario(p: Prebuilt) -> Any:
        asking = p.AIMessage("", tool_calls=[call("add", {}, "1")])
        out = [
            p.tools_condition([asking]),
            p.tools_condition({"messages": [p.AIMessage("done")]}),
            p.tools_condition({"history": [asking]}, messages_key="history"),
        ]
        with pytest.raises(ValueError):
            p.tools_condition({"messages": []})
        return out

    assert same(scenario) == ["tools", "__end__", "tools"]


def test_review_pattern_edit_the_tool_call_before_it_runs():
    """``interrupt_before=["tools"]`` pauses with the call pending; ``update_state`` with an
    AI message of the same id replaces the call; resuming runs the edited call."""

    def scenario(p: Prebuilt) -> Any:
        graph = agent_graph(p, PLAIN, WEATHER_REPLIES, interrupt_before=["tools"])
        config = thread("review")
        graph.invoke({"messages": [("user", "Weather in SF?")]}, config)
        paused = graph.get_state(config)
        ai = paused.values["messages"][-1]
        edited = p.AIMessage(
            ai.content,
            id=ai.id,
            tool_calls=[{**ai.tool_calls[0], "args": {"city": "San Francisco"}}],
        )
        graph.update_state(config, {"messages": [edited]})
        after_edit = graph.get_state(config)
        final = graph.invoke(None, config)
        return {
            "paused_next": paused.next,
            "edited_next": after_edit.next,
            "messages": seen(final["messages"]),
        }

    out = same(scenario)
    assert out["paused_next"] == out["edited_next"] == ("tools",)
    assert out["messages"][2]["content"].startswith('{"city": "San Francisco"')


def test_review_pattern_reject_by_answering_as_the_tool_node():
    """Rejecting: write the tool message as the tools node; the tool never runs and the
    agent reads the rejection."""
    ran: list[str] = []

    def send_email(to: str) -> str:
        """Sends an email."""
        ran.append(to)
        return "sent"

    def scenario(p: Prebuilt) -> Any:
        replies = [
            {"content": "", "tool_calls": [call("send_email", {"to": "all@x"}, "e1")]},
            {"content": "Not sent."},
        ]
        graph = agent_graph(p, [send_email], replies, interrupt_before=["tools"])
        config = thread("reject")
        graph.invoke({"messages": [("user", "Email everyone")]}, config)
        rejection = p.ToolMessage(
            "Rejected by the reviewer.", tool_call_id="e1", name="send_email", status="error"
        )
        graph.update_state(config, {"messages": [rejection]}, as_node="tools")
        return {"next": graph.get_state(config).next, "final": seen(graph.invoke(None, config))}

    out = same(scenario)
    assert ran == []
    assert out["next"] == ("agent",)
    assert out["final"]["messages"][-1]["content"] == "Not sent."


def test_interrupt_inside_a_tool():
    """A tool that calls ``interrupt()`` pauses the graph with its question; the answer is
    what the tool returns to, and its tool message carries it."""

    def scenario(p: Prebuilt) -> Any:
        def confirm(action: str) -> str:
            """Asks a human."""
            answer = p.api.interrupt({"confirm": action})
            return f"{action}: {answer}"

        replies = [
            {"content": "", "tool_calls": [call("confirm", {"action": "deploy"}, "k1")]},
            {"content": "ok"},
        ]
        graph = agent_graph(p, [confirm], replies)
        config = thread("ask")
        first = seen(graph.invoke({"messages": [("user", "deploy")]}, config))
        second = seen(graph.invoke(p.api.Command(resume="yes"), config))
        return {"asked": first["__interrupt__"], "answered": second["messages"][2]}

    out = same(scenario)
    assert out["asked"] == [{"confirm": "deploy"}]
    assert out["answered"]["content"] == "deploy: yes"


def test_parallel_calls_that_both_ask_deliberate_difference():
    """Two parallel calls that both ``interrupt()``, the first slower to ask: LangGraph asks
    the first question twice and hands the second call the first call's answer; ours asks
    in call order and each call gets its own answer (README, deliberate differences)."""

    def scenario(p: Prebuilt) -> Any:
        def ask(topic: str, delay: float) -> str:
            """Asks a human about a topic."""
            time.sleep(delay)
            return f"{topic}={p.api.interrupt(topic)}"

        graph = tools_graph(p, [ask])
        config = thread("two")
        calls = [
            call("ask", {"topic": "first", "delay": 0.5}, "a"),
            call("ask", {"topic": "second", "delay": 0}, "b"),
        ]
        out = graph.invoke({"messages": [p.AIMessage("", tool_calls=calls)]}, config)
        asked = []
        while out.get("__interrupt__") and len(asked) < 4:
            asked.append([i.value for i in out["__interrupt__"]])
            resume = {i.id: f"answer to {i.value}" for i in out["__interrupt__"]}
            out = graph.invoke(p.api.Command(resume=resume), config)
        return asked, [m["content"] for m in seen(out["messages"][1:])]

    theirs, ours = scenario(THEIRS), scenario(MINE)
    assert ours == ([["first"], ["second"]], ["first=answer to first", "second=answer to second"])
    assert theirs[1] == ["first=answer to first", "second=answer to first"]


def test_command_from_a_tool_updates_other_keys():
    """A tool returning ``Command(update=...)`` with its own tool message (using the
    injected call id) writes other state keys too."""

    def scenario(p: Prebuilt) -> Any:
        class State(p.api.MessagesState):
            user: str

        def remember(name: str, tool_call_id: Annotated[str, p.InjectedToolCallId]) -> Any:
            """Remembers the user's name."""
            reply = p.ToolMessage(f"Saved {name}", tool_call_id=tool_call_id)
            return p.api.Command(update={"user": name, "messages": [reply]})

        builder = p.api.StateGraph(State)
        builder.add_node("tools", p.ToolNode([tool(remember)]))
        builder.add_edge(p.api.START, "tools")
        graph = builder.compile(checkpointer=p.api.InMemorySaver())
        calls = [call("remember", {"name": "Ada"}, "r1")]
        return seen(graph.invoke({"messages": [p.AIMessage("", tool_calls=calls)]}, thread("c")))

    out = same(scenario)
    assert out["user"] == "Ada"
    assert out["messages"][-1]["tool_call_id"] == "r1"


def test_injected_state_reaches_the_tool():
    """``Annotated[..., InjectedState("key")]`` passes that key of the state, not the model's
    argument, and the model-facing schema of a LangChain tool leaves it out."""

    def scenario(p: Prebuilt) -> Any:
        class State(p.api.MessagesState):
            user: str

        def greet(greeting: str, user: Annotated[str, p.InjectedState("user")]) -> str:
            """Greets the current user."""
            return f"{greeting}, {user}"

        as_tool = tool(greet)
        builder = p.api.StateGraph(State)
        builder.add_node("tools", p.ToolNode([greet]))
        builder.add_edge(p.api.START, "tools")
        graph = builder.compile(checkpointer=p.api.InMemorySaver())
        calls = [call("greet", {"greeting": "Hi"}, "g1")]
        out = graph.invoke(
            {"messages": [p.AIMessage("", tool_calls=calls)], "user": "Ada"}, thread("i")
        )
        return {
            "content": out["messages"][-1].content,
            "model_sees": sorted(as_tool.tool_call_schema.model_json_schema()["properties"]),
        }

    assert same(scenario) == {"content": "Hi, Ada", "model_sees": ["greeting"]}


def test_dict_messages_in_the_state():
    """An agent writing dict messages (``{"role": "assistant", "tool_calls": [...]}``) gets
    its calls run the same way."""

    def scenario(p: Prebuilt) -> Any:
        def agent(state):
            if state["messages"][-1].type == "tool":
                return {"messages": [{"role": "assistant", "content": "done"}]}
            calls = [call("add", {"a": 2, "b": 3}, "d1")]
            return {"messages": [{"role": "assistant", "content": "", "tool_calls": calls}]}

        builder = p.api.StateGraph(p.api.MessagesState)
        builder.add_node("agent", agent)
        builder.add_node("tools", p.ToolNode([add]))
        builder.add_edge(p.api.START, "agent")
        builder.add_conditional_edges("agent", p.tools_condition)
        builder.add_edge("tools", "agent")
        graph = builder.compile(checkpointer=p.api.InMemorySaver())
        return seen(graph.invoke({"messages": [{"role": "user", "content": "2+3"}]}, thread("d")))

    assert same(scenario)["messages"][2]["content"] == "5"


def test_tool_node_in_a_langchain_chain():
    """``RunnablePick("messages") | ToolNode(...)`` is a chain a node can run (LangChain takes
    the tool node in as a callable); the tool messages it returns have no id until the
    state's reducer gives them one, and the updates stream shows that id."""
    from langchain_core.runnables import RunnablePick

    def scenario(p: Prebuilt):
        chain = RunnablePick("messages") | p.ToolNode([add])
        returned: list = []
        ids_when_returned: list = []

        def tools(state, config):
            returned.extend(chain.invoke(state, config))
            ids_when_returned.extend(m.id for m in returned)
            return {"messages": returned}

        builder = p.api.StateGraph(p.api.MessagesState)
        builder.add_node("tools", tools)
        builder.add_edge(p.api.START, "tools")
        graph = builder.compile(checkpointer=p.api.InMemorySaver())
        asked = {"messages": [p.AIMessage("", tool_calls=[call("add", {"a": 1, "b": 2}, "c1")])]}
        [chunk] = graph.stream(asked, thread("t"))
        [streamed] = chunk["tools"]["messages"]
        stored = graph.get_state(thread("t")).values["messages"][-1]
        return {
            "returned": seen(returned),
            "ids when returned": ids_when_returned,
            "streamed id is stored id": bool(streamed.id) and streamed.id == stored.id,
        }

    out = same(scenario)
    assert out["ids when returned"] == [None] and out["streamed id is stored id"]
