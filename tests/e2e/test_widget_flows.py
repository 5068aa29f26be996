"""The thread widget in a real JupyterLab: what a notebook user sees and clicks.

Each test builds a small review graph in a notebook, shows it with
``show(graph, thread_id=...)`` and drives the widget with real clicks, then asks the
kernel what happened, so a test passes only if the browser's action reached the graph.
"""

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[2]

#: The same notebook code runs on our engine and on LangGraph (the widget's two front doors).
ENGINE_IMPORTS = {
    "ours": "from hitl_notebook import END, START, InMemorySaver, StateGraph, interrupt",
    "langgraph": (
        "from langgraph.checkpoint.memory import InMemorySaver\n"
        "from langgraph.graph import END, START, StateGraph\n"
        "from langgraph.types import interrupt"
    ),
}


@pytest.fixture(params=sorted(ENGINE_IMPORTS))
def engine_imports(request) -> str:
    """Import lines for the graph engine under test."""
    return ENGINE_IMPORTS[request.param]


REVIEW_GRAPH = '''
import json
from typing import TypedDict

from hitl_notebook.widgets import show

class State(TypedDict):
    topic: str
    draft: str
    verdict: str

def write_draft(state: State) -> dict:
    return {"draft": f"A short note about {state['topic']}."}

def human_review(state: State) -> dict:
    verdict = interrupt({"question": "Publish this draft?", "draft": state["draft"], "options": ["approve", "reject"]})
    return {"verdict": verdict}

def publish(state: State) -> dict:
    return {"draft": state["draft"] + " [published]"}

builder = StateGraph(State)
builder.add_node("write_draft", write_draft)
builder.add_node("human_review", human_review)
builder.add_node("publish", publish)
builder.add_edge(START, "write_draft")
builder.add_edge("write_draft", "human_review")
builder.add_edge("human_review", "publish")
builder.add_edge("publish", END)
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "review"}}

def report():
    """The thread as the kernel sees it, for the test to read."""
    head = graph.get_state(config)
    print(json.dumps({
        "values": head.values,
        "next": list(head.next),
        "checkpoints": len(list(graph.get_state_history(config))),
    }))
'''

SHOW = 'widget = show(graph, thread_id="review")\nwidget.run({"topic": "otters"})\nwidget'


def kernel_thread(lab) -> dict:
    """The review thread's latest values, next nodes and checkpoint count, from the kernel."""
    return json.loads(lab.run_code("report()"))


def open_review_widget(lab, engine_imports):
    """Open the review notebook, run it to the interrupt, return the widget's locator."""
    lab.open_notebook([engine_imports + REVIEW_GRAPH, SHOW])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    return widget


def test_diagram_and_interrupt_then_approve(lab, engine_imports):
    """The diagram marks the paused node, and clicking an option resumes the graph with it."""
    widget = open_review_widget(lab, engine_imports)
    diagram = widget.get_by_test_id("diagram")
    for node in ("write_draft", "human_review", "publish"):
        expect(diagram.locator(f"svg [data-testid='node-{node}']")).to_contain_text(node)
    expect(diagram.get_by_test_id("node-human_review")).to_have_class(
        re.compile(r"\bhn-status-interrupted\b")
    )
    panel = widget.get_by_test_id("interrupt-panel")
    expect(panel).to_contain_text("Publish this draft?")
    expect(panel).to_contain_text("A short note about otters.")
    shot = lab.screenshot("interrupted", widget)
    if os.environ.get("HITL_UPDATE_SCREENSHOT") == "1" and "ours" in lab.test_name:
        shutil.copyfile(shot, REPO / "docs" / "screenshot.png")

    panel.get_by_role("button", name="approve").click()

    expect(widget.get_by_test_id("status")).to_have_text("done")
    expect(panel).to_be_hidden()
    thread = kernel_thread(lab)
    assert thread["values"]["verdict"] == "approve"
    assert thread["values"]["draft"] == "A short note about otters. [published]"
    assert thread["next"] == []
    lab.screenshot("approved", widget)


