"""Several checkpoints' rows in one compressed blob: PostgreSQL's tails and segments.

PostgreSQL spends about 30 bytes of tuple header, line pointer and index entry on every
row, and TOASTs a bigger one into a second table: one row per checkpoint cannot get a
message loop under twice its payload (``bench.pg_layouts``). ``pg_segments`` therefore
stores a thread's checkpoints a few kilobytes at a time, in blobs made here.

A blob is zlib over the records of its checkpoints, in id order (``keys.order``). A record
is a fixed header (step, chain, six field lengths) then the packed id, packed parent id
(empty: none), source, packed creation time, metadata JSON and data. The data's sections
are kept uncompressed (frames flag 0), so neighbouring checkpoints compress together and
a parsed record's data is a frames blob as it is. Inflating a blob is bounded like a
record's sections (``bounds``).
"""

from __future__ import annotations

import itertools
import struct
import threading
import zlib
from collections import OrderedDict
from dataclasses import dataclass

from . import bounds, frames, keys
from .base import CheckpointId, Namespace, ThreadId
from .delta import Chain
from .serde import DeserializationError, SerializationError
from .store import Row

__all__ = [
    "TARGET",
    "Blob",
    "BlobCache",
    "Record",
    "compress",
    "encode",
    "flat",
    "group",
    "inflate",
    "load",
    "made",
    "row",
    "split",
]

#: step, chain length, delta bytes, base bytes, is snapshot, then the six field lengths.
_HEAD = struct.Struct(">qiqq?IIIIII")
#: zlib level of blobs (written once or a few times, read many times).
LEVEL = 6
#: A blob grows while it compresses to at most this many bytes: two versions of a tail fit
#: in the free half of a page (``pg_segments``), and three segments fill one.
TARGET = 2650
#: Bytes a blob may inflate to beyond ``bounds.MAX_RECORD_BYTES``: one record's columns
#: other than its sections (metadata, ids), or the other records of a small blob.
MARGIN = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Record:
    """One checkpoint in a blob: its packed id and its encoded record."""

    key: bytes
    raw: bytes


def _limit() -> int:
    return bounds.MAX_RECORD_BYTES + MARGIN


def flat(data: bytes) -> bytes:
    """A frames blob with the same sections, none compressed (what ``encode`` should be
    given: records compress together better, and read back without inflating)."""
    return frames.join(
        [frames.pack_plain(s.tag, s.name, s.data) for s in frames.decode_sections(data)]
    )


def encode(row: Row) -> Record:
    """``row``'s record, its data as it is (its thread and namespace are the blob's)."""
    c = row.chain
    key = keys.pack_id(row.id)
    fields = (
        key,
        b"" if row.parent_id is None else keys.pack_id(row.parent_id),
        row.source.encode("utf-8"),
        keys.pack_time(row.created_at, row.id),
        row.metadata.encode("utf-8"),
        row.data,
    )
    head = _HEAD.pack(row.step, c.length, c.delta_bytes, c.base_bytes, c.is_snapshot,
                      *(len(f) for f in fields))  # fmt: skip
    raw = head + b"".join(fields)
    if len(raw) > _limit():
        raise SerializationError(
            f"cannot store checkpoint {row.id!r} of thread {row.thread_id!r}: its record takes "
            f"{len(raw):,} bytes, more than the {_limit():,} a stored blob may inflate to "
            "(hitl_notebook.checkpoint.bounds.MAX_RECORD_BYTES plus metadata)"
        )
    return Record(key, raw)


def compress(raw: bytes) -> bytes:
    return zlib.compress(raw, LEVEL)


def inflate(blob: bytes, where: str) -> bytes:
    """``blob`` decompressed, or a ``DeserializationError`` as soon as it passes the bound."""
    limit = _limit()
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(blob, limit + 1)
    except zlib.error as exc:
        raise DeserializationError(
            f"{where} is unreadable: it does not decompress ({exc})"
        ) from None
    if len(raw) > limit or inflater.unconsumed_tail:
        raise DeserializationError(
            f"{where} is unreadable: it inflates past {limit:,} bytes "
            "(hitl_notebook.checkpoint.bounds.MAX_RECORD_BYTES plus metadata); refusing to load it"
        )
    if not inflater.eof:
        raise DeserializationError(f"{where} is unreadable: truncated compressed data")
    return raw


def split(raw: bytes, where: str) -> list[Record]:
    """The records of an inflated blob, in stored order (which must be id order)."""
    out: list[Record] = []
    pos = 0
    try:
        while pos < len(raw):
            sizes = _HEAD.unpack_from(raw, pos)[5:]
            end = pos + _HEAD.size + sum(sizes)
            if end > len(raw):
                raise ValueError("a record runs past the end")
            out.append(Record(raw[pos + _HEAD.size : pos + _HEAD.size + sizes[0]], raw[pos:end]))
            pos = end
    except (struct.error, ValueError) as exc:
        raise DeserializationError(f"{where} is unreadable: malformed record ({exc})") from None
    if any(a.key >= b.key for a, b in itertools.pairwise(out)):
        raise DeserializationError(f"{where} is unreadable: its records are out of order")
    return out


