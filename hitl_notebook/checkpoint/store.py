"""The delta-storage saver, written once against a small transactional row store.

``DeltaSaver`` implements ``BaseCheckpointSaver`` (put/get/list/outcomes/housekeeping) in
terms of ``Tx``: a handful of row operations that the memory, SQLite and PostgreSQL
backends each provide inside their own read and write transactions. Everything that
decides *what* is stored (deltas, snapshots, pruning, filters, copies) lives here.
"""

from __future__ import annotations

import builtins
import functools
import re
import threading
from abc import abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from typing import Any, Protocol, cast

from ..errors import ConcurrentUpdateError
from . import bounds, frames
from .base import (
    ROOT_NS,
    BaseCheckpointSaver,
    Change,
    CheckpointId,
    CheckpointRecord,
    CheckpointSource,
    Namespace,
    TaskOutcome,
    ThreadId,
    ThreadInfo,
)
from .codec import (
    CheckpointLocation,
    dump,
    dump_metadata,
    dump_outcome,
    dump_plans,
    load,
    load_metadata,
    load_outcome,
    load_plans,
)
from .copying import fresh_copy
from .deferred import DeferredValues
from .delta import (
    COUNT_FROM,
    MAX_CHAIN,
    SECTION_COST,
    VALUE_TAGS,
    Chain,
    ValuesBuilder,
    ValuesCache,
    Written,
    encode_changes,
    encode_values,
    next_chain,
    with_changes,
)
from .serde import DeserializationError, SerializationError
from .write_refs import join_writes, split_writes

__all__ = ["DeltaSaver", "OutcomeRow", "Row", "Tx", "row_matches", "validate_filter"]

#: The step's writes (schema 2: references to its values, if any, in the section's name)...
WRITES = b"W"
#: ...or, since schema 3, ``[references, writes]`` when some entries refer to the values.
REFERRING_WRITES = b"X"
NEXT = b"N"
_RECORD_TAGS = frozenset({WRITES, REFERRING_WRITES, NEXT})

#: Parent rows fetched per query while looking for a cached ancestor or a snapshot.
CHAIN_PAGE = 32
#: While replaying a chain, cache every this-many checkpoints' values.
CACHE_EVERY = 16
#: A listing materialises the values of this many rows at a time (memory stays bounded)...
LIST_BATCH = 64
#: ...starting with this many, so that the first record comes quickly.
FIRST_BATCH = 8

_FILTER_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
#: Filter keys that are columns rather than run metadata.
COLUMN_KEYS = ("source", "step")


@dataclass(slots=True)
class Row:
    """A stored checkpoint exactly as a backend keeps it."""

    thread_id: ThreadId
    ns: Namespace
    id: CheckpointId
    parent_id: CheckpointId | None
    step: int
    source: CheckpointSource
    created_at: str
    #: JSON text of the run metadata.
    metadata: str
    chain: Chain
    #: Framed sections (``frames``); empty when a backend was asked for the header only.
    data: bytes


@dataclass(slots=True)
class OutcomeRow:
    """A stored task outcome."""

    task_id: str
    #: True while the task waits on an unanswered interrupt (pruning keeps its checkpoint).
    interrupted: bool
    data: bytes
    #: ``_answers_mark`` of the outcome, kept by the writer that encoded it (not stored: a
    #: row read back from a database has None), so comparing answers need not decode it.
    mark: tuple[int, frozenset[str], bool] | None = None


class Tx(Protocol):
    """Row operations a backend offers inside one transaction (all scoped to a thread)."""

    def row(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        checkpoint_id: CheckpointId,
        *,
        with_data: bool = True,
    ) -> Row | None: ...

    def latest(self, thread_id: ThreadId, ns: Namespace) -> Row | None: ...

    def head(self, thread_id: ThreadId, ns: Namespace) -> CheckpointId | None:
        """The id of the namespace's latest checkpoint (None when it has none)."""

    def chain(
        self, thread_id: ThreadId, ns: Namespace, checkpoint_id: CheckpointId, limit: int
    ) -> list[Row]:
        """The checkpoint, its parent, ... up to and including the first snapshot (newest
        first), at most ``limit`` rows; shorter when a link is missing."""

    def children(
        self, thread_id: ThreadId, ns: Namespace, parent_id: CheckpointId
    ) -> list[CheckpointId]:
        """Ids of the checkpoints whose parent is ``parent_id``, newest first."""

    def rows(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        before: CheckpointId | None,
        filter: Mapping[str, Any],
        limit: int | None,
    ) -> list[Row]:
        """Candidates, newest first. A backend may narrow by ``filter`` and must apply
        ``limit`` only when it matched every filter item exactly."""

    def outcomes(
        self, thread_id: ThreadId, ns: Namespace, low: CheckpointId, high: CheckpointId
    ) -> dict[CheckpointId, list[OutcomeRow]]:
        """Outcomes of checkpoints with ids in ``[low, high]``, in first-insertion order."""

    def insert(self, row: Row, outcomes: list[OutcomeRow]) -> None: ...

    def upsert_outcome(
        self, thread_id: ThreadId, ns: Namespace, checkpoint_id: CheckpointId, outcome: OutcomeRow
    ) -> None: ...

    def threads(self) -> list[ThreadInfo]: ...

    def namespaces(self, thread_id: ThreadId) -> list[Namespace]:
        """The namespaces the thread has checkpoints in, sorted (``""`` first)."""

    def delete_thread(self, thread_id: ThreadId) -> None: ...

    def rewrite(self, row: Row) -> None:
        """Replace a stored row's parent, chain and data (same key)."""

    def delete(self, thread_id: ThreadId, ns: Namespace, ids: list[CheckpointId]) -> None:
        """Remove checkpoints and their outcomes."""


