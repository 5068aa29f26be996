"""Things a user tried that used to surprise them, each checked in a real front end."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

QUESTIONS_GRAPH = """
import json
import operator
from typing import Annotated, TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph, interrupt
from hitl_notebook.widgets import show

class State(TypedDict):
    answers: Annotated[list, operator.add]

def ask(n):
    def node(state):
        return {"answers": [interrupt({"question": f"Question {n}?", "options": ["yes", "no"]})]}
    return node

builder = StateGraph(State)
previous = START
for n in range(1, 5):
    builder.add_node(f"q{n}", ask(n))
    builder.add_edge(previous, f"q{n}")
    previous = f"q{n}"
builder.add_edge(previous, END)
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "quiz"}}
widget = show(graph, thread_id="quiz")
widget.run({"answers": []})
widget
"""

#: Clicks whatever answer button is on screen, three times 50 ms apart, as an impatient
#: user does without looking (the button is looked up again before each click).
_TRIPLE_CLICK = """async (testid) => {
    for (let i = 0; i < 3; i++) {
        document.querySelector(`[data-testid="${testid}"]`).click();
        await new Promise((resolve) => setTimeout(resolve, 50));
    }
}"""


@pytest.mark.parametrize("form", ["options", "json"])
def test_rapid_clicks_answer_only_the_question_shown(lab, form):
    """Three clicks 50 ms apart on an option button (or on "Send answer" under a JSON
    answer) answer the question on screen once; the questions that follow, which the user
    never saw, are not answered (they used to get ``null``)."""
    source = (
        QUESTIONS_GRAPH
        if form == "options"
        else QUESTIONS_GRAPH.replace(', "options": ["yes", "no"]', "")
    )
    lab.open_notebook([source])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    panel = widget.get_by_test_id("interrupt-panel")
    expect(panel).to_contain_text("Question 1?")
    if form == "options":
        lab.page.evaluate(_TRIPLE_CLICK, "interrupt-option-0-0")
    else:
        panel.get_by_test_id("interrupt-json-0").fill('"yes"')
        lab.page.evaluate(_TRIPLE_CLICK, "interrupt-submit")
    expect(panel).to_contain_text("Question 2?")
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    state = json.loads(
        lab.run_code(
            "head = graph.get_state(config)\n"
            "print(json.dumps({'answers': head.values['answers'], 'next': list(head.next)}))"
        )
    )
    assert state == {"answers": ["yes"], "next": ["q2"]}
    lab.screenshot("after-triple-click", widget)


RESTART_GRAPH = """
from typing import TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.widgets import show

class State(TypedDict):
    n: int

builder = StateGraph(State)
builder.add_node("inc", lambda s: {"n": s["n"] + 1})
builder.add_edge(START, "inc")
builder.add_edge("inc", END)
graph = builder.compile(checkpointer=InMemorySaver())
widget = show(graph, thread_id="t", breakpoints_before=["inc"])
widget.run({"n": 1})
widget
"""


def test_kernel_restart_says_disconnected_without_page_errors(lab):
    """After a kernel restart the old widget says, in the widget and its toolbar, that it
    is disconnected, offers no run, and clicking what it still offers raises nothing in
    the page."""
    errors: list[str] = []
    lab.page.on("pageerror", lambda error: errors.append(str(error)))
    lab.open_notebook([RESTART_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("paused")
    expect(widget.get_by_test_id("disconnected")).to_be_hidden()
    lab.page.evaluate(
        "async () => { await window.__hitlPanel.sessionContext.session.kernel.restart(); }"
    )
    expect(widget.get_by_test_id("disconnected")).to_be_visible()
    expect(widget.get_by_test_id("disconnected")).to_contain_text("Disconnected from the kernel")
    # Its toolbar says so too and offers no run; a button still enabled raises nothing.
    expect(widget.get_by_test_id("status")).to_have_text("disconnected")
    for button in ("btn-continue", "btn-step", "btn-refresh", "btn-run"):
        expect(widget.get_by_test_id(button)).to_be_disabled()
    widget.get_by_test_id("state-editor").get_by_test_id("state-save").click()
    expect(widget.get_by_test_id("disconnected")).to_be_visible()
    assert lab.run_code("print('widget' in globals())").strip() == "False", "the kernel restarted"
    lab.screenshot("disconnected", widget)
    assert errors == []


PICKER_GRAPH = """
from typing import TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.widgets import show

