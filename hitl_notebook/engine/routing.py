"""Where a step leads: fixed edges, conditional edges, ``Command(goto)``, ``Send`` and joins."""

from __future__ import annotations

import asyncio
import hashlib
from typing import TYPE_CHECKING, Any

from ..checkpoint.base import Change, Replace, TaskPlan
from ..errors import InvalidUpdateError
from ..graph.builder import END
from ..types import Send

if TYPE_CHECKING:
    from ..graph.compiled import CompiledStateGraph

__all__ = ["goto_list", "next_plans", "route", "task_id"]


def task_id(checkpoint_id: str, ns: str, name: str, send_index: int | None = None) -> str:
    """Deterministic: resuming from the same checkpoint gives the same task the same id."""
    key = f"{checkpoint_id}|{ns}|{name}" if send_index is None else f"{checkpoint_id}|{ns}|{name}|send:{send_index}"
    h = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def route(graph: CompiledStateGraph, node: str, values: dict, writes: list[tuple[str, Any]], config: dict, *,
          solo: bool = False) -> tuple[list[Any], tuple[dict, dict[str, Change]] | None]:
    """Where ``node``'s fixed edges and conditional edges lead, given the values its step
    started from and its own writes.

    Also returns the values and changes its conditional edges were shown, when ``solo``
    (the only task of its step: its step commits exactly those, so they are not folded
    twice); otherwise None.
    """
    targets: list[Any] = list(graph.static_targets.get(node, ()))
    branches = graph.builder.branches.get(node)
    if not branches:
        return targets, None
    applied = graph.apply_writes(values, writes, remember=solo)
    view = graph.builder.schema.node_view(graph.visible_values(applied[0]))
    for branch in branches:
        result = branch.path(view, config) if branch.accepts_config else branch.path(view)
        if asyncio.iscoroutine(result):
            result = asyncio.run(_await(result))
        for choice in result if isinstance(result, (list, tuple)) else [result]:
            if isinstance(choice, Send):
                targets.append(choice)
                continue
            if branch.path_map is not None:
                if choice not in branch.path_map:
                    raise InvalidUpdateError(
                        f"Conditional edge from '{node}' returned {choice!r}, which is not in its "
                        f"path map {list(branch.path_map)!r}."
                    )
                choice = branch.path_map[choice]
            targets.extend(goto_list(graph, node, choice))
    return targets, applied if solo else None


async def _await(coro: Any) -> Any:
    return await coro


def goto_list(graph: CompiledStateGraph, node: str, goto: Any) -> list[Any]:
    if goto is None:
        return []
    items = goto if isinstance(goto, (list, tuple)) else [goto]
    out: list[Any] = []
    for g in items:
        if isinstance(g, Send):
            if g.node not in graph.builder.nodes:
                raise InvalidUpdateError(f"Node '{node}' sent to unknown node {g.node!r}.")
            out.append(g)
        elif g == END:
            continue
        elif isinstance(g, str) and g in graph.builder.nodes:
            out.append(g)
        else:
            raise InvalidUpdateError(
                f"Node '{node}' routes to unknown node {g!r}; known nodes: {', '.join(map(repr, graph.builder.nodes))} or END."
            )
    return out


def next_plans(graph: CompiledStateGraph, ns: str, checkpoint_id: str, finished: list[tuple[str, list[Any]]],
               values: dict, changes: dict[str, Change]) -> list[TaskPlan]:
    """The tasks of the next step, given the ``(node, goto)`` of the tasks that finished.

    Updates join progress (hidden ``__join__N`` channels) in ``values``/``changes``. Pull
    tasks come in node order, then ``Send`` tasks in the order they were sent.
    """
    if len(finished) == 1 and not graph.join_keys:  # the usual step: one task, no joins
        goto = finished[0][1]
        if len(goto) == 1 and type(goto[0]) is str:
            return [TaskPlan(task_id(checkpoint_id, ns, goto[0]), goto[0])]
        if not goto:
            return []
    names: set[str] = set()
    sends: list[Send] = []
    for _name, goto in finished:
        for g in goto:
            if isinstance(g, Send):
                sends.append(g)
            else:
                names.add(g)
    done_nodes = {name for name, _ in finished}
    for key, (sources, target) in zip(graph.join_keys, graph.builder.joins):
        done = set(values.get(key, ())) | (done_nodes & set(sources))
        if done >= set(sources):
            if target != END:
                names.add(target)
            done = set()
        new = sorted(done)
        if new != values.get(key, []):
            values[key] = new
            changes[key] = Replace(new)
    plans = [TaskPlan(task_id(checkpoint_id, ns, n), n) for n in sorted(names, key=graph.node_index)]
    plans += [TaskPlan(task_id(checkpoint_id, ns, s.node, i), s.node, send_arg=s.arg, is_send=True)
              for i, s in enumerate(sends)]
    return plans