def validate_filter(filter: Mapping[str, Any] | None) -> dict[str, Any]:
    """The filter as a dict; a key that could not be a metadata name is a ``ValueError``."""
    if filter is None:
        return {}
    for key, value in filter.items():
        if isinstance(value, str) and ("\x00" in value or not value.isascii()):
            try:
                dump_metadata({"value": value}, "a metadata filter")
            except SerializationError as exc:
                raise ValueError(
                    f"metadata filter value for {key!r} can match nothing: {exc}"
                ) from None
        if not isinstance(key, str) or not _FILTER_KEY.fullmatch(key):
            raise ValueError(
                f"metadata filter key {key!r} is not allowed: use 'source', 'step' or a run "
                "metadata key made of letters, digits and '_' (at most 64, not starting with a digit)"
            )
    return dict(filter)


#: Longest thread id, namespace, checkpoint id or task id, in UTF-8 bytes: the four share
#: one PostgreSQL index entry, which must stay under its ~2.7 KB limit on every backend.
MAX_KEY_BYTES = {"thread_id": 1024, "ns": 1024, "checkpoint id": 128, "parent id": 128}
_DEFAULT_KEY_BYTES = 256
#: A plain ASCII key no longer than this is within every limit above.
_WITHIN_EVERY_LIMIT = min(*MAX_KEY_BYTES.values(), _DEFAULT_KEY_BYTES)


def _check_key(name: str, value: Any, *, optional: bool = False) -> None:
    if (
        type(value) is str
        and len(value) <= _WITHIN_EVERY_LIMIT
        and value.isascii()
        and "\x00" not in value
    ):
        return  # within every limit (the usual key: checked on every write)
    if value is None and optional:
        return
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {type(value).__name__}")
    if "\x00" in value:
        raise ValueError(f"{name} must not contain NUL characters: {_clip(value)!r}")
    try:
        size = len(value.encode("utf-8"))
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"{name} must be valid Unicode: {exc.reason} at index {exc.start} of {_clip(value)!r}"
        ) from None
    limit = MAX_KEY_BYTES.get(name, _DEFAULT_KEY_BYTES)
    if size > limit:
        raise ValueError(
            f"{name} is {size} bytes long (UTF-8); at most {limit} are allowed: {_clip(value)!r}"
        )


def _clip(value: str) -> str:
    return value if len(value) <= 80 else value[:77] + "..."


def _check_ids(
    thread_id: Any, ns: Any, checkpoint_id: Any, parent_id: Any, *, optional: bool = False
) -> None:
    """``_check_key`` for a checkpoint's coordinates at once (every read and write checks
    them); ``optional``: the checkpoint id may be None (the thread's latest)."""
    if (
        type(thread_id) is str
        and type(ns) is str
        and (type(checkpoint_id) is str or (optional and checkpoint_id is None))
        and (parent_id is None or type(parent_id) is str)
        and len(thread_id) <= 1024
        and len(ns) <= 1024
        and len(checkpoint_id or "") <= 128
        and (parent_id is None or len(parent_id) <= 128)
        and (joined := f"{thread_id}{ns}{checkpoint_id or ''}{parent_id or ''}").isascii()
        and "\x00" not in joined
    ):
        return
    _check_key("thread_id", thread_id)
    _check_key("ns", ns)
    _check_key("checkpoint id", checkpoint_id, optional=optional)
    _check_key("parent id", parent_id, optional=True)


_MISSING = object()


