"""Checkpoint records -> the ``StateSnapshot`` users read from ``get_state``/history."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..checkpoint.base import (
    BaseCheckpointSaver,
    CheckpointId,
    CheckpointRecord,
    Namespace,
    ThreadId,
    parent_cycle,
)
from ..checkpoint.copying import fresh_copy
from ..checkpoint.deferred import DeferredValues
from ..checkpoint.keys import order
from ..constants import PULL, PUSH, ROOT, START
from ..errors import CheckpointerRequiredError, CheckpointNotFoundError, ThreadRequiredError
from ..types import Interrupt, PregelTask, StateSnapshot
from .commands import step_values
from .lazy_snapshot import LazySnapshot
from .lazy_task import LazyTask
from .lineage import name_path, stateful_ns
from .resume import unanswered

if TYPE_CHECKING:
    from ..graph.compiled import CompiledStateGraph

__all__ = [
    "checkpoint_config",
    "graph_for_ns",
    "read_history",
    "read_history_with_writes",
    "read_state",
    "recorded_writes",
    "require_saver",
    "thread_coordinates",
    "to_snapshot",
    "writes_view",
]


#: ``to_snapshot(child_writes=)``: no checkpoint is known to have come from this one.
NO_CHILD: Any = object()


def checkpoint_config(
    thread_id: str, ns: str, checkpoint_id: str, parents: dict | None = None
) -> dict:
    """A checkpoint's config; a subgraph's also has ``checkpoint_map`` (its parents'
    checkpoints and its own), which ``invoke(None, config)`` replays towards."""
    conf: dict[str, Any] = {
        "thread_id": thread_id,
        "checkpoint_ns": ns,
        "checkpoint_id": checkpoint_id,
    }
    if parents is not None:
        conf["checkpoint_map"] = {**parents, ns: checkpoint_id}
    return {"configurable": conf}


def require_saver(graph: CompiledStateGraph, what: str) -> BaseCheckpointSaver:
    saver = graph.checkpointer
    if saver in (None, True, False):
        raise CheckpointerRequiredError(
            f"{what}() needs a checkpointer: compile(checkpointer=InMemorySaver())."
        )
    return saver


def thread_coordinates(config: dict) -> tuple[ThreadId, Namespace, CheckpointId | None]:
    """``(thread_id, checkpoint_ns, checkpoint_id)`` of a config; the thread is required."""
    conf = (config or {}).get("configurable") or {}
    if conf.get("thread_id") is None:
        raise ThreadRequiredError(
            'This call needs a thread: pass config={"configurable": {"thread_id": "..."}}.'
        )
    return (
        ThreadId(str(conf["thread_id"])),
        Namespace(conf.get("checkpoint_ns", "") or ""),
        conf.get("checkpoint_id"),
    )


def read_state(
    graph: CompiledStateGraph, config: dict, *, subgraphs: bool = False
) -> StateSnapshot:
    """``get_state``: the thread's latest checkpoint, or the one ``checkpoint_id`` names."""
    saver = require_saver(graph, "get_state")
    thread_id, ns, checkpoint_id = thread_coordinates(config)
    owner = graph_for_ns(graph, ns)
    record = saver.get(thread_id, ns, checkpoint_id, shared=True)
    if record is None:
        if checkpoint_id is not None:
            raise CheckpointNotFoundError(
                f"Thread '{thread_id}' has no checkpoint '{checkpoint_id}': pass an id from "
                "get_state_history(config), or leave checkpoint_id out for the latest."
            )
        return _empty_snapshot(config)
    child = NO_CHILD
    if checkpoint_id is not None and len(record.next) == 1 and not record.outcomes:
        child = _step_writes(record, _children_writes(saver, record))
    return to_snapshot(
        owner,
        record,
        subgraphs=subgraphs,
        live=checkpoint_id is None,
        saver=saver,
        shared=True,
        child_writes=child,
    )


def _children_writes(saver: Any, record: CheckpointRecord) -> list | None:
    """``(source, writes)`` of the checkpoints made from ``record``, newest first (a saver
    that cannot find a checkpoint's children has none to offer)."""
    children = getattr(saver, "children", None)
    if children is None:
        return None
    found = []
    for child_id in children(record.thread_id, record.ns, record.id):
        child = saver.get(record.thread_id, record.ns, child_id, shared=True)
        if child is not None:
            found.append((child.source, child.writes))
    return found


