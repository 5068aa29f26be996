"""Random tool-calling agents on LangGraph and on ours: ``agent -> tools_condition ->
ToolNode -> agent`` with a scripted model whose AI messages call random tools (good, bad,
coercible and missing arguments, unknown tools), sync or async, plain functions or
LangChain tools, tools that raise (always or once), ask a human, read injected state and
call id, or answer with a ``Command``; a random ``handle_tool_errors``; and sometimes
``interrupt_before=["tools"]``, where each turn goes on, edits a call (``update_state``
with the AI message's id) or rejects the calls (tool messages as the tools node). Every
chunk, state and the whole history must match. A fuzz run of these (issue 10's ninth
session) found ``handle_tool_errors=ValueError`` turning bad arguments into a message;
the seeds below each failed before. Calls that fail in parallel are cancelled or not by
timing in LangGraph's ``ToolNode``; seeds hitting that are not listed.

No ``from __future__ import annotations``: the tools' ``Annotated`` markers name each
engine's classes from a closure, which only real annotations see."""

import asyncio
import random
from typing import Annotated, Any

import pytest
from langchain_core.tools import tool

from .harness import assert_same
from .test_prebuilt import MINE, THEIRS, Prebuilt, call, seen

pytestmark = pytest.mark.langgraph

SEEDS = [10, 15, 29, 33, 38, 42, 72, 79, 85, 86]
_NAMES = ["add", "describe", "fail", "flaky", "ask", "count", "last"]


def _tools(p: Prebuilt, is_async: bool, langchain: bool, failed: set) -> list:
    def add(a: int, b: int) -> int:
        """Add two numbers."""
        return a + b

    def describe(city: str) -> dict:
        """Facts about a city."""
        return {"city": city, "temp_c": len(city)}

    def fail(reason: str) -> str:
        """Always raises."""
        raise ValueError(f"cannot: {reason}")

    def flaky(n: int) -> str:
        """Fails the first time for each n."""
        if n not in failed:
            failed.add(n)
            raise RuntimeError(f"flaky {n}")
        return f"ok {n}"

    def ask(question: str) -> str:
        """Asks a human."""
        return f"human said {p.api.interrupt({'question': question})}"

    def count(
        tool_call_id: Annotated[str, p.InjectedToolCallId],
        state: Annotated[dict, p.InjectedState],
    ) -> Any:
        """Counts the messages; answers with a Command."""
        answer = p.ToolMessage(
            content=f"{len(state['messages'])} messages", tool_call_id=tool_call_id
        )
        return p.api.Command(update={"messages": [answer]})

    def last(messages: Annotated[list, p.InjectedState("messages")]) -> str:
        """The last message's type."""
        return messages[-1].type

    async def fetch(url: str) -> str:
        """An async tool."""
        await asyncio.sleep(0)
        return f"page at {url}"

    functions = [add, describe, fail, flaky, ask, count, last] + ([fetch] if is_async else [])
    return [tool(f) for f in functions] if langchain else functions


def _args(rng: random.Random, name: str) -> dict:
    good: dict = {
        "add": {"a": rng.randint(0, 9), "b": rng.randint(0, 9)},
        "describe": {"city": rng.choice(["Oslo", "Lima", "Pune"])},
        "fail": {"reason": rng.choice(["x", "y"])},
        "flaky": {"n": rng.randint(0, 2)},
        "ask": {"question": rng.choice(["ok?", "go?"])},
        "fetch": {"url": rng.choice(["a.org", "b.org"])},
        "nosuch": {"z": 1},
        "count": {},
        "last": {},
    }[name]
    roll = rng.random()
    if roll < 0.08 and name == "add":
        return {"a": "two", "b": 1}  # cannot be coerced
    if roll < 0.14 and good:
        missing = next(iter(good))
        return {k: v for k, v in good.items() if k != missing}
    if roll < 0.2 and name == "add":
        return {"a": "3", "b": 4}  # coerced to an int
    return good


def _spec(seed: int) -> dict:
    rng = random.Random(seed)
    is_async = rng.random() < 0.3
    names = _NAMES + (["fetch"] if is_async else [])
    turns, n = [], 0
    for _ in range(rng.randint(1, 3)):
        calls, asked = [], False
        for _ in range(rng.randint(1, 3)):
            name = rng.choice(names + ["nosuch"] * (rng.random() < 0.1))
            if name == "ask":  # parallel calls that both ask: a deliberate difference
                name, asked = ("add" if asked else name), True
            n += 1
            calls.append((name, _args(rng, name), f"call{n}"))
        turns.append(calls)
    handling = rng.choice([None, None, True, False, "Sorry: {error}", "custom", (ValueError,)])
    return {
        "is_async": is_async,
        "langchain": rng.random() < 0.5,
        "turns": turns,
        "handling": handling,
        "before": rng.random() < 0.4,
        "after": rng.random() < 0.1,
    }