def test_state_edit_rejects_invalid_json_then_saves(lab, engine_imports):
    """Invalid JSON in the state editor is refused inline and sends nothing; valid JSON updates the state."""
    widget = open_review_widget(lab, engine_imports)
    before = kernel_thread(lab)
    editor = widget.get_by_test_id("state-editor")
    text = editor.get_by_test_id("state-json")
    expect(text).to_have_value(json.dumps(before["values"], indent=2))

    text.fill('{"draft": "half an edit",')
    editor.get_by_test_id("state-save").click()
    expect(editor.get_by_test_id("state-error")).not_to_be_empty()
    lab.screenshot("invalid-json", widget)
    assert kernel_thread(lab) == before

    edited = dict(before["values"], draft="A careful note about otters.")
    text.fill(json.dumps(edited))
    editor.get_by_test_id("state-save").click()
    expect(editor.get_by_test_id("state-error")).to_be_empty()
    # The question asked before the edit stays on screen, answerable.
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    expect(widget.get_by_test_id("interrupt-panel")).to_contain_text("Publish this draft?")
    after = kernel_thread(lab)
    assert after["values"]["draft"] == "A careful note about otters."
    assert after["next"] == ["human_review"]
    assert after["checkpoints"] == before["checkpoints"] + 1
    lab.screenshot("edited", widget)

    widget.get_by_test_id("btn-continue").click()
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    expect(widget.get_by_test_id("interrupt-panel")).to_contain_text("A careful note about otters.")


def test_edit_then_answer(lab, engine_imports):
    """Review, edit, approve: after saving an edited draft the pending question can be
    answered at once; the node re-runs on the edited state and gets the answer."""
    widget = open_review_widget(lab, engine_imports)
    before = kernel_thread(lab)
    text = widget.get_by_test_id("state-editor").get_by_test_id("state-json")
    text.fill(json.dumps(dict(before["values"], draft="An edited note about otters.")))
    widget.get_by_test_id("state-editor").get_by_test_id("state-save").click()
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    panel = widget.get_by_test_id("interrupt-panel")
    panel.get_by_role("button", name="approve").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    thread = kernel_thread(lab)
    assert thread["values"]["verdict"] == "approve"
    assert thread["values"]["draft"] == "An edited note about otters. [published]"
    assert thread["next"] == []


def test_fork_from_timeline_keeps_history(lab, engine_imports):
    """Editing a past checkpoint from the timeline forks the thread; the old branch stays in history."""
    widget = open_review_widget(lab, engine_imports)
    widget.get_by_test_id("interrupt-panel").get_by_role("button", name="approve").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    finished = kernel_thread(lab)

    timeline = widget.get_by_test_id("history")
    paused_row = timeline.get_by_test_id("history-row").filter(has_text="#1")
    paused_row.click()
    editor = widget.get_by_test_id("state-editor")
    expect(editor.get_by_test_id("state-title")).to_contain_text("past")
    text = editor.get_by_test_id("state-json")
    expect(text).to_have_value(re.compile("A short note about otters"))  # once it has loaded
    values = json.loads(text.input_value())
    assert values["draft"] == "A short note about otters."
    text.fill(json.dumps(dict(values, draft="A forked note about otters.")))
    editor.get_by_role("button", name="Fork with these values").click()

    # The fork branches off a checkpoint that was waiting on the question: like LangGraph,
    # which accepts a resume there, the widget keeps that question answerable.
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    # The editor now shows the fork (the latest checkpoint), so a second click is a plain
    # save with nothing changed, not a second fork.
    head_id = lab.run_code("print(graph.get_state(config).config['configurable']['checkpoint_id'])")
    expect(editor.get_by_test_id("state-title")).to_contain_text(head_id.strip()[-8:])
    expect(editor.get_by_test_id("state-title")).to_contain_text("latest")
    editor.get_by_test_id("state-save").click()
    expect(editor.get_by_test_id("state-error")).to_have_text("Nothing changed.")
    forked = kernel_thread(lab)
    assert forked["values"]["draft"] == "A forked note about otters."
    assert forked["next"] == ["human_review"]
    assert forked["checkpoints"] == finished["checkpoints"] + 1
    published = lab.run_code(
        "print(any(s.values.get('draft', '').endswith('[published]') for s in graph.get_state_history(config)))"
    )
    assert published.strip() == "True"
    expect(timeline.locator(".hn-fork")).not_to_have_count(0)
    lab.screenshot("forked", widget)

    widget.get_by_test_id("btn-continue").click()
    expect(widget.get_by_test_id("interrupt-panel")).to_contain_text("A forked note about otters.")


