"""An ``@entrypoint`` in a real JupyterLab: two tasks and a question, answered in the
widget. The diagram draws the task calls so far; the answer sent by a click reaches the
entrypoint, which finishes without running its tasks again."""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

FLOW = '''
import json
from collections import Counter

from hitl_notebook import InMemorySaver, entrypoint, interrupt, task
from hitl_notebook.widgets import show

runs = Counter()

@task
def draft(topic: str) -> str:
    runs["draft"] += 1
    return f"A short note about {topic}."

@task
def title(text: str) -> str:
    runs["title"] += 1
    return text.split()[-1].strip(".").title()

@entrypoint(checkpointer=InMemorySaver())
def publish(topic: str) -> dict:
    text = draft(topic).result()
    heading = title(text).result()
    verdict = interrupt({"question": "Publish it?", "title": heading, "options": ["approve", "reject"]})
    return {"title": heading, "text": text, "verdict": verdict}

config = {"configurable": {"thread_id": "essay"}}

def report():
    """The thread and the task runs as the kernel sees them, for the test to read."""
    head = publish.get_state(config)
    print(json.dumps({"values": head.values, "next": list(head.next), "runs": dict(runs)}))
'''

SHOW = 'widget = show(publish, thread_id="essay")\nwidget.run("otters")\nwidget'


def test_entrypoint_with_two_tasks_answered_in_the_widget(lab):
    """The diagram shows the entrypoint paused and its two task calls done; clicking an
    option finishes the run with that answer, each task having run once."""
    lab.open_notebook([FLOW, SHOW])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    diagram = widget.get_by_test_id("diagram")
    for node, status in (
        ("publish", "interrupted"),
        ("draft #1", "visited"),
        ("title #2", "visited"),
    ):
        expect(diagram.get_by_test_id(f"node-{node}")).to_have_class(
            re.compile(rf"\bhn-status-{status}\b")
        )
    panel = widget.get_by_test_id("interrupt-panel")
    expect(panel).to_contain_text("Publish it?")
    expect(panel).to_contain_text("Otters")
    lab.screenshot("entrypoint-interrupted", widget)

    panel.get_by_role("button", name="approve").click()

    expect(widget.get_by_test_id("status")).to_have_text("done")
    thread = json.loads(lab.run_code("report()"))
    assert thread["values"] == {
        "title": "Otters",
        "text": "A short note about otters.",
        "verdict": "approve",
    }
    assert thread["next"] == []
    assert thread["runs"] == {"draft": 1, "title": 1}
    editor = widget.get_by_test_id("state-editor")
    expect(editor.get_by_test_id("state-json")).to_have_value(
        json.dumps(thread["values"], indent=2)
    )
    lab.screenshot("entrypoint-done", widget)


def test_the_saved_value_is_edited_as_a_whole_value(lab):
    """A number returned by an entrypoint is edited as one JSON value: saving it changes
    what the next run reads as ``previous``."""
    counter = (
        "from hitl_notebook import InMemorySaver, entrypoint\n"
        "from hitl_notebook.widgets import show\n"
        "@entrypoint(checkpointer=InMemorySaver())\n"
        "def count(step: int, *, previous=None) -> int:\n"
        "    return (previous or 0) + step\n"
        'widget = show(count, thread_id="c")\nwidget.run(1)\nwidget'
    )
    lab.open_notebook([counter])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("done")
    editor = widget.get_by_test_id("state-editor")
    text = editor.get_by_test_id("state-json")
    expect(text).to_have_value("1")
    text.fill("41")
    editor.get_by_test_id("state-save").click()
    expect(editor.get_by_test_id("state-error")).to_be_empty()
    expect(text).to_have_value("41")
    assert (
        lab.run_code('print(count.invoke(1, {"configurable": {"thread_id": "c"}}))').strip() == "42"
    )
