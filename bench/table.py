"""Print results as one compact table, plus the failures underneath."""

from __future__ import annotations

from .runner import Metric, Result

__all__ = ["format_table"]


def _fmt(value: float, unit: str) -> str:
    if unit == "x":
        return f"{value:.2f}x"
    if unit == "bytes":
        return f"{value / 1e6:.2f} MB" if value >= 1e5 else f"{value / 1e3:.1f} KB"
    for scale, suffix in ((1, "s"), (1e-3, "ms"), (1e-6, "µs")):
        if value >= scale:
            return f"{value / scale:.3g} {suffix}"
    return f"{value * 1e9:.0f} ns"


def _cell(result: Result, engine: str, metric: Metric, skipped: dict[str, str]) -> str:
    if engine in skipped:
        return "skipped"
    if engine in result.errors:
        return "ERROR"
    value = result.values.get(engine, {}).get(metric.label)
    return "-" if value is None else _fmt(value, metric.unit)


def _ratio(result: Result, metric: Metric, engines: list[str]) -> str:
    if not metric.ratio or not {"ours", "langgraph"} <= set(engines):
        return ""
    ours = result.values.get("ours", {}).get(metric.label)
    theirs = result.values.get("langgraph", {}).get(metric.label)
    return f"{theirs / ours:.1f}x" if ours and theirs else ""


def format_table(results: list[Result], engines: list[str], skipped: dict[str, str]) -> str:
    """Rows are metrics; columns each engine, LangGraph/ours, and the plain-Python floor."""
    header = ["scenario", *engines, "langgraph/ours", "python floor"]
    rows = []
    for result in results:
        for metric in result.scenario.metrics:
            floor = result.floor.get(metric.label)
            rows.append(
                [
                    metric.label,
                    *(_cell(result, e, metric, skipped) for e in engines),
                    _ratio(result, metric, engines),
                    "" if floor is None else _fmt(floor, metric.unit),
                ]
            )
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        for r in [header, *rows]
    ]
    lines.insert(1, "-" * len(lines[0]))
    for engine, reason in skipped.items():
        lines.append(f"skipped {engine}: {reason}")
    for result in results:
        for engine, error in result.errors.items():
            lines.append(f"ERROR {engine} in {result.scenario.name}: {error.summary}")
            lines.append(f"    failing call: {error.call}")
            lines.append(f"    raised at:    {error.origin}")
    return "\n".join(lines)