class DeltaSaver(BaseCheckpointSaver):
    """Delta storage with snapshots (see ``delta``) over a backend's transactions.

    Reads go through an LRU cache of materialised values (``cache_size`` checkpoints), so
    a sequential run reads the checkpoint it just wrote without touching its history.
    """

    def __init__(self, *, cache_size: int = 256) -> None:
        self._cache = ValuesCache(cache_size)

    def clear_cache(self) -> None:
        """Forget cached values (frees their memory; the next reads decode from storage)."""
        self._cache.clear()

    @abstractmethod
    def _reading(self) -> AbstractContextManager[Tx]:
        """A transaction that sees one consistent state of the store."""

    @abstractmethod
    def _writing(self, thread_id: ThreadId) -> AbstractContextManager[Tx]:
        """A transaction that excludes other writers of ``thread_id`` and commits atomically."""

    # -- writing -------------------------------------------------------------------------

    def put(
        self, record: CheckpointRecord, changes: Mapping[str, Change], *, advance: bool = False
    ) -> None:
        self.put_step(record, changes, advance=advance)

    def put_step(
        self,
        record: CheckpointRecord,
        changes: Mapping[str, Change],
        closed: Sequence[TaskOutcome] = (),
        *,
        advance: bool = False,
    ) -> None:
        """``put`` with the parent's ``closed`` task outcomes, in one transaction."""
        thread_id, ns, cid, parent_id = record.thread_id, record.ns, record.id, record.parent_id
        _check_ids(thread_id, ns, cid, parent_id)
        where = CheckpointLocation(thread_id, ns, cid)
        closing: list[OutcomeRow] = []
        if closed:
            if parent_id is None:
                raise ValueError(
                    f"{where}: closed task outcomes belong to a parent, and it has none"
                )
            for outcome in closed:
                _check_key("task id", outcome.task_id)
            at = CheckpointLocation(thread_id, ns, parent_id)
            closing = [_outcome_row(o, at) for o in closed]
        if parent_id is None:
            changes = {}
        elif not changes.keys() <= record.values.keys():
            unknown = [k for k in changes if k not in record.values]
            if unknown:
                raise ValueError(
                    f"{where}: changes name channels missing from its values: {sorted(unknown)}"
                )
        delta, delta_cost, delta_values, appended = encode_changes(changes, where)
        shown, refs = split_writes(record.writes, changes)
        writes = b"null" if shown is None else dump(shown, "writes", where)
        plans = dump_plans(record.next, where)
        if refs:  # ``[refs, writes]``: serde writes lists as plain JSON arrays
            writes = b"[" + dump(refs, "writes", where) + b"," + writes + b"]"
        tag = REFERRING_WRITES if refs else WRITES
        tail = frames.pack_unnamed(tag, writes, NEXT, plans)
        tail_size = len(writes) + len(plans)
        tail_values = (  # a bound, as ``encode_changes`` counts small sections
            tail_size + 2 if tail_size <= COUNT_FROM else _json_values(writes) + _json_values(plans)
        )
        metadata = dump_metadata(record.metadata, where)
        outcomes = (
            [_outcome_row(o, where) for o in record.outcomes.values()] if record.outcomes else []
        )

        with self._writing(thread_id) as tx:
            if advance and tx.head(thread_id, ns) != parent_id:
                _compare_head(tx, thread_id, ns, parent_id, cid)
            if tx.row(thread_id, ns, cid, with_data=False) is not None:
                raise ValueError(f"{where} already exists: checkpoints are never overwritten")
            parent = (
                None if parent_id is None else tx.row(thread_id, ns, parent_id, with_data=False)
            )
            if closed and parent is None:
                raise KeyError(
                    f"{where}: its parent {parent_id!r} does not exist, so the "
                    "outcomes of its tasks cannot be recorded"
                )
            chain = next_chain(parent.chain if parent else None, delta_cost, appended)
            if chain is None:  # snapshot (amortised: see ``delta``)
                body, cost, values = encode_values(record.values, where)
                chain = Chain(True, 0, 0, cost)
            else:
                body, cost, values = delta, delta_cost, delta_values
            size = cost - SECTION_COST * len(body) + tail_size
            values += tail_values
            if values > bounds.MAX_VALUES:  # maybe an overcount: count every section exactly
                values = (
                    encode_values(record.values, where, exact=True)[2]
                    if chain.is_snapshot
                    else encode_changes(changes, where, exact=True)[2]
                ) + (_json_values(writes) + _json_values(plans))
            if size > bounds.MAX_RECORD_BYTES or values > bounds.MAX_VALUES:
                _check_readable(size, values, where)
            row = Row(
                thread_id,
                ns,
                cid,
                parent_id,
                record.step,
                record.source,
                record.created_at,
                metadata,
                chain,
                frames.join([*body, tail]),
            )
            if closing and parent is not None:  # last: the in-memory store has no rollback
                for stored in closing:
                    tx.upsert_outcome(thread_id, ns, parent.id, stored)
            tx.insert(row, outcomes)
        self._remember(row, parent, changes, record.values, (tag, writes, plans))

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
        _check_ids(thread_id, ns, checkpoint_id, None)
        _check_key("task id", outcome.task_id)
        where = CheckpointLocation(thread_id, ns, checkpoint_id)
        stored = _outcome_row(outcome, where)
        with self._writing(thread_id) as tx:
            if tx.row(thread_id, ns, checkpoint_id, with_data=False) is None:
                raise KeyError(
                    f"{where} does not exist: cannot record the outcome of task {outcome.task_id!r}"
                )
            if advance and tx.head(thread_id, ns) != checkpoint_id:
                _compare_head(tx, thread_id, ns, checkpoint_id, None)
            if answered is not None:
                self._compare_answers(tx, where, outcome.task_id, answered)
            tx.upsert_outcome(thread_id, ns, checkpoint_id, stored)

    def _compare_answers(
        self, tx: Tx, where: CheckpointLocation, task_id: str, answered: TaskOutcome | None
    ) -> None:
        """Refuse an answer when the task's stored answers are not the ones the caller read
        (another writer answered the same question meanwhile)."""
        cid = CheckpointId(where.checkpoint_id)
        outs = tx.outcomes(ThreadId(where.thread_id), Namespace(where.ns), cid, cid)
        row = None
        for stored in outs.get(cid, ()):
            if stored.task_id == task_id:
                row = stored
                break
        if row is None:
            current = _answers_mark(None)
        elif row.mark is not None:
            current = row.mark
        else:
            current = _answers_mark(load_outcome(row.data, task_id, where))
        if current != _answers_mark(answered):
            raise ConcurrentUpdateError(
                f"Thread {where.thread_id!r} moved on: the question of task {task_id!r} at checkpoint "
                f"{where.checkpoint_id!r} was answered by another writer meanwhile; nothing was "
                "written. Refresh the thread's state (get_state) and decide again.",
                thread_id=where.thread_id,
                expected=where.checkpoint_id,
                actual=where.checkpoint_id,
            )

    def _remember(
        self,
        row: Row,
        parent: Row | None,
        changes: Mapping[str, Change],
        values: Mapping[str, Any],
        written: Written,
    ) -> None:
        """Cache the new checkpoint's values when that costs O(what changed), from what the
        engine passed (copied), not by decoding what was just encoded; with its ``written``
        record sections, so that reading it back need not inflate them again.

        A step of a run (source "loop") moves its parent's entry to itself: the run reads
        the checkpoint it just wrote, not the one before, and keeping both would hold a copy
        of a growing list per step (memory and garbage-collector work); reading the parent
        again replays a few deltas. An edit or a fork keeps its parent cached, since it is
        often forked or compared again.
        """
        if parent is None:
            base = None
        else:  # (``_key`` inlined: once per step)
            key = (parent.thread_id, parent.ns, parent.id, parent.created_at)
            base = self._cache.pop(key) if row.source == "loop" else self._cache.get(key)
        if base is not None:  # a snapshot too: how it is stored does not change its values
            cached = with_changes(base, changes)
        elif row.chain.is_snapshot:
            cached = {k: fresh_copy(v) for k, v in values.items()}
        else:
            return
        self._cache.put((row.thread_id, row.ns, row.id, row.created_at), cached, written)

    # -- reading -------------------------------------------------------------------------

    def get(
        self,
        thread_id: ThreadId,
        ns: Namespace = ROOT_NS,
        checkpoint_id: CheckpointId | None = None,
        *,
        shared: bool = False,
    ) -> CheckpointRecord | None:
        _check_ids(thread_id, ns, checkpoint_id, None, optional=True)
        with self._reading() as tx:
            if checkpoint_id is None:
                row = tx.latest(thread_id, ns)
            else:
                row = tx.row(thread_id, ns, checkpoint_id)
            if row is None:
                return None
            outcomes = tx.outcomes(thread_id, ns, row.id, row.id).get(row.id, [])
            values = None if shared else self._values(tx, row)
            if values is None and not shared:  # deleted since the row was read
                return None
        if shared:  # decoded on first use (a cached checkpoint's values are ready)
            # Outside the read transaction: writes stored as references to the values
            # (``write_refs``) load them, which opens a transaction of its own.
            ready = self._cache.get(_key(row))
            deferred = (
                ready
                if ready is not None
                else DeferredValues(functools.partial(self._values_or_fail, row))
            )
            return self._record(row, deferred, outcomes, copy=False)
        assert values is not None
        return self._record(row, values, outcomes)

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
        _check_key("thread_id", thread_id)
        _check_key("ns", ns)
        _check_key("before", before, optional=True)
        wanted = validate_filter(filter)
        if limit is not None and (not isinstance(limit, int) or limit < 0):
            raise ValueError(f"limit must be a non-negative int, not {limit!r}")
        return self._iter_list(thread_id, ns, before, limit, wanted, not shared)

    def _iter_list(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        before: CheckpointId | None,
        limit: int | None,
        wanted: dict[str, Any],
        copy: bool,
    ) -> Iterator[CheckpointRecord]:
        if limit == 0:
            return
        with self._reading() as tx:
            rows = [
                r for r in tx.rows(thread_id, ns, before, wanted, limit) if row_matches(r, wanted)
            ]
            rows = rows[:limit] if limit is not None else rows
            outcomes = tx.outcomes(thread_id, ns, rows[-1].id, rows[0].id) if rows else {}
        if not copy:  # a shared listing decodes values only for the records that use them
            deferred = _ListingValues(self, rows)
            for row in rows:
                lazy = DeferredValues(functools.partial(deferred.values_of, row))
                yield self._record(row, lazy, outcomes.get(row.id, []), copy=False)
            return
        start, size = 0, FIRST_BATCH
        listed = {row.id for row in rows}
        #: Values (and sections) a walk replayed for older listed rows, kept for the batches
        #: that list them.
        replayed: dict[str, tuple[dict[str, Any], builtins.list[frames.Section]]] = {}
        while start < len(rows):
            batch = rows[start : start + size]
            start, size = start + size, min(2 * size, LIST_BATCH)
            ready = self._batch_values(batch, listed, replayed)
            for row in batch:
                values, sections = ready.pop(row.id, (None, None))
                if values is None:  # it vanished, or it fails: read it alone to say why, in order
                    values = self._read_values(row)
                    if values is None:
                        continue
                yield self._record(row, values, outcomes.get(row.id, []), sections)

    def _batch_values(
        self,
        rows: builtins.list[Row],
        listed: set[CheckpointId],
        replayed: dict[str, tuple[dict[str, Any], builtins.list[frames.Section]]],
    ) -> dict[str, tuple[dict[str, Any], builtins.list[frames.Section] | None]]:
        """Values of listed ``rows`` by id, with the row's sections when they were decoded.

        Oldest first, a snapshot, or a row whose parent is in the batch, applies its own
        sections (to the parent's values), so a listing decodes each delta once instead of
        replaying a chain per row (and caches nothing: a long listing must not evict the
        threads being worked on). Any other row is walked back to a snapshot or a cached
        ancestor; the values that walk replays for older ``listed`` rows go to ``replayed``,
        where the next batches find them. A row that fails to read is left out for the
        caller to read alone, so that errors surface in listing order.
        """
        ready: dict[str, tuple[dict[str, Any], builtins.list[frames.Section] | None]] = {}
        for row in reversed(rows):
            values: dict[str, Any] | None = None
            sections: builtins.list[frames.Section] | None = None
            snapshot = row.chain.is_snapshot
            parent = None if snapshot or row.parent_id is None else ready.get(row.parent_id)
            try:
                if row.id in replayed:
                    values, sections = replayed.pop(row.id)
                elif snapshot or parent is not None:
                    sections = frames.decode_sections(row.data)
                    builder = ValuesBuilder(parent[0] if parent else None)
                    where = CheckpointLocation(row.thread_id, row.ns, row.id)
                    builder.apply(
                        [s for s in sections if s.tag in VALUE_TAGS], where, snapshot=snapshot
                    )
                    values = builder.share()
                else:
                    with self._reading() as tx:
                        walk = self._replay(
                            tx, row, lambda link: link.id in listed and link.id not in ready
                        )
                    values, sections = (
                        walk.pop(row.id, (None, None)) if walk is not None else (None, None)
                    )
                    replayed.update(walk or {})
            except (frames.FrameError, DeserializationError):
                continue
            if values is not None:
                ready[row.id] = (values, sections)
        return ready

    def _values_or_fail(self, row: Row) -> dict[str, Any]:
        """``_read_values`` for a checkpoint read earlier: gone now is an error."""
        values = self._read_values(row)
        if values is None:
            raise DeserializationError(
                f"{CheckpointLocation(row.thread_id, row.ns, row.id)} was deleted after it was read"
            )
        return values

    def _read_values(self, row: Row) -> dict[str, Any] | None:
        """``_values`` in a transaction of its own (a listing holds none between records)."""
        with self._reading() as tx:
            return self._values(tx, row)

    def _values(self, tx: Tx, row: Row) -> dict[str, Any] | None:
        """The checkpoint's (private, cached) values; None if it vanished meanwhile.

        Replays its chain (see ``_replay``), caching every ``CACHE_EVERY``-th checkpoint on
        the way so that reading its ancestors next (as walking a branch back does) replays
        only a few deltas.
        """
        base = self._cache.get(_key(row))
        if base is not None:
            return base
        kept = self._replay(tx, row, lambda link: False, cache_every=CACHE_EVERY)
        return None if kept is None else kept[row.id][0]

    def _replay(
        self, tx: Tx, row: Row, keep: Callable[[Row], bool], *, cache_every: int = 0
    ) -> dict[str, tuple[dict[str, Any], builtins.list[frames.Section]]] | None:
        """Walk parents page by page from ``row`` to a cached ancestor or a snapshot, then
        replay the deltas forward. Returns the values and decoded sections of ``row`` and of
        every replayed link that ``keep`` selects, by id (None if ``row`` vanished meanwhile);
        with ``cache_every``, also caches every that-many-th link and ``row``."""
        base = None
        links: builtins.list[Row] = []
        cid: CheckpointId | None = row.id
        while base is None and cid is not None:
            page = tx.chain(row.thread_id, row.ns, cid, CHAIN_PAGE)
            if not page:
                break
            for link in page:
                base = self._cache.get(_key(link)) if links else None
                if base is not None:
                    break
                links.append(link)
            if base is not None or links[-1].chain.is_snapshot:
                break
            if len(links) > MAX_CHAIN + 1:
                raise DeserializationError(
                    f"{CheckpointLocation(row.thread_id, row.ns, row.id)} is unreadable: its parent chain is longer "
                    f"than {MAX_CHAIN} (a cycle?)"
                )
            cid = links[-1].parent_id
        if not links:
            return None
        if base is None and not links[-1].chain.is_snapshot:
            raise DeserializationError(
                f"{CheckpointLocation(row.thread_id, row.ns, row.id)} is unreadable: "
                f"its ancestor {links[-1].parent_id!r} is missing"
            )
        builder = ValuesBuilder(base)
        kept: dict[str, tuple[dict[str, Any], builtins.list[frames.Section]]] = {}
        for n, link in enumerate(reversed(links), 1):
            last = n == len(links)
            where = CheckpointLocation(link.thread_id, link.ns, link.id, None if last else row.id)
            wanted = last or keep(link)
            try:  # a kept link's record sections are decoded once, here
                sections = frames.decode_sections(link.data, None if wanted else VALUE_TAGS)
            except frames.FrameError as exc:
                raise DeserializationError(f"{where} is unreadable: {exc}") from exc
            builder.apply(
                [s for s in sections if s.tag in VALUE_TAGS], where, snapshot=link.chain.is_snapshot
            )
            cached = cache_every and (last or n % cache_every == 0)
            if wanted or cached:
                values = builder.share()
                if cached:
                    self._cache.put(_key(link), values)
                if wanted:
                    kept[link.id] = (values, sections)
        return kept

    def _record(
        self,
        row: Row,
        values: Mapping[str, Any],
        outcomes: builtins.list[OutcomeRow],
        sections: builtins.list[frames.Section] | None = None,
        *,
        copy: bool = True,
    ) -> CheckpointRecord:
        """The record handed out (fresh objects, but for the values when ``copy`` is False);
        ``sections`` are the row's, when already decoded."""
        where = CheckpointLocation(row.thread_id, row.ns, row.id)
        written = None if sections is not None else self._cache.written(_key(row))
        if written is not None:  # this process wrote it a moment ago
            tag, data, plans = written
            writes, refs = _writes(tag, "", data, where)
        else:
            if sections is None:
                try:
                    sections = frames.decode_sections(row.data, _RECORD_TAGS)
                except frames.FrameError as exc:
                    raise DeserializationError(f"{where} is unreadable: {exc}") from exc
            parts = {s.tag: s for s in sections if s.tag in _RECORD_TAGS}
            if NEXT not in parts or len(parts) != 2:
                raise DeserializationError(
                    f"{where} is unreadable: its writes or next tasks are missing"
                )
            stored = parts.get(WRITES) or parts[REFERRING_WRITES]
            writes, refs = _writes(stored.tag, stored.name, stored.data, where)
            plans = parts[NEXT].data
        if refs and isinstance(values, DeferredValues):  # joined when first read, like them
            join = functools.partial(join_writes, writes, refs, values, where)
            writes = DeferredValues(join, tuple(writes) if type(writes) is dict else None)
        elif refs:  # entries stored once, in the values (see ``write_refs``)
            writes = join_writes(writes, refs, values, where)
        return CheckpointRecord(  # (positional: the fields' order, cheaper than keywords)
            row.thread_id,
            row.ns,
            row.id,
            row.parent_id,
            row.step,
            row.source,
            writes,
            # Uncopied (``shared``): the saver's dict, or a read-only DeferredValues.
            fresh_copy(values) if copy else cast(dict, values),
            load_plans(plans, where),
            row.created_at,
            load_metadata(row.metadata, where),
            {o.task_id: load_outcome(o.data, o.task_id, where) for o in outcomes},
        )

    def children(
        self, thread_id: ThreadId, ns: Namespace, parent_id: CheckpointId
    ) -> builtins.list[CheckpointId]:
        """Ids of the checkpoints made from ``parent_id`` (its next step, forks), newest
        first, without reading the thread's other checkpoints' data."""
        _check_key("thread_id", thread_id)
        _check_key("ns", ns)
        with self._reading() as tx:
            return tx.children(thread_id, ns, parent_id)

    def links(
        self, thread_id: ThreadId, ns: Namespace = ROOT_NS
    ) -> builtins.list[tuple[CheckpointId, CheckpointId | None]]:
        """``(id, parent id)`` of every checkpoint of a thread in ``ns``, newest first,
        without decoding any: what a timeline needs to lay a long thread's branches out."""
        _check_key("thread_id", thread_id)
        _check_key("ns", ns)
        with self._reading() as tx:
            return [(row.id, row.parent_id) for row in tx.rows(thread_id, ns, None, {}, None)]

    # -- housekeeping --------------------------------------------------------------------

    def list_threads(self) -> builtins.list[ThreadInfo]:
        """Every thread with a root-graph checkpoint, most recently updated first
        (``checkpoint_count`` counts the root graph's checkpoints)."""
        with self._reading() as tx:
            return tx.threads()

    def delete_thread(self, thread_id: ThreadId) -> None:
        _check_key("thread_id", thread_id)
        with self._writing(thread_id) as tx:
            tx.delete_thread(thread_id)
        self._cache.evict(thread_id)

    def prune(self, thread_id: ThreadId, keep_last: int, *, ns: Namespace = ROOT_NS) -> int:
        """Delete a thread's old checkpoints in ``ns``; return how many were removed.

        Kept: the ``keep_last`` newest, the last checkpoint of every branch (a checkpoint
        without children: where a run, a fork or a pending interrupt can continue), and
        every checkpoint with an interrupt still waiting for its answer (answered ones are
        not kept for that). A kept checkpoint whose parent is removed is re-linked to its
        nearest kept ancestor (None if there is none) and, if it was a delta, rewritten as
        a snapshot; every kept checkpoint reads back exactly as before.

        The rows are freed (and reused by later writes); ``vacuum()`` returns the space to
        the file system.
        """
        _check_key("thread_id", thread_id)
        _check_key("ns", ns)
        if not isinstance(keep_last, int) or keep_last < 0:
            raise ValueError(f"keep_last must be a non-negative int, not {keep_last!r}")
        with self._writing(thread_id) as tx:
            rows = tx.rows(thread_id, ns, None, {}, None)
            by_id = {r.id: r for r in rows}
            parents = {r.parent_id for r in rows}
            interrupted = {
                cid
                for cid, outs in (
                    tx.outcomes(thread_id, ns, rows[-1].id, rows[0].id) if rows else {}
                ).items()
                if any(self._still_waits(o, CheckpointLocation(thread_id, ns, cid)) for o in outs)
            }
            keep = (
                {r.id for r in rows[:keep_last]}
                | (set(by_id) - parents)
                | (interrupted & set(by_id))
            )
            removed = [cid for cid in by_id if cid not in keep]
            if not removed:
                return 0
            rewrites = []
            for cid in sorted(keep):
                row = by_id[cid]
                if row.parent_id not in by_id or row.parent_id in keep:
                    continue
                ancestor: CheckpointId | None = row.parent_id
                while ancestor in by_id and ancestor not in keep:
                    ancestor = by_id[ancestor].parent_id
                rewrites.append(self._resnapshot(tx, row, ancestor if ancestor in by_id else None))
            for row in rewrites:
                tx.rewrite(row)
            tx.delete(thread_id, ns, removed)
        self._cache.evict(thread_id, ns, removed)
        return len(removed)

    @staticmethod
    def _still_waits(outcome: OutcomeRow, where: CheckpointLocation) -> bool:
        """The stored flag, checked against the outcome itself: earlier releases flagged
        every task that ever asked a question, answered or not."""
        return outcome.interrupted and _waits(
            load_outcome(outcome.data, outcome.task_id, where), where.ns
        )

    def vacuum(self) -> None:
        """Give the space of deleted checkpoints back (``prune``/``delete_thread`` free rows,
        which a database reuses but does not return): a no-op in memory."""

    def _resnapshot(self, tx: Tx, row: Row, parent_id: CheckpointId | None) -> Row:
        """``row`` re-linked to ``parent_id``, as a snapshot when it was a delta."""
        if row.chain.is_snapshot:
            return replace(row, parent_id=parent_id)
        where = CheckpointLocation(row.thread_id, row.ns, row.id)
        values = self._values(tx, row)
        if values is None:  # cannot happen inside the pruning transaction that read it
            raise DeserializationError(f"{where} is unreadable: it vanished while pruning")
        body, cost, _ = encode_values(values, where)
        record_part = [
            frames.encode_section(s) for s in frames.decode_sections(row.data, _RECORD_TAGS)
        ]
        return replace(
            row,
            parent_id=parent_id,
            chain=Chain(True, 0, 0, cost),
            data=frames.join(body + record_part),
        )


