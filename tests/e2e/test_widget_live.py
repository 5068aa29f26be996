"""Live runs in a real front end: a run started from the widget goes on in the background.

The slow node waits on a gate that a later cell opens, so the tests never depend on how
fast the machine is: "the kernel stays responsive" is shown by another cell answering
while the kernel still reports the run in progress. JupyterLab 4 may deliver the
widget's messages on a kernel subshell (the default, ``perCommTarget``) or on the main
shell (``disabled``, as in classic front ends); both are tested.
"""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LIVE_GRAPH = """
import logging
import operator
import threading
from typing import Annotated, TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.widgets import show

gate = threading.Event()
delivered_on = []

class State(TypedDict):
    log: Annotated[list, operator.add]

def slow(state):
    print("slow node is working")
    logging.getLogger("slow").warning("slow node logged this")
    assert gate.wait(120), "the test never opened the gate"
    return {"log": ["slow"]}

builder = StateGraph(State)
builder.add_node("first", lambda s: {"log": ["first"]})
builder.add_node("slow", slow)
builder.add_node("last", lambda s: {"log": ["last"]})
builder.add_edge(START, "first")
builder.add_edge("first", "slow")
builder.add_edge("slow", "last")
builder.add_edge("last", END)
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "live"}}

def report():
    head = graph.get_state(config)
    print(json.dumps({"values": head.values, "next": list(head.next), "running": widget.running}))
"""

SHOW_LIVE = """
import json
widget = show(graph, thread_id="live")
widget.on_msg(lambda _w, _content, _buffers: delivered_on.append(threading.current_thread().name))
widget
"""


def kernel_state(lab) -> dict:
    return json.loads(lab.run_code("report()"))


def open_live_widget(lab, comms: str):
    lab.open_notebook([LIVE_GRAPH, SHOW_LIVE])
    lab.page.evaluate(
        "(mode) => { window.jupyterapp.serviceManager.kernels.commsOverSubshells = mode; }", comms
    )
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("new")
    return widget


def start_run_from_widget(widget) -> None:
    widget.locator(".hn-run summary").click()
    widget.get_by_test_id("run-input").fill('{"log": []}')
    widget.get_by_test_id("btn-run").click()
    expect(widget.get_by_test_id("status")).to_have_text("running")
    expect(widget.get_by_test_id("run-node-slow")).to_contain_text("running")


@pytest.mark.parametrize("comms", ["perCommTarget", "disabled"])
def test_run_goes_on_in_background_and_stop_leaves_a_clean_checkpoint(lab, comms):
    """Run from the widget: other cells run (and keep their output) while it goes on, the
    widget shows the node running and time passing; Stop ends it at the next safe point
    and Continue finishes it."""
    widget = open_live_widget(lab, comms)
    start_run_from_widget(widget)

    assert lab.run_code("print(40 + 2)").strip() == "42"
    assert kernel_state(lab)["running"] is True, "the run is still going on"
    elapsed = widget.get_by_test_id("run-elapsed")
    first = elapsed.inner_text()
    expect(elapsed).not_to_have_text(first)  # the clock keeps counting while it runs
    expect(widget.get_by_test_id("run-steps")).to_contain_text("step")

    other = lab.run_code(
        "print('printed by another cell')\n"
        "logging.getLogger('other').warning('logged by another cell')"
    )
    assert "printed by another cell" in other
    log = widget.get_by_test_id("run-log")
    expect(log).to_contain_text("slow node is working")
    expect(log).to_contain_text("slow node logged this")
    assert "another cell" not in log.inner_text()
    lab.screenshot("running", widget)

    widget.get_by_test_id("btn-stop").click()
    expect(widget.get_by_test_id("run-summary")).to_have_text(re.compile("Stopping"))
    lab.run_code("gate.set()")
    expect(widget.get_by_test_id("status")).to_have_text("paused")
    expect(widget.get_by_test_id("notice-banner")).to_contain_text("Stopped")
    expect(widget.get_by_test_id("btn-stop")).to_be_hidden()
    state = kernel_state(lab)
    assert state == {"values": {"log": ["first", "slow"]}, "next": ["last"], "running": False}
    expect(widget.get_by_test_id("diagram").get_by_test_id("node-last")).not_to_have_class(
        re.compile(r"hn-status-(visited|running)")
    )
    lab.screenshot("stopped", widget)

    widget.get_by_test_id("btn-continue").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    assert kernel_state(lab)["values"] == {"log": ["first", "slow", "last"]}

    threads = json.loads(lab.run_code("print(json.dumps(sorted(set(delivered_on))))"))
    if comms == "disabled":
        assert threads == ["MainThread"], threads
    else:  # (the first messages may come on the main shell while the subshell starts)
        assert any(name.startswith("subshell") for name in threads), threads


