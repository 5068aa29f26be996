"""The thread widget in Notebook 7 (the `notebook` package's own UI, not JupyterLab).

Issue 4 promises the widget works in Notebook 7 after a plain install: the same anywidget
bundle must load there, lay the diagram out, and carry a click back to the kernel.
"""

import re

import pytest
from playwright.sync_api import expect
from test_widget_flows import ENGINE_IMPORTS, REVIEW_GRAPH, SHOW, kernel_thread

pytestmark = pytest.mark.browser


def test_notebook7_diagram_interrupt_and_answer(notebook7):
    """In Notebook 7, run from its menu, the diagram and interrupt render and an option click resumes the graph."""
    notebook7.open_notebook([ENGINE_IMPORTS["ours"] + REVIEW_GRAPH, SHOW])
    notebook7.run_all()
    page = notebook7.page
    assert page.url.split("?")[0].endswith(f"/notebooks/{notebook7.notebook}")
    assert page.evaluate("() => window.jupyterapp.name") == "Jupyter Notebook"
    widget = page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("status")).to_have_text("interrupted")
    diagram = widget.get_by_test_id("diagram")
    for node in ("write_draft", "human_review", "publish"):
        expect(diagram.locator(f"svg [data-testid='node-{node}']")).to_contain_text(node)
    expect(diagram.get_by_test_id("node-human_review")).to_have_class(
        re.compile(r"\bhn-status-interrupted\b")
    )
    panel = widget.get_by_test_id("interrupt-panel")
    expect(panel).to_contain_text("Publish this draft?")
    notebook7.screenshot("interrupted", widget)

    panel.get_by_role("button", name="reject").click()

    expect(widget.get_by_test_id("status")).to_have_text("done")
    expect(panel).to_be_hidden()
    thread = kernel_thread(notebook7)
    assert thread["values"]["verdict"] == "reject"
    assert thread["next"] == []
    notebook7.screenshot("answered", widget)