class _ListingValues:
    """The values of a shared listing's rows, built a batch at a time when first asked for.

    Asking for one row's values builds those of its batch (``LIST_BATCH`` neighbours, each
    from its parent's: one delta each), so reading a listing's values in order costs what
    an eager listing costs, and reading none costs nothing.
    """

    def __init__(self, saver: DeltaSaver, rows: list[Row]) -> None:
        self._saver = saver
        self._rows = rows
        self._position = {row.id: n for n, row in enumerate(rows)}
        self._listed = set(self._position)
        self._replayed: dict[str, tuple[dict[str, Any], list[frames.Section]]] = {}
        self._ready: dict[str, tuple[dict[str, Any], Any]] = {}
        self._lock = threading.Lock()

    def values_of(self, row: Row) -> dict[str, Any]:
        with self._lock:
            found = self._ready.pop(row.id, None)
            if found is None:
                start = self._position[row.id] // LIST_BATCH * LIST_BATCH
                batch = self._rows[start : start + LIST_BATCH]
                self._ready.update(self._saver._batch_values(batch, self._listed, self._replayed))
                found = self._ready.pop(row.id, None)
        if found is not None:
            return found[0]
        return self._saver._values_or_fail(row)  # it fails: read it alone to say why


def _compare_head(
    tx: Tx,
    thread_id: ThreadId,
    ns: Namespace,
    expected: CheckpointId | None,
    new: CheckpointId | None,
) -> None:
    """The compare of compare-and-set: ``expected`` must still be the namespace's latest
    checkpoint (None: the namespace must have none)."""
    actual = tx.head(thread_id, ns)
    if actual == expected:
        return
    ns_part = f" (namespace {ns!r})" if ns else ""
    writing = f"checkpoint {new!r}, a child of" if new is not None else "to"
    raise ConcurrentUpdateError(
        f"Thread {thread_id!r}{ns_part} moved on: this call was writing {writing} checkpoint "
        f"{expected!r}, but the thread's head is now {actual!r} (another kernel or process wrote "
        "it). Nothing was written. Refresh the thread's state (get_state) and decide again; to "
        "branch off the older checkpoint on purpose, pass its checkpoint_id in the config.",
        thread_id=thread_id,
        expected=expected,
        actual=actual,
    )


