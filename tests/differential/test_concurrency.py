"""Running tasks on both engines: ``max_concurrency``, ``step_timeout``, cancelling a run
(closing ``astream``, a failing sibling), and the order a parallel step's writes apply in."""

from __future__ import annotations

import asyncio
import operator
import threading
import time
from contextlib import aclosing
from typing import Annotated, TypedDict

import pytest

from .harness import Api, history, same, state, thread

pytestmark = pytest.mark.langgraph


class Items(TypedDict):
    items: Annotated[list, operator.add]


def _fan_out(api: Api, worker, count: int):
    """``fan`` sends ``count`` integers to ``work``."""
    return (
        api.StateGraph(Items)
        .add_node("fan", lambda state: {})
        .add_node("work", worker)
        .add_edge(api.START, "fan")
        .add_conditional_edges("fan", lambda state: [api.Send("work", i) for i in range(count)])
    )


def test_max_concurrency_bounds_the_async_tasks_running_at_once():
    """``{"max_concurrency": 3}``: twelve Send tasks, never more than three at a time; without
    it all twelve run together."""

    def scenario(api: Api):
        running, peaks = [0], []

        async def work(x):
            running[0] += 1
            peaks[-1] = max(peaks[-1], running[0])
            await asyncio.sleep(0.01)
            running[0] -= 1
            return {"items": [x]}

        graph = _fan_out(api, work, 12).compile()

        async def calls():
            out = []
            for config in ({}, {"max_concurrency": 3}):
                peaks.append(0)
                out.append(await graph.ainvoke({"items": []}, config))
            return out

        return {"results": asyncio.run(calls()), "peaks": peaks}

    assert same(scenario)["peaks"] == [12, 3]


def test_max_concurrency_bounds_the_threads_of_a_sync_step():
    """The same bound on ``invoke``: tasks meet in threes at a barrier, and the most ever
    running at once is three."""

    def scenario(api: Api):
        lock, running, peak = threading.Lock(), [0], [0]
        barrier = threading.Barrier(3, timeout=10)

        def work(x):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            barrier.wait()
            time.sleep(0.01)
            with lock:
                running[0] -= 1
            return {"items": [x]}

        graph = _fan_out(api, work, 9).compile()
        result = graph.invoke({"items": []}, {"max_concurrency": 3})
        return {"result": result, "peak": peak[0]}

    assert same(scenario)["peak"] == 3


class Value(TypedDict):
    value: Annotated[int, operator.add]


def _quick_and_slow(api: Api, log: list[str], *, fail: bool = False):
    """``quick`` writes 2 (or raises, with ``fail``) after a moment, then leads to ``after``;
    ``slow`` takes 5 s and notes if it is cancelled."""

    async def quick(state):
        await asyncio.sleep(0.05)
        if fail:
            raise ValueError("quick failed")
        return {"value": 2}

    async def slow(state):
        log.append("slow started")
        try:
            await asyncio.sleep(5)
        except asyncio.CancelledError:
            log.append("slow cancelled")
            raise
        return {"value": 100}

    async def after(state):
        log.append("after started")
        return {"value": 10}

    return (
        api.StateGraph(Value)
        .add_node("quick", quick)
        .add_node("slow", slow)
        .add_node("after", after)
        .add_edge(api.START, "quick")
        .add_edge(api.START, "slow")
        .add_edge("quick", "after")
    )


def test_closing_astream_cancels_the_running_tasks_and_keeps_finished_writes():
    """Breaking out of ``astream`` after the first update cancels the sibling still running
    (before the call returns); the thread stays at that step with the finished task's
    write kept, so the next call runs only the cancelled task."""

    def scenario(api: Api):
        log: list[str] = []
        graph = _quick_and_slow(api, log).compile(checkpointer=api.InMemorySaver())
        config = thread("t")

        async def call():
            async with aclosing(graph.astream({"value": 1}, config)) as stream:
                async for chunk in stream:
                    return chunk

        first = asyncio.run(call())
        return {"first": first, "log": list(log), "state": state(graph, config)}

    seen = same(scenario)
    assert seen["log"] == ["slow started", "slow cancelled"]
    assert seen["state"]["values"] == {"value": 3}


def test_a_failing_task_cancels_its_running_siblings_at_once():
    """A sibling's error ends the step without waiting for ``slow`` (cancelled), and the
    error reaches the caller."""

    def scenario(api: Api):
        log: list[str] = []
        graph = _quick_and_slow(api, log, fail=True).compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        started = time.perf_counter()
        with pytest.raises(ValueError, match="quick failed"):
            asyncio.run(graph.ainvoke({"value": 1}, config))
        return {
            "fast": time.perf_counter() - started < 3,
            "log": list(log),
            "history": history(graph, config),
        }

    seen = same(scenario)
    assert seen["fast"] and seen["log"] == ["slow started", "slow cancelled"]