def read_history(
    graph: CompiledStateGraph,
    config: dict,
    *,
    filter: dict | None = None,
    before: dict | None = None,
    limit: int | None = None,
) -> Iterator[StateSnapshot]:
    """``get_state_history``: newest first, every branch; with a ``checkpoint_id``, that
    checkpoint and its ancestors."""
    for snapshot, _writes in read_history_with_writes(
        graph, config, filter=filter, before=before, limit=limit
    ):
        yield snapshot


def read_history_with_writes(
    graph: CompiledStateGraph,
    config: dict,
    *,
    filter: dict | None = None,
    before: dict | None = None,
    limit: int | None = None,
) -> Iterator[tuple[StateSnapshot, dict | None]]:
    """``read_history``, each snapshot with ``recorded_writes`` read from the same record
    (the timeline needs both; reading the record again would double its cost)."""
    saver = require_saver(graph, "get_state_history")
    thread_id, ns, checkpoint_id = thread_coordinates(config)
    graph = graph_for_ns(graph, ns)
    before_id = ((before or {}).get("configurable") or {}).get("checkpoint_id")
    if checkpoint_id is None:
        listed = saver.list(
            thread_id, ns, before=before_id, limit=limit, filter=filter, shared=True
        )
        children: dict[
            str, list
        ] = {}  # parent id -> (source, writes) of its children, newest first
        for found in listed:
            children.setdefault(found.parent_id or "", []).append((found.source, found.writes))
            ran = _step_writes(found, children.get(found.id))
            yield (
                to_snapshot(graph, found, saver=saver, shared=True, child_writes=ran),
                found.writes,
            )
        return
    count, record = 0, saver.get(thread_id, ns, checkpoint_id, shared=True)
    seen: set[str] = set()
    # The writes of the step that ran from ``record`` (for the first: looked up).
    child: Any = (
        _step_writes(record, _children_writes(saver, record))
        if record is not None and len(record.next) == 1 and not record.outcomes
        else NO_CHILD
    )
    while record is not None and (limit is None or count < limit):
        seen.add(record.id)
        if (before_id is None or order(record.id) < order(before_id)) and _matches(record, filter):
            count += 1
            yield (
                to_snapshot(graph, record, saver=saver, shared=True, child_writes=child),
                record.writes,
            )
        ran_from_parent = record.source == "loop"
        child = record.writes
        if record.parent_id in seen:
            raise parent_cycle(thread_id, checkpoint_id, record.parent_id)
        record = (
            saver.get(thread_id, ns, record.parent_id, shared=True) if record.parent_id else None
        )
        if record is not None and not ran_from_parent:  # an edit or copy branched off here:
            child = _step_writes(record, _children_writes(saver, record))  # the run's, if any


def recorded_writes(graph: CompiledStateGraph, snapshot: StateSnapshot) -> dict | None:
    """``{node: update}`` of the step or edit that produced ``snapshot``'s checkpoint, which
    the history timeline shows. Kept out of ``metadata`` so snapshots match LangGraph's."""
    saver = graph.checkpointer
    conf = (snapshot.config or {}).get("configurable") or {}
    if saver in (None, True, False) or conf.get("checkpoint_id") is None:
        return None
    record = saver.get(
        str(conf["thread_id"]),
        conf.get("checkpoint_ns", "") or "",
        conf["checkpoint_id"],
        shared=True,  # only its writes are read
    )
    return record.writes if record is not None else None


def _step_writes(record: CheckpointRecord, children: list | None) -> Any:
    """The writes of the child that ran ``record``'s tasks: the run's (a ``loop`` child;
    an edit made later as the same node does not replace them, as in LangGraph), else the
    newest edit as those nodes (a fork made by an edit as another node, or a copy, is not
    it), or the newest child's when none did."""
    if not children:
        return NO_CHILD
    ran = next((w for source, w in children if source == "loop"), NO_CHILD)
    if ran is not NO_CHILD:
        return ran
    names = {plan.name for plan in record.next}
    return next((w for _, w in children if w and names <= w.keys()), children[0][1])


def _matches(record: CheckpointRecord, filter: dict | None) -> bool:
    if not filter:
        return True
    meta = {"source": record.source, "step": record.step, **record.metadata}
    return all(meta.get(k) == v for k, v in filter.items())


