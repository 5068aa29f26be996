"""Scenario 3: pause/resume latency, the cost a notebook user feels on every answer.

Each thread runs a small graph until ``interrupt()`` (the pause), then is resumed with
``Command(resume=...)`` (the resume). All threads share one saver, so it fills up as a
real kernel's would; latencies are pooled over every thread.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any, TypedDict

from .flavours import Flavour
from .runner import Metric

__all__ = ["PauseResumeScenario"]


class _ReviewState(TypedDict, total=False):
    topic: str
    draft: str
    verdict: str


@dataclass
class _Ctx:
    flavour: Flavour
    graph: Any
    threads: itertools.count = field(default_factory=itertools.count)


@dataclass
class PauseResumeScenario:
    """``threads`` threads in total, ``threads // rounds`` per round."""

    threads: int = 1000
    rounds: int = 10
    name: str = "pause/resume"

    def __post_init__(self) -> None:
        head = f"pause/resume, {self.threads} threads"
        self.metrics = [
            Metric("pause", f"{head}: pause median"),
            Metric("pause", f"{head}: pause p95", stat="p95"),
            Metric("resume", f"{head}: resume median"),
            Metric("resume", f"{head}: resume p95", stat="p95"),
        ]

    def setup(self, f: Flavour) -> _Ctx:
        def write(state: _ReviewState) -> dict:
            return {"draft": f"a draft about {state['topic']}"}

        def review(state: _ReviewState) -> dict:
            return {"verdict": f.interrupt({"question": "Approve?", "draft": state["draft"]})}

        builder = f.StateGraph(_ReviewState)
        builder.add_node("write", write)
        builder.add_node("review", review)
        builder.add_edge(f.START, "write")
        builder.add_edge("write", "review")
        builder.add_edge("review", f.END)
        return _Ctx(flavour=f, graph=builder.compile(checkpointer=f.InMemorySaver()))

    def measure(self, ctx: _Ctx) -> dict[str, list[float]]:
        pauses, resumes = [], []
        for _ in range(self.threads // self.rounds):
            config = {"configurable": {"thread_id": f"review-{next(ctx.threads)}"}}
            start = time.perf_counter()
            paused = ctx.graph.invoke({"topic": "benchmarks"}, config)
            middle = time.perf_counter()
            done = ctx.graph.invoke(ctx.flavour.Command(resume="approved"), config)
            end = time.perf_counter()
            if "__interrupt__" not in paused or done.get("verdict") != "approved":
                raise AssertionError(f"pause/resume went wrong: {paused!r:.200} then {done!r:.200}")
            pauses.append(middle - start)
            resumes.append(end - middle)
        return {"pause": pauses, "resume": resumes}
