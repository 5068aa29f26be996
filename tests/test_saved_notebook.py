"""A notebook executed with its widget state saved (what `jupyter nbconvert --execute`
stores by default) stays small, and its HTML export shows the diagram and the pending
question as visible text, without the `dot` binary and without the widget's JavaScript."""

from __future__ import annotations

import html
import os
import re
import textwrap

import nbformat
import pytest
from nbconvert import HTMLExporter
from nbconvert.preprocessors import ExecutePreprocessor

GRAPH = textwrap.dedent(
    """
    from typing import TypedDict
    from hitl_notebook import StateGraph, START, END, interrupt, InMemorySaver, show

    class State(TypedDict):
        draft: str
        approved: bool

    def write(state):
        return {"draft": "Dear team, the release is on Friday."}

    def review(state):
        answer = interrupt({"question": QUESTION, "options": ["approve", "reject"]})
        return {"approved": answer == "approve"}

    graph = (
        StateGraph(State)
        .add_node("write", write)
        .add_node("review", review)
        .add_edge(START, "write")
        .add_edge("write", "review")
        .add_edge("review", END)
        .compile(checkpointer=InMemorySaver())
    )
    for thread in ("a", "b", "c"):
        graph.invoke({"draft": "", "approved": False}, {"configurable": {"thread_id": thread}})
    """
)
#: A question that also checks payloads stay text: its markup must come out escaped.
QUESTION = "Send this draft? <img src=x onerror=alert(1)>"
MB, KB = 1_000_000, 1_000


def _executed(widgets: int, tmp_path) -> tuple[nbformat.NotebookNode, int]:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(f"QUESTION = {QUESTION!r}\n{GRAPH}")]
    nb.cells += [
        nbformat.v4.new_code_cell(f'show(graph, thread_id="{thread}")')
        for thread in ("a", "b", "c")[:widgets]
    ]
    ExecutePreprocessor(timeout=240, kernel_name="python3").preprocess(
        nb, {"metadata": {"path": str(tmp_path)}}
    )
    path = tmp_path / f"saved_{widgets}.ipynb"
    nbformat.write(nb, path)
    return nb, os.path.getsize(path)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The same notebook executed with 1 and with 3 widgets, saved with widget state."""
    tmp = tmp_path_factory.mktemp("saved")
    return {n: _executed(n, tmp) for n in (1, 3)}


def test_the_widget_state_is_saved(saved):
    """nbconvert stored the widgets' state, as JupyterLab does on save."""
    nb, _ = saved[3]
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    ours = [m for m in state.values() if "graph_svg" in m.get("state", {})]
    assert len(ours) == 3


def test_a_notebook_with_three_saved_widgets_stays_under_one_megabyte(saved):
    """3 saved widgets fit in 1 MB, and each widget beyond the first adds at most 100 KB
    (the widget's code is no longer megabytes of Graphviz per widget)."""
    _, one = saved[1]
    _, three = saved[3]
    assert three <= 1 * MB, f"{three / MB:.2f} MB"
    assert (three - one) / 2 <= 100 * KB, f"{(three - one) / 2 / KB:.0f} KB per extra widget"


def _visible(page: str) -> str:
    """What a reader sees without JavaScript: the page minus scripts and styles."""
    return re.sub(r"<(script|style)\b.*?</\1>", "", page, flags=re.S | re.I)


def test_the_html_export_shows_the_question_and_the_diagram(saved):
    """`nbconvert --to html` with its defaults (widget state kept) shows each thread's
    pending question as text and its diagram as SVG, outside any script."""
    nb, _ = saved[3]
    page, _ = HTMLExporter().from_notebook_node(nb)
    visible = _visible(page)
    assert html.unescape(visible).count("Send this draft?") >= 3
    assert re.search(r"<svg[^>]*hn-svg", visible)
    assert ">review</text>" in visible


def test_the_html_export_shows_payload_markup_as_text(saved):
    """The question's markup is escaped in the export: no element comes out of a payload."""
    nb, _ = saved[1]
    page, _ = HTMLExporter().from_notebook_node(nb)
    visible = _visible(page)
    assert "<img src=x" not in visible
    assert "&lt;img src=x onerror=alert(1)&gt;" in visible


def test_the_snapshot_names_the_line_that_reattaches_the_widget(saved):
    """The static copy says it is a snapshot and shows the code that brings it back."""
    nb, _ = saved[1]
    page, _ = HTMLExporter().from_notebook_node(nb)
    text = html.unescape(_visible(page))
    assert "snapshot" in text
    assert "show(graph, thread_id='a')" in text
