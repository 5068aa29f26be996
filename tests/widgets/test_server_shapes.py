"""The server's JSON in the shapes the Session reads (no server needed: these are the
documented ``ThreadState``/``get_graph``/``messages-tuple`` shapes, as langgraph-api 0.16
sends them)."""

from __future__ import annotations

from hitl_notebook.widgets.history import checkpoint_id, parent_id
from hitl_notebook.widgets.server_shapes import drawable, snapshot, token_event


def _state(cid, parent=None, **extra):
    return {
        "values": {"text": "x"},
        "next": ["child"],
        "tasks": [],
        "metadata": {"source": "loop", "step": 1},
        "created_at": "2026-11-30T00:00:00+00:00",
        "checkpoint": {"checkpoint_id": cid, "thread_id": "t", "checkpoint_ns": ""},
        "parent_checkpoint": parent and {"checkpoint_id": parent, "thread_id": "t"},
        "interrupts": [],
        **extra,
    }


def test_a_thread_without_checkpoints_has_no_ids():
    """A new server thread (checkpoint null, values {}) reads as an empty snapshot."""
    snap = snapshot({"values": {}, "next": [], "tasks": [], "checkpoint": None}, "t")
    assert checkpoint_id(snap) is None and parent_id(snap) is None
    assert snap.values == {} and snap.config == {"configurable": {"thread_id": "t"}}


def test_checkpoint_parent_tasks_and_a_subgraphs_pending_question():
    """Ids, parent, and a task whose subgraph state holds the interrupt, nested."""
    inner = _state(
        "c-inner",
        tasks=[
            {"id": "i", "name": "ask", "interrupts": [{"id": "q1", "value": {"question": "?"}}]}
        ],
    )
    snap = snapshot(
        _state("c2", "c1", tasks=[{"id": "t1", "name": "child", "path": ["__pregel_pull", "child"], "state": inner}],
               interrupts=[{"id": "q1", "value": {"question": "?"}}]),
        "t",
    )  # fmt: skip
    assert checkpoint_id(snap) == "c2" and parent_id(snap) == "c1"
    [task] = snap.tasks
    assert task.name == "child" and task.path == ("__pregel_pull", "child")
    assert task.state.tasks[0].interrupts[0].id == "q1"
    assert snap.interrupts[0].value == {"question": "?"}


def test_a_subgraph_checkpoint_reference_is_not_a_state():
    """``state`` may be a checkpoint reference (no values) rather than a nested state."""
    snap = snapshot(
        _state("c2", tasks=[{"id": "t", "name": "child", "state": {"configurable": {}}}]), "t"
    )
    assert snap.tasks[0].state is None


def test_drawable_keeps_subgraph_ids_and_conditional_edges():
    """Node ids as drawn (``parent:child``), labels and conditional edges survive."""
    graph = drawable(
        {
            "nodes": [{"id": "__start__", "data": {"name": "__start__"}}, {"id": "child:ask", "data": {"name": "child:ask"}}, {"id": "__end__"}],
            "edges": [{"source": "__start__", "target": "child:ask", "conditional": True, "data": "go"}, {"source": "child:ask", "target": "__end__"}],
        }
    )  # fmt: skip
    assert list(graph.nodes) == ["__start__", "child:ask", "__end__"]
    assert graph.nodes["__end__"].name == "__end__"
    first, second = graph.edges
    assert (first.conditional, first.data, second.conditional) == (True, "go", False)


def test_token_events_from_text_and_content_blocks():
    """A chunk's text (plain or in content blocks) is a token of its node; chunks without
    text (tool-call deltas) and malformed parts are not."""
    meta = {"langgraph_node": "reply"}
    assert token_event([{"content": "Hi"}, meta]).result == "Hi"
    blocks = [{"type": "text", "text": "He"}, {"type": "tool_use"}, {"type": "text", "text": "y"}]
    event = token_event([{"content": blocks}, meta])
    assert (event.kind, event.node, event.result) == ("token", "reply", "Hey")
    assert token_event([{"content": "", "tool_call_chunks": [{}]}, meta]) is None
    assert token_event({"content": "Hi"}) is None
