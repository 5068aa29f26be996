"""Where a subgraph's checkpoints sit in its parents' histories.

Each subgraph checkpoint records ``parents``: for every enclosing graph's namespace, the
checkpoint that graph was at when the subgraph ran (LangGraph's ``metadata["parents"]``).
That answers two questions: which subgraph checkpoint a ``checkpoint_map`` config points a
replay at, and which state a subgraph compiled with ``checkpointer=True`` starts from when
its parent replays or forks an older checkpoint (the state it had *then*, not its latest).
"""

from __future__ import annotations

from typing import Any

from ..checkpoint.base import CheckpointRecord, parent_cycle

__all__ = ["name_path", "state_as_of"]


def name_path(ns: str) -> tuple[str, ...]:
    """``"a:1f2e|b:9c3d"`` -> ``("a", "b")``: a namespace without its task ids."""
    return tuple(segment.split(":", 1)[0] for segment in ns.split("|")) if ns else ()


def state_as_of(
    saver: Any, thread_id: str, ns: str, parent_ns: str, parent_checkpoint: str | None
) -> CheckpointRecord | None:
    """The newest checkpoint of subgraph namespace ``ns`` written while its parent was on
    the history that leads to ``parent_checkpoint`` (None: the subgraph starts fresh)."""
    latest = saver.get(thread_id, ns)
    if latest is None:
        return None
    seen_at = (latest.metadata.get("parents") or {}).get(parent_ns)
    if seen_at == parent_checkpoint:  # this very step already ran it (a resume): go on from there
        return latest
    here = saver.get(thread_id, parent_ns, parent_checkpoint)
    if here is not None and here.source == "fork" and here.parent_id is not None:
        # The parent replays the step of the checkpoint it copied: what the subgraph did in
        # that step is undone, so its state is the one it had before that step.
        copied = saver.get(thread_id, parent_ns, here.parent_id)
        parent_checkpoint = copied.parent_id if copied is not None else None
        if parent_checkpoint is None:
            return None
    if seen_at is None or _on_chain(saver, thread_id, parent_ns, parent_checkpoint, {seen_at}):
        return latest  # the usual case: nothing was replayed since the subgraph last ran
    ancestors = _chain(saver, thread_id, parent_ns, parent_checkpoint)
    for record in saver.list(thread_id, ns):
        if (record.metadata.get("parents") or {}).get(parent_ns) in ancestors:
            return saver.get(thread_id, ns, record.id)
    return None


def _on_chain(saver: Any, thread_id: str, ns: str, start: str | None, targets: set[str]) -> bool:
    """Whether one of ``targets`` is ``start`` or one of its ancestors. Ids grow with time,
    so the walk stops as soon as it passes below the oldest target."""
    floor = min(targets)
    record_id: str | None = start
    seen: set[str] = set()
    while record_id is not None and record_id >= floor:
        if record_id in targets:
            return True
        if record_id in seen:
            raise parent_cycle(thread_id, start, record_id)
        seen.add(record_id)
        record = saver.get(thread_id, ns, record_id)
        if record is None:  # not saved yet (durability="exit"): the run has not replayed anything
            return True
        record_id = record.parent_id
    return False


def _chain(saver: Any, thread_id: str, ns: str, start: str | None) -> set[str]:
    ids: set[str] = set()
    record_id: str | None = start
    while record_id is not None:
        if record_id in ids:
            raise parent_cycle(thread_id, start, record_id)
        ids.add(record_id)
        record = saver.get(thread_id, ns, record_id)
        record_id = record.parent_id if record is not None else None
    return ids
