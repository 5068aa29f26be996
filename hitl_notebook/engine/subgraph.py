"""A compiled graph used as a node of another graph.

The subgraph runs in the parent task's context (same thread, its own checkpoint namespace)
and passes back only what it changed, so a parent reducer does not add old items twice.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .driver import drive_async, drive_sync
from .loop import Run

if TYPE_CHECKING:
    from ..graph.channels import Channel
    from ..graph.compiled import CompiledStateGraph

__all__ = ["subgraph_node"]

_ABSENT: Any = object()


def subgraph_node(graph: CompiledStateGraph, parent_channels: dict[str, Channel]) -> tuple[Callable, Callable]:
    """The sync and async node functions that run ``graph`` inside a parent task."""

    def run_subgraph(state: Any, config: dict) -> dict:
        parent = dict(state) if isinstance(state, dict) else state
        run = Run(graph, config)
        for _ in drive_sync(run, parent, True):
            pass
        return _changed_keys(parent_channels, parent if isinstance(parent, dict) else {}, run.output())

    async def arun_subgraph(state: Any, config: dict) -> dict:
        parent = dict(state) if isinstance(state, dict) else state
        run = Run(graph, config)
        async for _ in drive_async(run, parent, True):
            pass
        return _changed_keys(parent_channels, parent if isinstance(parent, dict) else {}, run.output())

    run_subgraph.__name__ = arun_subgraph.__name__ = graph.name
    return run_subgraph, arun_subgraph


def _changed_keys(parent_channels: dict[str, Channel], before: dict, after: Any) -> Any:
    """Only what the subgraph changed; for append-style keys only the new items."""
    if not isinstance(after, dict):
        return after
    update = {}
    for key, value in after.items():
        if key.startswith("__") or (parent_channels and key not in parent_channels):
            continue
        old = before.get(key, _ABSENT)
        if old is value or (old is not _ABSENT and old == value):
            continue
        reducer = getattr(parent_channels.get(key), "reducer", None)
        if reducer is not None and isinstance(old, list) and isinstance(value, list) \
                and value[: len(old)] == old and reducer.__name__ != "add_messages":
            value = value[len(old):]
        update[key] = value
    return update
