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


def _wait_for(check, timeout: float = 60) -> None:
    """Poll the server (through the SDK) until ``check()`` holds."""
    import time

    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the server never reached the expected state"
        time.sleep(0.2)


def test_server_thread_picker_searches_and_picks(lab, langgraph_server):
    """Several server threads: the picker searches them by metadata and by status, and
    picking one shows that thread (its question, state and history), which a click then
    answers on the server."""
    import uuid

    from langgraph_sdk import get_sync_client

    sdk = get_sync_client(url=langgraph_server.url, api_key=None)
    team = f"picker-{uuid.uuid4().hex[:8]}"
    made = {}
    for name in ("alpha", "beta", "gamma"):
        meta = {"team": team, "name": name}
        made[name] = sdk.threads.create(metadata=meta, graph_id="review")["thread_id"]
        sdk.runs.wait(made[name], "review", input={"topic": name})
    sdk.runs.wait(made["gamma"], "review", command={"resume": "reject"})  # gamma is done

    lab.open_notebook(
        [
            "from hitl_notebook import show\n"
            f"widget = show({langgraph_server.url!r}, assistant_id='review')\n"
            "widget"
        ]
    )
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("new", timeout=60_000)
    switcher = widget.get_by_test_id("thread-switcher")
    switcher.locator("summary").click()
    options = switcher.locator("[data-testid^='thread-option-']")

    def search(metadata: str, status: str) -> None:
        switcher.get_by_test_id("thread-search-metadata").fill(metadata)
        switcher.get_by_test_id("thread-search-status").select_option(status)
        switcher.get_by_test_id("thread-search-go").click()

    search(f'{{"team": "{team}"}}', "")
    expect(options).to_have_count(3)
    for name, thread_id in made.items():
        expect(switcher).to_contain_text(thread_id)
        expect(switcher.get_by_text(re.compile(f"{thread_id}.*name={name}"))).to_be_visible()
    lab.screenshot("picker-by-metadata", widget)

    search(f'{{"team": "{team}"}}', "interrupted")
    expect(options).to_have_count(2)
    expect(switcher).not_to_contain_text(made["gamma"])

    search("", "idle")
    expect(switcher).to_contain_text(made["gamma"])
    expect(switcher).not_to_contain_text(made["alpha"])

    search("[1, 2]", "")
    expect(switcher.get_by_test_id("thread-search-error")).to_contain_text("JSON object")

    search(f'{{"team": "{team}", "name": "beta"}}', "interrupted")
    expect(options).to_have_count(1)
    lab.screenshot("picker-narrowed", widget)
    options.first.click()

    beta = made["beta"]
    expect(widget.get_by_test_id("thread-id")).to_contain_text(beta)
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    panel = widget.get_by_test_id("interrupt-panel")
    expect(panel).to_contain_text("A note about beta.")
    expect(widget.get_by_test_id("diagram").get_by_test_id("node-review")).to_have_class(
        re.compile(r"\bhn-status-interrupted\b")
    )
    expect(widget.get_by_test_id("state-json")).to_have_value(re.compile('"topic": "beta"'))
    history = sdk.threads.get_history(beta, limit=1000)
    expect(widget.get_by_test_id("history-row")).to_have_count(len(history))
    assert lab.run_code("print(widget.thread_id, widget.history_size)").split() == [
        beta,
        str(len(history)),
    ]
    lab.screenshot("picked", widget)

    panel.get_by_role("button", name="approve").click()

    expect(widget.get_by_test_id("status")).to_have_text("done", timeout=60_000)
    assert sdk.threads.get_state(beta)["values"]["verdict"] == "approve"
    assert sdk.threads.get_state(made["alpha"])["next"] == ["review"]


