"""LangGraph's channel bookkeeping of a checkpoint, derived on read from what we store.

LangGraph's checkpoint dict carries ``channel_versions`` (a version per channel, bumped by
every step that updated it), ``versions_seen`` (per node, the versions of its trigger
channels when it last ran), ``updated_channels`` (what the step that made it updated) and
``channel_values`` (state keys plus trigger channels such as ``branch:to:<node>``). We keep
none of it: the engine schedules from stored next tasks. Code written for LangGraph reads
those keys, so ``LangGraphSaverAPI`` derives them here, walking a namespace's checkpoints
oldest first, which costs nothing on the write path.

Versions are integers: a checkpoint's are one more than the highest of its parent's. Two
details are reconstructed rather than known: a checkpoint continued by a resumed run (the
run's ``versions_seen["__interrupt__"]``) is one whose step stopped on an error or a
question, and a namespace whose first stored checkpoint is not its input
(``durability="exit"``) counts as having started from one.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..constants import INTERRUPT, START
from ..types import Send
from .base import CheckpointRecord

__all__ = ["ChannelBook", "channel_books"]

#: ``versions_seen`` key of the input (LangGraph's ``INPUT`` task: it reads no channel).
INPUT = "__input__"
#: Channel of the ``Send``s a task writes (LangGraph's ``TASKS``).
TASKS = "__pregel_tasks"


@dataclass(slots=True)
class ChannelBook:
    """One checkpoint's LangGraph-shaped channel bookkeeping."""

    versions: dict[str, int] = field(default_factory=dict)
    seen: dict[str, dict[str, int]] = field(default_factory=dict)
    updated: list[str] = field(default_factory=list)
    #: An input checkpoint's pending writes of its ``__start__`` task, which we do not
    #: store: the input's keys, then the trigger of each task it started (see
    #: ``_start_writes``).
    start_writes: list[tuple[str, str, Any]] = field(default_factory=list)

    def channel_values(self, record: CheckpointRecord, values: dict[str, Any]) -> dict[str, Any]:
        """``values`` (the visible state) of the channels ever written, plus the trigger
        channels of the tasks due next (the input, for ``__start__``)."""
        found = {k: v for k, v in values.items() if k in self.versions}
        for plan in record.next:
            if not plan.is_send:
                found[_trigger(plan.name)] = plan.send_arg if plan.name == START else None
        return found


def channel_books(records: Iterable[CheckpointRecord]) -> dict[str, ChannelBook]:
    """The bookkeeping of each of a namespace's ``records`` (all of them: every checkpoint's
    depends on its ancestors'), by checkpoint id."""
    by_id = {r.id: r for r in records}
    books: dict[str, ChannelBook] = {}
    for record in sorted(by_id.values(), key=lambda r: r.id):  # ids sort parents first
        parent = by_id.get(record.parent_id) if record.parent_id else None
        before = books.get(parent.id) if parent else None
        books[record.id] = _next_book(parent, before, record)
        if parent is not None and before is not None and not before.start_writes:
            before.start_writes = _start_writes(parent, record)
    return books


def _start_writes(parent: CheckpointRecord, record: CheckpointRecord) -> list:
    """The ``__start__`` task's writes of input checkpoint ``parent``, from the input it
    holds and the tasks of ``record``, the step it made; none when ``parent`` is no input
    checkpoint, ``record`` is not that step, or the task's outcome is stored."""
    if not (
        parent.source == "input"
        and record.source == "loop"
        and record.step == parent.step + 1
        and len(parent.next) == 1
        and parent.next[0].name == START
        and parent.next[0].id not in parent.outcomes
        and isinstance(parent.next[0].send_arg, dict)
    ):
        return []
    tid = parent.next[0].id
    found: list[tuple[str, str, Any]] = [(tid, k, v) for k, v in parent.next[0].send_arg.items()]
    for plan in record.next:
        if plan.is_send:
            found.append((tid, TASKS, Send(plan.name, plan.send_arg)))
        else:
            found.append((tid, _trigger(plan.name), None))
    return found


def _trigger(name: str) -> str:
    return START if name == START else f"branch:to:{name}"


def _next_book(
    parent: CheckpointRecord | None, before: ChannelBook | None, record: CheckpointRecord
) -> ChannelBook:
    """``record``'s book from its parent's (both None for a thread's first checkpoint)."""
    if before is None:
        before = ChannelBook()
        if record.source != "input":  # its input checkpoint was not stored
            before.versions[START] = 1
            before.seen[INPUT] = {}
    book = ChannelBook(dict(before.versions), {k: dict(v) for k, v in before.seen.items()})
    version = max(book.versions.values(), default=0) + 1
    if record.source == "input":
        book.seen.setdefault(INPUT, {})
        written: set[str] = set()
    else:
        ran = (
            [p.name for p in parent.next if not p.is_send]
            if parent is not None
            else ([START] if record.source == "loop" and record.step == 0 else [])
        )
        if parent is not None and record.source == "loop" and _stopped(parent):
            book.seen[INTERRUPT] = dict(before.versions)
        for name in ran if record.source == "loop" else ():
            trigger = _trigger(name)
            if trigger in before.versions:
                book.seen.setdefault(name, {})[trigger] = before.versions[trigger]
        for name in ran:  # their trigger channels are read and cleared
            book.versions[_trigger(name)] = version
        written = _written(parent, record)
    updated = written | {_trigger(p.name) for p in record.next if not p.is_send}
    for channel in updated:
        book.versions[channel] = version
    book.updated = sorted(updated)
    return book


def _stopped(record: CheckpointRecord) -> bool:
    """Whether the step from ``record`` stopped on an error or a question (so the run that
    went on from it resumed it)."""
    return any(o.error is not None or o.interrupts for o in record.outcomes.values())


def _written(parent: CheckpointRecord | None, record: CheckpointRecord) -> set[str]:
    """State keys the step that made ``record`` wrote."""
    if record.writes is None:  # the step that applied the input
        if parent is not None and parent.source == "input" and parent.writes:
            return _keys(parent.writes.get(START))
        return _keys(dict(record.values)) if parent is None else set()
    found: set[str] = set()
    for update in record.writes.values():
        found |= _keys(update)
    return found


def _keys(update: Any) -> set[str]:
    """The state keys an update (a dict, or a list of them) writes."""
    items = update if isinstance(update, (list, tuple)) else [update]
    return {
        k
        for item in items
        if isinstance(item, dict)
        for k in item
        if isinstance(k, str) and not k.startswith(("__", "$"))
    }
