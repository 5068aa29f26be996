"""Scenario 6: the Functional API's cost per ``@task`` call.

An ``@entrypoint`` (with an ``InMemorySaver``, a new thread per run) calls ``tasks`` small
tasks, either one after the other (``task(x).result()``) or all at once and then reads
their futures; the figure is the run's wall time divided by the number of tasks. A third
row pauses the run on an ``interrupt()`` after the tasks and resumes it: the resume re-runs
the body, whose finished tasks come back from the checkpoint. The plain-Python floor calls
the same function in a loop.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from .flavours import Flavour
from .runner import Metric

__all__ = ["EntrypointScenario"]


def _work(x: int) -> int:
    return x * 2 + 1


@dataclass
class _Ctx:
    flavour: Flavour
    sequential: Any
    parallel: Any
    paused: Any
    threads: itertools.count = field(default_factory=itertools.count)


@dataclass
class EntrypointScenario:
    """``per_round`` runs of each entrypoint per round, ``tasks`` task calls per run."""

    tasks: int = 50
    rounds: int = 10
    per_round: int = 4
    name: str = "entrypoint"

    def __post_init__(self) -> None:
        head = f"entrypoint, {self.tasks} tasks"
        self.metrics = [
            Metric("sequential", f"{head} in sequence: per task"),
            Metric("parallel", f"{head} in parallel: per task"),
            Metric("resume", f"{head} then interrupt: resume, per task"),
        ]
        self._expected = sum(_work(i) for i in range(self.tasks))

    def setup(self, f: Flavour) -> _Ctx:
        work = f.task(_work)
        n = self.tasks

        @f.entrypoint(checkpointer=f.InMemorySaver())
        def sequential(_: int) -> int:
            return sum(work(i).result() for i in range(n))

        @f.entrypoint(checkpointer=f.InMemorySaver())
        def parallel(_: int) -> int:
            return sum(future.result() for future in [work(i) for i in range(n)])

        @f.entrypoint(checkpointer=f.InMemorySaver())
        def paused(_: int) -> int:
            total = sum(work(i).result() for i in range(n))
            return total + f.interrupt("ok?")

        return _Ctx(f, sequential, parallel, paused)

    def _per_task(self, graph: Any, input: Any, config: dict, expected: Any) -> float:
        start = time.perf_counter()
        out = graph.invoke(input, config)
        elapsed = time.perf_counter() - start
        if out != expected:
            raise AssertionError(f"entrypoint returned {out!r:.200}, expected {expected!r:.80}")
        return elapsed / self.tasks

    def measure(self, ctx: _Ctx) -> dict[str, list[float]]:
        samples: dict[str, list[float]] = {"sequential": [], "parallel": [], "resume": []}
        for _ in range(self.per_round):
            for key in ("sequential", "parallel"):
                config = {"configurable": {"thread_id": f"{key}-{next(ctx.threads)}"}}
                samples[key].append(self._per_task(getattr(ctx, key), 0, config, self._expected))
            config = {"configurable": {"thread_id": f"paused-{next(ctx.threads)}"}}
            first = ctx.paused.invoke(0, config)
            if "__interrupt__" not in first:
                raise AssertionError(f"the entrypoint did not pause: {first!r:.200}")
            resume = ctx.flavour.Command(resume=1)
            samples["resume"].append(self._per_task(ctx.paused, resume, config, self._expected + 1))
        return samples

    def floor(self) -> dict[str, list[float]]:
        """The task's function called directly in a loop."""
        samples = []
        for _ in range(self.per_round):
            start = time.perf_counter()
            total = sum(_work(i) for i in range(self.tasks))
            samples.append((time.perf_counter() - start) / self.tasks)
            assert total == self._expected
        return {"sequential": samples}
