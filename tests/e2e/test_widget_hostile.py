"""A hostile pass in a real JupyterLab: typed schemas in the state editor, text no
kernel message can carry, a kernel restart in the middle of a run, and two widgets on
one thread. Each test checks what the user sees and what the kernel holds."""

import json

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