def to_snapshot(
    graph: CompiledStateGraph,
    record: CheckpointRecord,
    *,
    subgraphs: bool = False,
    live: bool = False,
    saver: Any = None,
    shared: bool = False,
    child_writes: Any = NO_CHILD,
) -> StateSnapshot:
    """A checkpoint as users see it.

    ``shared``: the record's values are the saver's own (``get(..., shared=True)``), so the
    snapshot copies them, on first access (a ``LazySnapshot``) when the state is a dict of
    keys: listing a long history then costs nothing per snapshot for its state.

    The *live* view (``get_state`` of the thread, no ``checkpoint_id``) of an open step
    (some task paused or failed) lists in ``next`` only the tasks still to run, and each
    waiting task's unanswered questions. The *record* view (a checkpoint read by id, and
    history) lists every task of the step and the last question each asked, answered or
    not.

    ``child_writes``: the ``writes`` of the checkpoint the step produced (history reads
    it, ``NO_CHILD`` when nothing ran from the checkpoint): a step of one task that ran without pausing saves no outcome, so its task's
    ``result`` comes from there (a ``__start__`` task's from its input). The live view's ``values`` include what finished tasks wrote, until the step
    commits; the record view's are the values the step started from (as LangGraph's).
    """
    recorded = record.outcomes
    outcomes = (
        [recorded.get(plan.id) for plan in record.next] if recorded else [None] * len(record.next)
    )
    complete = (
        bool(recorded)
        and bool(record.next)
        and all(o is not None and o.writes is not None for o in outcomes)
    )
    tasks, next_names, pending = [], [], []
    #: A ``Send`` task's path is ``(PUSH, its index among the step's sends, False)``, as LangGraph's.
    sends = [plan.id for plan in record.next if plan.is_send]
    for plan, outcome in zip(record.next, outcomes):
        finished = outcome is not None and outcome.writes is not None
        if outcome is None:  # not started: nothing to look at (the common case, in a long history)
            records = []
        elif complete or (finished and not live):
            records = outcome.interrupts[-1:]  # the question that was answered last
            pending.extend(records)
        elif outcome.error is not None:
            # Failed after its answers: it still shows the last question it asked (as
            # LangGraph's); asked again since (an error kept from an earlier run): the new one.
            records = unanswered(outcome, record.ns) or outcome.interrupts[-1:]
            pending.extend(records)
        else:
            records = unanswered(outcome, record.ns)
            pending.extend(records)
        if complete or not finished or not live:
            next_names.append(plan.name)
        known = {
            "id": plan.id,
            "name": plan.name,
            "path": (PUSH, sends.index(plan.id), False) if plan.is_send else (PULL, plan.name),
            "error": outcome.error if outcome else None,
            "interrupts": _interrupts(records),
            "state": _subgraph_state(graph, record, plan, subgraphs, saver),
        }
        if outcome is not None and outcome.writes is not None:
            tasks.append(PregelTask(**known, result=_result_view(outcome.writes)))
        elif outcome is None and _unread(child_writes, plan.name):
            find = functools.partial(_unrecorded_result, plan, child_writes, record.next)
            tasks.append(LazyTask(find, **known))  # read when asked: see ``lazy_task``
        elif outcome is None:
            result = _unrecorded_result(plan, child_writes, record.next)
            tasks.append(PregelTask(**known, result=result))
        else:
            tasks.append(PregelTask(**known))
    metadata: dict[str, Any] = {
        "source": record.source,
        "step": record.step,
        "parents": {},
        **record.metadata,
    }
    parents = metadata["parents"] if record.ns else None
    parent = (
        checkpoint_config(record.thread_id, record.ns, record.parent_id, parents)
        if record.parent_id
        else None
    )
    fields = (
        tuple(next_names),
        checkpoint_config(record.thread_id, record.ns, record.id, parents),
        metadata,
        record.created_at,
        parent,
        tuple(tasks),
        _interrupts(pending),
    )
    structure = graph._plan
    as_record = complete or not live
    if not shared:
        return StateSnapshot(_state_values(structure, record, as_record), *fields)

    def load() -> Any:
        own = replace(record, values=fresh_copy(dict(record.values)))
        return _state_values(structure, own, as_record)

    if structure.schema.is_root:  # the state is one value, not a dict to fill in later
        return StateSnapshot(load(), *fields)
    return LazySnapshot(load, *fields)


def _state_values(structure: Any, record: CheckpointRecord, as_record: bool) -> Any:
    """The snapshot's ``values``: the checkpoint's, with a Command's update given as input
    shown on top, and (``as_record`` False: the live view of an open step) what its
    finished tasks wrote."""
    if not record.outcomes:
        values = record.values
    elif as_record:  # a record: only a Command's update given as input on top
        values = step_values(structure, record)[0]
    else:
        values = structure.values_with_finished_tasks(record)
    return structure.output_values(values, for_state=True)


def _interrupts(records: list) -> tuple[Interrupt, ...]:
    return (
        tuple(
            [Interrupt(r.value, r.id, response_schema=r.response_schema, ns=r.ns) for r in records]
        )
        if records
        else ()
    )