def _answers_mark(outcome: TaskOutcome | None) -> tuple[int, frozenset[str], bool]:
    """What changes when a task's question is answered (answers only ever grow)."""
    if outcome is None:
        return (0, frozenset(), False)
    return (len(outcome.answers), frozenset(outcome.child_answers), outcome.writes is not None)


def _writes(tag: bytes, name: str, data: bytes, where: CheckpointLocation) -> tuple[Any, Any]:
    """The stored writes and their references to the values (empty when none), from the
    writes section (bounded: decoded by ``frames`` or written by this process)."""
    if tag == WRITES:
        return load(data, "writes", where, shaped=True), name
    pair = load(data, "writes", where, shaped=True)
    if type(pair) is not list or len(pair) != 2 or type(pair[0]) is not list or not pair[0]:
        raise DeserializationError(f"{where} is unreadable: writes are malformed")
    return pair[1], pair[0]


def _json_values(data: bytes) -> int:
    return bounds.json_shape(data, len(data) + 1, depth=False)


def _check_readable(size: int, values: int, where: CheckpointLocation) -> None:
    """Refuse to store a checkpoint that reading would refuse (see ``bounds``)."""
    if size > bounds.MAX_RECORD_BYTES or values > bounds.MAX_VALUES:
        raise SerializationError(
            f"cannot store {where}: it serialises to {size:,} bytes holding about {values:,} JSON "
            f"values; a checkpoint may hold at most {bounds.MAX_RECORD_BYTES:,} bytes and "
            f"{bounds.MAX_VALUES:,} values (hitl_notebook.checkpoint.bounds), so that reading it "
            "stays bounded"
        )