def test_step_timeout_cancels_the_step_and_raises_timeout_error():
    """``graph.step_timeout = 1``: ``quick``'s update is streamed, then the step times out
    with ``slow`` cancelled; ``TimeoutError`` reaches the caller, and the thread keeps the
    step's finished write."""

    def scenario(api: Api):
        log: list[str] = []
        graph = _quick_and_slow(api, log).compile(checkpointer=api.InMemorySaver())
        graph.step_timeout = 1
        config = thread("t")
        chunks = []

        async def call():
            async for chunk in graph.astream({"value": 1}, config):
                chunks.append(chunk)

        with pytest.raises(TimeoutError):
            asyncio.run(call())
        return {"chunks": chunks, "log": list(log), "state": state(graph, config)}

    seen = same(scenario)
    assert seen["chunks"] == [{"quick": {"value": 2}}]
    assert seen["log"] == ["slow started", "slow cancelled"]


def test_step_timeout_counts_while_the_caller_holds_a_chunk():
    """The step's clock runs while the consumer of ``astream`` sits on a chunk: the step
    times out when the consumer comes back after the deadline."""

    def scenario(api: Api):
        log: list[str] = []
        graph = _quick_and_slow(api, log).compile()
        graph.step_timeout = 0.6

        async def call():
            async for _ in graph.astream({"value": 1}):
                await asyncio.sleep(1)

        with pytest.raises(TimeoutError):
            asyncio.run(call())
        return list(log)

    assert same(scenario) == ["slow started", "slow cancelled"]


def test_sync_step_timeout_raises_timeout_error():
    """``invoke`` with ``step_timeout``: a task still running at the deadline makes the call
    raise ``TimeoutError``."""

    def scenario(api: Api):
        release = threading.Event()

        def quick(state):
            return {"value": 2}

        def slow(state):
            release.wait(1)
            return {"value": 100}

        graph = (
            api.StateGraph(Value)
            .add_node("quick", quick)
            .add_node("slow", slow)
            .add_edge(api.START, "quick")
            .add_edge(api.START, "slow")
            .compile()
        )
        graph.step_timeout = 0.2
        with pytest.raises(TimeoutError):
            graph.invoke({"value": 1})
        return True

    same(scenario)


def test_a_parallel_step_applies_writes_in_node_name_order():
    """Writes of edge-triggered tasks apply by node name, whatever order the nodes were
    added or finished in; Send tasks after them, in the order they were sent."""

    def scenario(api: Api):
        def write(name: str, delay: float):
            def node(state):
                time.sleep(delay)
                return {"items": [name]}

            return node

        builder = api.StateGraph(Items)
        for name, delay in (("slow", 0.0), ("fast", 0.05), ("b", 0.0), ("a", 0.02)):
            builder.add_node(name, write(name, delay))
            builder.add_edge(api.START, name)
        builder.add_node("sent", lambda x: {"items": [x]})
        builder.add_node("z", lambda state: {"items": ["z"]})
        builder.add_conditional_edges(
            "b", lambda state: [api.Send("sent", "s1"), "z", api.Send("sent", "s0")]
        )
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        result = graph.invoke({"items": []}, config)
        return {"result": result, "history": [view["values"] for view in history(graph, config)]}

    assert same(scenario)["result"]["items"][:4] == ["a", "b", "fast", "slow"]


def test_a_cancelled_call_still_saves_what_durability_exit_held_back():
    """``durability="exit"`` writes checkpoints only when the call ends: a call cancelled
    while a node runs still writes them (the node cancelled), so the thread can go on."""

    def scenario(api: Api):
        log: list[str] = []

        async def first(state):
            return {"value": 1}

        async def waits(state):
            try:
                await asyncio.sleep(5)
            except asyncio.CancelledError:
                log.append("waits cancelled")
                raise
            return {"value": 100}

        graph = (
            api.StateGraph(Value)
            .add_node("first", first)
            .add_node("waits", waits)
            .add_edge(api.START, "first")
            .add_edge("first", "waits")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")

        async def call():
            task = asyncio.create_task(graph.ainvoke({"value": 1}, config, durability="exit"))
            await asyncio.sleep(0.3)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        asyncio.run(call())
        return {"log": log, "history": history(graph, config)}

    seen = same(scenario)
    assert seen["log"] == ["waits cancelled"] and seen["history"]
