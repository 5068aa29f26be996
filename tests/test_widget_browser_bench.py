"""Smoke test of the widget browser benchmark: ``python -m bench.widget_browser --quick``."""

import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bench.widget_browser import chromium_path

ROOT = Path(__file__).resolve().parent.parent

if chromium_path() is None or importlib.util.find_spec("playwright") is None:
    reason = "the widget browser benchmark needs Debian's chromium and the playwright package"
    if os.environ.get("CI"):
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def test_quick_widget_browser_bench_prints_render_update_and_sync_figures():
    """The benchmark loads the committed bundle in headless Chromium, draws the 200-node
    diagram, restyles it in place, and prints the render, status-update and bytes-per-step
    figures; timings are printed, never asserted."""
    proc = subprocess.run(
        [sys.executable, "-m", "bench.widget_browser", "--quick"],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert re.search(r"first render, fresh page, 200-node diagram\s+\d+\.\d ms", out), out
    assert re.search(r"status update, all 200 nodes \(restyle, no re-layout\)\s+\d+\.\d ms", out), (
        out
    )
    assert re.search(r"bytes sent per step, 5\.\d MB state\s+\d+\.\d KB", out), out
    assert "SVG nodes [202]" in out, "200 nodes plus start and end are drawn"
    for row in (
        r"kernel round trip during a run \(median\)\s+\d+\.\d ms\s+\d+\.\d ms",
        r"node finished -> status drawn \(median\)\s+\d+\.\d ms\s+\d+\.\d ms",
        r"tokens drawn per second \(400-word reply\)\s+\d+\.\d tok/s\s+\d+\.\d tok/s",
    ):
        assert re.search(row, out), out
    # Issue 16: the timeline on a long branching thread and a diff, through a real Session.
    assert re.search(r"timeline open, 1,000 checkpoints, 3 lanes: total\s+\d+\.\d ms", out), out
    assert re.search(
        r"timeline scrolled to the middle: page fetched and drawn\s+\d+\.\d ms", out
    ), out
    assert re.search(
        r"diff head vs 200 back, 200-message state: click to drawn\s+\d+\.\d ms", out
    ), out
