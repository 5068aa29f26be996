"""``ToolNode`` and ``tools_condition`` where LangGraph has no answer to compare with: use
outside a graph, message families, async tools, precise errors, and running without
LangChain installed."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path
from typing import Annotated, TypedDict

import pytest

from hitl_notebook import (
    START,
    AIMessage,
    Command,
    HumanMessage,
    InjectedState,
    InMemorySaver,
    MessagesState,
    StateGraph,
    ToolMessage,
    ToolNode,
    interrupt,
    tools_condition,
)

ROOT = Path(__file__).resolve().parents[2]


def asking(*calls: tuple[str, dict]) -> AIMessage:
    return AIMessage(
        "", tool_calls=[{"name": n, "args": a, "id": f"c{i}"} for i, (n, a) in enumerate(calls)]
    )


def double(x: int) -> int:
    """Doubles x."""
    return 2 * x


async def slow_double(x: int) -> int:
    """Doubles x, asynchronously."""
    await asyncio.sleep(0)
    return 2 * x


def test_invoke_outside_a_graph_answers_with_our_messages():
    """Called directly (a quick check in a notebook), the node answers in our classes."""
    out = ToolNode([double]).invoke(
        {"messages": [HumanMessage("hi"), asking(("double", {"x": 4}))]}
    )
    [answer] = out["messages"]
    assert isinstance(answer, ToolMessage)
    assert (answer.content, answer.tool_call_id, answer.name) == ("8", "c0", "double")


def test_a_list_input_gets_a_list_and_dict_messages_are_read():
    """A list of messages in gives a list out; an AI message may be a plain dict."""
    ai = {
        "role": "assistant",
        "content": "",
        "tool_calls": [{"name": "double", "args": {"x": 1}, "id": "d"}],
    }
    out = ToolNode([double]).invoke([ai])
    assert [(m.content, m.tool_call_id) for m in out] == [("2", "d")]


def test_a_plain_list_state_without_reducer():
    """A state whose messages key is a plain list (no ``add_messages``) works too: the dict
    AI message stays a dict, and the tool's answer is appended by the node's own code."""

    class State(TypedDict):
        messages: list

    tools = ToolNode([double])

    def run_tools(state: State) -> dict:
        return {"messages": state["messages"] + tools.invoke(state["messages"])}

    builder = StateGraph(State)
    builder.add_node("tools", run_tools)
    builder.add_edge(START, "tools")
    graph = builder.compile()
    ai = {
        "role": "ai",
        "content": "",
        "tool_calls": [{"name": "double", "args": {"x": 3}, "id": "p"}],
    }
    out = graph.invoke({"messages": [ai]})
    assert out["messages"][-1].content == "6"


def test_async_tools_in_sync_and_async_runs():
    """An ``async def`` tool runs under ``invoke`` and ``ainvoke`` alike."""
    node = ToolNode([slow_double, double])
    message = asking(("slow_double", {"x": 5}), ("double", {"x": 1}))
    assert [m.content for m in node.invoke([message])] == ["10", "2"]
    assert [m.content for m in asyncio.run(node.ainvoke([message]))] == ["10", "2"]


def test_async_graph_with_an_interrupting_tool():
    """``ainvoke`` of a graph whose tool asks a question pauses, and the answer resumes it."""

    def confirm(action: str) -> str:
        """Asks."""
        return f"{action}: {interrupt(action)}"

    builder = StateGraph(MessagesState)
    builder.add_node("tools", ToolNode([confirm]))
    builder.add_edge(START, "tools")
    graph = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "a"}}

    async def run():
        first = await graph.ainvoke({"messages": [asking(("confirm", {"action": "ship"}))]}, config)
        second = await graph.ainvoke(Command(resume="yes"), config)
        return first["__interrupt__"][0].value, second["messages"][-1].content

    assert asyncio.run(run()) == ("ship", "ship: yes")


def test_parallel_calls_that_both_ask_are_answered_in_call_order():
    """Two parallel calls that both ``interrupt()``: the questions come in call order and
    each answer reaches its own call, even when the second call reaches ``interrupt()``
    first (here the first call is slowed down). LangGraph's ToolNode numbers the questions
    in whatever order its threads get there, so under load the second call can receive the
    first call's answer."""

    def ask(topic: str, delay: float) -> str:
        """Asks a human about a topic."""
        time.sleep(delay)
        return f"{topic}={interrupt(topic)}"

    builder = StateGraph(MessagesState)
    builder.add_node("tools", ToolNode([ask]))
    builder.add_edge(START, "tools")
    graph = builder.compile(checkpointer=InMemorySaver())
    for attempt in range(3):
        config = {"configurable": {"thread_id": f"two-{attempt}"}}
        calls = asking(
            ("ask", {"topic": "first", "delay": 0.2}), ("ask", {"topic": "second", "delay": 0})
        )
        out = graph.invoke({"messages": [calls]}, config)
        asked = []
        while out.get("__interrupt__"):
            pending = out["__interrupt__"]
            asked.append([i.value for i in pending])
            out = graph.invoke(
                Command(resume={i.id: f"answer to {i.value}" for i in pending}), config
            )
        assert asked == [["first"], ["second"]]
        assert [m.content for m in out["messages"][1:]] == [
            "first=answer to first",
            "second=answer to second",
        ]


