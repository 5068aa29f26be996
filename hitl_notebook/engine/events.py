"""The chunks of the ``tasks``, ``checkpoints`` and ``debug`` stream modes, in LangGraph's
shapes, so code that reads them (or prints them) sees the same dicts on both engines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..checkpoint.base import CheckpointRecord, InterruptRecord, TaskPlan
from ..constants import PUSH, START
from .snapshot import to_snapshot

if TYPE_CHECKING:
    from ..graph.compiled import CompiledStateGraph

__all__ = ["checkpoint_payload", "debug_event", "result_payload", "task_payload"]


def task_payload(
    plan: TaskPlan,
    node_input: Any,
    *,
    started: bool = False,
    joins: Mapping[str, tuple[str, ...]] | None = None,
) -> dict:
    """A task about to run: what it reads and what triggered it (``started``: the run's
    input, for the node of an entrypoint; ``joins``: the triggers of join targets, by
    node, as ``GraphPlan.join_triggers``)."""
    if plan.is_send:
        triggers: tuple = (PUSH,)
    elif plan.name == START or started:
        triggers = (START,)
    elif joins and plan.name in joins:
        triggers = joins[plan.name]
    else:
        triggers = (f"branch:to:{plan.name}",)
    return {"id": plan.id, "name": plan.name, "input": node_input, "triggers": triggers}


def result_payload(
    plan: TaskPlan,
    result: dict,
    error: BaseException | None,
    interrupts: list[InterruptRecord],
) -> dict:
    """A task that finished, failed or paused (``result``: its writes as ``writes_view``
    shows them); the error is the exception object."""
    return {
        "id": plan.id,
        "name": plan.name,
        "error": error,
        "result": result,
        "interrupts": [
            {"value": r.value, "id": r.id, "response_schema": r.response_schema} for r in interrupts
        ],
    }


def checkpoint_payload(
    graph: CompiledStateGraph, record: CheckpointRecord, *, live: bool = True
) -> dict:
    """A saved checkpoint as the ``checkpoints`` stream shows it (``live`` False: its values
    and next tasks as stored, what finished tasks wrote not folded in)."""
    snapshot = to_snapshot(graph, record, live=live)
    tasks = []
    for task in snapshot.tasks:
        if isinstance(task.state, dict):
            task = task._replace(state=_payload_state(snapshot.config, task))
        if task.error:
            tasks.append(
                {"id": task.id, "name": task.name, "error": task.error, "state": task.state}
            )
        elif task.result:
            tasks.append(
                {
                    "id": task.id,
                    "name": task.name,
                    "result": task.result,
                    "interrupts": _interrupt_dicts(task.interrupts),
                    "state": task.state,
                }
            )
        else:
            tasks.append(
                {
                    "id": task.id,
                    "name": task.name,
                    "interrupts": _interrupt_dicts(task.interrupts),
                    "state": task.state,
                }
            )
    return {
        "config": snapshot.config,
        "parent_config": snapshot.parent_config,
        "values": snapshot.values,
        "metadata": snapshot.metadata,
        "next": list(snapshot.next),
        "tasks": tasks,
    }


def _payload_state(config: dict, task: Any) -> dict:
    """A subgraph task's ``state`` in a checkpoint payload: LangGraph names the namespace by
    the task's id there, even for a subgraph that keeps one history under the node's name
    (``checkpointer=True``), where ``get_state`` names the node alone."""
    configurable = config["configurable"]
    ns, own = configurable.get("checkpoint_ns", ""), f"{task.name}:{task.id}"
    return {
        "configurable": {
            "thread_id": configurable["thread_id"],
            "checkpoint_ns": f"{ns}|{own}" if ns else own,
        }
    }


def debug_event(kind: str, step: int, timestamp: str, payload: dict) -> dict:
    """A ``debug`` chunk: ``checkpoint``, ``task`` or ``task_result`` with its payload."""
    return {"step": step, "timestamp": timestamp, "type": kind, "payload": payload}


def _interrupt_dicts(interrupts: tuple) -> tuple:
    return tuple(
        {"value": i.value, "id": i.id, "response_schema": i.response_schema} for i in interrupts
    )
