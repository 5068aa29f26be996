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

__all__ = ["name_path", "state_as_of", "stateful_ns"]


def name_path(ns: str) -> tuple[str, ...]:
    """``"a:1f2e|b:9c3d|1"`` -> ``("a", "b")``: a namespace without its task ids and call
    indexes."""
    return (
        tuple(segment.split(":", 1)[0] for segment in ns.split("|") if not segment.isdigit())
        if ns
        else ()
    )


def stateful_ns(parent_ns: str, name: str) -> str:
    """Where a ``checkpointer=True`` subgraph run by node ``name`` keeps its one history:
    the parent's namespace without task ids (call indexes kept), so it is the same for
    every task of every enclosing graph, as in LangGraph."""
    if not parent_ns:
        return name
    return "|".join(segment.split(":", 1)[0] for segment in parent_ns.split("|")) + "|" + name


def state_as_of(
    saver: Any, thread_id: str, ns: str, parent_ns: str, parent_checkpoint: str | None
) -> CheckpointRecord | None:
    """The newest checkpoint of subgraph namespace ``ns`` written while its parent was on
    the history that leads to ``parent_checkpoint`` (None: the subgraph starts fresh).

    A subgraph checkpoint belongs to the parent step it ran in (``parents``). That step
    counts for ``parent_checkpoint`` when it is this very step (a resume), or when the
    step's result is on the way to it: a checkpoint reached by a fork or an edit of the
    step's checkpoint did not run that step, so what the subgraph did there is undone."""
    latest = saver.get(thread_id, ns)
    if latest is None:
        return None
    seen_at = (latest.metadata.get("parents") or {}).get(parent_ns)
    if seen_at is None or seen_at == parent_checkpoint:
        return latest  # this very step already ran it (a resume): go on from there
    counted = _steps_run(saver, thread_id, parent_ns, parent_checkpoint, seen_at)
    if seen_at in counted:
        return latest  # the usual case: nothing was replayed since the subgraph last ran
    if not counted:
        return None
    for record in saver.list(thread_id, ns):
        if (record.metadata.get("parents") or {}).get(parent_ns) in counted:
            return saver.get(thread_id, ns, record.id)
    return None


def _steps_run(saver: Any, thread_id: str, ns: str, start: str | None, stop_below: str) -> set[str]:
    """The checkpoints on ``start``'s history whose step was run to reach ``start`` (their
    child on the way is a ``loop`` checkpoint), ``start`` itself included. The walk stops
    at ``stop_below`` when it is one of them (ids grow with time, so it stops early)."""
    counted: set[str] = set()
    if start is None:
        return counted
    counted.add(start)
    child = saver.get(thread_id, ns, start)
    if child is None:  # not saved yet (durability="exit"): the run has not replayed anything
        return {start, stop_below}
    seen: set[str] = set()
    while child is not None and child.parent_id is not None:
        if child.parent_id in seen:
            raise parent_cycle(thread_id, start, child.parent_id)
        seen.add(child.parent_id)
        if child.source == "loop":
            counted.add(child.parent_id)
            if child.parent_id == stop_below:
                return counted
        child = saver.get(thread_id, ns, child.parent_id)
    return counted
