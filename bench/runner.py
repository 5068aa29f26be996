"""Run scenarios on every engine in interleaved rounds and summarise the samples.

Machines are noisy, so each scenario is measured in several rounds and the engines take
turns within a round (alternating who goes first); every figure is a median (or p95)
over the pooled samples of all rounds.
"""

from __future__ import annotations

import gc
import os
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from .flavours import Flavour
from .stats import median, p95

__all__ = ["EngineError", "Metric", "Result", "Scenario", "run_scenario"]

_STATS: dict[str, Callable[[list[float]], float]] = {"median": median, "p95": p95}


@dataclass(frozen=True)
class Metric:
    """One row of the table: which samples it summarises and how."""

    key: str
    label: str
    #: "s" (seconds, printed in µs/ms/s), "bytes" (printed in KB/MB) or "x" (a plain factor).
    unit: str = "s"
    stat: str = "median"
    #: Whether "LangGraph / ours" means something for this row.
    ratio: bool = True


class Scenario(Protocol):
    """A benchmark written once against a :class:`Flavour`."""

    name: str
    metrics: list[Metric]
    rounds: int

    def setup(self, flavour: Flavour) -> Any:
        """Build what the rounds reuse (graph, saver, long thread); not timed."""

    def measure(self, ctx: Any) -> dict[str, list[float]]:
        """Run one round; samples per metric key."""


@dataclass(frozen=True)
class EngineError:
    """Where an engine failed: the scenario's call into it, and the innermost frame."""

    summary: str
    call: str
    origin: str

    @classmethod
    def from_exception(cls, exc: BaseException) -> EngineError:
        frames = traceback.extract_tb(exc.__traceback__)
        here = os.path.dirname(__file__)
        bench_frames = [f for f in frames if f.filename.startswith(here)]
        call = bench_frames[-1] if bench_frames else frames[0]
        last = frames[-1]
        return cls(
            summary=f"{type(exc).__name__}: {exc}".splitlines()[0][:200],
            call=f"{os.path.relpath(call.filename)}:{call.lineno}: {call.line}",
            origin=f"{os.path.relpath(last.filename)}:{last.lineno} in {last.name}",
        )


@dataclass
class Result:
    """A scenario's figures: per engine either summarised metrics or the error it hit."""

    scenario: Scenario
    values: dict[str, dict[str, float]] = field(default_factory=dict)
    errors: dict[str, EngineError] = field(default_factory=dict)
    #: Figures of the plain-Python floor, for scenarios that have one.
    floor: dict[str, float] = field(default_factory=dict)


def run_scenario(scenario: Scenario, flavours: list[Flavour]) -> Result:
    """Set up ``scenario`` on each engine, then run its rounds interleaved."""
    result = Result(scenario)
    contexts: dict[str, Any] = {}
    samples: dict[str, dict[str, list[float]]] = {}
    for flavour in flavours:
        try:
            contexts[flavour.name] = scenario.setup(flavour)
            samples[flavour.name] = {}
        except Exception as exc:
            result.errors[flavour.name] = EngineError.from_exception(exc)
    floor = getattr(scenario, "floor", None)
    floor_samples: dict[str, list[float]] = {}
    for round_no in range(scenario.rounds):
        order = list(contexts) if round_no % 2 == 0 else list(reversed(contexts))
        for name in order:
            gc.collect()
            try:
                round_samples = scenario.measure(contexts[name])
            except Exception as exc:
                result.errors[name] = EngineError.from_exception(exc)
                del contexts[name], samples[name]
                continue
            for key, values in round_samples.items():
                samples[name].setdefault(key, []).extend(values)
        if floor is not None:
            gc.collect()
            for key, values in floor().items():
                floor_samples.setdefault(key, []).extend(values)
    for name, by_key in samples.items():
        result.values[name] = _summarise(scenario.metrics, by_key)
    result.floor = _summarise(scenario.metrics, floor_samples)
    return result


def _summarise(metrics: list[Metric], by_key: dict[str, list[float]]) -> dict[str, float]:
    return {m.label: _STATS[m.stat](by_key[m.key]) for m in metrics if by_key.get(m.key)}
