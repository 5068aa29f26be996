"""``update_state`` and ``bulk_update_state``: write values into a thread as if nodes had
returned them.

Each superstep of a bulk update becomes one checkpoint: its updates act as the tasks of one
step (their writes applied together, in order; their routes joined), and ``update_state`` is
a bulk update of one superstep with one update. As in LangGraph, that step is the edit's
alone: the tasks that were waiting are dropped, and only the routes of the nodes it acts as
decide what runs next (without ``as_node``, the node that last ran, edits, inputs and
``Send`` tasks not counted). On the latest checkpoint an update edits the thread; on a
past one it forks a new branch. The history is a tree and is never
rewritten. Besides node names, ``as_node`` takes ``"__input__"`` (the values become the
thread's input, as ``invoke(values)`` would record it, without running anything), ``END``
with ``values=None`` (the waiting tasks are dropped: the thread is finished) and
``"__copy__"`` (a sibling copy of the checkpoint, optionally updated at once).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..checkpoint.base import (
    Change,
    CheckpointRecord,
    Namespace,
    Replace,
    TaskOutcome,
    TaskPlan,
    ThreadId,
    new_checkpoint_id,
)
from ..checkpoint.copying import fresh_copy
from ..constants import COPY, END, NULL_TASK_ID, START
from ..errors import CheckpointNotFoundError, InvalidUpdateError
from ..types import Command, StateUpdate
from .commands import INPUT_NAME, merge_changes
from .lineage import name_path
from .loop import now_iso
from .routing import aroute, next_plans, route, task_id
from .run_metadata import config_metadata
from .snapshot import checkpoint_config, require_saver, thread_coordinates
from .tasks import goto_from_json, goto_to_json, writes_from_output
from .untracked import outcome_to_store, record_to_store

if TYPE_CHECKING:
    from ..graph.compiled import CompiledStateGraph
    from ..graph.plan import GraphPlan

__all__ = ["bulk_update_state", "update_state"]


def update_state(
    graph: CompiledStateGraph,
    config: dict,
    values: Any,
    as_node: str | None = None,
    task_id: str | None = None,
) -> dict:
    """One update: a superstep of its own. Returns the new checkpoint's config."""
    return bulk_update_state(
        graph, config, [[StateUpdate(values, as_node, task_id)]], what="update_state"
    )


def bulk_update_state(
    graph: CompiledStateGraph,
    config: dict,
    supersteps: Sequence[Sequence[Any]],
    *,
    what: str = "bulk_update_state",
) -> dict:
    """Apply ``supersteps`` in order, one checkpoint each; returns the last one's config."""
    saver = require_saver(graph, what)
    steps = [list(superstep) for superstep in supersteps]
    if not steps:
        raise ValueError(
            "No supersteps provided: bulk_update_state(config, supersteps) takes a list of "
            "supersteps, each a list of StateUpdate(values, as_node)."
        )
    if any(not superstep for superstep in steps):
        raise ValueError(
            "No updates provided: every superstep of bulk_update_state needs at least one "
            "StateUpdate(values, as_node)."
        )
    structure = _addressed_plan(graph, config)
    # Editing the latest state moves the thread on from its head (compare-and-set, as a
    # run does); naming a checkpoint_id forks from it on purpose.
    advance = thread_coordinates(config)[2] is None
    for superstep in steps:
        updates = [_as_update(u) for u in superstep]
        config = _superstep(structure, saver, config, updates, advance=advance)
    return config


def _as_update(update: Any) -> StateUpdate:
    if isinstance(update, StateUpdate):
        return update
    if isinstance(update, (tuple, list)) and 1 <= len(update) <= 3:
        return StateUpdate(*update)
    raise TypeError(
        f"A superstep holds StateUpdate(values, as_node[, task_id]) items, got {update!r}."
    )


def _addressed_plan(graph: CompiledStateGraph, config: dict) -> GraphPlan:
    """The plan of the (sub)graph whose namespace ``config`` names: writing a subgraph's
    state with the parent's nodes and channels would store the wrong state there."""
    ns = ((config or {}).get("configurable") or {}).get("checkpoint_ns") or ""
    if not ns:
        return graph._plan
    path = "|".join(name_path(ns))
    for _, subgraph in graph.get_subgraphs(namespace=path, recurse=True):
        return subgraph._plan
    raise ValueError(
        f"Subgraph {path} not found: to update a subgraph's state its graph must be a node of this one "
        f"(add_node(name, compiled_subgraph)); checkpoint_ns {ns!r} names none."
    )