class State(TypedDict):
    topic: str

builder = StateGraph(State)
builder.add_node("echo", lambda s: {"topic": s["topic"] + "!"})
builder.add_edge(START, "echo")
builder.add_edge("echo", END)
graph = builder.compile(checkpointer=InMemorySaver())
widget = show(graph)
widget
"""


def test_new_thread_with_a_bad_input_key_keeps_the_picker(lab):
    """Start a thread from the picker with a misspelt key: the error names it, the picker
    stays, no thread exists; the corrected input then starts the thread."""
    lab.open_notebook([PICKER_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    picker = widget.get_by_test_id("thread-picker")
    picker.get_by_test_id("new-thread-input").fill('{"topik": "owls"}')
    picker.get_by_test_id("new-thread-start").click()
    expect(widget.get_by_test_id("error-banner")).to_contain_text("'topik'")
    expect(picker).to_be_visible()
    assert lab.run_code("print(len(graph.checkpointer.list_threads()))").strip() == "0"
    picker.get_by_test_id("new-thread-input").fill('{"topic": "owls"}')
    picker.get_by_test_id("new-thread-start").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    expect(picker).to_be_hidden()
    assert lab.run_code("print(widget.state.values['topic'])").strip() == "owls!"


PARALLEL_GRAPH = """
import json
import operator
from typing import Annotated, TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph, interrupt
from hitl_notebook.widgets import show

class State(TypedDict):
    log: Annotated[list, operator.add]

def ask(name):
    def node(state):
        answer = interrupt(f"value for {name}? \\u202eevil")
        return {"log": [f"{name}={answer}"]}
    return node

builder = StateGraph(State)
builder.add_node("left", ask("left"))
builder.add_node("right", ask("right"))
builder.add_edge(START, "left")
builder.add_edge(START, "right")
builder.add_edge(["left", "right"], END)
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "par"}}
widget = show(graph, thread_id="par")
widget.run({"log": []})
widget
"""


def test_parallel_interrupts_one_at_a_time_and_bidi_shown_escaped(lab):
    """Two parallel questions: answer the right one alone, the left stays pending; the
    right-to-left override in the questions is shown as an escape, not obeyed."""
    lab.open_notebook([PARALLEL_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    panel = widget.get_by_test_id("interrupt-panel")
    expect(panel).to_contain_text("2 pending interrupts")
    expect(panel).to_contain_text("value for left? \\u202eevil")
    assert "\u202e" not in panel.inner_text()
    right = panel.locator("[data-interrupt-id]").filter(has_text="value for right?")
    right.locator("textarea").fill("R")
    right.get_by_role("button", name="Send this answer").click()
    expect(panel).to_contain_text("Interrupt")
    expect(panel).not_to_contain_text("value for right?")
    expect(panel).to_contain_text("value for left?")
    state = json.loads(
        lab.run_code(
            "head = graph.get_state(config)\n"
            "print(json.dumps({'log': head.values['log'], 'pending': len(head.interrupts)}))"
        )
    )
    assert state["pending"] == 1, state
    left = panel.locator("[data-interrupt-id]")
    left.locator("textarea").fill("L")
    panel.get_by_test_id("interrupt-submit").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    final = json.loads(lab.run_code("print(json.dumps(graph.get_state(config).values))"))
    assert sorted(final["log"]) == ["left=L", "right=R"]


def test_nothing_overflows_at_360px(lab):
    """At 360 px wide (a phone, a narrow side panel) no part of the widget is wider than
    the widget: nothing to scroll sideways, nothing cut off."""
    lab.page.set_viewport_size({"width": 360, "height": 1400})
    lab.open_notebook([PARALLEL_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("interrupt-panel")).to_contain_text("2 pending interrupts")
    expect(widget.get_by_test_id("diagram").locator("svg")).to_be_visible()
    rows = widget.get_by_test_id("history-row")
    expect(rows.first).to_be_visible()
    assert _overflowing(widget) == []
    assert widget.evaluate("(root) => root.scrollWidth <= root.clientWidth + 1")
    lab.screenshot("360px", widget)

    # The timeline with a checkpoint open and its diff shown: still one line per row, the
    # cut text whole in the row's tooltip, and nothing wider than the widget.
    rows.first.click()
    widget.get_by_test_id("checkpoint-diff-parent").click()
    expect(widget.get_by_test_id("diff-view")).to_contain_text("Changes from")
    assert _overflowing(widget) == []
    head_id = json.loads(lab.run_code("print(json.dumps(widget.head['id']))"))
    assert f"checkpoint {head_id}" in rows.first.get_attribute("title")
    assert rows.first.evaluate("(r) => r.getBoundingClientRect().height") <= 26
    lab.screenshot("360px-history", widget.get_by_test_id("history").locator(".."))


def _overflowing(widget) -> list[str]:
    """Elements drawn past the widget's right edge (SVG internals aside)."""
    return widget.evaluate(
        """(root) => {
            const limit = root.getBoundingClientRect().right + 1;
            return [...root.querySelectorAll('*')]
                .filter((el) => el.getClientRects().length && el.getBoundingClientRect().right > limit)
                .filter((el) => !el.closest('svg') || el.tagName === 'svg')
                .map((el) => `${el.tagName}.${el.className.baseVal ?? el.className} ${el.dataset.testid ?? ''}`);
        }"""
    )


