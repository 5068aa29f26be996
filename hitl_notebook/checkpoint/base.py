"""The contract between the engine and a checkpoint store.

The engine thinks in *checkpoints* (the state after a super-step, plus the tasks to run
next) and *task outcomes* (what a task of the next step already produced: writes,
interrupts, resume answers, an error). A saver persists both. The engine tells the saver
what a step *changed* (``Replace`` / ``Append`` per channel) so that a store can keep
deltas instead of re-serialising the whole state every step.
"""

from __future__ import annotations

import asyncio
import binascii
import builtins
import functools
import hashlib
import os
import random
import struct
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, NewType

from .serde import DeserializationError

__all__ = [
    "ROOT_NS",
    "Append",
    "BaseCheckpointSaver",
    "Change",
    "CheckpointId",
    "CheckpointRecord",
    "CheckpointSource",
    "InterruptRecord",
    "Namespace",
    "Replace",
    "TaskOutcome",
    "TaskPlan",
    "ThreadId",
    "ThreadInfo",
    "new_checkpoint_id",
    "parent_cycle",
    "task_id",
    "write_order",
]

#: A thread's id, as in ``config["configurable"]["thread_id"]``.
ThreadId = NewType("ThreadId", str)
#: A checkpoint namespace: "" for the root graph, ``"node:task_id|child:task_id"`` inside
#: subgraphs.
Namespace = NewType("Namespace", str)
#: The root graph's namespace.
ROOT_NS = Namespace("")
#: A checkpoint's id (``new_checkpoint_id``): unique in a thread, sorting by creation time.
CheckpointId = NewType("CheckpointId", str)
#: What wrote a checkpoint: the run's input, a step of the run ("loop"), ``update_state``
#: (also when it forks a past checkpoint), or a copy of a past checkpoint that a replay or
#: a late resume runs from ("fork").
CheckpointSource = Literal["input", "loop", "update", "fork"]


@dataclass(slots=True)
class Replace:
    """The channel's value after the step is ``value`` (a last-value write, or a reducer
    result that is not a plain append)."""

    value: Any


@dataclass(slots=True)
class Append:
    """The channel's list value after the step is the parent's list plus ``items``."""

    items: list


Change = Replace | Append


@dataclass(slots=True)
class TaskPlan:
    """A task scheduled to run from a checkpoint: which node, under which stable id."""

    id: str
    name: str
    #: The argument of a ``Send`` (``None`` for a task triggered by an edge).
    send_arg: Any = None
    #: True when ``send_arg`` is meaningful (a ``Send`` may carry ``None``).
    is_send: bool = False


def write_order(plan: TaskPlan) -> tuple[bool, str]:
    """Sort key of a step's tasks as LangGraph starts them and applies their writes:
    edge-triggered tasks by node name, then ``Send`` tasks in the order they were sent
    (the sort is stable), whatever order they were added or finished in."""
    return (plan.is_send, "" if plan.is_send else plan.name)


@dataclass(slots=True)
class InterruptRecord:
    """One pending ``interrupt()`` call: its stable id, payload and call index in the task."""

    id: str
    value: Any
    index: int
    #: Namespace of the graph that raised it ("" for the root graph).
    ns: Namespace = ROOT_NS
    #: JSON schema of the expected answer (``interrupt(..., response_schema=...)``), or None.
    response_schema: Any = None


