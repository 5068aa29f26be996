"""Delta storage: a checkpoint keeps what its step changed, with periodic full snapshots.

A *delta* checkpoint stores one section per changed channel: ``R`` (the new value) or
``A`` (items appended to the parent's list). A *snapshot* stores every channel in full.
Reading a checkpoint = its nearest snapshot ancestor plus the deltas on the parent path
(so forks work: the path, not insertion order, decides).

When to snapshot (``next_chain``): when there is no parent, or when the *weight* of the
deltas since the last snapshot would outweigh ``DELTAS_PER_SNAPSHOT`` times that snapshot
(or 32 KiB, whichever is more: the budget), or past ``MAX_CHAIN`` deltas. A delta weighs
what reading it costs beyond the values it gives: replaced values in full (a later delta
may replace them again), ``SECTION_COST`` per section, ``BYTES_PER_LINK`` per row less
what the row appends (a row carrying needed data pays for its own fetch), and appended
items at ``1/APPEND_DISCOUNT`` of their size (they are part of every later checkpoint's
values unless a step replaces the list). So a thread of tiny changes snapshots every
~110 steps, and an append-only list about every time it has grown fivefold: snapshots add
about a quarter of the final list to its deltas (they added up to twice it when appends
weighed in full), and reading any checkpoint still decodes O(its state + budget) bytes
(at most ``APPEND_DISCOUNT`` times the budget of items a later step dropped) in
O(budget / ``BYTES_PER_LINK``) rows of small changes. Sizes count each section's data plus
``SECTION_COST``. Snapshots are compressed harder (``SNAPSHOT_LEVEL``) than deltas: they
are written rarely and are most of what an append-only thread stores besides its deltas.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from threading import Lock
from typing import Any

from . import bounds, frames
from .base import Append, Change, Replace
from .codec import Where, dump, dump_plain, load
from .copying import IMMUTABLE, fresh_copy
from .serde import DeserializationError

__all__ = [
    "APPEND",
    "COUNT_FROM",
    "MAX_CHAIN",
    "REPLACE",
    "SECTION_COST",
    "VALUE_TAGS",
    "Chain",
    "ValuesBuilder",
    "ValuesCache",
    "Written",
    "encode_changes",
    "encode_values",
    "next_chain",
    "with_changes",
]

REPLACE = b"R"
APPEND = b"A"
VALUE_TAGS = frozenset({REPLACE, APPEND})

#: What fetching and decoding one more row weighs, in bytes of budget, unless the data it
#: appends pays for it (see the module docstring).
BYTES_PER_LINK = 256
#: Appended items weigh this many times less than their size.
APPEND_DISCOUNT = 8
#: Bytes a section counts for on top of its data, in the snapshot policy: decoding each
#: has a fixed cost, so a state of many small keys is not re-snapshotted every few steps.
SECTION_COST = 32
#: The deltas since a snapshot may always add up to this much, however small the snapshot:
#: re-snapshotting a small but growing state every few steps costs more than reading a few
#: more deltas.
MIN_BUDGET = 32 * 1024
#: The deltas since a snapshot may add up to this many times its size before the next one.
#: Snapshots of an append-only list of final size S then add up to between S/k and
#: S(1+k)/k on top of its deltas (S). Reading decodes about the state's size either way,
#: but in up to k times more rows: at 2, a cold read of a 1,000-message thread's head took
#: 1.9 times as long (issue 14), so storage is saved elsewhere.
DELTAS_PER_SNAPSHOT = 1
#: zlib level of a snapshot's large sections (deltas use ``frames``' fast default).
SNAPSHOT_LEVEL = 6
#: Never more deltas than this between snapshots (a longer parent chain is corrupt data).
MAX_CHAIN = 10_000
#: Sections up to this many bytes are not scanned for their JSON values on writing: their
#: bytes plus one bound them, and a checkpoint whose bound passes ``bounds.MAX_VALUES`` is
#: counted exactly (``exact``) before it is refused.
COUNT_FROM = 256


@dataclass(slots=True)
class Chain:
    """Where a checkpoint sits relative to its nearest snapshot ancestor."""

    #: True when the checkpoint is itself a snapshot.
    is_snapshot: bool
    #: Deltas from the snapshot to here, this one included (0 for a snapshot).
    length: int
    #: Their weight (see ``next_chain``): about their serialised size, appends discounted.
    #: Rows of earlier releases hold their plain size.
    delta_bytes: int
    #: Serialised size of the snapshot's values (before compression).
    base_bytes: int


def next_chain(parent: Chain | None, delta_bytes: int, appended: int = 0) -> Chain | None:
    """The chain position of a new delta on ``parent``, or None when a snapshot is due.

    ``delta_bytes`` is the delta's cost as ``encode_changes`` counts it, ``appended`` the
    part of it that ``Append`` sections hold."""
    if parent is None:
        return None
    length = parent.length + 1
    weight = delta_bytes - appended + appended // APPEND_DISCOUNT
    if appended < BYTES_PER_LINK:
        weight += BYTES_PER_LINK - appended
    total = parent.delta_bytes + weight
    base = parent.base_bytes
    budget = base * DELTAS_PER_SNAPSHOT
    if total > (budget if budget > MIN_BUDGET else MIN_BUDGET) or length > MAX_CHAIN:
        return None
    return Chain(False, length, total, base)


def encode_changes(
    changes: Mapping[str, Change], where: Where, *, level: int = frames.LEVEL, exact: bool = False
) -> tuple[list[bytes], int, int, int]:
    """The stored sections of a checkpoint's changes (one per changed channel), what
    decoding them costs (see ``SECTION_COST``), how many JSON values they hold at most
    (see ``bounds``; unless ``exact``, small sections count as their bytes plus one: see
    ``COUNT_FROM``) and how many bytes of ``Append`` items they hold (see ``next_chain``);
    ``level`` is the zlib level of large sections."""
    encoded, cost, values, appended = [], 0, 0, 0
    for channel, change in changes.items():
        if type(change) is Replace:
            tag, value = REPLACE, change.value
        elif type(change) is Append:
            tag, value = APPEND, list(change.items)
        else:
            raise TypeError(
                f"{where}: change of values[{channel!r}] must be Replace or Append, not {type(change).__name__}"
            )
        data = dump_plain(value) if tag is REPLACE else None
        if data is None:
            data = dump(value, f"values[{channel!r}]", where)
        encoded.append(frames.pack(tag, channel, data, level))
        cost += len(data) + SECTION_COST
        if exact or len(data) > COUNT_FROM:
            values += bounds.json_shape(data, len(data) + 1, depth=False)
        else:
            values += len(data) + 1
        if tag is APPEND:
            appended += len(data)
    return encoded, cost, values, appended


def encode_values(
    values: Mapping[str, Any], where: Where, *, exact: bool = False
) -> tuple[list[bytes], int, int]:
    """Every channel of a checkpoint in full (a snapshot), as ``encode_changes`` (without
    the appended count: a snapshot appends nothing)."""
    encoded, cost, count, _ = encode_changes(
        {channel: Replace(value) for channel, value in values.items()},
        where,
        level=SNAPSHOT_LEVEL,
        exact=exact,
    )
    return encoded, cost, count


class ValuesBuilder:
    """Values being rebuilt along a parent chain, oldest checkpoint first.

    Appends extend lists in place; a list that came from ``base`` or was handed out by
    ``share`` is copied the first time it is extended, so shared values never change.
    """

    def __init__(self, base: Mapping[str, Any] | None = None) -> None:
        self._values: dict[str, Any] = {} if base is None else dict(base)
        self._owned: set[str] = set()

    def apply(self, sections: Iterable[frames.Section], where: Where, *, snapshot: bool) -> None:
        """Apply one checkpoint's value sections, as ``frames.decode_sections`` returns them
        (bounded), in order (a snapshot starts from nothing)."""
        if snapshot:
            self._values, self._owned = {}, set()
        for section in sections:
            path = f"values[{section.name!r}]"
            value = load(section.data, path, where, shaped=True)  # by ``decode_sections``
            if section.tag == APPEND:
                previous = self._values.get(section.name, [])
                if not isinstance(value, list) or not isinstance(previous, list):
                    raise DeserializationError(
                        f"{where} is unreadable: {path} appends to or from a non-list"
                    )
                if section.name not in self._owned:
                    previous = list(previous)
                previous.extend(value)
                value = previous
            self._values[section.name] = value
            self._owned.add(section.name)

    def share(self) -> dict[str, Any]:
        """The current values, to be cached: later ``apply`` calls leave them untouched."""
        shared = self._values
        self._values, self._owned = dict(shared), set()
        return shared


def with_changes(base: Mapping[str, Any], changes: Mapping[str, Change]) -> dict[str, Any]:
    """``base`` with a checkpoint's changes applied, as the engine passed them (copied, so
    the result shares nothing with the caller): cheaper than decoding what was just
    encoded. ``base`` is left untouched; an append builds a new list."""
    values = dict(base)
    for channel, change in changes.items():
        if isinstance(change, Append):
            values[channel] = [*values.get(channel, ()), *fresh_copy(change.items)]
        else:
            value = change.value  # a str or a number (the usual) is kept, without a call
            values[channel] = value if type(value) in IMMUTABLE else fresh_copy(value)
    return values


#: A checkpoint's record sections as its writer framed them: the writes' tag, the writes
#: and the next tasks (uncompressed serde bytes).
Written = tuple[bytes, bytes, bytes]


class ValuesCache:
    """A small thread-safe LRU of materialised values, keyed by checkpoint.

    Entries are private: callers must copy before handing values out, and never mutate.
    Lists in neighbouring entries share their items (appending builds a new list). An entry
    may also keep its checkpoint's ``Written`` sections (they never change once stored).
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple, dict[str, Any]] = OrderedDict()
        self._written: dict[tuple, Written] = {}
        self._lock = Lock()

    def get(self, key: tuple) -> dict[str, Any] | None:
        with self._lock:
            values = self._entries.get(key)
            if values is not None:
                self._entries.move_to_end(key)
            return values

    def written(self, key: tuple) -> Written | None:
        """The entry's record sections, when it has them."""
        with self._lock:
            return self._written.get(key)

    def pop(self, key: tuple) -> dict[str, Any] | None:
        """Take an entry out of the cache (None when it is not there)."""
        with self._lock:
            if self._written:
                self._written.pop(key, None)
            return self._entries.pop(key, None)

    def put(self, key: tuple, values: dict[str, Any], written: Written | None = None) -> None:
        if self._size <= 0:
            return
        with self._lock:
            entries = self._entries
            if key in entries:
                entries.move_to_end(key)
            entries[key] = values
            if written is not None:
                self._written[key] = written
            elif self._written:
                self._written.pop(key, None)
            if len(entries) > self._size:
                gone, _ = entries.popitem(last=False)
                self._written.pop(gone, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._written.clear()

    def evict(
        self, thread_id: str, ns: str | None = None, ids: Iterable[str] | None = None
    ) -> None:
        """Drop a thread's entries (only namespace ``ns`` / only ``ids`` when given)."""
        wanted = None if ids is None else set(ids)
        with self._lock:
            for key in [k for k in self._entries if k[0] == thread_id]:
                if (ns is None or key[1] == ns) and (wanted is None or key[2] in wanted):
                    del self._entries[key]
                    self._written.pop(key, None)
