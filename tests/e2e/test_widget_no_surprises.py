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
    """After a kernel restart the old widget says, in the widget, that it is disconnected;
    clicking its buttons then raises nothing in the page."""
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
    widget.get_by_test_id("btn-continue").click()
    widget.get_by_test_id("btn-refresh").click()
    assert lab.run_code("print('widget' in globals())").strip() == "False", "the kernel restarted"
    lab.screenshot("disconnected", widget)
    assert errors == []
