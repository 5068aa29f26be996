"""Where a step leads: fixed edges, conditional edges, ``Command(goto)``, ``Send`` and joins."""

from __future__ import annotations

import inspect
from typing import TYPE_CHECKING, Any

from ..checkpoint.base import Change, Replace, TaskPlan, task_id
from ..constants import DEFER_KEY, END
from ..errors import InvalidUpdateError
from ..types import Send
from .context import current_task, injected_arguments, node_config

if TYPE_CHECKING:
    from ..graph.plan import GraphPlan

__all__ = ["aroute", "goto_list", "next_plans", "route", "task_id"]


def route(
    structure: GraphPlan,
    node: str,
    values: dict,
    writes: list[tuple[str, Any]],
    config: dict,
    solo: bool = False,
) -> tuple[list[Any], tuple[dict, dict[str, Change]] | None]:
    """Where ``node``'s fixed edges and conditional edges lead, given the values its step
    started from and its own writes.

    Also returns the values and changes its conditional edges were shown, when ``solo``
    (the only task of its step: its step commits exactly those, so they are not folded
    twice); otherwise None.
    """
    branches = structure.branches.get(node)
    if not branches:
        return list(structure.static_targets.get(node, ())), None
    applied, view = _preview(structure, values, writes, solo)
    chosen = []
    for branch in branches:
        if branch.is_async:
            raise TypeError(
                f"The conditional edge after '{node}' is an async function: run the graph with "
                "`await graph.ainvoke(...)` or `graph.astream(...)`."
            )
        chosen.append(_choose(branch, view, config))
    return _targets(structure, node, branches, chosen), applied if solo else None


async def aroute(
    structure: GraphPlan,
    node: str,
    values: dict,
    writes: list[tuple[str, Any]],
    config: dict,
    *,
    solo: bool = False,
) -> tuple[list[Any], tuple[dict, dict[str, Change]] | None]:
    """``route`` on the event loop: async conditional edges are awaited."""
    branches = structure.branches.get(node)
    if not branches:
        return list(structure.static_targets.get(node, ())), None
    applied, view = _preview(structure, values, writes, solo)
    chosen = []
    for branch in branches:
        result = _choose(branch, view, config)
        chosen.append(await result if inspect.isawaitable(result) else result)
    return _targets(structure, node, branches, chosen), applied if solo else None


def _choose(branch: Any, view: Any, config: dict) -> Any:
    """``path(state)``, with the config (the task's, inside one) and the parameters it
    takes by name."""
    if not branch.accepts_config and not branch.injected:
        return branch.path(view)
    ctx = current_task()
    extra = injected_arguments(branch.injected, ctx) if branch.injected else {}
    if not branch.accepts_config:
        return branch.path(view, **extra)
    return branch.path(view, config if ctx is None else node_config(ctx), **extra)


def _preview(
    structure: GraphPlan, values: dict, writes: list[tuple[str, Any]], solo: bool
) -> tuple[tuple[dict, dict[str, Change]], Any]:
    """The step's values with this task's writes, and the state view its branches read."""
    applied = structure.apply_writes(values, writes, remember=solo)
    return applied, structure.schema.node_view(structure.visible_values(applied[0]))


def _targets(structure: GraphPlan, node: str, branches: Any, chosen: list[Any]) -> list[Any]:
    targets: list[Any] = list(structure.static_targets.get(node, ()))
    for branch, result in zip(branches, chosen):
        for choice in result if isinstance(result, (list, tuple)) else [result]:
            if isinstance(choice, Send):
                if choice.node not in structure.nodes:
                    raise InvalidUpdateError(
                        f"Conditional edge from '{node}' sent to unknown node {choice.node!r}; "
                        f"known nodes: {', '.join(map(repr, structure.nodes))}."
                    )
                targets.append(choice)
                continue
            if branch.path_map is not None:
                if choice not in branch.path_map:
                    raise InvalidUpdateError(
                        f"Conditional edge from '{node}' returned {choice!r}, which is not in its "
                        f"path map {list(branch.path_map)!r}."
                    )
                choice = branch.path_map[choice]
            targets.extend(goto_list(structure, node, choice))
    return targets


def goto_list(structure: GraphPlan, node: str, goto: Any) -> list[Any]:
    if goto is None:
        return []
    items = goto if isinstance(goto, (list, tuple)) else [goto]
    out: list[Any] = []
    for g in items:
        if isinstance(g, Send):
            if g.node not in structure.nodes:
                raise InvalidUpdateError(f"Node '{node}' sent to unknown node {g.node!r}.")
            out.append(g)
        elif g == END:
            continue
        elif isinstance(g, str) and g in structure.nodes:
            out.append(g)
        else:
            raise InvalidUpdateError(
                f"Node '{node}' routes to unknown node {g!r}; known nodes: {', '.join(map(repr, structure.nodes))} or END."
            )
    return out


def next_plans(
    structure: GraphPlan,
    ns: str,
    checkpoint_id: str,
    finished: list[tuple[str, list[Any]]],
    values: dict,
    changes: dict[str, Change],
) -> list[TaskPlan]:
    """The tasks of the next step, given the ``(node, goto)`` of the tasks that finished.

    Updates join progress (hidden ``__join__N`` channels: the sources seen, kept complete
    until the target runs, as LangGraph's barrier channels) in ``values``/``changes``. As in
    LangGraph, ``Send`` tasks come first in the order they were sent, then pull tasks in
    node order (their writes apply in another order: see ``write_order``).
    """
    if len(finished) == 1 and structure.plain_routing:  # the usual step: one task, no joins
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
    for key, (sources, target) in zip(structure.join_keys, structure.joins):
        if target == END:  # leads nowhere (LangGraph ignores it too)
            continue
        done = set(values.get(key, ()))
        if target in done_nodes and done >= set(sources):
            done = set()  # complete until its target ran (so an edit meanwhile keeps it due)
        done |= done_nodes & set(sources)
        if done >= set(sources):
            names.add(target)
        new = sorted(done)
        if new != values.get(key, []):
            values[key] = new
            changes[key] = Replace(new)
    if structure.deferred:
        names = _release_deferred(structure, names, done_nodes, values, changes)
    plans = [
        TaskPlan(task_id(checkpoint_id, ns, s.node, i), s.node, send_arg=s.arg, is_send=True)
        for i, s in enumerate(sends)
    ]
    plans += [
        TaskPlan(task_id(checkpoint_id, ns, n), n) for n in sorted(names, key=structure.node_index)
    ]
    return plans


def _release_deferred(
    structure: GraphPlan,
    names: set[str],
    done_nodes: set[str],
    values: dict,
    changes: dict[str, Change],
) -> set[str]:
    """The pull tasks of the next step, deferred nodes held back: a triggered deferred node
    waits until no other node is triggered (``Send`` tasks do not count), then runs once
    however often it was triggered, as LangGraph's ``defer=True``. It stays in the waiting
    list until it ran, so that a state edit before it runs leaves it due (as LangGraph's
    trigger channel of a deferred node stays set until the node reads it)."""

    before = values.get(DEFER_KEY, [])
    waiting = (set(before) - done_nodes) | (names & structure.deferred)
    names = names - structure.deferred
    if not names and waiting:
        names = set(waiting)
    new = sorted(waiting)
    if new != before:
        values[DEFER_KEY] = new
        changes[DEFER_KEY] = Replace(new)
    return names
