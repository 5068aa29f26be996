"""Displaying a thread widget also prints a static snapshot (for saved notebooks viewed
without the widget's JavaScript), and every action brings that snapshot up to date."""

from __future__ import annotations

import html

from IPython.terminal.interactiveshell import TerminalInteractiveShell
from IPython.testing.globalipapp import start_ipython
from IPython.utils.capture import capture_output

from hitl_notebook import InMemorySaver, StateGraph, interrupt
from hitl_notebook.widgets import show

WIDGET = "application/vnd.jupyter.widget-view+json"


def _graph():
    def ask(state):
        return {"answer": interrupt("Publish the <draft>?")}

    return (
        StateGraph(dict)
        .add_node("ask", ask)
        .set_entry_point("ask")
        .compile(checkpointer=InMemorySaver())
    )


def test_display_shows_the_widget_then_a_snapshot_that_follows_actions():
    """The widget output comes first, then the snapshot with the pending question as
    escaped text; answering replaces the snapshot in place (same display id), and the
    question is gone from it."""
    start_ipython()
    graph = _graph()
    graph.invoke({}, {"configurable": {"thread_id": "t"}})
    widget = show(graph, thread_id="t")
    with capture_output() as shown:
        widget._ipython_display_()
        widget.resume("yes")
    first, snapshot, *updates = shown.outputs
    assert WIDGET in first.data
    assert "Publish the &lt;draft&gt;?" in snapshot.data["text/html"]
    assert "<draft>" not in snapshot.data["text/html"]
    assert "snapshot" in snapshot.data["text/html"]
    assert updates and all(u.update for u in updates)
    final = html.unescape(updates[-1].data["text/html"])
    assert "Publish the <draft>?" not in final and "done" in final
    assert updates[-1].transient["display_id"] == snapshot.transient["display_id"]


def test_the_reattach_line_names_the_notebook_variable():
    """The line a restored widget shows uses the name the notebook gave the graph."""
    start_ipython()
    shell = TerminalInteractiveShell.instance()
    graph = _graph()
    shell.user_ns["review_graph"] = graph
    try:
        widget = show(graph, thread_id="t2")
        assert widget.reattach == "show(review_graph, thread_id='t2')"
    finally:
        del shell.user_ns["review_graph"]