def _graph(p: Prebuilt, spec: dict, failed: set) -> Any:
    replies = [
        {"content": f"thinking {i}", "tool_calls": [call(*c) for c in calls], "id": f"ai-{i}"}
        for i, calls in enumerate(spec["turns"])
    ] + [{"content": "done", "id": "ai-final"}]

    def reply(state: dict) -> dict:
        k = sum(1 for m in state["messages"] if m.type == "ai")
        return {"messages": [p.AIMessage(**replies[min(k, len(replies) - 1)])]}

    async def areply(state: dict) -> dict:
        return reply(state)

    options: dict = {}
    if spec["handling"] == "custom":
        options["handle_tool_errors"] = lambda e: f"handled {type(e).__name__}"
    elif spec["handling"] is not None:
        options["handle_tool_errors"] = spec["handling"]
    tools = _tools(p, spec["is_async"], spec["langchain"], failed)
    builder = p.api.StateGraph(p.api.MessagesState)
    builder.add_node("agent", areply if spec["is_async"] else reply)
    builder.add_node("tools", p.ToolNode(tools, **options))
    builder.add_edge(p.api.START, "agent")
    builder.add_conditional_edges("agent", p.tools_condition)
    builder.add_edge("tools", "agent")
    breakpoints = {f"interrupt_{when}": ["tools"] for when in ("before", "after") if spec[when]}
    return builder.compile(checkpointer=p.api.InMemorySaver(), **breakpoints)


def _shown(obj: Any) -> Any:
    if isinstance(obj, tuple):
        return tuple(_shown(x) for x in obj)
    if isinstance(obj, list):
        return [_shown(x) for x in obj]
    if isinstance(obj, dict):
        return {k: _shown(v) for k, v in obj.items()}
    return seen(obj)


def _view(snapshot: Any) -> dict:
    metadata = snapshot.metadata or {}
    return {
        "next": snapshot.next,
        "values": _shown(snapshot.values),
        "source": metadata.get("source"),
        "step": metadata.get("step"),
        "tasks": [
            (t.name, [repr(seen(i)) for i in t.interrupts], bool(t.error)) for t in snapshot.tasks
        ],
    }


def _stream(graph: Any, given: Any, config: dict, is_async: bool) -> list:
    """The ``values`` chunks in order, then the ``updates`` sorted (parallel tool calls)."""
    modes = ["updates", "values"]
    if is_async:

        async def drain() -> list:
            return [_shown(c) async for c in graph.astream(given, config, stream_mode=modes)]

        chunks = asyncio.run(drain())
    else:
        chunks = [_shown(c) for c in graph.stream(given, config, stream_mode=modes)]
    return [c for c in chunks if c[0] == "values"] + sorted(
        repr(c) for c in chunks if c[0] != "values"
    )


def _observe(p: Prebuilt, seed: int) -> list:
    spec, rng, failed = _spec(seed), random.Random(seed * 11 + 5), set()
    graph = _graph(p, spec, failed)
    config = {"configurable": {"thread_id": "t"}}
    given: Any = {"messages": [("user", "hi")]}
    out: list = []
    for turn in range(14):
        raised = False
        try:
            out.append(_stream(graph, given, config, spec["is_async"]))
        except Exception as exc:  # both engines must fail alike
            raised = True
            out.append(("raised", type(exc).__name__, str(exc)[:100]))
        snapshot = graph.get_state(config)
        out.append(("state", _view(snapshot)))
        asked = [i for t in snapshot.tasks for i in t.interrupts]
        if not snapshot.next:
            break
        given = None
        if asked and not raised:
            given = p.api.Command(resume={i.id: f"ans{turn}" for i in asked})
        elif not raised:  # at a breakpoint before or after the tools
            roll, ai = rng.random(), snapshot.values["messages"][-1]
            if roll < 0.3 and getattr(ai, "tool_calls", None):
                calls = [dict(c) for c in ai.tool_calls]
                k = rng.randrange(len(calls))
                calls[k] = {**calls[k], "args": _args(rng, "add"), "name": "add"}
                edited = p.AIMessage(ai.content, id=ai.id, tool_calls=calls)
                graph.update_state(config, {"messages": [edited]})
                out.append(("edited", _view(graph.get_state(config))))
            elif roll < 0.5 and getattr(ai, "tool_calls", None):
                rejects = [
                    p.ToolMessage(content="rejected", tool_call_id=c["id"], name=c["name"])
                    for c in ai.tool_calls
                ]
                graph.update_state(config, {"messages": rejects}, as_node="tools")
                out.append(("rejected", _view(graph.get_state(config))))
    out.append(("history", [_view(s) for s in graph.get_state_history(config)]))
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_random_agent_run(seed: int):
    """Seed ``seed``'s agent, tools and review turns behave the same on both engines."""
    assert_same(_observe(THEIRS, seed), _observe(MINE, seed))
