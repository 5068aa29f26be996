"""The state editor on a 5 MB state: it opens in the code editor (CodeMirror, sent by the
kernel on first use), typing shows at once, a broken edit is marked with its line and
column before saving, and a save reaches the kernel."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BIG_STATE = """
import json
from typing import TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.widgets import show

class State(TypedDict):
    note: str
    rows: list

rows = [{"id": i, "text": "lorem ipsum dolor sit amet " * 6} for i in range(24_000)]
builder = StateGraph(State)
builder.add_node("keep", lambda s: {})
builder.add_edge(START, "keep")
builder.add_edge("keep", END)
graph = builder.compile(checkpointer=InMemorySaver())
config = {"configurable": {"thread_id": "big"}}
widget = show(graph, thread_id="big")
widget.run({"note": "hello", "rows": rows})
print(len(json.dumps(graph.get_state(config).values, indent=2)))
widget
"""


def test_big_state_opens_in_the_code_editor_marks_errors_and_saves(lab):
    """5 MB of state: CodeMirror replaces the text box, typed characters appear, an extra
    quote is reported at its line and column (and underlined) before Save, and the fixed
    edit is what the kernel holds afterwards."""
    lab.open_notebook([BIG_STATE])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("done")
    size = int(lab.run_code("print(len(json.dumps(graph.get_state(config).values, indent=2)))"))
    assert size > 5_000_000
    editor = widget.get_by_test_id("state-editor")
    code = editor.locator(".cm-editor")
    expect(code).to_be_visible(timeout=60_000)
    expect(editor.locator("textarea")).to_have_count(0)
    content = editor.get_by_test_id("state-json")
    assert content.get_attribute("contenteditable") == "true"

    editor.locator(".cm-line").first.click()  # the content is as tall as the document
    lab.page.keyboard.press("Control+Home")
    lab.page.keyboard.press("ArrowDown")
    lab.page.keyboard.press("End")
    lab.page.keyboard.press("ArrowLeft")
    lab.page.keyboard.press("ArrowLeft")
    lab.page.keyboard.type("XYZ")
    expect(editor.locator(".cm-line").nth(1)).to_have_text('  "note": "helloXYZ",')

    lab.page.keyboard.type('"')
    expect(editor.get_by_test_id("state-error")).to_contain_text(
        "Invalid JSON at line 2, column 21"
    )
    expect(editor.locator(".cm-lintRange-error")).to_have_count(1)
    lab.screenshot("invalid-edit")

    lab.page.keyboard.press("Backspace")
    expect(editor.get_by_test_id("state-error")).to_be_empty()
    editor.get_by_test_id("state-save").click()
    expect(widget.get_by_test_id("state-title")).to_contain_text("(latest)")
    final = json.loads(
        lab.run_code(
            "v = graph.get_state(config).values\n"
            "print(json.dumps({'note': v['note'], 'rows': len(v['rows'])}))"
        )
    )
    assert final == {"note": "helloXYZ", "rows": 24_000}
