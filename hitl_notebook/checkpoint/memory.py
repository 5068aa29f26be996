"""``InMemorySaver``: the delta scheme over dicts of serialised rows.

It stores the same bytes a database would, so a value that would not survive SQLite does
not survive here either, and nothing a caller holds aliases what is stored.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from .base import ROOT_NS, CheckpointId, Namespace, ThreadId, ThreadInfo
from .keys import order, uuid_form
from .langgraph_api import LangGraphSaverAPI
from .store import DeltaSaver, OutcomeRow, Row

__all__ = ["InMemorySaver"]


class _Namespace:
    """One thread's checkpoints in one namespace, with ids kept sorted (in ``keys.order``,
    as the SQL savers sort them)."""

    __slots__ = ("ids", "outcomes", "rows", "uuid_tail")

    def __init__(self) -> None:
        self.ids: list[CheckpointId] = []
        #: Whether the last id is in the UUID form: a newer one in that form (the usual
        #: write) is then compared as text, without packing either.
        self.uuid_tail = False
        self.rows: dict[str, Row] = {}
        self.outcomes: dict[CheckpointId, dict[str, OutcomeRow]] = {}


#: The namespaces of a thread with none (never written to).
_NO_SPACES: Mapping[Namespace, _Namespace] = MappingProxyType({})


class _MemoryTx:
    """``Tx`` over the saver's dicts; the saver's lock is held while it is used."""

    def __init__(self, threads: dict[ThreadId, dict[Namespace, _Namespace]]) -> None:
        self._threads = threads

    def _space(self, thread_id: ThreadId, ns: Namespace) -> _Namespace | None:
        return self._threads.get(thread_id, _NO_SPACES).get(ns)

    def row(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        checkpoint_id: CheckpointId,
        *,
        with_data: bool = True,
    ) -> Row | None:
        space = self._threads.get(thread_id, _NO_SPACES).get(ns)  # (hot: ``_space`` inlined)
        return None if space is None else space.rows.get(checkpoint_id)

    def latest(self, thread_id: ThreadId, ns: Namespace) -> Row | None:
        space = self._threads.get(thread_id, _NO_SPACES).get(ns)  # (hot: ``_space`` inlined)
        return space.rows[space.ids[-1]] if space and space.ids else None

    def head(self, thread_id: ThreadId, ns: Namespace) -> CheckpointId | None:
        space = self._threads.get(thread_id, _NO_SPACES).get(ns)
        return space.ids[-1] if space and space.ids else None

    def chain(
        self, thread_id: ThreadId, ns: Namespace, checkpoint_id: CheckpointId, limit: int
    ) -> list[Row]:
        space = self._space(thread_id, ns)
        chain: list[Row] = []
        cid: str | None = checkpoint_id
        while space is not None and cid is not None and cid in space.rows and len(chain) < limit:
            row = space.rows[cid]
            chain.append(row)
            if row.chain.is_snapshot:
                break
            cid = row.parent_id
        return chain

    def children(
        self, thread_id: ThreadId, ns: Namespace, parent_id: CheckpointId
    ) -> list[CheckpointId]:
        space = self._space(thread_id, ns)
        if space is None:
            return []
        # Ids grow with time, so a checkpoint's children come after it.
        after = space.ids[bisect.bisect_right(space.ids, order(parent_id), key=order) :]
        return [cid for cid in reversed(after) if space.rows[cid].parent_id == parent_id]

    def rows(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        before: CheckpointId | None,
        filter: Mapping[str, Any],
        limit: int | None,
    ) -> list[Row]:
        space = self._space(thread_id, ns)
        if space is None:
            return []
        end = (
            len(space.ids)
            if before is None
            else bisect.bisect_left(space.ids, order(before), key=order)
        )
        start = 0 if filter or limit is None else max(0, end - limit)
        return [space.rows[cid] for cid in reversed(space.ids[start:end])]

    def outcomes(
        self, thread_id: ThreadId, ns: Namespace, low: CheckpointId, high: CheckpointId
    ) -> dict[CheckpointId, list[OutcomeRow]]:
        space = self._space(thread_id, ns)
        if space is None or not space.outcomes:
            return {}
        if low == high:  # one checkpoint's (every ``get``): a lookup, not a scan
            outs = space.outcomes.get(low)
            return {} if outs is None else {low: list(outs.values())}
        start = bisect.bisect_left(space.ids, order(low), key=order)
        end = bisect.bisect_right(space.ids, order(high), key=order)
        if end - start < len(
            space.outcomes
        ):  # scan whichever is smaller: the range or the outcomes
            outcomes = space.outcomes
            return {
                cid: list(outs.values())
                for cid in space.ids[start:end]
                if (outs := outcomes.get(cid)) is not None
            }
        first, last = order(low), order(high)
        return {
            cid: list(outs.values())
            for cid, outs in space.outcomes.items()
            if first <= order(cid) <= last
        }

    def insert(self, row: Row, outcomes: list[OutcomeRow]) -> None:
        spaces = self._threads.get(row.thread_id)
        if spaces is None:
            spaces = self._threads[row.thread_id] = {}
        space = spaces.get(row.ns)
        if space is None:
            space = spaces[row.ns] = _Namespace()
        cid, ids = row.id, space.ids
        uuid = uuid_form(cid)
        if not ids or (
            ids[-1] < cid if uuid and space.uuid_tail else order(ids[-1]) < order(cid)
        ):  # the usual case: newest
            ids.append(cid)
            space.uuid_tail = uuid
        else:
            bisect.insort(ids, cid, key=order)
        space.rows[cid] = row
        if outcomes:
            space.outcomes[row.id] = {o.task_id: o for o in outcomes}

    def upsert_outcome(
        self, thread_id: ThreadId, ns: Namespace, checkpoint_id: CheckpointId, outcome: OutcomeRow
    ) -> None:
        self._threads[thread_id][ns].outcomes.setdefault(checkpoint_id, {})[outcome.task_id] = (
            outcome
        )

    def threads(self) -> list[ThreadInfo]:
        infos = []
        for thread_id, spaces in self._threads.items():
            root = spaces.get(ROOT_NS)
            if root and root.ids:
                latest = root.rows[root.ids[-1]]
                infos.append(ThreadInfo(thread_id, latest.id, latest.created_at, len(root.ids)))
        infos.sort(key=lambda t: (t.updated_at, t.latest_checkpoint_id), reverse=True)
        return infos

    def namespaces(self, thread_id: ThreadId) -> list[Namespace]:
        return sorted(ns for ns, space in self._threads.get(thread_id, {}).items() if space.ids)

    def delete_thread(self, thread_id: ThreadId) -> None:
        self._threads.pop(thread_id, None)

    def rewrite(self, row: Row) -> None:
        self._threads[row.thread_id][row.ns].rows[row.id] = row

    def delete(self, thread_id: ThreadId, ns: Namespace, ids: list[CheckpointId]) -> None:
        space = self._threads[thread_id][ns]
        gone = set(ids)
        space.ids = [cid for cid in space.ids if cid not in gone]
        space.uuid_tail = bool(space.ids) and uuid_form(space.ids[-1])
        for cid in gone:
            space.rows.pop(cid, None)
            space.outcomes.pop(cid, None)


class InMemorySaver(LangGraphSaverAPI, DeltaSaver):
    """Checkpoints kept in this process's memory (lost when it exits); thread-safe.

    Same storage scheme and same behaviour as the durable savers: use it in tests and
    notebooks, switch to ``SqliteSaver`` to survive a kernel restart.
    """

    def __init__(self, *, cache_size: int = 256) -> None:
        super().__init__(cache_size=cache_size)
        self._threads: dict[ThreadId, dict[Namespace, _Namespace]] = {}
        self._transaction = _Locked(threading.RLock(), _MemoryTx(self._threads))

    def _reading(self) -> _Locked:
        return self._transaction

    def _writing(self, thread_id: ThreadId) -> _Locked:
        return self._transaction


class _Locked:
    """``with`` holds the saver's (reentrant) lock and yields the one stateless ``_MemoryTx``:
    reused, since a transaction is opened on every read and write."""

    __slots__ = ("_lock", "_tx")

    def __init__(self, lock: threading.RLock, tx: _MemoryTx) -> None:
        self._lock, self._tx = lock, tx

    def __enter__(self) -> _MemoryTx:
        self._lock.acquire()
        return self._tx

    def __exit__(self, *exc: object) -> None:
        self._lock.release()
