"""A hostile pass in a real JupyterLab: typed schemas in the state editor, text no
kernel message can carry, a kernel restart in the middle of a run, and two widgets on
one thread. Each test checks what the user sees and what the kernel holds."""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TYPED_GRAPH = """
import json
from typing import TypedDict

from pydantic import BaseModel

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.widgets import show

class Typed(TypedDict):
    count: int
    note: object

class Checked(BaseModel):
    count: int
    note: object = None

def build(schema):
    builder = StateGraph(schema)
    builder.add_node("bump", lambda s: {"count": 1})
    builder.add_edge(START, "bump")
    builder.add_edge("bump", END)
    return builder.compile(checkpointer=InMemorySaver(), interrupt_before=["bump"])

graph = build(SCHEMA)
config = {"configurable": {"thread_id": "typed"}}
widget = show(graph, thread_id="typed")
widget.run({"count": 1, "note": None})

def values():
    head = graph.get_state(config)
    print(json.dumps({"values": dict(head.values), "checkpoints": len(list(graph.get_state_history(config)))}))
widget
"""


def edit_state(widget, text: str) -> None:
    editor = widget.get_by_test_id("state-editor")
    editor.get_by_test_id("state-json").fill(text)
    editor.get_by_test_id("state-save").click()


def test_typed_dict_warns_then_saves_and_too_deep_nesting_is_refused(lab):
    """TypedDict state: a string for an int is flagged and nothing is written until the
    user saves those values again ("Save anyway"); a value nested 600 deep is refused
    with a visible message."""
    lab.open_notebook([TYPED_GRAPH.replace("SCHEMA", "Typed")])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("paused")
    before = json.loads(lab.run_code("values()"))
    error = widget.get_by_test_id("state-error")

    edit_state(widget, '{"count": "two", "note": null}')
    expect(error).to_contain_text("count: the schema says int, the value is str 'two'")
    expect(widget.get_by_test_id("state-save")).to_have_text("Save anyway")
    lab.screenshot("typed-warning", widget)
    assert json.loads(lab.run_code("values()")) == before

    deep = '{"count": 1, "note": ' + "[" * 600 + "]" * 600 + "}"
    edit_state(widget, deep)
    expect(error).to_contain_text("nested 601 levels deep")
    lab.screenshot("too-deep", widget)
    assert json.loads(lab.run_code("values()")) == before

    # Back to the values warned about: "Save anyway" stores them.
    widget.get_by_test_id("state-json").fill('{"count": "two", "note": null}')
    expect(widget.get_by_test_id("state-save")).to_have_text("Save anyway")
    widget.get_by_test_id("state-save").click()
    expect(widget.get_by_test_id("state-save")).to_have_text("Save")
    expect(error).to_be_empty()
    after = json.loads(lab.run_code("values()"))
    assert after["values"]["count"] == "two"
    assert after["checkpoints"] == before["checkpoints"] + 1


def test_pydantic_state_refuses_with_its_message(lab):
    """Pydantic state: a string for an int is refused with pydantic's own message and
    nothing is written, however often Save is clicked."""
    lab.open_notebook([TYPED_GRAPH.replace("SCHEMA", "Checked")])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("paused")
    before = json.loads(lab.run_code("values()"))
    for _ in range(2):
        edit_state(widget, '{"count": "two", "note": null}')
        expect(widget.get_by_test_id("state-error")).to_contain_text("Checked refused the values")
        expect(widget.get_by_test_id("state-error")).to_contain_text("count")
        expect(widget.get_by_test_id("state-save")).to_have_text("Save")
    lab.screenshot("pydantic-refused", widget)
    assert json.loads(lab.run_code("values()")) == before


SURROGATE_GRAPH = """
import json
from typing import TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph, interrupt
from hitl_notebook.widgets import show

LONE = "bad \\ud800 text"

class State(TypedDict):
    note: str

def ask(state):
    print(f"printing {LONE}")
    return {"note": interrupt({"question": LONE, "options": ["ok"]})}

builder = StateGraph(State)
builder.add_node("ask", ask)
builder.add_edge(START, "ask")
builder.add_edge("ask", END)
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "lone"}}
widget = show(graph, thread_id="lone")
widget.run({"note": LONE})
widget
"""