def _superstep(
    structure: GraphPlan, saver: Any, config: dict, updates: list[StateUpdate], *, advance: bool
) -> dict:
    thread_id, ns, checkpoint_id = thread_coordinates(config)
    # A shared read: the values a plain edit does not hand to user code stay uncopied.
    base = saver.get(thread_id, ns, checkpoint_id, shared=True)
    if checkpoint_id is not None and base is None:
        raise CheckpointNotFoundError(
            f"Thread '{thread_id}' has no checkpoint '{checkpoint_id}' to update: pass an id "
            "from get_state_history(config), or leave checkpoint_id out for the latest."
        )
    metadata = _metadata(config, base)
    first = updates[0]
    if base is not None and first.as_node in (END, INPUT_NAME, COPY):
        base = saver.get(thread_id, ns, base.id)  # these store the values whole: a copy
    if first.as_node == END and first.values is None:
        _alone(
            updates,
            "Cannot apply multiple updates when clearing state",
            "update_state(None, as_node=END) drops the waiting tasks",
        )
        return _clear(structure, saver, thread_id, ns, base, metadata, advance=advance)
    if first.as_node == INPUT_NAME:
        _alone(
            updates,
            "Cannot apply multiple updates when updating as input",
            "an update as '__input__' is the thread's whole input",
        )
        return _as_input(
            structure, saver, thread_id, ns, base, first.values, metadata, advance=advance
        )
    if first.as_node == COPY:
        _alone(
            updates,
            "Cannot copy checkpoint with multiple updates",
            "pass the updates to apply to the copy as its values: [(values, as_node), ...]",
        )
        return _copy(structure, saver, base, first.values, config)
    as_nodes = _as_nodes(structure, saver, base, updates)
    _check_task_ids(base, updates, as_nodes)
    planned = []
    for update, as_node in zip(updates, as_nodes):
        writes, goto = _update_writes(structure, update.values, as_node)
        planned.append((as_node, writes, goto, structure.prepare_writes(writes)))
    old_values = (
        _private_values(structure, base.values, as_nodes, planned)
        if base is not None
        else structure.initial_values()
    )
    routing: list[tuple[str, list[Any]]] = []
    step_writes: list[tuple[str, Any]] = []
    shown: dict[str, Any] = {}
    for as_node, writes, goto, prepared in planned:
        targets = _route(structure, as_node, old_values, prepared, config)
        routing.append((as_node, goto + targets))
        step_writes.extend(prepared)
        view = dict(writes) if writes else None
        if as_node in shown:  # several updates as one node (its Send tasks)
            prior = shown[as_node]
            shown[as_node] = [*prior, view] if isinstance(prior, list) else [prior, view]
        else:
            shown[as_node] = view
    new_values, changes = structure.apply_writes(old_values, step_writes)
    if base is None:
        changes = {k: Replace(v) for k, v in new_values.items()}
    new_id = new_checkpoint_id()
    plans = next_plans(structure, ns, new_id, routing, new_values, changes)
    record = CheckpointRecord(
        thread_id=thread_id,
        ns=ns,
        id=new_id,
        parent_id=base.id if base is not None else None,
        step=base.step + 1 if base is not None else 0,
        source="update",
        writes=shown,
        values=new_values,
        next=plans,
        created_at=now_iso(),
        metadata=metadata,
    )
    closed = _edited_tasks(saver, base, updates, as_nodes, planned, routing, advance=advance)
    if structure.untracked:
        record, changes = record_to_store(structure.untracked, record, changes)
        closed = [outcome_to_store(structure.untracked, o) for o in closed]
    if closed:
        saver.put_step(record, changes, closed, advance=advance)
    else:
        saver.put(record, changes, advance=advance)
    return checkpoint_config(thread_id, ns, new_id)


