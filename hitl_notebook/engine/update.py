"""``update_state``: write values into a thread as if a node had returned them.

On the latest checkpoint it edits the thread; on a past one it forks a new branch. The
history is a tree and is never rewritten.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..checkpoint.base import CheckpointRecord, Replace, TaskPlan, new_checkpoint_id
from ..errors import InvalidUpdateError
from ..constants import COPY, START
from .loop import now_iso
from .routing import next_plans, route, task_id
from .snapshot import checkpoint_config, graph_for_ns, require_saver, thread_coordinates

if TYPE_CHECKING:
    from ..graph.compiled import CompiledStateGraph

__all__ = ["update_state"]


def update_state(graph: CompiledStateGraph, config: dict, values: Any, as_node: str | None = None,
                 task_id: str | None = None) -> dict:
    if task_id is not None:
        raise NotImplementedError("update_state(task_id=...) is not supported yet: pass as_node= instead.")
    saver = require_saver(graph, "update_state")
    thread_id, ns, checkpoint_id = thread_coordinates(config)
    structure = graph_for_ns(graph, ns)._plan
    base = saver.get(thread_id, ns, checkpoint_id)
    if checkpoint_id is not None and base is None:
        raise ValueError(f"Thread '{thread_id}' has no checkpoint '{checkpoint_id}' to update.")
    if as_node == COPY:
        return _copy(saver, base, values, config)
    if as_node is None:
        as_node = _last_writer(saver, base)
    elif as_node != START and as_node not in structure.nodes:
        raise InvalidUpdateError(
            f"update_state(as_node={as_node!r}): no such node; known nodes: "
            f"{', '.join(map(repr, structure.nodes))} (or START)."
        )
    writes = structure.update_writes(values, as_node)
    prepared = structure.prepare_writes(writes)
    old_values = base.values if base is not None else structure.initial_values()
    new_values, changes = structure.apply_writes(old_values, prepared)
    if base is None:
        changes = {k: Replace(v) for k, v in new_values.items()}
    goto, _ = route(structure, as_node, old_values, prepared, config)
    new_id = new_checkpoint_id()
    plans = next_plans(structure, ns, new_id, [(as_node, goto)], new_values, changes)
    if base is not None and as_node not in (base.writes or {}):
        # Acting as a waiting node: the other tasks of that step still have to run. (Acting
        # as the node that just ran replaces its earlier routing instead.)
        plans += _still_waiting(ns, new_id, base, {p.name for p in plans} | {as_node}, first_index=len(plans))
    record = CheckpointRecord(
        thread_id=thread_id, ns=ns, id=new_id, parent_id=base.id if base is not None else None,
        step=base.step + 1 if base is not None else 0, source="update",
        writes={as_node: dict(writes) if writes else None}, values=new_values, next=plans,
        created_at=now_iso(), metadata=_metadata(config, base),
    )
    saver.put(record, changes)
    return checkpoint_config(thread_id, ns, new_id)


def _copy(saver: Any, base: CheckpointRecord | None, values: Any, config: dict) -> dict:
    """``as_node="__copy__"``: a sibling of ``base`` (same parent, values and next tasks;
    source "fork") to branch from without editing anything."""
    if base is None:
        raise InvalidUpdateError("update_state(as_node='__copy__') needs an existing checkpoint to copy.")
    if values is not None:
        raise InvalidUpdateError("update_state(as_node='__copy__') copies a checkpoint as it is: pass values=None.")
    parent = saver.get(base.thread_id, base.ns, base.parent_id) if base.parent_id else None
    before = parent.values if parent is not None else {}
    changes = {k: Replace(v) for k, v in base.values.items() if k not in before or before[k] != v}
    new_id = new_checkpoint_id()
    plans = [TaskPlan(task_id(new_id, base.ns, p.name, i if p.is_send else None), p.name, p.send_arg, p.is_send)
             for i, p in enumerate(base.next)]
    record = CheckpointRecord(
        thread_id=base.thread_id, ns=base.ns, id=new_id, parent_id=base.parent_id, step=base.step + 1,
        source="fork", writes=None, values=dict(base.values), next=plans, created_at=now_iso(),
        metadata=_metadata(config, base),
    )
    saver.put(record, changes)
    return checkpoint_config(base.thread_id, base.ns, new_id)


def _metadata(config: dict, base: CheckpointRecord | None) -> dict:
    """The edit's metadata: the config's, plus (in a subgraph) the parents it sits under."""
    metadata = dict(config.get("metadata") or {})
    parents = (base.metadata.get("parents") if base is not None else None) or {}
    return {**metadata, "parents": parents} if parents else metadata


def _last_writer(saver: Any, record: CheckpointRecord | None) -> str:
    """The node whose writes produced the checkpoint (walking back past steps that wrote
    nothing); ``START`` for a thread's input."""
    while record is not None:
        if record.writes:
            writers = list(record.writes)
            if len(writers) > 1:
                raise InvalidUpdateError(
                    f"Ambiguous update: nodes {writers!r} all wrote in the last step. "
                    "Pass as_node='...' to say which node this update acts as."
                )
            return writers[0]
        record = saver.get(record.thread_id, record.ns, record.parent_id) if record.parent_id else None
    return START


def _still_waiting(ns: str, new_id: str, base: CheckpointRecord, exclude: set[str], *,
                   first_index: int) -> list[TaskPlan]:
    """Tasks of the base step other than ``as_node`` still have to run after the update.
    ``Send`` tasks are numbered after the new step's own, so no two tasks share an id."""
    out = []
    for i, p in enumerate(base.next, start=first_index):
        if p.name in exclude and not p.is_send:
            continue
        out.append(TaskPlan(task_id(new_id, ns, p.name, i if p.is_send else None), p.name, p.send_arg, p.is_send))
    return out