#: Clicks a button three times 50 ms apart, as an impatient user does (looked up each time).
_TRIPLE_CLICK = """async (testid) => {
    for (let i = 0; i < 3; i++) {
        document.querySelector(`[data-testid="${testid}"]`).click();
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}"""


def test_rapid_clicks_on_run_and_continue_start_one_run_without_errors(lab):
    """Run clicked three times quickly starts one run and shows no error (the later clicks
    used to be refused by the kernel with "a run is in progress" in a red banner); the
    same for Continue after a Stop."""
    widget = open_live_widget(lab, "perCommTarget")
    widget.locator(".hn-run summary").click()
    widget.get_by_test_id("run-input").fill('{"log": []}')
    lab.page.evaluate(_TRIPLE_CLICK, "btn-run")
    expect(widget.get_by_test_id("run-node-slow")).to_contain_text("running")
    expect(widget.get_by_test_id("error-banner")).to_be_hidden()
    for testid in ("btn-run", "btn-continue", "btn-step", "btn-refresh"):
        expect(widget.get_by_test_id(testid)).to_be_disabled()
    widget.get_by_test_id("btn-stop").click()
    lab.run_code("gate.set()")
    expect(widget.get_by_test_id("status")).to_have_text("paused")
    lab.run_code("gate.clear()")
    lab.page.evaluate(_TRIPLE_CLICK, "btn-continue")
    expect(widget.get_by_test_id("run-node-last")).to_contain_text("visited")
    expect(widget.get_by_test_id("status")).to_have_text("done")
    expect(widget.get_by_test_id("error-banner")).to_be_hidden()
    expect(widget.get_by_test_id("btn-continue")).to_be_disabled()  # nothing left to run
    assert kernel_state(lab)["values"] == {"log": ["first", "slow", "last"]}
    runs = lab.run_code(
        "print(sum(1 for s in graph.get_state_history(config) if s.metadata['source'] == 'input'))"
    )
    assert runs.strip() == "1"

    # The same on a past checkpoint's Fork and Replay (the one before "last" ran).
    count = "print(len(list(graph.get_state_history(config))))"
    before = int(lab.run_code(count))
    widget.get_by_test_id("history-row").nth(1).click()
    lab.page.evaluate(_TRIPLE_CLICK, "checkpoint-fork")
    expect(widget.get_by_test_id("checkpoint-fork")).to_have_text("Forked")
    assert int(lab.run_code(count)) == before + 1, "one fork for three clicks"
    widget.get_by_test_id("history-row").nth(2).click()
    lab.page.evaluate(_TRIPLE_CLICK, "checkpoint-replay")
    expect(widget.get_by_test_id("status")).to_have_text("done")
    expect(widget.get_by_test_id("checkpoint-replay")).to_be_enabled()
    expect(widget.get_by_test_id("error-banner")).to_be_hidden()


def test_stop_from_code(lab):
    """``widget.stop()`` in a cell stops a run started from the widget, like the button."""
    widget = open_live_widget(lab, "perCommTarget")
    start_run_from_widget(widget)
    assert lab.run_code("print(len(widget.stop()))").strip() == "1"
    expect(widget.get_by_test_id("run-summary")).to_have_text(re.compile("Stopping"))
    lab.run_code("gate.set()\nwidget.wait(60)")
    expect(widget.get_by_test_id("status")).to_have_text("paused")
    assert kernel_state(lab)["next"] == ["last"]
    assert lab.run_code("print(widget.stop())").strip() == "[]"


def test_notebook7_stop_button(notebook7):
    """The Stop button in Notebook 7 (classic-style front end, comms on the main shell)."""
    notebook7.open_notebook([LIVE_GRAPH, SHOW_LIVE])
    notebook7.run_all()
    widget = notebook7.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("new")
    start_run_from_widget(widget)
    assert notebook7.run_code("print(40 + 2)").strip() == "42"
    widget.get_by_test_id("btn-stop").click()
    notebook7.run_code("gate.set()")
    expect(widget.get_by_test_id("status")).to_have_text("paused")
    assert kernel_state(notebook7)["next"] == ["last"]
    widget.get_by_test_id("btn-continue").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    notebook7.screenshot("after-stop-continue", widget)


