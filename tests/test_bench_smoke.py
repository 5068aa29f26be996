"""Smoke test of the benchmark: ``python -m bench --quick`` runs every scenario end to end."""

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SCENARIO_ROWS = [
    "-node chain: per step",
    "-turn loop: per step, first",
    "-turn loop: checkpointer memory",
    "pause/resume, ",
    "history listing, ",
    "steps back: update_state",
    "steps back: invoke one step",
    "-turn thread: history listing",
    "-turn thread: get_state head",
    "back (update_state + one step)",
    "tasks in sequence: per task",
    "tasks in parallel: per task",
    "then interrupt: resume, per task",
    "tool loop (3 calls a turn): per turn",
]


def test_quick_bench_runs_every_scenario_on_both_engines():
    """The quick benchmark runs our engine (and LangGraph when installed) through every
    scenario without an engine failing, and prints a row for each; timings are printed,
    never asserted."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for row in SCENARIO_ROWS:
        assert row in proc.stdout, f"no row containing {row!r} in:\n{proc.stdout}"
    assert "skipped ours" not in proc.stdout, proc.stdout
    if importlib.util.find_spec("langgraph") is not None:
        assert "skipped langgraph" not in proc.stdout, proc.stdout
