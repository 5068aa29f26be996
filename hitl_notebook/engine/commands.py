"""A ``Command(update=..., goto=...)`` given as graph input.

As in LangGraph, its update and goto belong to the checkpoint the call continues from: they
are kept as that checkpoint's *input outcome* (a task-less outcome under ``NULL_TASK_ID``),
so the update is folded in before the step's tasks read the state, ``get_state`` shows it,
and the goto targets join the step's tasks. Nothing already saved is rewritten.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ..checkpoint.base import Append, Change, CheckpointRecord, Replace, TaskOutcome, TaskPlan
from ..constants import NULL_TASK_ID, START
from ..types import Command, Send
from .routing import task_id
from .tasks import goto_from_json, goto_to_json, writes_from_output

if TYPE_CHECKING:
    from ..graph.plan import GraphPlan

__all__ = [
    "given_goto",
    "input_outcome",
    "merge_changes",
    "routes_after_input",
    "step_values",
    "with_goto_tasks",
]

#: How the input outcome is named where a node name would stand.
INPUT_NAME = "__input__"
#: Goto tasks are numbered after any ``Send`` task of the step, so ids never collide.
_GOTO_INDEX = 1_000_000


def input_outcome(structure: GraphPlan, record: CheckpointRecord, command: Command) -> TaskOutcome:
    """The record's input outcome with ``command``'s update and goto added to it."""
    writes, goto = writes_from_output(
        structure, INPUT_NAME, Command(update=command.update, goto=command.goto)
    )
    previous = record.outcomes.get(NULL_TASK_ID)
    return TaskOutcome(
        task_id=NULL_TASK_ID,
        name=INPUT_NAME,
        writes=[*(previous.writes or [] if previous else []), *structure.prepare_writes(writes)],
        goto=[*(previous.goto if previous else []), *(goto_to_json(g) for g in goto)],
    )


def given_goto(record: CheckpointRecord) -> list[Any]:
    """The goto targets a ``Command`` given as input added to ``record``'s step."""
    outcome = record.outcomes.get(NULL_TASK_ID) if record.outcomes else None
    return [goto_from_json(g) for g in outcome.goto] if outcome is not None else []


def routes_after_input(record: CheckpointRecord) -> bool:
    """On a thread's input step the given goto routes with the input (so ``goto="a"``
    and an edge ``START -> "a"`` run "a" once, next step); elsewhere its targets join the
    step's tasks, beside the ones already waiting there."""
    return len(record.next) == 1 and record.next[0].name == START


def with_goto_tasks(record: CheckpointRecord) -> CheckpointRecord:
    """``record`` with its input outcome's goto targets among its next tasks (a copy)."""
    outcome = record.outcomes.get(NULL_TASK_ID) if record.outcomes else None
    if outcome is None or not outcome.goto or routes_after_input(record):
        return record
    extra = []
    for i, g in enumerate(outcome.goto):
        target = goto_from_json(g)
        if isinstance(target, Send):
            extra.append(
                TaskPlan(
                    task_id(record.id, record.ns, target.node, _GOTO_INDEX + i),
                    target.node,
                    send_arg=target.arg,
                    is_send=True,
                )
            )
        else:
            extra.append(TaskPlan(task_id(record.id, record.ns, target, _GOTO_INDEX + i), target))
    return dataclasses.replace(record, next=[*record.next, *extra])


def step_values(structure: GraphPlan, record: CheckpointRecord) -> tuple[dict, dict[str, Change]]:
    """The values the step's tasks read (the input outcome's update folded in), and the
    changes that update made."""
    outcome = record.outcomes.get(NULL_TASK_ID) if record.outcomes else None
    if outcome is None or not outcome.writes:
        return record.values, {}
    return structure.apply_writes(record.values, outcome.writes, remember=False)


def merge_changes(
    first: dict[str, Change], second: dict[str, Change], values: dict
) -> dict[str, Change]:
    """The changes of two folds in a row, as one step's changes to ``values``."""
    if not first:
        return second
    merged = dict(first)
    for key, change in second.items():
        earlier = merged.get(key)
        if earlier is None or isinstance(change, Replace):
            merged[key] = change
        elif isinstance(earlier, Append):
            merged[key] = Append([*earlier.items, *change.items])
        else:
            merged[key] = Replace(values[key])
    return merged