LARGE_GRAPH = """
from typing import TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.widgets import show

class State(TypedDict, total=False):
    n: int

N = 60
names = [f"n{i:02d}" for i in range(N)]
builder = StateGraph(State)
for name in names:
    builder.add_node(name, lambda s: {})
builder.add_edge(START, names[0])
for i, name in enumerate(names[:-1]):
    builder.add_edge(name, names[i + 1])
    # Two conditional edges per node (always taking the first): 60 + 120 edges in all.
    targets = [names[(i + 7) % N], names[(i + 13) % N]]
    builder.add_conditional_edges(name, lambda s, t=targets[0]: t, targets)
builder.add_edge(names[-1], END)
graph = builder.compile(checkpointer=InMemorySaver())
widget = show(graph, thread_id="big", breakpoints_before=["n45"])
widget
"""


def test_large_graph_is_readable_zoomable_and_focusable(lab):
    """60 nodes and 180 edges: labels are drawn at a readable size, Fit shows the whole
    graph, ctrl+wheel zooms, and Focus brings the node the run is at into view."""
    lab.open_notebook([LARGE_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    viewport = widget.get_by_test_id("diagram-viewport")
    expect(viewport.locator("svg g.node")).to_have_count(62)
    label_px = viewport.locator("[data-testid='node-n10'] text").first.evaluate(
        "(t) => t.getBoundingClientRect().height"
    )
    assert label_px >= 9, f"labels are {label_px:.1f} px tall"

    widget.get_by_test_id("zoom-fit").click()
    fits = viewport.evaluate(
        """(v) => { const s = v.querySelector('svg').getBoundingClientRect(), b = v.getBoundingClientRect();
                    return s.width <= b.width + 1 && s.height <= b.height + 1; }"""
    )
    assert fits
    fitted = widget.get_by_test_id("zoom-level").inner_text()

    box = viewport.bounding_box()
    lab.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lab.page.keyboard.down("Control")
    lab.page.mouse.wheel(0, -300)
    lab.page.keyboard.up("Control")
    expect(widget.get_by_test_id("zoom-level")).not_to_have_text(fitted)

    lab.run_code('widget.run({"n": 0})')
    expect(widget.get_by_test_id("status")).to_have_text("paused")
    widget.get_by_test_id("zoom-reset").click()
    widget.get_by_test_id("zoom-focus").click()
    centred = viewport.evaluate(
        """(v) => { const g = v.querySelector('[data-testid="node-n45"]').getBoundingClientRect();
                    const b = v.getBoundingClientRect();
                    const x = g.left + g.width / 2, y = g.top + g.height / 2;
                    return x > b.left && x < b.right && y > b.top && y < b.bottom; }"""
    )
    assert centred, "the paused-at node is in view after Focus"
    lab.screenshot("large-graph", widget)
