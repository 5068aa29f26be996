"""``astream_events`` of node and ``@task`` runs are LangGraph's on both engines: each run
streams its output, ends with it as returned, and carries LangGraph's tags (the step) and
metadata (thread, step, node, triggers, path); an entrypoint's run shows the caller's input."""

from __future__ import annotations

import asyncio
import contextlib
import operator
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, same

pytestmark = pytest.mark.langgraph

#: Metadata keys compared (``langgraph_checkpoint_ns`` holds engine-specific task ids).
_KEYS = (
    "thread_id",
    "ls_integration",
    "langgraph_step",
    "langgraph_node",
    "langgraph_triggers",
    "langgraph_path",
)


def _events(graph: Any, input: Any, config: dict) -> list[tuple]:
    """Each event of a v2 ``astream_events`` call, reduced to what both engines share:
    kind, name, parent depth, tags, data and the metadata in ``_KEYS``."""

    async def main() -> list[tuple]:
        return [
            (
                e["event"],
                e["name"],
                len(e["parent_ids"]),
                e["tags"],
                e["data"],
                {k: e["metadata"][k] for k in _KEYS if k in e["metadata"]},
                isinstance(e["metadata"].get("langgraph_checkpoint_ns", ""), str),
            )
            async for e in graph.astream_events(input, config, version="v2")
        ]

    return asyncio.run(main())


def test_entrypoint_and_task_runs_stream_tag_and_describe_themselves():
    """A third run on a thread: the entrypoint's run (input and output as the caller sees
    them, ``graph:step:4``) and its task calls (``seq:step:1``, a push path through the
    entrypoint's, the call's index); a failing task starts and reports no stream or end."""

    def scenario(api: Api) -> list[tuple]:
        @api.task
        async def double(number: int) -> int:
            await asyncio.sleep(0.05)
            return number * 2

        @api.task
        async def fails(number: int) -> int:
            await asyncio.sleep(0.05)
            raise ValueError("boom")

        @api.entrypoint(checkpointer=api.InMemorySaver())
        async def flow(number: int) -> str:
            await double(number)
            with contextlib.suppress(ValueError):
                await fails(number)
            await double(number)
            return "done"

        config = {"configurable": {"thread_id": "1"}}
        asyncio.run(flow.ainvoke(1, config))
        asyncio.run(flow.ainvoke(1, config))
        return _events(flow, 1, config)

    events = same(scenario)
    flow_start = events[1]
    assert flow_start[:5] == ("on_chain_start", "flow", 1, ["graph:step:4"], {"input": 1})
    assert flow_start[5]["langgraph_path"] == ("__pregel_pull", "flow")
    assert [e[4] for e in events if e[1] == "flow" and e[0] != "on_chain_start"] == [
        {"chunk": "done"},
        {"output": "done", "input": 1},
    ]
    failing = [e for e in events if e[1] == "fails"]
    assert [(e[0], e[3], e[5]["langgraph_path"]) for e in failing] == [
        ("on_chain_start", ["seq:step:1"], ("__pregel_push", ("__pregel_pull", "flow"), 1, True))
    ]


def test_sync_entrypoint_run_shows_the_callers_input():
    """A sync entrypoint and task under ``astream_events``: the same runs, the entrypoint's
    input the value the caller passed (not the engine's wrapper around it). The body and
    the task run in worker threads, so when the graph's own chunks arrive among their
    events is timing: those are compared apart."""

    def scenario(api: Api) -> tuple[list[tuple], list[tuple]]:
        @api.task
        def shout(text: str) -> str:
            return text.upper()

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(text: str, *, previous: Any = None) -> str:
            return shout(text).result() + "!"

        events = _events(flow, "hi", {"configurable": {"thread_id": "t"}})
        return [e for e in events if e[1] != "LangGraph"], [
            e for e in events if e[1] == "LangGraph"
        ]

    events, root = same(scenario)
    assert [e[4] for e in root if e[0] == "on_chain_stream"] == [
        {"chunk": {"shout": "HI"}},
        {"chunk": {"flow": "HI!"}},
    ]
    assert [(e[0], e[1], e[4]) for e in events if e[1] == "flow"] == [
        ("on_chain_start", "flow", {"input": "hi"}),
        ("on_chain_stream", "flow", {"chunk": "HI!"}),
        ("on_chain_end", "flow", {"output": "HI!", "input": "hi"}),
    ]


class _State(TypedDict):
    log: Annotated[list, operator.add]


def test_state_graph_node_runs_stream_tag_and_describe_themselves():
    """Nodes of a ``StateGraph`` (a sync one and an async one): each run is tagged with its
    step, streams its update and carries the node's metadata, as LangGraph's."""

    def scenario(api: Api) -> list[tuple]:
        async def first(state: _State) -> dict:
            return {"log": ["first"]}

        builder = api.StateGraph(_State)
        builder.add_node("first", first)
        builder.add_node("second", lambda s: {"log": ["second"]})
        builder.add_edge(api.START, "first")
        builder.add_edge("first", "second")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return _events(graph, {"log": []}, {"configurable": {"thread_id": "t"}})

    events = same(scenario)
    second = [e for e in events if e[1] == "second"]
    assert [(e[0], e[3], e[4]) for e in second] == [
        ("on_chain_start", ["graph:step:2"], {"input": {"log": ["first"]}}),
        ("on_chain_stream", ["graph:step:2"], {"chunk": {"log": ["second"]}}),
        (
            "on_chain_end",
            ["graph:step:2"],
            {"output": {"log": ["second"]}, "input": {"log": ["first"]}},
        ),
    ]
    assert second[0][5]["langgraph_triggers"] == ("branch:to:second",)
