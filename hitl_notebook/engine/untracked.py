"""Keeping ``UntrackedValue`` keys out of storage.

The run holds them in its in-memory checkpoint like any key, so later steps and the
output see them; what goes to the saver is a copy without them: not in the values, the
changes, the step's writes, a task's saved writes, nor the state a ``Send`` (or the
input) carries to the next step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..checkpoint.base import Change, CheckpointRecord, TaskOutcome, TaskPlan

__all__ = ["outcome_to_store", "record_to_store"]


def record_to_store(
    keys: frozenset[str], record: CheckpointRecord, changes: Mapping[str, Change]
) -> tuple[CheckpointRecord, dict[str, Change]]:
    """``record`` and ``changes`` as saved: without the untracked ``keys``."""
    stored = replace(
        record,
        values={k: v for k, v in record.values.items() if k not in keys},
        next=[_plan(keys, p) for p in record.next],
        writes=(
            None
            if record.writes is None
            else {node: _without(keys, w) for node, w in record.writes.items()}
        ),
    )
    return stored, {k: c for k, c in changes.items() if k not in keys}


def outcome_to_store(keys: frozenset[str], outcome: TaskOutcome) -> TaskOutcome:
    """A task's outcome as saved: its writes to untracked ``keys`` left out."""
    if not outcome.writes or not any(channel in keys for channel, _ in outcome.writes):
        return outcome
    return replace(outcome, writes=[(c, v) for c, v in outcome.writes if c not in keys])


def _plan(keys: frozenset[str], plan: TaskPlan) -> TaskPlan:
    arg = plan.send_arg
    if isinstance(arg, dict) and not keys.isdisjoint(arg):
        return replace(plan, send_arg=_without(keys, arg))
    return plan


def _without(keys: frozenset[str], update: Any) -> Any:
    """A node's update (a dict, or a list of them) without the untracked keys."""
    if isinstance(update, dict):
        return {k: v for k, v in update.items() if k not in keys}
    if isinstance(update, list):
        return [_without(keys, item) for item in update]
    return update