def _edited_tasks(
    saver: Any,
    base: CheckpointRecord | None,
    updates: list[StateUpdate],
    as_nodes: list[str],
    planned: list[tuple],
    routing: list[tuple[str, list[Any]]],
    *,
    advance: bool,
) -> list[TaskOutcome]:
    """An edit as a node that waits at the edited checkpoint is kept as that task's writes
    there, as LangGraph keeps it (history then shows it as the task's ``result``): only
    while that checkpoint is the thread's latest, and never over writes the task already
    finished with (LangGraph's savers keep a task's first writes)."""
    if base is None or not base.next:
        return []
    if not advance:
        latest = saver.get(base.thread_id, base.ns, None, shared=True)
        if latest is None or latest.id != base.id:
            return []
    waiting: dict[str, list[TaskPlan]] = {}
    for plan in base.next:
        waiting.setdefault(plan.name, []).append(plan)
    recorded = base.outcomes or {}
    closed: dict[str, TaskOutcome] = {}
    for update, as_node, (_, writes, _, _), (_, targets) in zip(
        updates, as_nodes, planned, routing
    ):
        queue = waiting.get(as_node, [])
        task = update.task_id or (queue.pop(0).id if queue else None)
        if task is None or task in closed or not writes:
            continue
        previous = recorded.get(task)
        if previous is not None and previous.writes is not None:
            continue
        goto = [goto_to_json(g) for g in targets]
        closed[task] = (
            TaskOutcome(task_id=task, name=as_node, writes=list(writes), goto=goto)
            if previous is None
            else replace(previous, writes=list(writes), goto=goto)
        )
    return list(closed.values())


def _private_values(
    structure: GraphPlan, shared: Any, as_nodes: list[str], planned: list[tuple]
) -> dict:
    """The base values an edit may hand to user code, copied; the rest stay the saver's.

    A conditional edge after an ``as_node`` reads the whole state, so all is copied then;
    otherwise only the keys the edit writes (their reducers receive the old value). Forking
    far back on a long conversation then copies no message list it does not touch.
    """
    if any(structure.branches.get(name) for name in as_nodes):
        return fresh_copy(dict(shared))
    written = {key for *_, prepared in planned for key, _ in prepared}
    return {k: fresh_copy(v) if k in written else v for k, v in shared.items()}


def _route(
    structure: GraphPlan, as_node: str, values: dict, writes: list, config: dict
) -> list[Any]:
    """Where the edit leads. An async conditional edge is awaited on a loop of this thread's
    own (``aupdate_state`` runs the edit in a worker thread, which has none); in a thread
    whose loop is running (a notebook cell) that cannot be done, so it names
    ``aupdate_state``."""
    if not structure.async_branches(as_node):
        return route(structure, as_node, values, writes, config)[0]
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(aroute(structure, as_node, values, writes, config))[0]
    raise TypeError(
        f"The conditional edge after '{as_node}' is an async function: use "
        "`await graph.aupdate_state(...)` to edit this graph's state."
    )


def _alone(updates: list[StateUpdate], message: str, hint: str) -> None:
    if len(updates) > 1:
        raise InvalidUpdateError(
            f"{message}: {hint}, so it must be the only update of its superstep."
        )


def _as_nodes(
    structure: GraphPlan, saver: Any, base: CheckpointRecord | None, updates: list[StateUpdate]
) -> list[str]:
    """The node each update acts as; an update without ``as_node`` (alone in its superstep)
    acts as the node that wrote last."""
    names = []
    for update in updates:
        as_node = update.as_node
        if as_node is None:
            if len(updates) > 1:
                raise InvalidUpdateError(
                    "as_node is required when applying multiple updates: each StateUpdate of a superstep "
                    "names the node it acts as."
                )
            as_node = _last_writer(saver, base)
        elif as_node != START and as_node not in structure.nodes:
            raise InvalidUpdateError(
                f"Node {as_node} does not exist: update_state(as_node={as_node!r}) names no such node; known nodes: "
                f"{', '.join(map(repr, structure.nodes))} (or START, '__input__', '__copy__', END with values=None)."
            )
        names.append(as_node)
    return names


