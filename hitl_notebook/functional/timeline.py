"""The task calls of an entrypoint's latest run on a thread, for the widget's diagram.

The results of ``@task`` calls live in the entrypoint task's outcome (``task_results``), on
the checkpoint its run started from: the latest checkpoint while the run is paused, its
parent once the run has finished. A task paused on ``interrupt()`` has no result yet; it
is known from the outcome's pending interrupt, whose namespace names the task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..checkpoint.base import CheckpointRecord, TaskOutcome
from ..constants import END, START
from ..engine.resume import unanswered
from ..graph.drawable import DrawableEdge, DrawableGraph, DrawableNode

__all__ = ["TaskCall", "task_calls", "timeline_drawable"]


@dataclass(frozen=True, slots=True)
class TaskCall:
    """One ``@task`` call of the run, in the order the calls finished (paused ones last)."""

    #: The diagram's node id, e.g. ``"draft #1"``.
    node: str
    name: str
    #: ``"visited"`` (finished) or ``"interrupted"`` (waiting for an answer).
    status: str
    result: Any = None


def task_calls(saver: Any, thread_id: str, entrypoint: str) -> list[TaskCall]:
    """The task calls of the latest run of ``entrypoint`` on the thread."""
    latest = saver.get(thread_id)
    outcome = _run_outcome(latest, entrypoint)
    if outcome is None and latest is not None and latest.parent_id is not None:
        outcome = _run_outcome(saver.get(thread_id, "", latest.parent_id), entrypoint)
    if outcome is None:
        return []
    calls = [(name, "visited", result) for name, result in outcome.task_results.values()]
    for record in unanswered(outcome, ""):
        if record.ns:  # asked inside a task (namespace "name:call id")
            calls.append((record.ns.split("|")[0].rpartition(":")[0], "interrupted", None))
    return [
        TaskCall(f"{name} #{i}", name, status, result)
        for i, (name, status, result) in enumerate(calls, 1)
    ]


def timeline_drawable(entrypoint: str, calls: list[TaskCall]) -> DrawableGraph:
    """START -> entrypoint -> END, and the task calls as a chain hanging off the
    entrypoint in the order they happened."""
    graph = DrawableGraph()
    for node_id in (START, entrypoint, END):
        graph.nodes[node_id] = DrawableNode(node_id, node_id)
    graph.edges += [DrawableEdge(START, entrypoint), DrawableEdge(entrypoint, END)]
    previous = entrypoint
    for call in calls:
        graph.nodes[call.node] = DrawableNode(call.node, call.node, metadata={"task": call.name})
        graph.edges.append(DrawableEdge(previous, call.node, conditional=True))
        previous = call.node
    return graph


def _run_outcome(record: CheckpointRecord | None, entrypoint: str) -> TaskOutcome | None:
    if record is None:
        return None
    for plan in record.next:
        outcome = record.outcomes.get(plan.id)
        if plan.name == entrypoint and outcome is not None:
            return outcome
    return None
