"""An in-memory index of a thread's checkpoints as small summaries, for the timeline.

The timeline shows every checkpoint as a tree: each summary carries its parent, a *lane*
(forks open a new lane) and who wrote it. The index is loaded once and then synced
incrementally after each action (new checkpoints are always the newest), so the browser
receives only new summaries and pages of old ones on demand.
"""

from __future__ import annotations

from typing import Any

from .jsonable import diff, preview, to_jsonable

__all__ = ["HistoryIndex", "checkpoint_id", "parent_id", "step_writes"]


def checkpoint_id(snapshot: Any) -> str | None:
    """The checkpoint id of a snapshot (None for a thread with no checkpoint yet)."""
    return (snapshot.config or {}).get("configurable", {}).get("checkpoint_id")


def parent_id(snapshot: Any) -> str | None:
    """The parent checkpoint id of a snapshot (None for a thread's first checkpoint)."""
    parent = snapshot.parent_config
    return parent["configurable"]["checkpoint_id"] if parent else None


class HistoryIndex:
    """Summaries of every checkpoint of one thread, newest first."""

    def __init__(self, runtime: Any, config: dict) -> None:
        self._runtime = runtime
        self._config = config
        #: Summaries, newest first.
        self.items: list[dict] = []
        self.by_id: dict[str, dict] = {}
        self._children: dict[str, int] = {}
        self._lanes = 0
        self.sync()

    def __len__(self) -> int:
        return len(self.items)

    def sync(self) -> list[dict]:
        """Load checkpoints newer than the newest known one; return their summaries,
        newest first."""
        fresh = []
        for snap in self._runtime.get_state_history(self._config):
            if checkpoint_id(snap) in self.by_id:
                break
            fresh.append(snap)
        if not fresh:
            return []
        snaps = {checkpoint_id(s): s for s in fresh}
        for snap in fresh:
            pid = parent_id(snap)
            if pid is not None and pid not in snaps:
                # A known parent may have gained task results since it was indexed.
                snaps[pid] = self._runtime.get_state(self._with_id(pid))
        added = [self._summarise(snap, snaps) for snap in reversed(fresh)]
        added.reverse()
        self.items[:0] = added
        return added

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
        """Summaries ``offset`` .. ``offset + limit`` (newest first)."""
        return self.items[max(offset, 0) : max(offset, 0) + max(limit, 0)]

    def ancestry(self, cid: str | None) -> list[dict]:
        """The summaries from ``cid`` back to the thread's first checkpoint."""
        chain = []
        while cid is not None and cid in self.by_id:
            chain.append(self.by_id[cid])
            cid = self.by_id[cid]["parent"]
        return chain

    def _with_id(self, cid: str) -> dict:
        conf = {"checkpoint_ns": "", **self._config.get("configurable", {}), "checkpoint_id": cid}
        return {**self._config, "configurable": conf}

    def _summarise(self, snap: Any, snaps: dict[str | None, Any]) -> dict:
        cid, pid = checkpoint_id(snap), parent_id(snap)
        assert cid is not None, "a snapshot from the history always has a checkpoint id"
        meta = snap.metadata or {}
        writes = step_writes(snap, snaps.get(pid) if pid else None)
        summary = {
            "id": cid,
            "parent": pid,
            "step": meta.get("step"),
            "source": meta.get("source"),
            "created_at": snap.created_at,
            "writers": list(writes),
            "writes": {node: preview(update) for node, update in writes.items()},
            **_task_counts(snap),
            "lane": 0,
            "fork": False,
        }
        siblings = self._children.get(pid, 0) if pid else 0
        if pid is not None:
            self._children[pid] = siblings + 1
        if pid in self.by_id and siblings == 0:
            summary["lane"] = self.by_id[pid]["lane"]
        elif pid is not None or self.by_id:
            self._lanes += 1
            summary["lane"] = self._lanes
            summary["fork"] = pid is not None
        self.by_id[cid] = summary
        return summary


def _task_counts(snap: Any) -> dict[str, Any]:
    """What a checkpoint still has to do: next nodes, pending interrupts, errors."""
    return {
        "next": list(snap.next),
        "interrupts": sum(len(t.interrupts) for t in snap.tasks),
        "errors": sum(1 for t in snap.tasks if t.error is not None),
    }


def step_writes(snap: Any, parent: Any) -> dict[str, Any]:
    """``{writer: update}`` for the step or edit that produced ``snap``."""
    recorded = (snap.metadata or {}).get("writes")
    if isinstance(recorded, dict):
        return recorded
    if parent is None:
        return {}
    if (snap.metadata or {}).get("source") == "loop":
        return {t.name: t.result for t in parent.tasks if t.result is not None}
    new = to_jsonable(snap.values)
    changed = {
        op["path"][0]: new.get(op["path"][0])
        for op in diff(to_jsonable(parent.values), new)
        if op["path"]
    }
    return {"update_state": changed} if changed else {}
