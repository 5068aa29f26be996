"""The LangGraph API server's JSON in the shapes the Session reads.

``threads.get_state``/``get_history`` entries become ``StateSnapshot``s (tasks, interrupts
and subgraph states included), ``assistants.get_graph`` a drawable graph, and a
``messages-tuple`` stream part a token event, so no panel knows where the graph runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ..graph.drawable import DrawableEdge, DrawableGraph, DrawableNode
from ..types import Interrupt, PregelTask, StateSnapshot
from .runtime import TaskEvent

__all__ = [
    "checkpoint_ref",
    "context_as_json",
    "drawable",
    "snapshot",
    "thread_and_checkpoint",
    "token_event",
]


def thread_and_checkpoint(config: Mapping) -> tuple[str, str | None]:
    configurable = config.get("configurable", {})
    return str(configurable["thread_id"]), configurable.get("checkpoint_id")


def checkpoint_ref(cid: str | None) -> dict | None:
    return None if cid is None else {"checkpoint_id": cid, "checkpoint_ns": ""}


def context_as_json(context: Any) -> Any:
    """A run ``context`` as the server takes it (JSON): a dataclass or pydantic model
    becomes its fields; anything else goes as it is (the client says if it cannot)."""
    if dataclasses.is_dataclass(context) and not isinstance(context, type):
        return dataclasses.asdict(context)
    dump = getattr(context, "model_dump", None)
    return dump(mode="json") if callable(dump) else context


def snapshot(data: Mapping, thread_id: str) -> StateSnapshot:
    """A server ``ThreadState`` as the ``StateSnapshot`` the Session reads."""
    values: Any = data.get("values")
    return StateSnapshot(
        values={} if values is None else values,
        next=tuple(data.get("next") or ()),
        config=_config(data.get("checkpoint"), thread_id)
        or {"configurable": {"thread_id": thread_id}},
        metadata=data.get("metadata"),
        created_at=data.get("created_at"),
        parent_config=_config(data.get("parent_checkpoint"), thread_id),
        tasks=tuple(_task(task, thread_id) for task in data.get("tasks") or ()),
        interrupts=tuple(_interrupt(i) for i in data.get("interrupts") or ()),
    )


def _config(checkpoint: Mapping | None, thread_id: str) -> dict | None:
    if not checkpoint or not checkpoint.get("checkpoint_id"):
        return None
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": "", **checkpoint}}


def _task(task: Mapping, thread_id: str) -> PregelTask:
    state = task.get("state")
    return PregelTask(
        id=task.get("id", ""),
        name=task.get("name", ""),
        path=tuple(task.get("path") or ()),
        error=task.get("error"),
        interrupts=tuple(_interrupt(i) for i in task.get("interrupts") or ()),
        state=snapshot(state, thread_id)
        if isinstance(state, Mapping) and "values" in state
        else None,
        result=task.get("result"),
    )


def _interrupt(data: Mapping) -> Interrupt:
    return Interrupt(data.get("value"), data.get("id", ""))


def token_event(data: Any) -> TaskEvent | None:
    """A ``messages-tuple`` part (``[message chunk, metadata]``) as a token event; ``None``
    when the chunk carries no text (a tool-call chunk, an empty delta)."""
    if not isinstance(data, (list, tuple)) or len(data) != 2 or not isinstance(data[0], Mapping):
        return None
    chunk, metadata = data
    content = chunk.get("content")
    if isinstance(content, list):  # content blocks: keep their text
        content = "".join(b.get("text", "") for b in content if isinstance(b, Mapping))
    if not isinstance(content, str) or not content:
        return None
    node = (metadata or {}).get("langgraph_node", "") if isinstance(metadata, Mapping) else ""
    return TaskEvent("token", str(node), result=content)


def drawable(data: Mapping) -> DrawableGraph:
    """``assistants.get_graph(xray=True)`` JSON as a drawable (subgraph nodes ``a:b``)."""
    graph = DrawableGraph()
    for node in data.get("nodes", []):
        name = (node.get("data") or {}).get("name", node["id"])
        graph.nodes[node["id"]] = DrawableNode(node["id"], str(name), None, node.get("metadata"))
    for edge in data.get("edges", []):
        conditional = bool(edge.get("conditional", False))
        graph.edges.append(
            DrawableEdge(edge["source"], edge["target"], edge.get("data"), conditional)
        )
    return graph