def reload_mid_run_then_stop_and_continue(helper, reopen_args) -> None:
    """Shared by both front ends: save and reload while a run waits in a node; the widget
    comes back showing the run (its time counted from the run's start, not from the
    reload), and Stop then Continue work from the new page."""
    from conftest import _OPEN_PANEL_JS

    helper.open_notebook([LIVE_GRAPH, SHOW_LIVE])
    helper.run_all()
    widget = helper.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("new")
    start_run_from_widget(widget)
    helper.run_code("import time\ntime.sleep(4)")  # the run goes on; no change is sent
    helper.page.evaluate(
        "async () => { await window.jupyterapp.commands.execute('docmanager:save'); }"
    )
    helper.page.reload()
    helper.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
    helper.page.evaluate(_OPEN_PANEL_JS, {"path": helper.notebook, **reopen_args})
    widget = helper.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("running")
    expect(widget.get_by_test_id("run-node-slow")).to_contain_text("running")
    # (the time as of now comes with a reply to the reloaded page's question)
    expect(widget.get_by_test_id("run-elapsed")).to_have_text(
        re.compile(r"^([4-9]|\d\d+)\.\d s$|min")
    )
    expect(widget.get_by_test_id("state-title")).to_contain_text("(latest)")
    expect(widget.get_by_test_id("state-json")).to_have_value(re.compile('"first"'))
    assert json.loads(widget.get_by_test_id("state-json").input_value()) == {"log": ["first"]}
    helper.screenshot("reloaded-mid-run", widget)
    widget.get_by_test_id("btn-stop").click()
    expect(widget.get_by_test_id("run-summary")).to_have_text(re.compile("Stopping"))
    helper.run_code("gate.set()")
    expect(widget.get_by_test_id("status")).to_have_text("paused")
    assert kernel_state(helper) == {
        "values": {"log": ["first", "slow"]}, "next": ["last"], "running": False,
    }  # fmt: skip
    widget.get_by_test_id("btn-continue").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    assert kernel_state(helper)["values"] == {"log": ["first", "slow", "last"]}


def test_reload_mid_run_shows_the_run_and_stops_it(lab):
    """JupyterLab: reload during a run, then Stop and Continue from the reloaded page."""
    reload_mid_run_then_stop_and_continue(lab, {"collapseLeft": True})


def test_notebook7_reload_mid_run_shows_the_run_and_stops_it(notebook7):
    """Notebook 7: the same."""
    reload_mid_run_then_stop_and_continue(notebook7, {"collapseLeft": False})


ASYNC_GRAPH = """
import asyncio
import json
import operator
import threading
from typing import Annotated, TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.widgets import show

calls = []
cancelled = threading.Event()

class State(TypedDict):
    log: Annotated[list, operator.add]

async def wait_long(state):
    calls.append(1)
    if len(calls) == 1:
        try:
            await asyncio.sleep(300)
        except asyncio.CancelledError:
            cancelled.set()
            raise
    return {"log": ["wait_long"]}

builder = StateGraph(State)
builder.add_node("first", lambda s: {"log": ["first"]})
builder.add_node("wait_long", wait_long)
builder.add_edge(START, "first")
builder.add_edge("first", "wait_long")
builder.add_edge("wait_long", END)
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "async"}}
widget = show(graph, thread_id="async")

def report():
    head = graph.get_state(config)
    print(json.dumps({"values": head.values, "next": list(head.next), "running": widget.running,
                      "cancelled": cancelled.is_set(), "calls": len(calls)}))
widget
"""


