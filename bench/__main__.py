"""``python -m bench [--quick]``: every engine scenario, both engines, one table.

Exit status 1 when an engine that imports fails a scenario (the table says where);
an engine that does not import is skipped with the reason.
"""

from __future__ import annotations

import argparse
import sys
import time

from .chain import ChainScenario
from .flavours import ENGINES, load_flavour
from .functional import EntrypointScenario
from .long_thread import ForkScenario, HistoryScenario
from .message_loop import MessageLoopScenario
from .pause_resume import PauseResumeScenario
from .runner import run_scenario
from .table import format_table
from .time_travel import TimeTravelScenario
from .tool_loop import ToolLoopScenario

__all__ = ["main", "scenarios"]


def scenarios(quick: bool) -> list:
    """The engine scenarios (issue 16's time travel on a long conversation among them);
    ``quick`` shrinks sizes and rounds for a CI smoke run."""
    if quick:
        return [
            ChainScenario(rounds=2, per_round=1),
            MessageLoopScenario(turns=150, window=30, rounds=1),
            PauseResumeScenario(threads=100, rounds=2),
            HistoryScenario(checkpoints=300, rounds=2),
            ForkScenario(checkpoints=300, back=100, rounds=2, per_round=2),
            TimeTravelScenario(turns=100, old=100, back=50, rounds=2),
            EntrypointScenario(tasks=20, rounds=2, per_round=1),
            ToolLoopScenario(turns=5, rounds=2, per_round=1),
        ]
    return [
        ChainScenario(),
        MessageLoopScenario(),
        PauseResumeScenario(),
        HistoryScenario(),
        ForkScenario(),
        TimeTravelScenario(),
        EntrypointScenario(),
        ToolLoopScenario(),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, for a smoke run (< 30 s)"
    )
    parser.add_argument(
        "--engine", action="append", choices=list(ENGINES), help="run only this engine (repeatable)"
    )
    args = parser.parse_args(argv)

    flavours, skipped = [], {}
    engines = args.engine or list(ENGINES)
    for engine in engines:
        try:
            flavours.append(load_flavour(engine))
        except ImportError as exc:
            skipped[engine] = str(exc)
            print(f"skipping {engine}: {exc}", file=sys.stderr)

    started = time.perf_counter()
    results = []
    for scenario in scenarios(args.quick):
        print(f"running {scenario.name} ...", end="", file=sys.stderr, flush=True)
        scenario_start = time.perf_counter()
        results.append(run_scenario(scenario, flavours))
        print(f" {time.perf_counter() - scenario_start:.1f} s", file=sys.stderr)
    print(format_table(results, engines, skipped))
    for result in results:
        lengths = getattr(result.scenario, "lengths", None)
        if lengths:
            print(f"history length (snapshots listed): {lengths}")
    print(f"total {time.perf_counter() - started:.1f} s{' (quick)' if args.quick else ''}")
    return 1 if any(r.errors for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