def writes_view(writes: list[tuple[str, Any]]) -> dict:
    """``{channel: value}``; a channel written more than once shows ``{"$writes": [...]}``."""
    view: dict[str, Any] = {}
    for channel, value in writes:
        if channel in view:
            earlier = view[channel]
            several = (
                earlier["$writes"]
                if isinstance(earlier, dict) and "$writes" in earlier
                else [earlier]
            )
            view[channel] = {"$writes": [*several, value]}
        else:
            view[channel] = value
    return view


def _result_view(writes: list) -> Any:
    """A finished task's writes as ``PregelTask.result``: ``{key: value}``, or the value
    itself for a root state (an entrypoint's return value)."""
    if not writes:
        return None
    roots = [v for k, v in writes if k == ROOT]
    return roots[-1] if roots else writes_view(writes)


def _unread(child_writes: Any, name: str) -> bool:
    """Whether ``child_writes`` holds ``name``'s writes but has not resolved them yet."""
    return (
        isinstance(child_writes, DeferredValues)
        and not child_writes.is_loaded
        and name in child_writes
    )


def _unrecorded_result(plan: Any, child_writes: Any, step: list) -> Any:
    """The result of a task of a step that saved no outcome for it: what the next
    checkpoint records it wrote, or for ``__start__`` the input it carried. In a step of
    several tasks, only an edit made as each of its tasks of one node (one write each, in
    task order) is known to be theirs."""
    if child_writes is NO_CHILD:
        return None
    if len(step) > 1:
        namesakes = [p.id for p in step if p.name == plan.name]
        update = child_writes.get(plan.name) if child_writes else None
        if len(namesakes) > 1 and isinstance(update, list) and len(update) == len(namesakes):
            return update[namesakes.index(plan.id)]
        return None
    if child_writes and plan.name in child_writes:
        update = child_writes[plan.name]
        # A key written more than once: one dict per write (a root list state's update is
        # a list too, of its items).
        if isinstance(update, list) and update and all(isinstance(one, dict) for one in update):
            return writes_view([pair for one in update for pair in one.items()])
        return update
    if plan.name == START and child_writes is None and isinstance(plan.send_arg, dict):
        arg = plan.send_arg  # a root state's input is the value itself
        return arg[ROOT] if len(arg) == 1 and ROOT in arg else arg
    return None


def _subgraph_state(
    graph: CompiledStateGraph, record: CheckpointRecord, plan: Any, subgraphs: bool, saver: Any
) -> Any:
    """A subgraph task's own state: its config, or its snapshot when ``subgraphs=True``."""
    subgraph = graph._plan.called_subgraphs.get(plan.name)
    if subgraph is None or subgraph.checkpointer is False:  # it keeps no state to show
        return None
    if subgraph.checkpointer is True:
        ns = stateful_ns(record.ns, plan.name)
    else:
        segment = f"{plan.name}:{plan.id}"
        ns = f"{record.ns}|{segment}" if record.ns else segment
    config = {"configurable": {"thread_id": record.thread_id, "checkpoint_ns": ns}}
    if not subgraphs:
        return config
    saver = (
        saver
        if saver is not None
        else (graph.checkpointer if graph.checkpointer not in (None, True, False) else None)
    )
    child = saver.get(record.thread_id, ns) if saver is not None else None
    if child is None:  # not run yet (or keeps no checkpoints): its empty state, as LangGraph
        return _empty_snapshot(config)
    return to_snapshot(subgraph, child, subgraphs=True, live=True, saver=saver)


def _empty_snapshot(config: dict) -> StateSnapshot:
    """The state of a thread or namespace that has no checkpoint."""
    return StateSnapshot(
        values={},
        next=(),
        config=config,
        metadata=None,
        created_at=None,
        parent_config=None,
        tasks=(),
        interrupts=(),
    )


def graph_for_ns(graph: CompiledStateGraph, ns: str) -> CompiledStateGraph:
    """The compiled (sub)graph whose checkpoints live in namespace ``ns`` of ``graph``'s
    threads: each segment's node name, followed through the subgraphs those nodes run."""
    for name in name_path(ns):
        inner = graph._plan.called_subgraphs.get(name)
        if inner is None:
            raise ValueError(
                f"Namespace '{ns}': node '{name}' of graph '{graph.name}' has run no subgraph in this process "
                "(known subgraph nodes: "
                + (", ".join(graph._plan.called_subgraphs) or "none")
                + ")."
            )
        graph = inner
    return graph
