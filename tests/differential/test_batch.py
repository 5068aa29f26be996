"""``batch``/``abatch`` (LangChain's Runnable calls on a compiled graph): one run per
input, with one config for all or one each, outputs in input order, a failure raised or
(``return_exceptions=True``) returned in its place; threads of a checkpointer each pause
and resume on their own."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, plain, same, thread

pytestmark = pytest.mark.langgraph


class Count(TypedDict, total=False):
    n: int
    log: Annotated[list, operator.add]


def _graph(api: Api, checkpointer: Any = None) -> Any:
    def step(state: Count) -> dict:
        if state["n"] < 0:
            raise ValueError(f"negative: {state['n']}")
        return {"log": [state["n"] * 10]}

    builder = api.StateGraph(Count)
    builder.add_node("step", step)
    builder.add_edge(api.START, "step")
    return builder.compile(checkpointer=checkpointer)


def _outcome(value: Any) -> Any:
    return f"{type(value).__name__}: {value}" if isinstance(value, Exception) else plain(value)


def test_batch_runs_each_input_and_keeps_their_order():
    def scenario(api: Api) -> Any:
        graph = _graph(api)
        inputs = [{"n": i, "log": []} for i in range(5)]
        plain_batch = graph.batch(inputs, {"max_concurrency": 2})
        with_errors = graph.batch(
            [{"n": 1, "log": []}, {"n": -1, "log": []}], return_exceptions=True
        )
        with pytest.raises(ValueError, match="negative"):
            graph.batch([{"n": -2, "log": []}, {"n": 2, "log": []}])
        completed = sorted(graph.batch_as_completed(inputs[:3]), key=lambda pair: pair[0])
        return plain_batch, [_outcome(v) for v in with_errors], plain(completed)

    same(scenario)


def test_batch_with_a_config_per_thread_pauses_each_thread():
    def scenario(api: Api) -> Any:
        def ask(state: Count) -> dict:
            return {"log": [api.interrupt(f"q{state['n']}")]}

        builder = api.StateGraph(Count)
        builder.add_node("ask", ask)
        builder.add_edge(api.START, "ask")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        configs = [thread(f"t{i}") for i in range(3)]
        paused = graph.batch([{"n": i, "log": []} for i in range(3)], configs)
        answered = graph.batch([api.Command(resume=f"a{i}") for i in range(3)], configs)
        with pytest.raises(ValueError):
            graph.batch([{"n": 0}], configs)  # three configs, one input
        return plain(paused), plain(answered)

    same(scenario)


def test_abatch_runs_concurrently_on_the_event_loop():
    def scenario(api: Api) -> Any:
        graph = _graph(api)

        async def main() -> Any:
            outs = await graph.abatch(
                [{"n": i, "log": []} for i in range(4)], {"max_concurrency": 2}
            )
            errors = await graph.abatch([{"n": -3, "log": []}], return_exceptions=True)
            pairs = [
                p
                async for p in graph.abatch_as_completed([{"n": 7, "log": []}, {"n": 8, "log": []}])
            ]
            return plain(outs), [_outcome(e) for e in errors], sorted(plain(pairs))

        return asyncio.run(main())

    same(scenario)
