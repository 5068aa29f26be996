"""Checkpoint records -> the ``StateSnapshot`` users read from ``get_state``/history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..checkpoint.base import CheckpointRecord
from ..types import Interrupt, PregelTask, StateSnapshot
from .resume import unanswered

if TYPE_CHECKING:
    from ..graph.compiled import CompiledStateGraph

__all__ = ["checkpoint_config", "to_snapshot"]


def checkpoint_config(thread_id: str, ns: str, checkpoint_id: str) -> dict:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint_id}}


def to_snapshot(graph: CompiledStateGraph, record: CheckpointRecord, *, subgraphs: bool = False) -> StateSnapshot:
    """One view per checkpoint, whichever API reads it.

    While its step is open (some task paused or failed), ``next`` lists the tasks still to
    run and ``values`` include what finished tasks wrote; once every task finished, the
    snapshot shows the step as it ran: all its tasks and the last question each answered.
    """
    recorded = record.outcomes
    outcomes = [recorded.get(plan.id) for plan in record.next] if recorded else [None] * len(record.next)
    complete = bool(recorded) and bool(record.next) and all(o is not None and o.writes is not None for o in outcomes)
    tasks, next_names, pending = [], [], []
    for index, (plan, outcome) in enumerate(zip(record.next, outcomes)):
        finished = outcome is not None and outcome.writes is not None
        if outcome is None:  # not started: nothing to look at (the common case, in a long history)
            records = []
        elif complete:
            records = outcome.interrupts[-1:]  # the question that was answered last
        else:
            records = unanswered(outcome, record.ns)
            pending.extend(records)
        if complete or not finished:
            next_names.append(plan.name)
        tasks.append(PregelTask(
            id=plan.id,
            name=plan.name,
            path=("__pregel_push", index) if plan.is_send else ("__pregel_pull", plan.name),
            error=outcome.error if outcome else None,
            interrupts=_interrupts(records),
            state=_subgraph_state(graph, record, plan, subgraphs),
            result=_result_view(outcome.writes) if finished else None,
        ))
    parent = checkpoint_config(record.thread_id, record.ns, record.parent_id) if record.parent_id else None
    metadata: dict[str, Any] = {"source": record.source, "step": record.step, "writes": record.writes,
                                "parents": {}, **record.metadata}
    values = record.values if complete or not recorded else graph.values_with_finished_tasks(record)
    return StateSnapshot(
        values=graph.output_values(values, for_state=True),
        next=tuple(next_names),
        config=checkpoint_config(record.thread_id, record.ns, record.id),
        metadata=metadata,
        created_at=record.created_at,
        parent_config=parent,
        tasks=tuple(tasks),
        interrupts=_interrupts(pending),
    )


def _interrupts(records: list) -> tuple[Interrupt, ...]:
    return tuple([Interrupt(r.value, r.id, r.ns) for r in records]) if records else ()


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
