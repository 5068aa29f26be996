"""Scenario 1: per-super-step time on a 100-node chain where each node writes one key.

This is the engine's fixed cost per step (scheduling, applying writes, checkpointing),
with nothing else going on. Measured with no checkpointer and with ``InMemorySaver``,
next to a plain-Python floor: the same node functions called in a loop on a dict.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any, TypedDict

from .flavours import Flavour
from .runner import Metric

__all__ = ["ChainScenario"]


def _node(i: int):
    key = f"k{i}"

    def write(state: dict) -> dict:
        return {key: i}

    return write


@dataclass
class _Ctx:
    bare: Any
    saved: Any
    threads: itertools.count = field(default_factory=itertools.count)


@dataclass
class ChainScenario:
    """Invoke a ``length``-node chain ``per_round`` times per round; report time per step."""

    length: int = 100
    rounds: int = 10
    per_round: int = 2
    name: str = "chain"

    def __post_init__(self) -> None:
        self.metrics = [
            Metric("bare", f"{self.length}-node chain: per step, no checkpointer"),
            Metric("saved", f"{self.length}-node chain: per step, InMemorySaver"),
        ]
        self._schema = TypedDict("ChainState", {f"k{i}": int for i in range(self.length)})
        self._fns = [_node(i) for i in range(self.length)]

    def _build(self, f: Flavour):
        builder = f.StateGraph(self._schema)
        names = [f"n{i}" for i in range(self.length)]
        for name, fn in zip(names, self._fns):
            builder.add_node(name, fn)
        for a, b in zip([f.START, *names], [*names, f.END]):
            builder.add_edge(a, b)
        return builder

    def setup(self, f: Flavour) -> _Ctx:
        builder = self._build(f)
        return _Ctx(
            bare=builder.compile(), saved=self._build(f).compile(checkpointer=f.InMemorySaver())
        )

    def _per_step(self, graph: Any, configurable: dict) -> float:
        # LangGraph 1.x's default recursion limit is 10007, older ones (and ours) 25: be explicit.
        config = {"configurable": configurable, "recursion_limit": self.length + 10}
        start = time.perf_counter()
        out = graph.invoke({"k0": -1}, config)
        elapsed = time.perf_counter() - start
        if out.get(f"k{self.length - 1}") != self.length - 1:
            raise AssertionError(f"chain did not reach its last node: {out!r:.200}")
        return elapsed / self.length

    def measure(self, ctx: _Ctx) -> dict[str, list[float]]:
        bare, saved = [], []
        for _ in range(self.per_round):
            bare.append(self._per_step(ctx.bare, {}))
            saved.append(self._per_step(ctx.saved, {"thread_id": f"chain-{next(ctx.threads)}"}))
        return {"bare": bare, "saved": saved}

    def floor(self) -> dict[str, list[float]]:
        """The same node functions called directly, merging each write into a dict."""
        samples = []
        for _ in range(self.per_round):
            start = time.perf_counter()
            state: dict = {"k0": -1}
            for fn in self._fns:
                state.update(fn(state))
            samples.append((time.perf_counter() - start) / self.length)
        return {"bare": samples}