def row(record: Record, thread_id: ThreadId, ns: Namespace, where: str) -> Row:
    """The row a record stores (``split`` checked that its fields fit)."""
    raw = record.raw
    step, length, delta, base, snap, *sizes = _HEAD.unpack_from(raw, 0)
    fields, pos = [], _HEAD.size
    for size in sizes:
        fields.append(raw[pos : pos + size])
        pos += size
    key, parent, source, created, metadata, data = fields
    try:
        return Row(
            thread_id=thread_id,
            ns=ns,
            id=CheckpointId(keys.unpack_id(key)),
            parent_id=CheckpointId(keys.unpack_id(parent)) if parent else None,
            step=step,
            source=source.decode("utf-8"),  # type: ignore[arg-type]
            created_at=keys.unpack_time(created, key),
            metadata=metadata.decode("utf-8"),
            chain=Chain(snap, length, delta, base),
            data=data,
        )
    except (DeserializationError, UnicodeDecodeError) as exc:
        raise DeserializationError(f"{where} is unreadable: malformed record ({exc})") from None


def group(records: list[Record]) -> list[tuple[list[Record], bytes]]:
    """``records`` (in id order) as consecutive blobs, each compressing to at most
    ``TARGET`` bytes, or holding one record alone when that one is bigger."""
    out: list[tuple[list[Record], bytes]] = []
    current: list[Record] = []
    blob = b""
    for record in records:
        alone = compress(record.raw)
        if len(alone) > TARGET:
            if current:
                out.append((current, blob))
            out.append(([record], alone))
            current, blob = [], b""
            continue
        joined = compress(b"".join(r.raw for r in current) + record.raw) if current else alone
        if current and len(joined) > TARGET:
            out.append((current, blob))
            current, joined = [], alone
        current.append(record)
        blob = joined
    if current:
        out.append((current, blob))
    return out


class Blob:
    """A parsed blob: its records in id order, each one's row built when first asked for
    (a read wants one or a few of them)."""

    __slots__ = ("_index", "_ns", "_rows", "_thread_id", "_where", "records")

    def __init__(self, records: list[Record], thread_id: ThreadId, ns: Namespace,
                 where: str) -> None:  # fmt: skip
        self.records = records
        self._index = {r.key: n for n, r in enumerate(records)}
        self._rows: list[Row | None] = [None] * len(records)
        self._thread_id, self._ns, self._where = thread_id, ns, where

    def row(self, n: int) -> Row:
        found = self._rows[n]
        if found is None:
            found = self._rows[n] = row(self.records[n], self._thread_id, self._ns, self._where)
        return found

    def find(self, key: bytes) -> Row | None:
        """The row of the checkpoint whose packed id is ``key`` (None if not here)."""
        n = self._index.get(key)
        return None if n is None else self.row(n)

    def known(self, n: int, found: Row) -> None:
        """Record a row already at hand (the one just written)."""
        self._rows[n] = found


class BlobCache:
    """Recently parsed blobs by content (a rewritten tail is a new entry), bounded in
    entries and in inflated bytes; thread-safe."""

    def __init__(self, entries: int = 64, size: int = 16 * 1024 * 1024) -> None:
        self._entries = entries
        self._size = size
        self._held = 0
        self._blobs: OrderedDict[tuple, tuple[Blob, int]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Blob | None:
        with self._lock:
            found = self._blobs.get(key)
            if found is None:
                return None
            self._blobs.move_to_end(key)
            return found[0]

    def put(self, key: tuple, blob: Blob, size: int) -> None:
        if size > self._size // 4:  # a big one alone: read it again rather than hold it
            return
        with self._lock:
            old = self._blobs.pop(key, None)
            self._held -= old[1] if old else 0
            self._blobs[key] = (blob, size)
            self._held += size
            while len(self._blobs) > self._entries or self._held > self._size:
                _, (_, dropped) = self._blobs.popitem(last=False)
                self._held -= dropped

    def clear(self) -> None:
        with self._lock:
            self._blobs.clear()
            self._held = 0


def load(cache: BlobCache, thread_id: ThreadId, ns: Namespace, blob: bytes, where: str) -> Blob:
    """The parsed blob, from ``cache`` or inflated and split (then cached)."""
    key = (thread_id, ns, blob)
    found = cache.get(key)
    if found is not None:
        return found
    raw = inflate(blob, where)
    parsed = Blob(split(raw, where), thread_id, ns, where)
    cache.put(key, parsed, len(raw))
    return parsed


def made(cache: BlobCache, thread_id: ThreadId, ns: Namespace, records: list[Record],
         blob: bytes, where: str, newest: Row) -> Blob:  # fmt: skip
    """Cache (and return) a blob just written from ``records``, the last of which stores
    ``newest``."""
    parsed = Blob(records, thread_id, ns, where)
    parsed.known(len(records) - 1, newest)
    cache.put((thread_id, ns, blob), parsed, sum(len(r.raw) for r in records))
    return parsed
