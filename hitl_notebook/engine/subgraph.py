"""A compiled graph used as a node of another graph.

The subgraph runs in the parent task's context (same thread, its own checkpoint namespace)
and passes back its final values for the keys the parent has (LangGraph's rule).
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


def subgraph_node(
    graph: CompiledStateGraph, parent_channels: dict[str, Channel]
) -> tuple[Callable, Callable]:
    """The sync and async node functions that run ``graph`` inside a parent task."""

    def run_subgraph(state: Any, config: dict) -> dict:
        parent = dict(state) if isinstance(state, dict) else state
        run = Run(graph, config)
        for _ in drive_sync(run, parent, True):
            pass
        return _changed_keys(
            parent_channels, parent if isinstance(parent, dict) else {}, run.output()
        )

    async def arun_subgraph(state: Any, config: dict) -> dict:
        parent = dict(state) if isinstance(state, dict) else state
        run = Run(graph, config)
        async for _ in drive_async(run, parent, True):
            pass
        return _changed_keys(
            parent_channels, parent if isinstance(parent, dict) else {}, run.output()
        )

    run_subgraph.__name__ = arun_subgraph.__name__ = graph.name
    return run_subgraph, arun_subgraph


def _changed_keys(parent_channels: dict[str, Channel], before: dict, after: Any) -> Any:
    """The subgraph's final values for the parent's keys: LangGraph's rule, so a reducer
    key of the parent folds in the subgraph's whole list (input included) as it does there."""
    if not isinstance(after, dict):
        return after
    return {
        k: v
        for k, v in after.items()
        if not k.startswith("__") and (not parent_channels or k in parent_channels)
    }
