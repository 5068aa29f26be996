"""LangGraph's saver API (``get_tuple``, ``list(config)``, ``put_writes``...) over our savers.

Code written for LangGraph reads a checkpointer with configs and gets ``CheckpointTuple``s:
``saver.list(config, filter=, before=, limit=)``, ``saver.get_tuple(config)``,
``saver.get(config)`` (the checkpoint dict), their async twins, and writes a task's pending
writes with ``saver.put_writes(config, writes, task_id)``. ``LangGraphSaverAPI`` translates
those calls to our record API, which the engine keeps using: ``get``/``list``/``aget`` given
a config dict answer LangGraph's way, given a thread id ours.

A checkpoint dict carries ``v``, ``id``, ``ts``, ``channel_values``, ``channel_versions``,
``versions_seen`` and ``updated_channels``; we store no channel versions, so ``channel_book``
derives them on read from the namespace's checkpoints. Pending
writes are a task outcome seen as LangGraph's ``(task_id, channel, value)`` triples: its
writes, then ``__error__``, ``__interrupt__`` and ``__resume__`` entries.
"""

from __future__ import annotations

import asyncio
import builtins
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from itertools import islice
from typing import Any, NamedTuple

from ..constants import ERROR, INTERRUPT, RESUME, ROOT
from ..types import Interrupt
from .base import CheckpointRecord, InterruptRecord, Namespace, TaskOutcome, ThreadId
from .channel_book import ChannelBook, channel_books

__all__ = ["CheckpointTuple", "LangGraphSaverAPI", "pending_writes", "to_tuple"]

#: Version of LangGraph's checkpoint format the dicts mirror.
CHECKPOINT_VERSION = 4


class CheckpointTuple(NamedTuple):
    """A checkpoint as LangGraph's savers return it."""

    #: ``{"configurable": {"thread_id", "checkpoint_ns", "checkpoint_id"}}`` of the checkpoint.
    config: dict
    #: ``{"v", "id", "ts", "channel_values", "channel_versions", "versions_seen",
    #: "updated_channels"}``.
    checkpoint: dict
    #: ``{"source", "step", "parents", ...the run's metadata}``.
    metadata: dict
    #: The parent checkpoint's config, None for a thread's first checkpoint.
    parent_config: dict | None = None
    #: ``(task_id, channel, value)`` written by tasks of the next step so far.
    pending_writes: list[tuple[str, str, Any]] | None = None


def _config(thread_id: str, ns: str, checkpoint_id: str) -> dict:
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": ns,
            "checkpoint_id": checkpoint_id,
        }
    }


def _coordinates(config: Any, what: str) -> tuple[str, str | None, str | None]:
    """``(thread_id, checkpoint_ns or None, checkpoint_id or None)`` of a LangGraph config."""
    conf = config.get("configurable") if isinstance(config, Mapping) else None
    if not isinstance(conf, Mapping) or conf.get("thread_id") is None:
        raise ValueError(
            f'{what} needs a config naming a thread: {{"configurable": {{"thread_id": "..."}}}}, '
            f"not {config!r}"
        )
    ns = conf.get("checkpoint_ns")
    checkpoint_id = conf.get("checkpoint_id")
    return str(conf["thread_id"]), ns, checkpoint_id or None


def _before_id(config: Any) -> str | None:
    """The ``checkpoint_id`` of a ``before=`` config (no thread needed)."""
    conf = config.get("configurable") if isinstance(config, Mapping) else None
    if not isinstance(conf, Mapping):
        raise ValueError(
            f'before= takes a config {{"configurable": {{"checkpoint_id": "..."}}}}, not {config!r}'
        )
    return conf.get("checkpoint_id") or None


def pending_writes(record: CheckpointRecord) -> list[tuple[str, str, Any]]:
    """The record's task outcomes as LangGraph's pending writes."""
    found: list[tuple[str, str, Any]] = []
    for outcome in record.outcomes.values():
        tid = outcome.task_id
        found.extend((tid, channel, value) for channel, value in outcome.writes or ())
        if outcome.error is not None:
            found.append((tid, ERROR, outcome.error))
        if outcome.interrupts:
            found.append(
                (
                    tid,
                    INTERRUPT,
                    [
                        Interrupt(r.value, r.id, response_schema=r.response_schema, ns=r.ns)
                        for r in outcome.interrupts
                    ],
                )
            )
        if outcome.answers:
            found.append((tid, RESUME, list(outcome.answers)))
    return found