@dataclass(slots=True)
class TaskOutcome:
    """What one task of a checkpoint's next step has produced so far (LangGraph's
    "pending writes"). Upserted by task id while the step is incomplete."""

    task_id: str
    name: str
    #: ``(channel, value)`` pairs, set once the task finished; ``None`` while unfinished.
    writes: list[tuple[str, Any]] | None = None
    #: Resume answers given to this task so far; the n-th ``interrupt()`` returns the n-th.
    answers: list[Any] = field(default_factory=list)
    #: Every interrupt the task raised at this step, answered or not (history keeps them);
    #: one is pending while it has no answer (see ``answers`` and ``child_answers``).
    interrupts: list[InterruptRecord] = field(default_factory=list)
    #: ``"ExcType: message"`` when the task raised.
    error: str | None = None
    #: Routing decided by the task (conditional edges, ``Command(goto)``), as plans' names
    #: and ``Send`` args; stored so a finished task is never re-run to recompute it.
    goto: list[Any] = field(default_factory=list)
    #: Answers to interrupts raised inside subgraphs the task calls, by interrupt id.
    child_answers: dict[str, Any] = field(default_factory=dict)
    #: Functional API: what the ``@task`` calls of this task finished with, by call id
    #: (``[task name, result]``), so a re-run of the entrypoint does not run them again.
    task_results: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CheckpointRecord:
    """A materialised checkpoint as the engine reads and writes it."""

    thread_id: ThreadId
    ns: Namespace
    id: CheckpointId
    parent_id: CheckpointId | None
    step: int
    source: CheckpointSource
    #: ``{node: update}`` written by the step that produced this checkpoint, or ``None``.
    writes: dict[str, Any] | None
    #: Every channel's value (hidden ``__...`` channels included).
    values: dict[str, Any]
    #: Tasks to run from here; empty when the run is finished.
    next: list[TaskPlan]
    #: ISO-8601 UTC timestamp.
    created_at: str
    #: Extra JSON-able metadata (e.g. the run's ``config["metadata"]``).
    metadata: dict[str, Any] = field(default_factory=dict)
    #: Outcomes of tasks of the next step, by task id (filled in by ``get``/``list``).
    outcomes: dict[str, TaskOutcome] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ThreadInfo:
    """A thread as listed by ``list_threads``."""

    thread_id: ThreadId
    latest_checkpoint_id: str
    updated_at: str
    checkpoint_count: int


_id_lock = threading.Lock()
_last_ns = 0
#: Random low bits of checkpoint ids, from a generator of our own: a notebook's
#: ``random.seed(...)`` must not make two kernels' ids predictable or alike.
_id_bits = random.Random()
os.register_at_fork(after_in_child=_id_bits.seed)


def new_checkpoint_id() -> CheckpointId:
    """A UUID-shaped id that sorts by creation time (strictly increasing in a process).

    Ids from different processes sort by wall-clock time, with random low bits so that two
    kernels writing the same file never collide.
    """
    global _last_ns
    with _id_lock:
        now = time.time_ns()
        if now <= _last_ns:
            now = _last_ns + 1
        _last_ns = now
    # The time's 16 hex digits, then 16 random ones (one 128-bit number), cut 8-4-4-4-12.
    return CheckpointId(_uuid_text((now << 64 | _id_bits.getrandbits(64)).to_bytes(16, "big")))


#: Splits 32 hex digits into a UUID's groups (one call, where slicing a string costs one each).
_UUID_GROUPS = struct.Struct("8s4s4s4s12s").unpack


def _uuid_text(raw: bytes) -> str:
    """16 bytes as lower-case hex cut 8-4-4-4-12, as ``str(uuid.UUID(bytes=raw))``."""
    return b"-".join(_UUID_GROUPS(binascii.hexlify(raw))).decode()