def _check_task_ids(
    base: CheckpointRecord | None, updates: list[StateUpdate], as_nodes: list[str]
) -> None:
    """A ``task_id`` must name a waiting task of the update's node (LangGraph takes any id
    silently; a typo would then change nothing the user meant)."""
    waiting = base.next if base is not None else []
    for update, as_node in zip(updates, as_nodes):
        if update.task_id is None:
            continue
        if not any(p.id == update.task_id and p.name == as_node for p in waiting):
            tasks = ", ".join(f"{p.id} ({p.name})" for p in waiting) or "none"
            raise InvalidUpdateError(
                f"StateUpdate(task_id={update.task_id!r}) names no waiting task of node {as_node!r}; "
                f"waiting tasks: {tasks}."
            )


def _update_writes(
    structure: GraphPlan, values: Any, as_node: str
) -> tuple[list[tuple[str, Any]], list[Any]]:
    """The writes of one update, and the targets of a ``Command`` given as its values."""
    if isinstance(values, Command) or (
        isinstance(values, (list, tuple)) and values and all(isinstance(v, Command) for v in values)
    ):
        return writes_from_output(structure, as_node, values)
    return structure.update_writes(values, as_node), []


def _as_input(
    structure: GraphPlan,
    saver: Any,
    thread_id: ThreadId,
    ns: Namespace,
    base: CheckpointRecord | None,
    values: Any,
    metadata: dict,
    *,
    advance: bool,
) -> dict:
    """The checkpoint ``invoke(values)`` starts with: the input recorded, START to run."""
    if values is None:
        raise InvalidUpdateError(
            "Received no input writes for __start__: update_state(values, as_node='__input__') needs the input "
            "values (a dict, possibly empty)."
        )
    data = structure.input_dict(values)
    new_id = new_checkpoint_id()
    old = dict(base.values) if base is not None else structure.initial_values()
    record = CheckpointRecord(
        thread_id=thread_id,
        ns=ns,
        id=new_id,
        parent_id=base.id if base is not None else None,
        step=base.step + 1 if base is not None else -1,
        source="input",
        writes={START: data},
        values=old,
        next=[TaskPlan(task_id(new_id, ns, START), START, send_arg=data)],
        created_at=now_iso(),
        metadata=metadata,
    )
    saver.put(
        record,
        {} if base is not None else {k: Replace(v) for k, v in old.items()},
        advance=advance,
    )
    return checkpoint_config(thread_id, ns, new_id)


def _clear(
    structure: GraphPlan,
    saver: Any,
    thread_id: ThreadId,
    ns: Namespace,
    base: CheckpointRecord | None,
    metadata: dict,
    *,
    advance: bool,
) -> dict:
    """``update_state(None, as_node=END)``: the waiting tasks are dropped; what the tasks
    that already finished wrote is kept, and only their successors remain to run."""
    new_id = new_checkpoint_id()
    if base is None:
        values, plans = structure.initial_values(), []
        changes: dict[str, Change] = {k: Replace(v) for k, v in values.items()}
    else:
        outcomes = base.outcomes or {}
        values, changes = base.values, {}
        given = outcomes.get(NULL_TASK_ID)
        if given is not None and given.writes:
            values, changes = structure.apply_writes(values, given.writes)
        finished = [
            (p, o)
            for p in base.next
            if (o := outcomes.get(p.id)) is not None and o.writes is not None
        ]
        if finished:
            values, more = structure.apply_writes(
                values, [w for _, o in finished for w in o.writes or ()]
            )
            changes = merge_changes(changes, more, values)
        values = dict(values)
        plans = (
            next_plans(
                structure,
                ns,
                new_id,
                [(p.name, [goto_from_json(g) for g in o.goto]) for p, o in finished],
                values,
                changes,
            )
            if finished
            else []
        )
    record = CheckpointRecord(
        thread_id=thread_id,
        ns=ns,
        id=new_id,
        parent_id=base.id if base is not None else None,
        step=base.step + 1 if base is not None else 0,
        source="update",
        writes=None,
        values=values,
        next=plans,
        created_at=now_iso(),
        metadata=metadata,
    )
    if structure.untracked:
        record, changes = record_to_store(structure.untracked, record, changes)
    saver.put(record, changes, advance=advance)
    return checkpoint_config(thread_id, ns, new_id)