def stop_async_node_then_continue(helper) -> None:
    """Shared by both front ends: Stop cancels the awaiting node at once (no gate to
    open), the thread pauses before it, a double click on Stop asks nothing more, and
    Continue re-runs the node to the end."""
    helper.open_notebook([ASYNC_GRAPH])
    helper.run_all()
    widget = helper.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("new")
    widget.locator(".hn-run summary").click()
    widget.get_by_test_id("run-input").fill('{"log": []}')
    widget.get_by_test_id("btn-run").click()
    expect(widget.get_by_test_id("run-node-wait_long")).to_contain_text("running")
    widget.get_by_test_id("btn-stop").dblclick()
    expect(widget.get_by_test_id("status")).to_have_text("paused")
    expect(widget.get_by_test_id("run-node-wait_long")).to_contain_text("stopped")
    state = kernel_state(helper)
    assert state == {
        "values": {"log": ["first"]}, "next": ["wait_long"], "running": False,
        "cancelled": True, "calls": 1,
    }  # fmt: skip
    helper.screenshot("async-stopped", widget)
    widget.get_by_test_id("btn-continue").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    assert kernel_state(helper)["values"] == {"log": ["first", "wait_long"]}


def test_stop_cancels_a_running_async_node(lab):
    """JupyterLab: Stop during an async node cancels it; Continue finishes the run."""
    stop_async_node_then_continue(lab)


def test_notebook7_stop_cancels_a_running_async_node(notebook7):
    """Notebook 7: the same, with comms on the main shell."""
    stop_async_node_then_continue(notebook7)


TOKENS_GRAPH = """
import json
import operator
from typing import Annotated, TypedDict

from hitl_notebook import END, START, InMemorySaver, ScriptedChatModel, StateGraph
from hitl_notebook.widgets import show

REPLY = "Otters hold hands while they sleep, so that they do not drift apart. <b>not bold</b>"
model = ScriptedChatModel([REPLY])

class Chat(TypedDict):
    messages: Annotated[list, operator.add]

builder = StateGraph(Chat)
builder.add_node("model", lambda s: {"messages": [model.invoke(s["messages"])]})
builder.add_edge(START, "model")
builder.add_edge("model", END)
graph = builder.compile(checkpointer=InMemorySaver())
widget = show(graph, thread_id="chat")
widget
"""


def test_tokens_stream_into_the_widget(lab):
    """A chat model's reply appears in the run panel as text, piece by piece, and is the
    message the kernel's state holds."""
    lab.open_notebook([TOKENS_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    widget.locator(".hn-run summary").click()
    widget.get_by_test_id("run-input").fill(
        '{"messages": [{"role": "user", "content": "tell me about otters"}]}'
    )
    widget.get_by_test_id("btn-run").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    reply = lab.run_code("print(REPLY)").strip()
    message = widget.get_by_test_id("run-message-text")
    expect(message).to_have_text(reply)
    assert widget.locator(".hn-run-messages b").count() == 0
    held = lab.run_code(
        "print(graph.get_state({'configurable': {'thread_id': 'chat'}}).values['messages'][-1].content)"
    )
    assert held.strip() == reply
    lab.screenshot("tokens", widget)


ERROR_GRAPH = """
from typing import TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.widgets import show

class State(TypedDict):
    n: int

def divide(state):
    return {"n": 10 // state["n"]}

builder = StateGraph(State)
builder.add_node("divide", divide)
builder.add_edge(START, "divide")
builder.add_edge("divide", END)
graph = builder.compile(checkpointer=InMemorySaver())
widget = show(graph, thread_id="err")
widget
"""


def test_node_error_shows_exception_traceback_and_errored_node(lab):
    """A node raising: the widget names the node and the exception, folds the traceback
    (which shows the failing line), and marks the node errored in the diagram."""
    lab.open_notebook([ERROR_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    widget.locator(".hn-run summary").click()
    widget.get_by_test_id("run-input").fill('{"n": 0}')
    widget.get_by_test_id("btn-run").click()
    expect(widget.get_by_test_id("status")).to_have_text("error")
    expect(widget.get_by_test_id("error-headline")).to_have_text(
        "ZeroDivisionError in node divide: integer division or modulo by zero"
    )
    traceback = widget.get_by_test_id("error-traceback")
    expect(traceback.locator("pre")).to_be_hidden()
    traceback.locator("summary").click()
    expect(traceback.locator("pre")).to_contain_text('return {"n": 10 // state["n"]}')
    expect(widget.get_by_test_id("diagram").get_by_test_id("node-divide")).to_have_class(
        re.compile(r"\bhn-status-errored\b")
    )
    expect(widget.get_by_test_id("run-node-divide")).to_contain_text("errored")
    assert lab.run_code("print(widget.status)").strip() == "error"
    lab.screenshot("node-error", widget)
