"""Checkpoint records -> the ``StateSnapshot`` users read from ``get_state``/history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..checkpoint.base import CheckpointRecord
from ..types import Interrupt, PregelTask, StateSnapshot

if TYPE_CHECKING:
    from ..graph.compiled import CompiledStateGraph

__all__ = ["checkpoint_config", "to_snapshot"]


def checkpoint_config(thread_id: str, ns: str, checkpoint_id: str) -> dict:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint_id}}


def to_snapshot(graph: CompiledStateGraph, record: CheckpointRecord, *, subgraphs: bool = False) -> StateSnapshot:
    tasks = []
    next_names = []
    interrupts: list[Interrupt] = []
    for index, plan in enumerate(record.next):
        outcome = record.outcomes.get(plan.id)
        finished = outcome is not None and outcome.writes is not None
        task_interrupts = tuple(Interrupt(r.value, r.id, r.ns) for r in (outcome.interrupts if outcome else ()))
        interrupts.extend(task_interrupts)
        if not finished:
            next_names.append(plan.name)
        tasks.append(PregelTask(
            id=plan.id,
            name=plan.name,
            path=("__pregel_push", index) if plan.is_send else ("__pregel_pull", plan.name),
            error=outcome.error if outcome else None,
            interrupts=task_interrupts,
            state=_subgraph_state(graph, record, plan, subgraphs),
            result=_result_view(outcome.writes) if finished else None,
        ))
    parent = checkpoint_config(record.thread_id, record.ns, record.parent_id) if record.parent_id else None
    metadata: dict[str, Any] = {"source": record.source, "step": record.step, "writes": record.writes,
                                "parents": {}, **record.metadata}
    return StateSnapshot(
        values=graph.output_values(record.values, for_state=True),
        next=tuple(next_names),
        config=checkpoint_config(record.thread_id, record.ns, record.id),
        metadata=metadata,
        created_at=record.created_at,
        parent_config=parent,
        tasks=tuple(tasks),
        interrupts=tuple(interrupts),
    )


def _result_view(writes: list) -> dict | None:
    return {k: v for k, v in writes} if writes else None


def _subgraph_state(graph: CompiledStateGraph, record: CheckpointRecord, plan: Any, subgraphs: bool) -> Any:
    """A subgraph task's own state: its config, or its snapshot when ``subgraphs=True``."""
    spec = graph.builder.nodes.get(plan.name)
    if spec is None or spec.subgraph is None:
        return None
    segment = f"{plan.name}:{plan.id}"
    ns = f"{record.ns}|{segment}" if record.ns else segment
    config = {"configurable": {"thread_id": record.thread_id, "checkpoint_ns": ns}}
    if not subgraphs:
        return config
    saver = graph.checkpointer if graph.checkpointer not in (None, True, False) else None
    child = saver.get(record.thread_id, ns) if saver is not None else None
    return to_snapshot(spec.subgraph, child, subgraphs=True) if child is not None else None