def to_tuple(record: CheckpointRecord, book: ChannelBook) -> CheckpointTuple:
    """A record as LangGraph's ``CheckpointTuple``, with its channel bookkeeping ``book``."""
    values = {k: v for k, v in record.values.items() if k == ROOT or not k.startswith("__")}
    return CheckpointTuple(
        config=_config(record.thread_id, record.ns, record.id),
        checkpoint={
            "v": CHECKPOINT_VERSION,
            "id": record.id,
            "ts": record.created_at,
            "versions_seen": book.seen,
            "channel_versions": book.versions,
            "channel_values": book.channel_values(record, values),
            "updated_channels": book.updated,
        },
        metadata={"source": record.source, "step": record.step, "parents": {}, **record.metadata},
        parent_config=(
            _config(record.thread_id, record.ns, record.parent_id) if record.parent_id else None
        ),
        pending_writes=[*pending_writes(record), *book.start_writes]
        if book.start_writes
        else pending_writes(record),
    )


class LangGraphSaverAPI:
    """Mixin for ``DeltaSaver`` subclasses: put it first among the bases, so that ``get``,
    ``list`` and ``aget`` given a config answer as LangGraph's savers do."""

    # -- reading -------------------------------------------------------------------------

    def get_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        """The checkpoint ``config`` names (the thread's latest in ``checkpoint_ns`` without
        a ``checkpoint_id``), or None."""
        thread_id, ns, checkpoint_id = _coordinates(config, "get_tuple")
        record = super().get(thread_id, ns or "", checkpoint_id)  # type: ignore[misc]
        if record is None:
            return None
        return to_tuple(record, self._book(record, None))

    def _book(self, record: CheckpointRecord, books: dict[str, ChannelBook] | None) -> ChannelBook:
        """``record``'s channel bookkeeping (see ``channel_book``), from ``books`` when they
        know it; otherwise ``books`` are refreshed from the namespace's checkpoints (the
        record itself included, should it have been deleted since it was read)."""
        found = books.get(record.id) if books is not None else None
        if found is not None:
            return found
        listed = super().list(record.thread_id, record.ns, shared=True)  # type: ignore[misc]
        fresh = channel_books([record, *(r for r in listed if r.id != record.id)])
        if books is not None:
            books.update(fresh)
        return fresh[record.id]

    def get(
        self,
        thread_id: Any,
        ns: str = "",
        checkpoint_id: str | None = None,
        *,
        shared: bool = False,
    ) -> Any:
        """Ours: ``get(thread_id, ns, checkpoint_id, shared=)`` -> ``CheckpointRecord``.
        LangGraph's: ``get(config)`` -> the checkpoint dict (see ``get_tuple``)."""
        if isinstance(thread_id, Mapping):
            found = self.get_tuple(thread_id)
            return None if found is None else found.checkpoint
        return super().get(thread_id, ns, checkpoint_id, shared=shared)  # type: ignore[misc]

    def list(
        self,
        thread_id: Any,
        ns: str = "",
        *,
        before: Any = None,
        limit: int | None = None,
        filter: Mapping[str, Any] | None = None,
        shared: bool = False,
    ) -> Iterator[Any]:
        """Ours: ``list(thread_id, ns, ...)`` -> records of one namespace. LangGraph's:
        ``list(config or None, filter=, before=config, limit=)`` -> ``CheckpointTuple``s,
        newest first, of every namespace of the thread unless the config names one (every
        thread for ``None``)."""
        if thread_id is not None and not isinstance(thread_id, Mapping):
            return super().list(  # type: ignore[misc]
                thread_id, ns, before=before, limit=limit, filter=filter, shared=shared
            )
        if before is not None:
            before = _before_id(before)
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise ValueError(f"limit must be a non-negative int, not {limit!r}")
        tuples = self._tuples(thread_id, before, filter)
        return tuples if limit is None else islice(tuples, limit)

    def _tuples(
        self, config: Mapping[str, Any] | None, before: str | None, filter: Any
    ) -> Iterator[CheckpointTuple]:
        if config is None:
            threads = [info.thread_id for info in self.list_threads()]  # type: ignore[attr-defined]
            only_ns, only_id = None, None
        else:
            thread, only_ns, only_id = _coordinates(config, "list")
            threads = [thread]
        for thread in threads:
            spaces = self.namespaces(thread) if only_ns is None else [only_ns]
            for ns in spaces:
                records = super().list(thread, ns, before=before, filter=filter)  # type: ignore[misc]
                books: dict[str, ChannelBook] = {}
                for record in records:
                    if only_id is None or record.id == only_id:
                        yield to_tuple(record, self._book(record, books))

    def namespaces(self, thread_id: ThreadId) -> builtins.list[Namespace]:
        """The namespaces a thread has checkpoints in (``""``, the root graph, first)."""
        with self._reading() as tx:  # type: ignore[attr-defined]
            return tx.namespaces(thread_id)

    async def aget_tuple(self, config: Mapping[str, Any]) -> CheckpointTuple | None:
        return await asyncio.to_thread(self.get_tuple, config)

    async def aget(self, thread_id: Any, ns: str = "", checkpoint_id: str | None = None) -> Any:
        return await asyncio.to_thread(self.get, thread_id, ns, checkpoint_id)

    async def alist(
        self,
        config: Mapping[str, Any] | None,
        *,
        filter: Mapping[str, Any] | None = None,
        before: Any = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        """``list(config, ...)`` for ``async for``; the listing is read in a worker thread."""
        found = await asyncio.to_thread(
            lambda: [*self.list(config, filter=filter, before=before, limit=limit)]
        )
        for item in found:
            yield item

    # -- writing -------------------------------------------------------------------------

    def put_writes(
        self,
        config: Mapping[str, Any],
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        """Record ``(channel, value)`` writes of task ``task_id`` of the next step of the
        checkpoint ``config`` names: state writes finish the task; ``__error__`` sets its
        error, ``__resume__`` adds answers, and ``__interrupt__`` (``Interrupt`` objects)
        replaces its unanswered questions, as LangGraph keeps one such write per task."""
        thread_id, ns, checkpoint_id = _coordinates(config, "put_writes")
        ns = ns or ""
        if checkpoint_id is None:
            raise ValueError(f"put_writes needs a config with a checkpoint_id, not {config!r}")
        record = super().get(thread_id, ns, checkpoint_id)  # type: ignore[misc]
        if record is None:
            raise KeyError(
                f"checkpoint {checkpoint_id!r} (thread {thread_id!r}) does not exist: "
                f"cannot record writes of task {task_id!r}"
            )
        outcome = record.outcomes.get(task_id)
        if outcome is None:
            name = next((plan.name for plan in record.next if plan.id == task_id), None)
            if name is None:
                known = ", ".join(f"{p.id} ({p.name})" for p in record.next) or "none"
                raise ValueError(
                    f"task {task_id!r} is not a task of checkpoint {checkpoint_id!r}'s next "
                    f"step (its tasks: {known})"
                )
            outcome = TaskOutcome(task_id=task_id, name=name)
        _apply_writes(outcome, writes, Namespace(ns))
        self.put_outcome(thread_id, ns, checkpoint_id, outcome)  # type: ignore[attr-defined]

    async def aput_writes(
        self,
        config: Mapping[str, Any],
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await asyncio.to_thread(self.put_writes, config, writes, task_id, task_path)


def _apply_writes(outcome: TaskOutcome, writes: Sequence[tuple[str, Any]], ns: Namespace) -> None:
    """Fold LangGraph-style writes into ``outcome`` (checked first: nothing changes on error)."""
    pairs = []
    for item in writes:
        if not (isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str)):
            raise ValueError(f"a pending write is a (channel, value) pair, not {item!r}")
        pairs.append((item[0], item[1]))
    for channel, value in pairs:
        if channel == INTERRUPT:
            items = value if isinstance(value, (tuple, list)) else (value,)
            for found in items:
                if not hasattr(found, "value") or not isinstance(getattr(found, "id", None), str):
                    raise ValueError(f"an {INTERRUPT} write holds Interrupt objects, not {found!r}")
    for channel, value in pairs:
        if channel == ERROR:
            outcome.error = value if isinstance(value, str) else f"{type(value).__name__}: {value}"
        elif channel == RESUME:
            outcome.answers.extend(value if isinstance(value, list) else [value])
        elif channel == INTERRUPT:  # the task's questions now (LangGraph keeps one such write)
            asked = len(outcome.answers)
            outcome.interrupts = [
                r for r in outcome.interrupts if r.ns != ns or r.index < asked
            ] + [
                InterruptRecord(
                    id=found.id,
                    value=found.value,
                    index=asked + i,
                    ns=ns,
                    response_schema=getattr(found, "response_schema", None),
                )
                for i, found in enumerate(value if isinstance(value, (tuple, list)) else (value,))
            ]
        else:
            outcome.writes = [*(outcome.writes or []), (channel, value)]
