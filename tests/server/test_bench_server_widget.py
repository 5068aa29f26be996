"""Smoke test of ``bench.server_widget``: both ways answer every paused thread on the real
server and the table prints a row per figure (timings are printed, never asserted)."""

from __future__ import annotations

import pytest

from bench.server_widget import format_figures, measure

pytestmark = pytest.mark.server


def test_bench_answers_through_the_widget_and_the_sdk(langgraph_server):
    """Each way gets one sample per thread, and the table names both ways."""
    samples = measure(langgraph_server.url, threads=2)
    assert [len(samples["widget"]), len(samples["sdk"])] == [2, 2]
    table = format_figures(samples)
    assert "widget" in table and "SDK alone" in table and "overhead" in table
