"""An index of a thread's checkpoints for the timeline, paged.

The index holds every checkpoint's id and parent (the *links*: cheap to read, even for
10,000 checkpoints) and lays the tree out from them: each checkpoint gets a *lane* (a fork
opens a new lane) and ``lanes`` gives each lane's span, so the browser can draw the branch
lines of any page without the rest of the history. The summaries a row shows (step,
source, writers, what is next) are read a page at a time, when first asked for, and kept.
New checkpoints are always the newest, so after each action only they are read and sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import count, takewhile
from operator import itemgetter
from typing import Any

from .jsonable import diff, preview, to_jsonable

__all__ = ["FIRST_PAGE", "HistoryIndex", "checkpoint_id", "parent_id", "step_writes"]

#: Summaries read per request for a page (the browser asks for 100 rows at a time).
PAGE = 100
#: The rows a widget draws first (a viewport of rows and its overscan), sent with the
#: widget's state; also how far a read for fewer rows reads ahead.
FIRST_PAGE = 40
#: How far back ``ancestry`` looks (the diagram's "visited" marks): opening a long thread
#: reads two pages, not its whole history.
ANCESTRY_LIMIT = 200


def checkpoint_id(snapshot: Any) -> str | None:
    """The checkpoint id of a snapshot (None for a thread with no checkpoint yet)."""
    return (snapshot.config or {}).get("configurable", {}).get("checkpoint_id")


def parent_id(snapshot: Any) -> str | None:
    """The parent checkpoint id of a snapshot (None for a thread's first checkpoint)."""
    parent = snapshot.parent_config
    return parent["configurable"]["checkpoint_id"] if parent else None


class HistoryIndex:
    """Every checkpoint of one thread (newest first): links and lanes for all, summaries
    for the pages read so far."""

    def __init__(self, runtime: Any, config: dict) -> None:
        self._runtime = runtime
        self._config = config
        #: Checkpoint ids, newest first.
        self.ids: list[str] = []
        self._position: dict[str, int] = {}  # id -> position counted from the oldest
        self.parents: dict[str, str | None] = {}
        self.lane_of: dict[str, int] = {}  # id -> lane
        self._forks: set[str] = set()  # ids that open a fork's lane
        #: Summaries read so far, by id.
        self.by_id: dict[str, dict] = {}
        self._parented: set[str | None] = set()  # ids with a child laid out
        #: Each lane's span, for drawing branches: ``from`` is the checkpoint a fork
        #: branched off (a lane's first checkpoint when it is not a fork), ``to`` its newest.
        self.lanes: list[dict] = []
        self._index_new()

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, cid: object) -> bool:
        return cid in self.parents

    @property
    def items(self) -> list[dict]:
        """Every summary, newest first (reads them all: for small threads and tests)."""
        return self.page(0, len(self.ids))

    def sync(self) -> list[dict]:
        """Index checkpoints newer than the newest known one; return the summaries of the
        newest of them (a page at most), newest first."""
        fresh = self._index_new()
        return self.page(0, min(fresh, PAGE)) if fresh else []

    def _index_new(self) -> int:
        """Index checkpoints newer than the newest known one (no summary read); return
        how many there were."""
        known = self.parents
        links = self._links()
        fresh = list(takewhile(lambda link: link[0] not in known, links) if known else links)
        fresh.reverse()  # oldest first: a parent is laid out before its children
        self._lay_out(fresh)
        fresh.reverse()
        self.ids[:0] = map(itemgetter(0), fresh)
        return len(fresh)

    def restate(self, snapshot: Any) -> bool:
        """Bring the summary of ``snapshot``'s checkpoint up to date with it; True when it
        changed. A checkpoint can change without a new one being saved: resuming one of
        several pending interrupts records that branch's writes on the same checkpoint,
        so what is next and what is pending shrink."""
        cid = checkpoint_id(snapshot)
        summary = self.by_id.get(cid) if cid is not None else None
        if summary is None:
            return False
        live = _task_counts(snapshot)
        if all(summary[key] == value for key, value in live.items()):
            return False
        summary.update(live)
        return True

    def page(self, offset: int, limit: int) -> list[dict]:
        """Summaries ``offset`` .. ``offset + limit`` (newest first), read if need be."""
        offset, limit = max(offset, 0), max(limit, 0)
        wanted = self.ids[offset : offset + limit]
        start = 0
        while start < len(wanted):
            if wanted[start] in self.by_id:
                start += 1
                continue
            end = start
            while end < len(wanted) and wanted[end] not in self.by_id:
                end += 1
            self._read(offset + start, end - start)
            start = end
        return [self.by_id[cid] for cid in wanted]

    def summary(self, cid: str) -> dict:
        """One checkpoint's summary ({} when the thread has no such checkpoint)."""
        position = self._index(cid)
        return {} if position is None else self.page(position, 1)[0]

    def ancestry(self, cid: str | None, limit: int = ANCESTRY_LIMIT) -> Iterator[dict]:
        """The summaries from ``cid`` back towards the thread's first checkpoint (at most
        ``limit``), read a page at a time as the caller goes back: one that stops early
        (its question answered) reads no page further back."""
        read = 0
        while cid is not None and cid in self.parents and read < limit:
            if cid not in self.by_id:
                index = self._index(cid)
                assert index is not None  # every id in ``parents`` has a position
                self.page(index, PAGE)
            yield self.by_id[cid]
            read += 1
            cid = self.parents[cid]

    def _index(self, cid: str) -> int | None:
        position = self._position.get(cid)
        return None if position is None else len(self.ids) - 1 - position

    def _links(self) -> Any:
        """``(id, parent id)`` of every checkpoint, newest first."""
        links = getattr(self._runtime, "checkpoint_links", None)
        if callable(links):
            return links(self._config)
        return (
            (checkpoint_id(s), parent_id(s)) for s in self._runtime.get_state_history(self._config)
        )

    def _lay_out(self, links: list) -> None:
        """Give each of ``links`` (oldest first) its lane: a checkpoint continues its
        parent's lane when it is the parent's first child, else opens a lane (a fork, or
        the thread's first checkpoint). A thread may have 10,000: ids and parents are
        indexed in C (``update``), and the loop over locals does only what lanes need."""
        lane_of, lanes, forks, parented = self.lane_of, self.lanes, self._forks, self._parented
        newest: dict[int, str] = {}
        for cid, pid in links:
            lane = None if pid in parented else lane_of.get(pid)  # None is never in lane_of
            if lane is None:
                fork = pid is not None and bool(lane_of)
                lane = len(lanes)
                lanes.append({"lane": lane, "from": pid if fork else cid, "to": cid})
                if fork:
                    forks.add(cid)
            parented.add(pid)
            lane_of[cid] = lane
            newest[lane] = cid
        for lane, cid in newest.items():
            lanes[lane]["to"] = cid
        self.parents.update(links)
        self._position.update(zip(map(itemgetter(0), links), count(len(self._position))))

    def _read(self, offset: int, limit: int) -> None:
        """Summarise checkpoints ``offset`` .. ``offset + limit`` (and a page past them)."""
        limit = max(limit, min(FIRST_PAGE, len(self.ids) - offset))
        before = (
            {
                "configurable": {
                    **self._config.get("configurable", {}),
                    "checkpoint_id": self.ids[offset - 1],
                }
            }
            if offset
            else None
        )
        snaps = {}
        for snap in self._runtime.get_state_history(self._config, limit=limit, before=before):
            snaps[checkpoint_id(snap)] = snap

        def snapshot(cid: str) -> Any:
            if cid not in snaps:
                snaps[cid] = self._runtime.get_state(self._with_id(cid))
            return snaps[cid]

        for cid in list(snaps):
            if cid in self.parents and cid not in self.by_id:
                self.by_id[cid] = self._summarise(snaps[cid], snapshot)

    def _with_id(self, cid: str) -> dict:
        conf = {"checkpoint_ns": "", **self._config.get("configurable", {}), "checkpoint_id": cid}
        return {**self._config, "configurable": conf}

    def _summarise(self, snap: Any, snapshot: Callable[[str], Any]) -> dict:
        cid, pid = checkpoint_id(snap), parent_id(snap)
        assert cid is not None, "a snapshot from the history always has a checkpoint id"
        meta = snap.metadata or {}
        writes = step_writes(snap, pid and (lambda: snapshot(pid)))
        lane, fork = self.lane_of[cid], cid in self._forks
        return {
            "id": cid,
            "parent": pid,
            "step": meta.get("step"),
            "source": meta.get("source"),
            "created_at": snap.created_at,
            "writers": list(writes),
            "writes": {node: preview(update) for node, update in writes.items()},
            **_task_counts(snap),
            "lane": lane,
            "fork": fork,
        }


def _task_counts(snap: Any) -> dict[str, Any]:
    """What a checkpoint still has to do: next nodes, pending interrupts, errors."""
    return {
        "next": list(snap.next),
        "interrupts": sum(len(t.interrupts) for t in snap.tasks),
        "errors": sum(1 for t in snap.tasks if t.error is not None),
    }


def step_writes(snap: Any, parent: Any) -> dict[str, Any]:
    """``{writer: update}`` for the step or edit that produced ``snap``; ``parent`` is its
    parent's snapshot, or a function returning it (called only when needed)."""
    recorded = (snap.metadata or {}).get("writes")
    if isinstance(recorded, Mapping):  # a dict, or writes a shared read joins when first read
        return dict(recorded)
    if parent is None:
        return {}
    if callable(parent):
        parent = parent()
    if (snap.metadata or {}).get("source") == "loop":
        return {t.name: t.result for t in parent.tasks if t.result is not None}
    new = to_jsonable(snap.values)
    changed = {
        op["path"][0]: new.get(op["path"][0])
        for op in diff(to_jsonable(parent.values), new)
        if op["path"]
    }
    return {"update_state": changed} if changed else {}
