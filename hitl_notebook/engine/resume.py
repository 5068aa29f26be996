"""Matching a ``Command(resume=...)`` to a thread's pending interrupts, before anything is
written: a resume that does not fit raises ``UnknownInterruptError`` (a ``ResumeError``) and
the history is unchanged."""

from __future__ import annotations

import re
from typing import Any

from ..checkpoint.base import CheckpointRecord, InterruptRecord, TaskOutcome
from ..errors import UnknownInterruptError

__all__ = [
    "DYNAMIC_INDEX",
    "pending_interrupts",
    "reject_stale_ids",
    "resolve_resume",
    "unanswered",
]

#: The call index recorded for a ``NodeInterrupt`` (dynamic breakpoint): it takes no answer,
#: and the next call that continues the thread runs its node again.
DYNAMIC_INDEX = 1_000_000

_ID_SHAPE = re.compile(r"^[0-9a-f]{32}$")


def unanswered(outcome: TaskOutcome | None, ns: str) -> list[InterruptRecord]:
    """The task's interrupts still waiting for an answer (none once the task finished).

    The task's own n-th interrupt is answered once it has n+1 answers; one raised inside a
    subgraph it calls is answered once its id is in ``child_answers``.
    """
    if outcome is None or outcome.writes is not None:
        return []
    return [
        r
        for r in outcome.interrupts
        if (r.index >= len(outcome.answers) if r.ns == ns else r.id not in outcome.child_answers)
    ]


def pending_interrupts(record: CheckpointRecord) -> list[tuple[TaskOutcome, InterruptRecord]]:
    """Every unanswered interrupt of the checkpoint's step, in task order."""
    pending: list[tuple[TaskOutcome, InterruptRecord]] = []
    outcomes, ns = record.outcomes, record.ns
    if not outcomes:  # nothing ran yet
        return pending
    for plan in record.next:
        outcome = outcomes.get(plan.id)
        if outcome is None or outcome.writes is not None:  # not run yet, or finished
            continue
        # ``unanswered``, inline (this runs several times per pause and resume)
        for r in outcome.interrupts:
            if r.index >= len(outcome.answers) if r.ns == ns else r.id not in outcome.child_answers:
                pending.append((outcome, r))
    return pending


def resolve_resume(
    value: Any, pending: list[tuple[TaskOutcome, InterruptRecord]], thread_id: str
) -> dict[str, Any]:
    """The answer for each pending interrupt id that ``value`` answers.

    A dict is a map of answers only when its keys are pending interrupt ids; with one
    interrupt pending any other dict is the answer itself. A key shaped like an interrupt id
    that is not pending is an error (a stale or mistyped id), never silently the answer.
    """
    ids = []
    for _, rec in pending:
        ids.append(rec.id)
    if isinstance(value, dict) and value:
        keys = list(value)
        known = [k for k in keys if k in ids]
        id_shaped = [k for k in keys if isinstance(k, str) and _ID_SHAPE.match(k) and k not in ids]
        if known and len(known) == len(keys):
            return dict(value)
        if known or id_shaped:
            stray = [k for k in keys if k not in ids]
            raise UnknownInterruptError(
                f"Unknown or already-consumed interrupt: {stray[0]}. Resume map for thread "
                f"'{thread_id}' names interrupt id(s) {stray!r} that are not pending; "
                f"pending: {_describe(pending)}.",
                reason="not_pending",
                interrupt_ids=stray,
                pending_ids=ids,
            )
    if len(pending) == 1:
        return {ids[0]: value}
    if value == {}:
        raise UnknownInterruptError(
            f"The resume map names no interrupt, and thread '{thread_id}' has {len(pending)} "
            f"pending: pass Command(resume={{interrupt_id: answer, ...}}). Pending: {_describe(pending)}.",
            reason="empty_map",
            pending_ids=ids,
        )
    raise UnknownInterruptError(
        "When there are multiple pending interrupts, you must specify the interrupt id when resuming. "
        f"Thread '{thread_id}' has {len(pending)} pending interrupts: pass Command(resume={{interrupt_id: answer, ...}}). "
        f"Pending: {_describe(pending)}.",
        reason="ambiguous",
        pending_ids=ids,
    )


def reject_stale_ids(value: Any, thread_id: str, waiting: str) -> None:
    """With no interrupt pending (a breakpoint, or another process moved the thread on), a
    resume map keyed by interrupt ids answers nothing: an error, never the answer.

    ``waiting`` says what the thread waits for instead (for the message)."""
    if not isinstance(value, dict):
        return
    stale = [k for k in value if isinstance(k, str) and _ID_SHAPE.match(k)]
    if stale:
        raise UnknownInterruptError(
            f"Unknown or already-consumed interrupt: {stale[0]}. Resume map for thread "
            f"'{thread_id}' names interrupt id(s) {stale!r} that are not pending: no interrupt is "
            f"pending ({waiting}). Refresh the thread's state and answer what it asks now.",
            reason="not_pending",
            interrupt_ids=stale,
        )


def _describe(pending: list[tuple[TaskOutcome, InterruptRecord]]) -> str:
    if not pending:
        return "none"
    return "; ".join(
        f"{rec.id} (node '{outcome.name}': {_short(rec.value)})" for outcome, rec in pending
    )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
