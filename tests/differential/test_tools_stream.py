"""The ``tools`` stream mode shows the same events on both engines: a LangChain tool a node
calls starts and finishes (or fails), keyed by its tool call id."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any, TypedDict

import pytest

from .harness import Api, plain, same

pytestmark = pytest.mark.langgraph

tools = pytest.importorskip("langchain_core.tools")


class _State(TypedDict):
    out: Any


@tools.tool
def add(a: int, b: int) -> int:
    """Add two numbers."""
    return a + b


@tools.tool
def broken(a: int) -> int:
    """Always fails."""
    raise ValueError("no luck")


def _call(name: str, args: dict, call_id: str) -> dict:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


def _view(chunk: Any) -> Any:
    mode, payload = chunk
    if mode != "tools":
        return chunk
    return (mode, {k: plain(v) for k, v in payload.items()})


def _in_a_subgraph(api: Api, node: Any) -> Any:
    """A graph whose one node is a compiled subgraph running ``node``."""
    inner = api.StateGraph(_State)
    inner.add_node("node", node)
    inner.add_edge(api.START, "node")
    outer = api.StateGraph(_State)
    outer.add_node("inner", inner.compile())
    outer.add_edge(api.START, "inner")
    return outer.compile()


def test_tool_started_finished_and_error_events():
    """A node calling one tool that works and one that fails (caught by the node)."""

    def scenario(api: Api) -> list:
        def node(state: _State) -> dict:
            message = add.invoke(_call("add", {"a": 1, "b": 2}, "call-1"))
            with contextlib.suppress(ValueError):
                broken.invoke(_call("broken", {"a": 1}, "call-2"))
            return {"out": message.content}

        builder = api.StateGraph(_State)
        builder.add_node("node", node)
        builder.add_edge(api.START, "node")
        graph = builder.compile()
        return [_view(c) for c in graph.stream({"out": None}, stream_mode=["tools", "values"])]

    chunks = same(scenario)
    assert [c[1].get("event") for c in chunks if c[0] == "tools"] == [
        "tool-started",
        "tool-finished",
        "tool-started",
        "tool-error",
    ]
    assert chunks[-1] == ("values", {"out": "3"})


def test_tools_mode_with_a_task_in_a_subgraph_node():
    """A subgraph node awaiting a ``@task``: the ``tools`` mode changes nothing else."""

    def scenario(api: Api) -> list:
        @api.task
        async def double(x: int) -> int:
            return x * 2

        async def node(state: _State) -> dict:
            return {"out": await double(21)}

        graph = _in_a_subgraph(api, node)

        async def chunks() -> list:
            return [c async for c in graph.astream({"out": None}, stream_mode=["values", "tools"])]

        return asyncio.run(chunks())

    assert same(scenario) == [("values", {"out": None}), ("values", {"out": 42})]


def test_a_subgraphs_tools_show_with_subgraphs_true():
    """A tool called in a subgraph's node shows only when streaming with subgraphs, under
    that subgraph's namespace."""

    def scenario(api: Api) -> dict:
        def node(state: _State) -> dict:
            return {"out": add.invoke(_call("add", {"a": 2, "b": 2}, "call-9")).content}

        graph = _in_a_subgraph(api, node)
        flat = [c for c in graph.stream({"out": None}, stream_mode="tools")]
        nested = [
            (len(ns), ns[0].split(":")[0] if ns else None, chunk["event"])
            for ns, chunk in graph.stream({"out": None}, stream_mode="tools", subgraphs=True)
        ]
        return {"flat": flat, "nested": nested}

    assert same(scenario) == {
        "flat": [],
        "nested": [(1, "inner", "tool-started"), (1, "inner", "tool-finished")],
    }