def _key(row: Row) -> tuple:
    return (row.thread_id, row.ns, row.id, row.created_at)


def _outcome_row(outcome: TaskOutcome, where: CheckpointLocation) -> OutcomeRow:
    return OutcomeRow(
        outcome.task_id,
        _waits(outcome, where.ns),
        dump_outcome(outcome, where),
        _answers_mark(outcome),
    )


def _waits(outcome: TaskOutcome, ns: str) -> bool:
    """Whether the task waits on an unanswered interrupt (its own n-th one is answered by an
    n+1-th answer; one raised in a subgraph it calls, by its id in ``child_answers``)."""
    if outcome.writes is not None:
        return False
    for i in outcome.interrupts:  # (a loop: cheaper than ``any`` over a generator)
        if i.index >= len(outcome.answers) if i.ns == ns else i.id not in outcome.child_answers:
            return True
    return False


def row_matches(row: Row, wanted: Mapping[str, Any]) -> bool:
    """Whether a stored row's metadata has every ``wanted`` item (one rule for every backend,
    read from the row's metadata alone: its values stay encoded)."""
    if not wanted:
        return True
    metadata = load_metadata(row.metadata, CheckpointLocation(row.thread_id, row.ns, row.id))
    for key, value in wanted.items():
        actual: Any
        if key == "source":
            actual = row.source
        elif key == "step":
            actual = row.step
        else:
            actual = metadata.get(key, _MISSING)
        if actual is _MISSING or (
            type(actual) is not type(value) and not _same_number(actual, value)
        ):
            return False
        if actual != value:
            return False
    return True


def _same_number(a: Any, b: Any) -> bool:
    return all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in (a, b))
