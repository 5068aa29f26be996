"""Sync cost: a step on a 5 MB state sends a patch, not the state."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from widget_sync import measure


def test_a_step_on_a_5mb_state_sends_kilobytes(engine):
    """Each step costs status, summaries and a small patch (< 5 KB), whatever the state size."""
    result = measure(engine.name, steps=3, state_mb=5.0)
    assert result["state_bytes"] > 5_000_000
    assert result["max_bytes_per_step"] < 5_000
    assert result["first_run_bytes"] < 10_000, "the first run does not push the state either"


def test_head_patches_rebuild_the_new_state_in_the_browser(engine, open_widget):
    """Applying each pushed patch to the previous state gives exactly the new state."""
    from hitl_notebook.widgets.jsonable import apply_ops, to_jsonable

    from .graphs import chain_graph

    graph = chain_graph(engine)
    widget, browser = open_widget(graph, breakpoints_before=["b", "c"])
    widget.run({"log": []})
    shown = browser.query("checkpoint")["result"]["values"]
    for _ in range(2):
        browser.received.clear()
        widget.step()
        [patch] = browser.events("head")
        shown = apply_ops(shown, patch["ops"])
        assert shown == to_jsonable(widget.session.head.values)
    assert shown["log"] == ["a", "b", "c"]