class BaseCheckpointSaver(ABC):
    """A checkpoint store. Savers are thread-safe: the engine may call them from worker
    threads, and several graphs may share one saver.

    Every saver returns *fresh* objects from ``get``/``list``: mutating a returned value
    never changes what is stored.
    """

    @abstractmethod
    def put(
        self, record: CheckpointRecord, changes: Mapping[str, Change], *, advance: bool = False
    ) -> None:
        """Store ``record``. ``changes`` says what differs from ``record.parent_id``'s
        values (all channels when there is no parent). ``record.values`` holds the full
        values too, for stores that snapshot.

        ``advance``: the record continues the thread from its head, so it is stored only if
        ``record.parent_id`` is still the namespace's latest checkpoint (None: it has none),
        atomically; otherwise ``ConcurrentUpdateError`` and nothing is stored. Without it
        the record may branch off any checkpoint (an explicit fork)."""

    @abstractmethod
    def put_outcome(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        checkpoint_id: CheckpointId,
        outcome: TaskOutcome,
        *,
        advance: bool = False,
        answered: TaskOutcome | None = None,
    ) -> None:
        """Insert or replace the outcome of ``outcome.task_id`` on that checkpoint.

        ``advance``: only while that checkpoint is the namespace's latest (as ``put``).
        ``answered``: the task's outcome as the caller read it before adding answers; the
        stored one must still have the same answers (no one else answered meanwhile), or
        ``ConcurrentUpdateError`` and nothing is stored."""

    def put_step(
        self,
        record: CheckpointRecord,
        changes: Mapping[str, Change],
        closed: Sequence[TaskOutcome] = (),
        *,
        advance: bool = False,
    ) -> None:
        """Store the outcomes ``closed`` of the tasks of ``record.parent_id`` that the step
        finished, then ``record`` (``advance`` as for ``put``). Savers that can do both in
        one transaction override this: a step then costs one write, not one per task."""
        for outcome in closed:
            if record.parent_id is None:
                raise ValueError("closed task outcomes belong to a parent; this record has none")
            self.put_outcome(
                record.thread_id, record.ns, record.parent_id, outcome, advance=advance
            )
        self.put(record, changes, advance=advance)

    @abstractmethod
    def get(
        self,
        thread_id: ThreadId,
        ns: Namespace = ROOT_NS,
        checkpoint_id: CheckpointId | None = None,
        *,
        shared: bool = False,
    ) -> CheckpointRecord | None:
        """The checkpoint (the thread's latest when ``checkpoint_id`` is None), with its
        outcomes, or None when there is none.

        ``shared=True`` lets ``values`` be the saver's own (cached) objects, uncopied: the
        caller must copy them before mutating or handing them out. Snapshots use it to copy
        only when someone reads their values."""

    @abstractmethod
    def list(
        self,
        thread_id: ThreadId,
        ns: Namespace = ROOT_NS,
        *,
        before: CheckpointId | None = None,
        limit: int | None = None,
        filter: Mapping[str, Any] | None = None,
        shared: bool = False,
    ) -> Iterator[CheckpointRecord]:
        """The thread's checkpoints in ``ns``, newest first; ``before`` excludes that id and
        newer ones; ``filter`` matches metadata keys (``source``, ``step`` and the run's
        own metadata keys). ``shared`` as for ``get``."""

    @abstractmethod
    def list_threads(self) -> builtins.list[ThreadInfo]:
        """Every thread with at least one checkpoint, most recently updated first."""

    @abstractmethod
    def delete_thread(self, thread_id: ThreadId) -> None:
        """Remove a thread's checkpoints and outcomes in every namespace."""

    # Async front doors: savers backed by blocking I/O run them in a worker thread.
    async def aput(
        self, record: CheckpointRecord, changes: Mapping[str, Change], *, advance: bool = False
    ) -> None:
        await asyncio.to_thread(self.put, record, changes, advance=advance)

    async def aput_outcome(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        checkpoint_id: CheckpointId,
        outcome: TaskOutcome,
        *,
        advance: bool = False,
        answered: TaskOutcome | None = None,
    ) -> None:
        await asyncio.to_thread(
            self.put_outcome,
            thread_id,
            ns,
            checkpoint_id,
            outcome,
            advance=advance,
            answered=answered,
        )

    async def aget(
        self,
        thread_id: ThreadId,
        ns: Namespace = ROOT_NS,
        checkpoint_id: CheckpointId | None = None,
    ) -> CheckpointRecord | None:
        return await asyncio.to_thread(self.get, thread_id, ns, checkpoint_id)


def task_id(checkpoint_id: str, ns: str, name: str, send_index: int | None = None) -> str:
    """Deterministic: resuming from the same checkpoint gives the same task the same id (and
    a stored plan whose id is this one need not store it)."""
    return _derived_task_id(checkpoint_id, ns, name, send_index)


@functools.lru_cache(maxsize=1024)
def _derived_task_id(checkpoint_id: str, ns: str, name: str, send_index: int | None) -> str:
    """Cached with every argument positional (one cache key whichever way ``task_id`` was
    called): a step's ids are derived again when its plans are stored and read back, and
    hashing costs more than the lookup."""
    key = (
        f"{checkpoint_id}|{ns}|{name}"
        if send_index is None
        else f"{checkpoint_id}|{ns}|{name}|send:{send_index}"
    )
    try:
        data = key.encode()
    except UnicodeEncodeError:  # a lone surrogate in a name: hashed as it always was
        data = key.encode("utf-8", "surrogatepass")
    return _uuid_text(hashlib.blake2b(data, digest_size=16).digest())


def parent_cycle(thread_id: str, start: str | None, repeated: str) -> Exception:
    """The error for a parent chain that comes back to a checkpoint it passed (tampered or
    corrupt storage): walking it would never end."""
    return DeserializationError(
        f"checkpoint {start!r} (thread {thread_id!r}) is unreadable: its parent chain loops "
        f"back to checkpoint {repeated!r} (the stored parent ids are corrupt)"
    )
