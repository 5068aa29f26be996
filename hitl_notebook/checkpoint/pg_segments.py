"""PostgreSQL's checkpoint tables: a thread's checkpoints a few kilobytes at a time.

Each thread and namespace has one *tail* row, rewritten in place on every write: the
blob (``segments``) of its newest checkpoints. The tails table leaves half of each page
free, so the update is a HOT one and frees the old version on the page itself. Once the
tail would compress past ``segments.TARGET`` bytes it becomes an immutable *segment* row
and a new tail starts; a checkpoint bigger than that alone (a snapshot) gets segment rows
of its own, in ``PART``-byte parts (no TOAST). A 1,000-turn message loop then takes about
1.6x its payload instead of 2.7x with one row per checkpoint (``bench/README.md``).

Where a checkpoint is: the tail and segments are keyed by their first checkpoint id and
cover the ids up to the next one's (the tail's first id is the greatest), so a lookup
reads one row's blob. A checkpoint older than the head lands in the blob covering its id,
which is rewritten. Task outcomes, which change after their checkpoint is written, keep a
row each (``hitl_outcomes``, as in the row layout).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from . import keys, segments
from .base import CheckpointId, Namespace, ThreadId, ThreadInfo
from .segments import Blob, BlobCache, Record
from .serde import DeserializationError
from .store import OutcomeRow, Row, row_matches

__all__ = ["LAYOUT_VERSION", "OUTCOMES_TABLE", "PART", "TABLES", "SegmentTx"]

#: Schema version of a database in this layout: higher than any release that knows only
#: the row layout understands, so such a release refuses it instead of ignoring it.
LAYOUT_VERSION = 7
#: Largest piece of a blob per segment row (a row must fit in an 8 KB page).
PART = 8000

#: Task outcomes keep a row each in both layouts (they are upserted while a step is open).
OUTCOMES_TABLE = """CREATE TABLE IF NOT EXISTS hitl_outcomes (
    seq INTEGER NOT NULL,
    interrupted BOOLEAN NOT NULL,
    thread_id TEXT COLLATE "C" NOT NULL,
    ns TEXT COLLATE "C" NOT NULL,
    checkpoint_id BYTEA NOT NULL,
    task_id TEXT COLLATE "C" NOT NULL,
    data BYTEA NOT NULL,
    PRIMARY KEY (thread_id, ns, checkpoint_id, task_id)
)"""

TABLES = (
    """CREATE TABLE IF NOT EXISTS hitl_tails (
        count INTEGER NOT NULL,
        thread_id TEXT COLLATE "C" NOT NULL,
        ns TEXT COLLATE "C" NOT NULL,
        first_id BYTEA NOT NULL,
        last_id BYTEA NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (thread_id, ns)
    ) WITH (fillfactor = 50, toast_tuple_target = 8160)""",
    "ALTER TABLE hitl_tails ALTER data SET STORAGE MAIN",
    """CREATE TABLE IF NOT EXISTS hitl_segments (
        count INTEGER NOT NULL,
        part SMALLINT NOT NULL,
        thread_id TEXT COLLATE "C" NOT NULL,
        ns TEXT COLLATE "C" NOT NULL,
        first_id BYTEA NOT NULL,
        last_id BYTEA NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (thread_id, ns, first_id, part) WITH (fillfactor = 100)
    ) WITH (fillfactor = 100, toast_tuple_target = 8160)""",
    "ALTER TABLE hitl_segments ALTER data SET STORAGE MAIN",
    OUTCOMES_TABLE,
)

_SEGMENT_COLUMNS = "first_id, last_id, count, part, data"
#: The parts of the segment whose first id is the subquery's.
_SEGMENT = (
    f"SELECT {_SEGMENT_COLUMNS} FROM hitl_segments WHERE thread_id = %s AND ns = %s AND "
    "first_id = (SELECT first_id FROM hitl_segments WHERE thread_id = %s AND ns = %s "
    "AND part = 0 {where} ORDER BY first_id {order} LIMIT 1) ORDER BY part"
)
#: Segments per query while listing.
_PAGE = 16


@dataclass(frozen=True, slots=True)
class _Box:
    """A tail or a segment as stored: the ids it covers from ``first`` and its blob."""

    tail: bool
    first: bytes
    last: bytes
    count: int
    blob: bytes


class SegmentTx:
    """``Tx`` (see ``store``) over the tails and segments, in one open transaction."""

    def __init__(self, conn: Any, cache: BlobCache) -> None:
        self._conn = conn
        self._cache = cache
        #: Tails read or written in this transaction (a write reads its thread's tail
        #: three or four times: head, new id, parent, insert)...
        self._tails: dict[tuple[str, str], _Box | None] = {}
        #: ...and blobs opened in it, while no write changed them (a read locates its
        #: checkpoint, then walks its chain from there).
        self._opened: dict[tuple[str, str], list[_Box]] = {}

    def _run(self, sql: str, params: list | tuple = ()) -> Any:
        return self._conn.execute(sql, params)

    # -- finding blobs -------------------------------------------------------------------

    def _tail(self, thread_id: ThreadId, ns: Namespace) -> _Box | None:
        if (thread_id, ns) in self._tails:
            return self._tails[thread_id, ns]
        found = self._run(
            "SELECT first_id, last_id, count, data FROM hitl_tails "
            "WHERE thread_id = %s AND ns = %s AND count > 0",
            [thread_id, ns],
        ).fetchone()
        box = None
        if found is not None:
            box = _Box(True, bytes(found[0]), bytes(found[1]), found[2], bytes(found[3]))
        self._tails[thread_id, ns] = box
        return box

    def _segment(
        self, thread_id: ThreadId, ns: Namespace, where: str = "", order: str = "DESC", *params: Any
    ) -> _Box | None:
        """The first segment in ``order`` of first ids among those ``where`` selects."""
        sql = _SEGMENT.format(where=where, order=order)
        return _box(self._run(sql, [thread_id, ns, thread_id, ns, *params]).fetchall())

    def _box_for(self, thread_id: ThreadId, ns: Namespace, key: bytes) -> _Box | None:
        """The tail or segment covering ``key`` (None when ``key`` is before them all)."""
        for box in self._opened.get((thread_id, ns), ()):
            if box.first <= key <= box.last:  # ranges do not overlap: it is this one
                return box
        tail = self._tail(thread_id, ns)
        if tail is not None and tail.first <= key:
            return tail
        return self._segment(thread_id, ns, "AND first_id <= %s", "DESC", key)

    def _newest(self, thread_id: ThreadId, ns: Namespace) -> _Box | None:
        return self._tail(thread_id, ns) or self._segment(thread_id, ns)

    def _open(self, thread_id: ThreadId, ns: Namespace, box: _Box) -> Blob:
        opened = self._opened.setdefault((thread_id, ns), [])
        if box not in opened:
            opened.append(box)
        return segments.load(self._cache, thread_id, ns, box.blob, _where(thread_id, ns, box))

    def _changed(self, thread_id: ThreadId, ns: Namespace) -> None:
        """Forget what this transaction read of a namespace that it now writes."""
        self._opened.pop((thread_id, ns), None)
        self._tails.pop((thread_id, ns), None)

    def _boxes(
        self, thread_id: ThreadId, ns: Namespace, below: bytes | None = None
    ) -> Iterator[_Box]:
        """The tail and segments holding ids below ``below`` (all: None), newest first."""
        tail = self._tail(thread_id, ns)
        if tail is not None and (below is None or tail.first < below):
            yield tail
        while True:
            where, params = ("AND first_id < %s", [below]) if below is not None else ("", [])
            found = self._run(
                f"SELECT {_SEGMENT_COLUMNS} FROM hitl_segments WHERE thread_id = %s AND ns = %s "
                "AND first_id IN (SELECT first_id FROM hitl_segments WHERE thread_id = %s "
                f"AND ns = %s AND part = 0 {where} ORDER BY first_id DESC LIMIT %s) "
                "ORDER BY first_id DESC, part",
                [thread_id, ns, thread_id, ns, *params, _PAGE],
            ).fetchall()
            boxes = _boxes(found)
            yield from boxes
            if len(boxes) < _PAGE:
                return
            below = boxes[-1].first

    # -- reading -------------------------------------------------------------------------

    def row(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        checkpoint_id: CheckpointId,
        *,
        with_data: bool = True,
    ) -> Row | None:
        key = keys.pack_id(checkpoint_id)
        box = self._box_for(thread_id, ns, key)
        if box is None or key > box.last:
            return None
        return self._open(thread_id, ns, box).find(key)

    def latest(self, thread_id: ThreadId, ns: Namespace) -> Row | None:
        box = self._newest(thread_id, ns)
        if box is None:
            return None
        blob = self._open(thread_id, ns, box)
        return blob.row(len(blob.records) - 1)

    def head(self, thread_id: ThreadId, ns: Namespace) -> CheckpointId | None:
        box = self._newest(thread_id, ns)
        return None if box is None else CheckpointId(keys.unpack_id(box.last))

    def chain(
        self, thread_id: ThreadId, ns: Namespace, checkpoint_id: CheckpointId, limit: int
    ) -> list[Row]:
        out: list[Row] = []
        key = keys.pack_id(checkpoint_id)
        blob: Blob | None = None
        while len(out) < limit:
            row = None if blob is None else blob.find(key)
            if row is None:  # in another blob (or missing)
                box = self._box_for(thread_id, ns, key)
                if box is None or key > box.last:
                    break
                blob = self._open(thread_id, ns, box)
                row = blob.find(key)
                if row is None:
                    break
            out.append(row)
            if row.chain.is_snapshot or row.parent_id is None:
                break
            key = keys.pack_id(row.parent_id)
        return out

    def children(
        self, thread_id: ThreadId, ns: Namespace, parent_id: CheckpointId
    ) -> list[CheckpointId]:
        key = keys.pack_id(parent_id)
        out: list[CheckpointId] = []
        for box in self._boxes(thread_id, ns):  # ids grow with time: children come after
            if box.last <= key:
                break
            blob = self._open(thread_id, ns, box)
            for n in reversed(range(len(blob.records))):
                row = blob.row(n)
                if row.parent_id == parent_id and blob.records[n].key > key:
                    out.append(row.id)
        return out

    def rows(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        before: CheckpointId | None,
        filter: Mapping[str, Any],
        limit: int | None,
    ) -> list[Row]:
        below = None if before is None else keys.pack_id(before)
        out: list[Row] = []
        for box in self._boxes(thread_id, ns, below):
            blob = self._open(thread_id, ns, box)
            for n in reversed(range(len(blob.records))):
                if below is not None and blob.records[n].key >= below:
                    continue
                row = blob.row(n)
                if filter and not row_matches(row, filter):  # metadata only: values stay encoded
                    continue
                out.append(row)
                if limit is not None and len(out) >= limit:
                    return out
        return out

    def outcomes(
        self, thread_id: ThreadId, ns: Namespace, low: CheckpointId, high: CheckpointId
    ) -> dict[CheckpointId, list[OutcomeRow]]:
        found: dict[CheckpointId, list[OutcomeRow]] = {}
        for cid, task_id, interrupted, data in self._run(
            "SELECT checkpoint_id, task_id, interrupted, data FROM hitl_outcomes "
            "WHERE thread_id = %s AND ns = %s AND checkpoint_id >= %s AND checkpoint_id <= %s "
            "ORDER BY checkpoint_id, seq",
            [thread_id, ns, keys.pack_id(low), keys.pack_id(high)],
        ).fetchall():
            found.setdefault(CheckpointId(keys.unpack_id(cid)), []).append(
                OutcomeRow(task_id, bool(interrupted), bytes(data))
            )
        return found

    def threads(self) -> list[ThreadInfo]:
        found = []
        for (thread_id,) in self._run(
            "SELECT thread_id FROM hitl_tails WHERE ns = '' AND count > 0 "
            "UNION SELECT thread_id FROM hitl_segments WHERE ns = '' AND part = 0"
        ).fetchall():
            latest = self.latest(thread_id, Namespace(""))
            assert latest is not None  # in the same transaction as the query
            (count,) = self._run(
                "SELECT (SELECT COALESCE(SUM(count), 0) FROM hitl_tails WHERE thread_id = %s "
                "AND ns = '') + (SELECT COALESCE(SUM(count), 0) FROM hitl_segments "
                "WHERE thread_id = %s AND ns = '' AND part = 0)",
                [thread_id, thread_id],
            ).fetchone()
            found.append(ThreadInfo(thread_id, latest.id, latest.created_at, int(count)))
        # Newest first, by time then id, as their packed bytes sort.
        found.sort(
            key=lambda i: (keys.pack_time(i.updated_at), keys.pack_id(i.latest_checkpoint_id)),
            reverse=True,
        )
        return found

    def namespaces(self, thread_id: ThreadId) -> list[Namespace]:
        rows = self._run(
            "SELECT ns FROM hitl_tails WHERE thread_id = %s AND count > 0 "
            "UNION SELECT ns FROM hitl_segments WHERE thread_id = %s ORDER BY ns",
            [thread_id, thread_id],
        ).fetchall()
        return [r[0] for r in rows]

    # -- writing -------------------------------------------------------------------------

    def insert(self, row: Row, outcomes: list[OutcomeRow]) -> None:
        record = segments.encode(replace(row, data=segments.flat(row.data)))
        thread_id, ns = row.thread_id, row.ns
        newest = self._newest(thread_id, ns)
        if newest is None or newest.last < record.key:
            self._append(row, record, newest if newest is not None and newest.tail else None)
        else:  # older than the head: into the blob covering its id (or the first one)
            box = (
                self._box_for(thread_id, ns, record.key)
                or self._segment(thread_id, ns, "", "ASC")
                or self._tail(thread_id, ns)
            )
            assert box is not None  # the namespace has a head, so some blob
            blob = self._open(thread_id, ns, box)
            self._replace(thread_id, ns, box, sorted([*blob.records, record], key=_key))
        for outcome in outcomes:
            self.upsert_outcome(thread_id, ns, row.id, outcome)

    def _append(self, row: Row, record: Record, tail: _Box | None) -> None:
        """The usual write: a new head, into the tail (rolled over to a segment when full)."""
        thread_id, ns = row.thread_id, row.ns
        alone = segments.compress(record.raw)
        if len(alone) > segments.TARGET:  # a big checkpoint: segment rows of its own
            if tail is not None:
                self._put_segment(thread_id, ns, tail.first, tail.last, tail.count, tail.blob)
                self._clear_tail(thread_id, ns)
            self._put_segment(thread_id, ns, record.key, record.key, 1, alone)
            return
        records, blob = [record], alone
        if tail is not None:
            old = self._open(thread_id, ns, tail)
            joined = segments.compress(b"".join(r.raw for r in old.records) + record.raw)
            if len(joined) > segments.TARGET:
                self._put_segment(thread_id, ns, tail.first, tail.last, tail.count, tail.blob)
            else:
                records, blob = [*old.records, record], joined
        self._run(
            "INSERT INTO hitl_tails (count, thread_id, ns, first_id, last_id, data) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (thread_id, ns) DO UPDATE SET "
            "count = excluded.count, first_id = excluded.first_id, "
            "last_id = excluded.last_id, data = excluded.data",
            [len(records), thread_id, ns, records[0].key, record.key, blob],
        )
        self._changed(thread_id, ns)
        tail = _Box(True, records[0].key, record.key, len(records), blob)
        self._tails[thread_id, ns] = tail
        segments.made(self._cache, thread_id, ns, records, blob, _where(thread_id, ns, tail), row)

    def _replace(
        self, thread_id: ThreadId, ns: Namespace, box: _Box, records: list[Record]
    ) -> None:
        """Store ``records`` instead of ``box``'s, as segments (a tail is emptied)."""
        if box.tail:
            self._clear_tail(thread_id, ns)
        else:
            self._drop_segment(thread_id, ns, box.first)
        for group, blob in segments.group(records):
            self._put_segment(thread_id, ns, group[0].key, group[-1].key, len(group), blob)

    def _put_segment(
        self, thread_id: ThreadId, ns: Namespace, first: bytes, last: bytes, count: int, blob: bytes
    ) -> None:
        self._changed(thread_id, ns)
        for n in range(0, max(len(blob), 1), PART):
            self._run(
                "INSERT INTO hitl_segments (count, part, thread_id, ns, first_id, last_id, data) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [count, n // PART, thread_id, ns, first, last, blob[n : n + PART]],
            )

    def _drop_segment(self, thread_id: ThreadId, ns: Namespace, first: bytes) -> None:
        self._changed(thread_id, ns)
        self._run(
            "DELETE FROM hitl_segments WHERE thread_id = %s AND ns = %s AND first_id = %s",
            [thread_id, ns, first],
        )

    def _clear_tail(self, thread_id: ThreadId, ns: Namespace) -> None:
        """Empty the tail (kept as a row, so that the next write updates it in place)."""
        self._changed(thread_id, ns)
        self._tails[thread_id, ns] = None
        self._run(
            "UPDATE hitl_tails SET count = 0, first_id = '', last_id = '', data = '' "
            "WHERE thread_id = %s AND ns = %s",
            [thread_id, ns],
        )

    def upsert_outcome(
        self, thread_id: ThreadId, ns: Namespace, checkpoint_id: CheckpointId, outcome: OutcomeRow
    ) -> None:
        cid = keys.pack_id(checkpoint_id)
        self._run(
            "INSERT INTO hitl_outcomes (thread_id, ns, checkpoint_id, task_id, seq, interrupted, data) "
            "VALUES (%s, %s, %s, %s, (SELECT COALESCE(MAX(seq), 0) + 1 FROM hitl_outcomes "
            "WHERE thread_id = %s AND ns = %s AND checkpoint_id = %s), %s, %s) "
            "ON CONFLICT (thread_id, ns, checkpoint_id, task_id) "
            "DO UPDATE SET interrupted = excluded.interrupted, data = excluded.data",
            [thread_id, ns, cid, outcome.task_id, thread_id, ns, cid, outcome.interrupted, outcome.data],
        )  # fmt: skip

    def delete_thread(self, thread_id: ThreadId) -> None:
        self._tails.clear()
        self._opened.clear()
        for table in ("hitl_outcomes", "hitl_segments", "hitl_tails"):
            self._run(f"DELETE FROM {table} WHERE thread_id = %s", [thread_id])

    def rewrite(self, row: Row) -> None:
        record = segments.encode(replace(row, data=segments.flat(row.data)))
        box = self._box_for(row.thread_id, row.ns, record.key)
        if box is None:
            raise KeyError(f"checkpoint {row.id!r} of thread {row.thread_id!r} does not exist")
        blob = self._open(row.thread_id, row.ns, box)
        self._replace(row.thread_id, row.ns, box,
                      [record if r.key == record.key else r for r in blob.records])  # fmt: skip

    def delete(self, thread_id: ThreadId, ns: Namespace, ids: list[CheckpointId]) -> None:
        """Remove checkpoints, then store the rest of the namespace packed again (pruning
        leaves a few checkpoints per blob: packing them together is what shrinks storage)."""
        gone = {keys.pack_id(cid) for cid in ids}
        kept = [
            record
            for box in self._boxes(thread_id, ns)
            for record in self._open(thread_id, ns, box).records
            if record.key not in gone
        ]
        kept.sort(key=_key)
        self._run(
            "DELETE FROM hitl_outcomes WHERE thread_id = %s AND ns = %s AND checkpoint_id = ANY(%s)",
            [thread_id, ns, list(gone)],
        )
        self._run("DELETE FROM hitl_segments WHERE thread_id = %s AND ns = %s", [thread_id, ns])
        self._clear_tail(thread_id, ns)
        for group, blob in segments.group(kept):
            self._put_segment(thread_id, ns, group[0].key, group[-1].key, len(group), blob)


def _where(thread_id: ThreadId, ns: Namespace, box: _Box) -> str:
    kind = "tail" if box.tail else "segment"
    return f"the {kind} of thread {thread_id!r} (namespace {ns!r}) from {_shown(box.first)}"


def _key(record: Record) -> bytes:
    return record.key


def _shown(key: bytes) -> str:
    try:
        return repr(keys.unpack_id(key))
    except DeserializationError:  # a damaged key is shown as bytes
        return repr(key[:40])


def _boxes(found: list[tuple]) -> list[_Box]:
    """Segments from rows of ``_SEGMENT_COLUMNS`` (grouped by first id, parts in order)."""
    out: list[_Box] = []
    parts: list[bytes] = []
    for n, (first, last, count, _part, data) in enumerate(found):
        parts.append(bytes(data))
        if n + 1 == len(found) or bytes(found[n + 1][0]) != bytes(first):
            out.append(_Box(False, bytes(first), bytes(last), count, b"".join(parts)))
            parts = []
    return out


def _box(found: list[tuple]) -> _Box | None:
    boxes = _boxes(found)
    return boxes[0] if boxes else None
