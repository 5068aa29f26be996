"""The widget on a thread of a real LangGraph API server, answered by a click in JupyterLab.

The notebook's kernel shows the server thread with ``show(url, assistant_id=...)``; the
click goes browser -> kernel -> server, and the test reads the result from the server
through the SDK alone, so it passes only if the click's answer reached the server.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_server_thread_answered_by_a_click(lab, langgraph_server):
    """A thread started by the SDK is shown from its URL; clicking "approve" resumes the
    run on the server, and the widget shows the finished thread."""
    from langgraph_sdk import get_sync_client

    sdk = get_sync_client(url=langgraph_server.url, api_key=None)
    thread_id = sdk.threads.create()["thread_id"]
    sdk.runs.wait(thread_id, "review", input={"topic": "herons"})

    lab.open_notebook(
        [
            "from hitl_notebook import show\n"
            f"widget = show({langgraph_server.url!r}, assistant_id='review', thread_id={thread_id!r})\n"
            "widget"
        ]
    )
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("interrupted", timeout=60_000)
    diagram = widget.get_by_test_id("diagram")
    expect(diagram.get_by_test_id("node-review")).to_have_class(
        re.compile(r"\bhn-status-interrupted\b"), timeout=60_000
    )
    panel = widget.get_by_test_id("interrupt-panel")
    expect(panel).to_contain_text("A note about herons.")
    lab.screenshot("server-interrupted", widget)

    panel.get_by_role("button", name="approve").click()

    expect(widget.get_by_test_id("status")).to_have_text("done", timeout=60_000)
    state = sdk.threads.get_state(thread_id)
    assert state["values"]["verdict"] == "approve"
    assert state["values"]["log"] == ["write", "review", "publish:approve:A note about herons."]
    assert state["next"] == []
    lab.screenshot("server-approved", widget)