def test_server_step_breakpoint_and_continue_from_the_panel(lab, langgraph_server):
    """On a server thread paused at a breakpoint: Step runs one super-step on the server,
    a breakpoint set on the diagram stops Continue before the node again, and Continue
    without it runs to the end; the server holds each step."""
    from langgraph_sdk import get_sync_client

    sdk = get_sync_client(url=langgraph_server.url, api_key=None)
    thread_id = sdk.threads.create()["thread_id"]
    sdk.runs.wait(thread_id, "counter", input={"n": 0, "limit": 3}, interrupt_before=["tick"])

    def n() -> int:
        return sdk.threads.get_state(thread_id)["values"]["n"]

    lab.open_notebook(
        [
            "from hitl_notebook import show\n"
            f"widget = show({langgraph_server.url!r}, assistant_id='counter', thread_id={thread_id!r})\n"
            "widget"
        ]
    )
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    label = widget.get_by_test_id("thread-id")
    status = widget.get_by_test_id("status")
    expect(status).to_have_text("paused", timeout=60_000)
    expect(label).to_contain_text("step 0")
    expect(widget.get_by_test_id("btn-step")).to_be_enabled()

    widget.get_by_test_id("btn-step").click()
    expect(label).to_contain_text("step 1", timeout=60_000)
    expect(status).to_have_text("paused")
    assert n() == 1 and sdk.threads.get_state(thread_id)["next"] == ["tick"]

    widget.get_by_test_id("diagram").get_by_test_id("node-tick").click()
    widget.get_by_test_id("breakpoint-before").check()
    expect(widget.get_by_test_id("node-tick")).to_have_class(re.compile(r"\bhn-bp-before\b"))
    widget.get_by_test_id("btn-continue").click()
    expect(label).to_contain_text("step 2", timeout=60_000)
    expect(status).to_have_text("paused")
    assert n() == 2
    lab.screenshot("server-breakpoint", widget)

    widget.get_by_test_id("breakpoint-before").uncheck()
    expect(widget.get_by_test_id("node-tick")).not_to_have_class(re.compile(r"\bhn-bp-before\b"))
    widget.get_by_test_id("btn-continue").click()
    expect(status).to_have_text("done", timeout=60_000)
    _wait_for(lambda: sdk.threads.get(thread_id)["status"] == "idle")
    assert n() == 3 and sdk.threads.get_state(thread_id)["next"] == []


def test_server_edit_then_answer_shows_the_question_asked_before(lab, langgraph_server):
    """Editing a server thread's state while it waits on a question keeps the question,
    labelled as asked before the edit (the server no longer lists it); answering it runs
    the node on the edited state on the server."""
    import json

    from langgraph_sdk import get_sync_client

    sdk = get_sync_client(url=langgraph_server.url, api_key=None)
    thread_id = sdk.threads.create()["thread_id"]
    sdk.runs.wait(thread_id, "review", input={"topic": "egrets"})

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
    panel = widget.get_by_test_id("interrupt-panel")
    expect(panel.get_by_test_id("interrupt-carried-0")).to_have_count(0)

    editor = widget.get_by_test_id("state-editor")
    text = editor.get_by_test_id("state-json")
    # the editor fills once the widget has read the server's state (after the status)
    expect(text).to_have_value(re.compile('"topic": "egrets"'), timeout=60_000)
    values = json.loads(text.input_value())
    text.fill(json.dumps({**values, "draft": "An edited note about egrets."}))
    editor.get_by_test_id("state-save").click()

    expect(panel.get_by_test_id("interrupt-carried-0")).to_contain_text("Asked before your edit")
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    server = sdk.threads.get_state(thread_id)
    assert server["values"]["draft"] == "An edited note about egrets."
    assert server["interrupts"] == [] and server["next"] == ["review"]
    lab.screenshot("server-carried", widget)

    panel.get_by_role("button", name="approve").click()

    expect(widget.get_by_test_id("status")).to_have_text("done", timeout=60_000)
    log = sdk.threads.get_state(thread_id)["values"]["log"]
    assert log[-1] == "publish:approve:An edited note about egrets."


def test_server_run_stopped_from_the_panel(lab, langgraph_server):
    """A run started with the widget's Run button streams on the server; Stop cancels it
    there, and the widget shows it stopped (a notice, the node still next), not failed."""
    from langgraph_sdk import get_sync_client

    sdk = get_sync_client(url=langgraph_server.url, api_key=None)
    lab.open_notebook(
        [
            "from hitl_notebook import show\n"
            f"widget = show({langgraph_server.url!r}, assistant_id='slow')\n"
            "widget"
        ]
    )
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("new", timeout=60_000)
    thread_id = lab.run_code("print(widget.thread_id)").strip()

    widget.locator("summary", has_text="New run on this thread").click()
    widget.get_by_test_id("run-input").fill('{"seconds": 60}')
    widget.get_by_test_id("btn-run").click()
    expect(widget.get_by_test_id("status")).to_have_text("running", timeout=60_000)
    _wait_for(lambda: bool(sdk.runs.list(thread_id, status="running")))
    [run] = sdk.runs.list(thread_id, status="running")

    widget.get_by_test_id("btn-stop").click()

    expect(widget.get_by_test_id("status")).to_have_text("paused", timeout=60_000)
    expect(widget.get_by_test_id("notice-banner")).to_contain_text("Stopped at step")
    expect(widget.get_by_test_id("error-banner")).to_be_hidden()
    expect(widget.get_by_test_id("node-wait")).to_have_class(re.compile(r"\bhn-status-next\b"))
    assert sdk.runs.get(thread_id, run["run_id"])["status"] == "interrupted"
    lab.screenshot("server-stopped", widget)