HOSTILE_GRAPH = """
from typing import TypedDict

from hitl_notebook.widgets import show

SCRIPT = "<script>window.__hitlPwned = 'script'</script>"
IMAGE = "<img src=x onerror=window.__hitlPwned='img'>"

class State(TypedDict):
    note: str

def ask(state: State) -> dict:
    print("<b>printed markup</b>")
    return {"note": interrupt({"question": SCRIPT, "detail": IMAGE, "options": [IMAGE]})}

builder = StateGraph(State)
builder.add_node("ask", ask)
builder.add_edge(START, "ask")
graph = builder.compile(checkpointer=InMemorySaver())
widget = show(graph, thread_id="hostile")
widget.run({"note": SCRIPT})
widget
"""


def test_html_in_payloads_is_shown_as_text(lab, engine_imports):
    """Markup in interrupt payloads, option labels, state and run logs is displayed literally, never run."""
    lab.open_notebook([engine_imports + HOSTILE_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    panel = widget.get_by_test_id("interrupt-panel")
    script = "<script>window.__hitlPwned = 'script'</script>"
    image = "<img src=x onerror=window.__hitlPwned='img'>"
    expect(panel.get_by_test_id("interrupt-payload-0")).to_contain_text(script)
    expect(panel.get_by_test_id("interrupt-payload-0")).to_contain_text(image)
    # (the editor is filled by a reply that may come after the payload is drawn)
    expect(widget.get_by_test_id("state-json")).to_have_value(re.compile(re.escape(script)))
    lab.screenshot("hostile-interrupt", widget)

    panel.get_by_role("button", name=image).click()

    expect(widget.get_by_test_id("status")).to_have_text("done")
    expect(widget.get_by_test_id("run-log")).to_contain_text("<b>printed markup</b>")
    expect(widget.get_by_test_id("state-json")).to_have_value(json.dumps({"note": image}, indent=2))
    assert (
        lab.run_code(
            "print(graph.get_state({'configurable': {'thread_id': 'hostile'}}).values['note'])"
        ).strip()
        == image
    )
    lab.screenshot("hostile-answered", widget)
    assert widget.locator("script, img, b").count() == 0
    assert lab.page.evaluate("() => window.__hitlPwned") is None


TOOL_REVIEW_GRAPH = """
import json
from typing import TypedDict

from hitl_notebook.widgets import show

class State(TypedDict):
    request: str
    decisions: list

def review_tools(state: State) -> dict:
    answer = interrupt({
        "action_requests": [{
            "name": "send_email",
            "args": {"to": "ops@example.com", "subject": "Deploy"},
            "description": "Email the on-call team",
        }],
        "review_configs": [{"action_name": "send_email", "allowed_decisions": ["approve", "edit", "reject"]}],
    })
    return {"decisions": answer["decisions"]}

builder = StateGraph(State)
builder.add_node("review_tools", review_tools)
builder.add_edge(START, "review_tools")
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "tools"}}
widget = show(graph, thread_id="tools")
widget.run({"request": "deploy"})
widget
"""


def test_tool_call_review_edit_is_validated_then_sent(lab, engine_imports):
    """A tool-call edit with invalid JSON args is refused inline; valid args resume with an edit decision."""
    lab.open_notebook([engine_imports + TOOL_REVIEW_GRAPH])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    panel = widget.get_by_test_id("interrupt-panel")
    expect(panel.get_by_test_id("action-0-0")).to_contain_text("send_email")
    panel.get_by_test_id("decision-0-0-edit").check()
    args = panel.get_by_test_id("edit-args-0-0")

    args.fill('{"to": "lead@example.com",')
    panel.get_by_test_id("interrupt-submit").click()
    expect(panel.get_by_test_id("interrupt-error-0")).not_to_be_empty()
    lab.screenshot("invalid-args", widget)
    waiting = lab.run_code("print(json.dumps(list(graph.get_state(config).next)))")
    assert json.loads(waiting) == ["review_tools"]

    args.fill(json.dumps({"to": "lead@example.com", "subject": "Deploy"}))
    panel.get_by_test_id("interrupt-submit").click()
    expect(widget.get_by_test_id("status")).to_have_text("done")
    sent = json.loads(
        lab.run_code("print(json.dumps(graph.get_state(config).values['decisions']))")
    )
    assert sent == [
        {
            "type": "edit",
            "edited_action": {
                "name": "send_email",
                "args": {"to": "lead@example.com", "subject": "Deploy"},
            },
        }
    ]
    lab.screenshot("edited-call-sent", widget)
