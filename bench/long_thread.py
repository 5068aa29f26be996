"""Scenarios 4 and 5: a long thread's history, listed whole and forked far back.

One thread is driven through enough steps to hold ``checkpoints`` checkpoints (built once
per engine, untimed). Scenario 4 times ``list(get_state_history(config))``. Scenario 5
takes the checkpoint ``back`` steps before the head, forks it with ``update_state`` and
runs the fork one step with ``invoke(None, forked_config)``.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass
from typing import Any, TypedDict

from .flavours import Flavour
from .runner import Metric

__all__ = ["ForkScenario", "HistoryScenario", "LongThread"]


class _CountState(TypedDict):
    n: int
    limit: int


@dataclass
class LongThread:
    """A compiled counting loop and the config of a thread it ran to ``checkpoints``."""

    graph: Any
    config: dict
    length: int


def build_long_thread(f: Flavour, checkpoints: int) -> LongThread:
    """Count from 0 until the thread holds about ``checkpoints`` checkpoints (one per step,
    plus the input's) and stop; ``limit`` in the state decides where counting stops."""

    def tick(state: _CountState) -> dict:
        return {"n": state["n"] + 1}

    def route(state: _CountState) -> str:
        return "tick" if state["n"] < state["limit"] else f.END

    builder = f.StateGraph(_CountState)
    builder.add_node("tick", tick)
    builder.add_edge(f.START, "tick")
    builder.add_conditional_edges("tick", route, ["tick", f.END])
    graph = builder.compile(checkpointer=f.InMemorySaver())
    config = {"configurable": {"thread_id": "long"}, "recursion_limit": checkpoints + 100}
    steps = checkpoints - 2  # LangGraph saves the input and the START step as well
    graph.invoke({"n": 0, "limit": steps}, config)
    length = sum(1 for _ in graph.get_state_history(config))
    return LongThread(graph=graph, config={"configurable": {"thread_id": "long"}}, length=length)


@dataclass
class HistoryScenario:
    """Time full history listings of the long thread."""

    checkpoints: int = 2000
    rounds: int = 5
    name: str = "history"

    def __post_init__(self) -> None:
        self.metrics = [Metric("list", f"history listing, {self.checkpoints} checkpoints")]
        self.lengths: dict[str, int] = {}

    def setup(self, f: Flavour) -> LongThread:
        thread = build_long_thread(f, self.checkpoints)
        self.lengths[f.name] = thread.length
        return thread

    def measure(self, thread: LongThread) -> dict[str, list[float]]:
        start = time.perf_counter()
        snapshots = list(thread.graph.get_state_history(thread.config))
        elapsed = time.perf_counter() - start
        if len(snapshots) != thread.length:
            raise AssertionError(f"history length changed: {len(snapshots)} != {thread.length}")
        return {"list": [elapsed]}


@dataclass
class _ForkCtx:
    thread: LongThread
    target: Any


@dataclass
class ForkScenario:
    """Fork the long thread ``back`` steps before its head, ``per_round`` times a round."""

    checkpoints: int = 2000
    back: int = 500
    rounds: int = 5
    per_round: int = 4
    name: str = "fork"

    def __post_init__(self) -> None:
        head = f"fork {self.back} steps back"
        self.metrics = [
            Metric("update", f"{head}: update_state"),
            Metric("invoke", f"{head}: invoke one step"),
        ]

    def setup(self, f: Flavour) -> _ForkCtx:
        thread = build_long_thread(f, self.checkpoints)
        history = thread.graph.get_state_history(thread.config)
        target = next(
            itertools.islice(history, self.back, None)
        )  # newest first: index = steps back
        return _ForkCtx(thread=thread, target=target)

    def measure(self, ctx: _ForkCtx) -> dict[str, list[float]]:
        graph, n = ctx.thread.graph, ctx.target.values["n"]
        updates, invokes = [], []
        for _ in range(self.per_round):
            start = time.perf_counter()
            forked = graph.update_state(ctx.target.config, {"limit": n + 1}, as_node="tick")
            middle = time.perf_counter()
            out = graph.invoke(None, forked)
            end = time.perf_counter()
            if out["n"] != n + 1:
                raise AssertionError(
                    f"the fork should run exactly one step from n={n}: {out!r:.200}"
                )
            updates.append(middle - start)
            invokes.append(end - middle)
        return {"update": updates, "invoke": invokes}
