"""Robust summaries of noisy timing samples."""

from __future__ import annotations

import math
import statistics

__all__ = ["median", "p95"]


def median(samples: list[float]) -> float:
    """The middle sample: insensitive to the odd slow run a noisy machine produces."""
    return statistics.median(samples)


def p95(samples: list[float]) -> float:
    """The nearest-rank 95th percentile: the latency 19 in 20 calls stay under."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]