def _copy(
    structure: GraphPlan, saver: Any, base: CheckpointRecord | None, values: Any, config: dict
) -> dict:
    """``as_node="__copy__"``: a sibling of ``base`` (same parent, values and next tasks;
    source "fork") to branch from without editing anything. With a list of
    ``(values, as_node)`` updates as its values, they are applied to the copy at once."""
    if base is None:
        raise InvalidUpdateError(
            "Cannot copy a non-existent checkpoint: update_state(as_node='__copy__') needs an "
            "existing checkpoint to copy."
        )
    if values is not None and not isinstance(values, list):
        raise InvalidUpdateError(
            "update_state(as_node='__copy__') takes values=None, or a list of (values, as_node) "
            "updates to apply to the copy."
        )
    updates = []
    for item in values or ():
        if not isinstance(item, (tuple, list)) or not 1 <= len(item) <= 3:
            raise InvalidUpdateError(
                f"Invalid update item: {item!r} when copying checkpoint; each is (values, as_node)."
            )
        updates.append(_as_update(item))
    parent = saver.get(base.thread_id, base.ns, base.parent_id) if base.parent_id else None
    before = parent.values if parent is not None else {}
    changes = {k: Replace(v) for k, v in base.values.items() if k not in before or before[k] != v}
    new_id = new_checkpoint_id()
    plans = [
        TaskPlan(
            task_id(new_id, base.ns, p.name, i if p.is_send else None),
            p.name,
            p.send_arg,
            p.is_send,
        )
        for i, p in enumerate(base.next)
    ]
    record = CheckpointRecord(
        thread_id=base.thread_id,
        ns=base.ns,
        id=new_id,
        parent_id=base.parent_id,
        step=base.step + 1,
        source="fork",
        writes=None,
        values=dict(base.values),
        next=plans,
        created_at=now_iso(),
        metadata=_metadata(config, base),
    )
    saver.put(record, changes)
    copied = checkpoint_config(base.thread_id, base.ns, new_id)
    if not updates:
        return copied
    return _superstep(structure, saver, {**config, **copied}, updates, advance=False)


def _metadata(config: dict, base: CheckpointRecord | None) -> dict:
    """The edit's metadata: the config's, plus (in a subgraph) the parents it sits under."""
    metadata = config_metadata(config)
    parents = (base.metadata.get("parents") if base is not None else None) or {}
    return {**metadata, "parents": parents} if parents else metadata


def _last_writer(saver: Any, record: CheckpointRecord | None) -> str:
    """The node whose run produced the checkpoint, walking back past edits, inputs, copies
    and steps only ``Send`` tasks ran (as in LangGraph, which asks the last node that ran:
    neither an edit's ``as_node``, nor new input, nor a ``Send`` task counts as a node's
    run, so after a fan-out the edit acts as the node that sent it, and on a later run's
    input checkpoint as the previous run's last node); ``START`` for the step that took the
    input, and on a thread no node ran in yet, unless a replay started from a checkpoint
    of it: LangGraph then cannot tell, and neither do we."""
    replayed = False
    while record is not None:
        parent = (
            saver.get(record.thread_id, record.ns, record.parent_id, shared=True)
            if record.parent_id
            else None
        )
        if record.source == "loop" and not record.writes:
            return START  # only the input step ran (its task writes no node update)
        if record.writes and record.source == "loop":
            sent = {p.name for p in parent.next if p.is_send} if parent is not None else set()
            pulled = {p.name for p in parent.next if not p.is_send} if parent is not None else set()
            writers = [n for n in record.writes if n in pulled or n not in sent]
            if len(writers) > 1:
                raise _ambiguous(f"nodes {writers!r} all wrote in the last step")
            if writers:
                return writers[0]
        # a replay's copy of its starting point is its parent's child (``__copy__`` a sibling)
        replayed |= (
            record.source == "fork" and parent is not None and parent.step == record.step - 1
        )
        record = parent
    if replayed:
        raise _ambiguous("no node has run on this branch since the replay it was copied for")
    return START


def _ambiguous(why: str) -> InvalidUpdateError:
    return InvalidUpdateError(
        f"Ambiguous update, specify as_node: {why}. Pass as_node='...' to say which node "
        "this update acts as."
    )
