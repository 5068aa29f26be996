"""Scenario 2: a long conversation loop, to see whether a step's cost grows with history.

One node appends one ~200-byte message through ``add_messages`` and routes back to itself
until the thread holds ``turns`` messages. Per-step times come from timestamps between
``stream_mode="updates"`` chunks; the mean step time of the first and of the last 100
steps are compared. A second, untimed run under ``tracemalloc`` reports the memory the
checkpointer keeps for the thread.
"""

from __future__ import annotations

import gc
import itertools
import time
import tracemalloc
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

from .flavours import Flavour
from .runner import Metric

__all__ = ["MessageLoopScenario"]

_FILLER = "lorem ipsum dolor sit amet " * 8


def _message(turn: int) -> dict:
    return {"role": "assistant", "content": f"turn {turn:05d}: {_FILLER}"[:200]}


@dataclass
class _Ctx:
    flavour: Flavour
    graph: Any
    threads: itertools.count = field(default_factory=itertools.count)
    memory_measured: bool = False


@dataclass
class MessageLoopScenario:
    """A ``turns``-step self-loop; ``window`` steps at each end are compared."""

    turns: int = 1000
    window: int = 100
    rounds: int = 2
    name: str = "message loop"

    def __post_init__(self) -> None:
        head = f"{self.turns}-turn loop"
        self.metrics = [
            Metric("first", f"{head}: per step, first {self.window}"),
            Metric("last", f"{head}: per step, last {self.window}"),
            Metric("growth", f"{head}: last/first step time", unit="x", ratio=False),
            Metric("memory", f"{head}: checkpointer memory", unit="bytes"),
        ]

    def _compile(self, f: Flavour, saver: Any) -> Any:
        # Functional form: the reducer comes from the flavour, so the class body cannot name it.
        loop_state = TypedDict("LoopState", {"messages": Annotated[list, f.add_messages]})

        def talk(state: dict) -> dict:
            return {"messages": [_message(len(state["messages"]))]}

        def route(state: dict) -> str:
            return "talk" if len(state["messages"]) < self.turns else f.END

        builder = f.StateGraph(loop_state)
        builder.add_node("talk", talk)
        builder.add_edge(f.START, "talk")
        builder.add_conditional_edges("talk", route, ["talk", f.END])
        return builder.compile(checkpointer=saver)

    def _config(self, ctx: _Ctx) -> dict:
        return {
            "configurable": {"thread_id": f"loop-{next(ctx.threads)}"},
            "recursion_limit": self.turns * 5,
        }

    def setup(self, f: Flavour) -> _Ctx:
        return _Ctx(flavour=f, graph=self._compile(f, f.InMemorySaver()))

    def measure(self, ctx: _Ctx) -> dict[str, list[float]]:
        stamps = [time.perf_counter()]
        for _ in ctx.graph.stream({"messages": []}, self._config(ctx), stream_mode="updates"):
            stamps.append(time.perf_counter())
        steps = [b - a for a, b in itertools.pairwise(stamps)]
        if len(steps) != self.turns:
            raise AssertionError(f"expected {self.turns} update chunks, got {len(steps)}")
        # Mean, not median, inside a window: work an engine defers to a background thread
        # (LangGraph saves checkpoints asynchronously) lands as a few long gaps, and is real.
        first = sum(steps[: self.window]) / self.window
        last = sum(steps[-self.window :]) / self.window
        samples = {"first": [first], "last": [last], "growth": [last / first]}
        if not ctx.memory_measured:  # deterministic enough to measure once
            samples["memory"] = [self._retained_bytes(ctx)]
            ctx.memory_measured = True
        return samples

    def _retained_bytes(self, ctx: _Ctx) -> float:
        """Bytes still allocated after a full run on a fresh saver: what it keeps."""
        saver = ctx.flavour.InMemorySaver()
        graph = self._compile(ctx.flavour, saver)
        gc.collect()
        tracemalloc.start()
        try:
            base = tracemalloc.get_traced_memory()[0]
            out = graph.invoke({"messages": []}, self._config(ctx))
            if len(out["messages"]) != self.turns:
                raise AssertionError(f"expected {self.turns} messages, got {len(out['messages'])}")
            del out
            gc.collect()
            return tracemalloc.get_traced_memory()[0] - base
        finally:
            tracemalloc.stop()