def test_lone_surrogate_is_shown_escaped_and_the_thread_answers(lab):
    """A lone surrogate in the payload, the state and the printed output: show() works,
    the widget shows it as an escape (the kernel sends the text ``\\ud800``, which the
    payload's JSON view quotes as ``"bad \\\\ud800 text"``), and answering stores the answer."""
    lab.open_notebook([SURROGATE_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    panel = widget.get_by_test_id("interrupt-panel")
    expect(panel).to_contain_text('question: "bad \\\\ud800 text"')
    expect(widget.get_by_test_id("state-json")).to_have_value(
        json.dumps({"note": "bad \\ud800 text"}, indent=2)
    )
    lab.screenshot("lone-surrogate", widget)
    panel.get_by_role("button", name="ok").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    assert lab.run_code("print(graph.get_state(config).values['note'])").strip() == "ok"


LIVE_GRAPH = """
import json
import threading
from typing import TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.widgets import show

gate = threading.Event()

class State(TypedDict):
    n: int

builder = StateGraph(State)
builder.add_node("slow", lambda s: {"n": s["n"] + int(gate.wait(120))})
builder.add_edge(START, "slow")
builder.add_edge("slow", END)
graph = builder.compile(checkpointer=InMemorySaver())
widget = show(graph, thread_id="live")
widget
"""


def test_kernel_restart_mid_run_says_disconnected_without_page_errors(lab):
    """A kernel restart while a widget run waits in a node: the widget says it is
    disconnected (so does its toolbar, which offers no run), the run panel stops its clock
    and says the run is lost (it used to count on, with a Stop button that could reach
    nothing), a Save does nothing harmful,
    and the page logs no uncaught error."""
    errors: list[str] = []
    lab.page.on("pageerror", lambda error: errors.append(str(error)))
    lab.open_notebook([LIVE_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("new")
    widget.locator(".hn-run summary").click()
    widget.get_by_test_id("run-input").fill('{"n": 1}')
    widget.get_by_test_id("btn-run").click()
    expect(widget.get_by_test_id("status")).to_have_text("running")
    expect(widget.get_by_test_id("run-elapsed")).not_to_have_text(re.compile(r"^0\."))
    lab.page.evaluate(
        "async () => { await window.__hitlPanel.sessionContext.session.kernel.restart(); }"
    )
    expect(widget.get_by_test_id("disconnected")).to_be_visible()
    expect(widget.get_by_test_id("run-summary")).to_have_text("Run lost with the kernel connection")
    expect(widget.get_by_test_id("btn-stop")).to_be_hidden()
    expect(widget.get_by_test_id("status")).to_have_text("disconnected")
    expect(widget.get_by_test_id("btn-continue")).to_be_disabled()
    shown = widget.get_by_test_id("run-elapsed").inner_text()
    assert not shown.startswith("0."), f"the clock stopped where it was, not at {shown}"
    lab.page.wait_for_timeout(1500)
    assert widget.get_by_test_id("run-elapsed").inner_text() == shown, "the clock stopped"
    lab.screenshot("restarted-mid-run", widget)
    editor = widget.get_by_test_id("state-editor")
    editor.get_by_test_id("state-json").fill('{"n": 5}')
    editor.get_by_test_id("state-save").click()
    assert lab.run_code("print('widget' in globals())").strip() == "False", "the kernel restarted"
    expect(widget.get_by_test_id("disconnected")).to_be_visible()
    assert errors == []


PEERS_GRAPH = """
import json
from typing import TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph, interrupt
from hitl_notebook.widgets import show

class State(TypedDict):
    answers: list

def ask(n):
    def node(state):
        return {"answers": state["answers"] + [interrupt({"question": f"Question {n}?", "options": ["yes", "no"]})]}
    return node

builder = StateGraph(State)
builder.add_node("q1", ask(1))
builder.add_node("q2", ask(2))
builder.add_edge(START, "q1")
builder.add_edge("q1", "q2")
builder.add_edge("q2", END)
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "shared"}}
first = show(graph, thread_id="shared")
first.run({"answers": []})
second = show(graph, thread_id="shared")
"""


def test_two_widgets_on_one_thread_follow_each_other(lab):
    """Two widgets on the same thread: an answer given in one shows in the other; the
    other's answer is then to the question it now shows, never to the one already
    answered (one answer per question in the kernel)."""
    lab.open_notebook([PEERS_GRAPH, "first", "second"])
    lab.run_all()
    widgets = lab.page.get_by_test_id("hitl-widget")
    expect(widgets).to_have_count(2)
    first, second = widgets.nth(0), widgets.nth(1)
    for widget in (first, second):
        expect(widget.get_by_test_id("interrupt-panel")).to_contain_text("Question 1?")
    first.get_by_test_id("interrupt-panel").get_by_role("button", name="yes").click()
    expect(second.get_by_test_id("interrupt-panel")).to_contain_text("Question 2?")
    expect(second.get_by_test_id("state-json")).to_have_value(
        json.dumps({"answers": ["yes"]}, indent=2)
    )
    second.get_by_test_id("interrupt-panel").get_by_role("button", name="no").click()
    for widget in (first, second):
        expect(widget.get_by_test_id("status")).to_have_text("done")
    lab.screenshot("peers-done", second)
    assert json.loads(
        lab.run_code("print(json.dumps(graph.get_state(config).values['answers']))")
    ) == ["yes", "no"]
