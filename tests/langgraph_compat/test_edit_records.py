"""How the LangGraph adapter records who an edit was written as (LangGraph keeps no
``writes`` metadata): the record is plain JSON in the checkpoint metadata, and a record
that cannot be read is ignored rather than breaking the timeline."""

from __future__ import annotations

from hitl_notebook.widgets.runtime import EDIT_RECORD_KEY

from .flavours import make_flavour
from .frontend import FrontEnd
from .graphs import breakpoint_review


def test_an_edit_saved_as_a_node_is_stored_as_json_and_shown_as_that_node(tmp_path, opened):
    """The edit's node and values are in the saved metadata as a JSON string; the widget
    shows the node as the writer and its values as the node's last writes."""
    graph = breakpoint_review(make_flavour("langgraph-sqlite", tmp_path, opened))
    ui = FrontEnd(graph, breakpoints_before=["human_review"])
    ui.act("run", input={"input": "x"})
    ui.act("update_state", values={"tool_call": "edited"}, as_node="human_review")
    saved = graph.checkpointer.get_tuple({"configurable": {"thread_id": "t1", "checkpoint_ns": ""}})
    assert saved.metadata[EDIT_RECORD_KEY] == '{"human_review": {"tool_call": "edited"}}'
    assert ui.history()[0]["writers"] == ["human_review"]
    assert ui.query("node_writes", node="human_review")["writes"] == {"tool_call": "edited"}


def test_an_unreadable_record_falls_back_to_the_changed_values(tmp_path, opened):
    """A checkpoint whose record is not JSON (written by other code) is still shown: the
    timeline lists the edit by the keys it changed."""
    graph = breakpoint_review(make_flavour("langgraph-memory", tmp_path, opened))
    config = {"configurable": {"thread_id": "t1"}}
    graph.invoke({"input": "x"}, config, interrupt_before=["human_review"])
    graph.update_state(
        {**config, "metadata": {EDIT_RECORD_KEY: "{not json"}}, {"tool_call": "edited"}
    )
    ui = FrontEnd(graph)
    newest = ui.history()[0]
    assert newest["source"] == "update" and newest["writers"] == ["update_state"]
    assert ui.widget.state.metadata[EDIT_RECORD_KEY] == "{not json"