def test_parallel_calls_run_at_the_same_time():
    """Three calls that each wait for the others all finish: every call runs at once (the
    node's own thread takes one, shared workers the rest), answers in call order."""
    barrier = threading.Barrier(3, timeout=30)

    def meet(name: str) -> str:
        """Waits for the other calls."""
        barrier.wait()
        return name

    node = ToolNode([meet])
    message = asking(*(("meet", {"name": n}) for n in "abc"))
    for _ in range(3):  # workers left over from a call serve the next one
        assert [m.content for m in node.invoke([message])] == ["a", "b", "c"]


def test_an_ai_message_without_tool_calls_gets_no_messages():
    """Nothing to run answers with no messages, sync and async alike (as LangGraph's)."""
    node = ToolNode([double])
    state = {"messages": [HumanMessage("hi"), AIMessage("no tools needed")]}
    assert node.invoke(state) == {"messages": []}
    assert asyncio.run(node.ainvoke(state)) == {"messages": []}


def test_injected_whole_state():
    """``Annotated[dict, InjectedState]`` passes the whole state; the model cannot set it."""

    def count(state: Annotated[dict, InjectedState]) -> int:
        """Counts messages."""
        return len(state["messages"])

    node = ToolNode([count])
    assert node.invoke({"messages": [asking(("count", {}))]})["messages"][0].content == "1"
    forged = node.invoke({"messages": [asking(("count", {"state": {"messages": []}}))]})
    assert forged["messages"][0].status == "error"
    assert "set by ToolNode, not by the model" in forged["messages"][0].content


@pytest.mark.parametrize(
    "state, problem",
    [
        ({"messages": []}, "no messages"),
        ({"history": [asking()]}, "'messages'"),
        ({"messages": [HumanMessage("hi")]}, "no AI message"),
    ],
)
def test_input_without_calls_to_run_is_a_precise_error(state, problem):
    """No messages, or no AI message, is a ``ValueError`` that says which."""
    with pytest.raises(ValueError, match=problem):
        ToolNode([double]).invoke(state)


def test_bad_configuration_is_refused_at_construction():
    """A non-list of tools, a non-callable tool, or a handler annotated with something that
    is not an exception type is a ``TypeError`` when the node is built."""
    with pytest.raises(TypeError, match="list of tools"):
        ToolNode(double)
    with pytest.raises(TypeError, match="functions or LangChain tools"):
        ToolNode([42])

    def handler(e: str) -> str:
        return e

    with pytest.raises(TypeError, match="annotate its parameter with exception types"):
        ToolNode([double], handle_tool_errors=handler)


def test_a_command_without_its_tool_message_is_refused():
    """A tool's ``Command`` must answer its call; the error names the tool and the call id."""

    def sneaky(x: int) -> Command:
        """Updates without answering."""
        return Command(update={"messages": []})

    with pytest.raises(ValueError, match="'sneaky'.*tool_call_id 'c0'"):
        ToolNode([sneaky]).invoke({"messages": [asking(("sneaky", {"x": 1}))]})


def test_tools_condition_reads_dicts_and_names_the_missing_key():
    """Dict messages count; a state without messages names the key looked for."""
    ai = {"role": "assistant", "content": "", "tool_calls": [{"name": "f", "args": {}, "id": "1"}]}
    assert tools_condition({"messages": [ai]}) == "tools"
    with pytest.raises(ValueError, match="'chat'"):
        tools_condition({"messages": [ai]}, messages_key="chat")


def test_tool_node_runs_without_langchain():
    """With LangChain absent (imports blocked), plain functions still run, arguments are
    still checked, and importing the package loads no LangChain."""
    script = textwrap.dedent(
        """
        import sys
        from importlib.abc import MetaPathFinder

        class Blocker(MetaPathFinder):
            def find_spec(self, name, path=None, target=None):
                if name.split(".")[0] in {"langchain", "langchain_core", "langgraph"}:
                    raise ImportError(name)

        sys.meta_path.insert(0, Blocker())
        from hitl_notebook import AIMessage, InjectedState, ToolNode

        def add(a: int, b: int) -> int:
            return a + b

        calls = [{"name": "add", "args": {"a": 1, "b": "2"}, "id": "1"},
                 {"name": "add", "args": {"a": 1}, "id": "2"}]
        out = ToolNode([add]).invoke([AIMessage("", tool_calls=calls)])
        assert [m.content for m in out][0] == "3", out
        assert out[1].status == "error" and "b: Field required" in out[1].content, out
        assert InjectedState("k").field == "k"
        print("ok")
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
