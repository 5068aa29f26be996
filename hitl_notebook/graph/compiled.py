"""``CompiledStateGraph``: the runnable graph users call (LangGraph's method names)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from ..checkpoint.base import BaseCheckpointSaver, Change
from ..engine.loop import Run, iter_async, iter_sync
from ..engine.snapshot import to_snapshot
from ..engine.update import update_state
from ..errors import InvalidUpdateError
from ..types import StateSnapshot
from .builder import END, StateGraph
from .channels import MISSING, Channel, LastValue, ReducerChannel
from .validation import normalise_breakpoints

__all__ = ["CompiledStateGraph"]

_MODES = ("values", "updates", "custom", "tasks", "checkpoints")


class CompiledStateGraph:
    """A validated graph bound to an optional checkpointer and static breakpoints."""

    def __init__(self, builder: StateGraph, *, checkpointer: Any, interrupt_before: Any, interrupt_after: Any,
                 name: str, debug: bool = False) -> None:
        self.builder = builder
        self.checkpointer = checkpointer
        self.interrupt_before_nodes = normalise_breakpoints(interrupt_before)
        self.interrupt_after_nodes = normalise_breakpoints(interrupt_after)
        self.name = name
        self.debug = debug
        self.channels: dict[str, Channel] = dict(builder.schema.channels)
        for extra in (builder.input_schema, builder.output_schema):
            for key, channel in (extra.channels.items() if extra else ()):
                self.channels.setdefault(key, channel)
        self._dynamic_keys = not self.channels  # StateGraph(dict): any key is a plain value
        #: Hidden bookkeeping keys (``__join__N``) this graph adds to its values; when the
        #: schema itself may hold ``__`` keys, every key must be checked instead.
        self.join_keys = tuple(f"__join__{i}" for i in range(len(builder.joins)))
        self._scan_hidden = self._dynamic_keys or any(k.startswith("__") for k in self.channels)
        self._preparing = {k: c for k, c in self.channels.items() if c.prepares_writes}
        self.node_order: list[str] = list(builder.nodes)
        self._node_index = {n: i for i, n in enumerate(self.node_order)}
        self.static_targets: dict[str, tuple[str, ...]] = {}
        for source, target in builder._edge_order:
            if target != END:
                self.static_targets[source] = (*self.static_targets.get(source, ()), target)

    # -- running ---------------------------------------------------------------------
    def invoke(self, input: Any, config: dict | None = None, *, stream_mode: str = "values",
               interrupt_before: Any = None, interrupt_after: Any = None, **_compat: Any) -> Any:
        """Run until the graph finishes or pauses; returns the final values (with
        ``__interrupt__`` when paused on ``interrupt()``)."""
        run = Run(self, config, interrupt_before=interrupt_before, interrupt_after=interrupt_after)
        run.start(input)
        while (plans := run.plan_step()) is not None:
            run.finish_step(list(iter_sync(run, plans)))
            if run.error is not None:
                break
        run.close()
        return run.output()

    def stream(self, input: Any, config: dict | None = None, *, stream_mode: str | Sequence[str] = "values",
               interrupt_before: Any = None, interrupt_after: Any = None, subgraphs: bool = False,
               **_compat: Any) -> Iterator[Any]:
        """Yield chunks as the run progresses: ``values`` (state after each step),
        ``updates`` (``{node: writes}``), ``tasks``, ``checkpoints``, ``custom``; a list of modes
        yields ``(mode, chunk)`` pairs."""
        modes, single = _modes(stream_mode)
        run = Run(self, config, modes=modes, interrupt_before=interrupt_before, interrupt_after=interrupt_after,
                  subgraphs=subgraphs)
        run.start(input)
        yield from run.drain(single)
        while (plans := run.plan_step()) is not None:
            yield from run.drain(single)
            results = []
            for result in iter_sync(run, plans):
                results.append(result)
                yield from run.drain(single)
            run.finish_step(results)
            yield from run.drain(single)
            if run.error is not None:
                break
        yield from run.drain(single)
        run.close()

    async def ainvoke(self, input: Any, config: dict | None = None, *, interrupt_before: Any = None,
                      interrupt_after: Any = None, **_compat: Any) -> Any:
        """``invoke`` for async nodes: tasks of a step run concurrently on the event loop."""
        run = Run(self, config, interrupt_before=interrupt_before, interrupt_after=interrupt_after)
        await _in_thread(run.start, input)
        while (plans := run.plan_step()) is not None:
            results = [result async for result in iter_async(run, plans)]
            await _in_thread(run.finish_step, results)
            if run.error is not None:
                break
        run.close()
        return run.output()

    async def astream(self, input: Any, config: dict | None = None, *, stream_mode: str | Sequence[str] = "values",
                      interrupt_before: Any = None, interrupt_after: Any = None, subgraphs: bool = False,
                      **_compat: Any) -> AsyncIterator[Any]:
        modes, single = _modes(stream_mode)
        run = Run(self, config, modes=modes, interrupt_before=interrupt_before, interrupt_after=interrupt_after,
                  subgraphs=subgraphs)
        await _in_thread(run.start, input)
        for chunk in run.drain(single):
            yield chunk
        while (plans := run.plan_step()) is not None:
            for chunk in run.drain(single):
                yield chunk
            results = []
            async for result in iter_async(run, plans):
                results.append(result)
                for chunk in run.drain(single):
                    yield chunk
            await _in_thread(run.finish_step, results)
            for chunk in run.drain(single):
                yield chunk
            if run.error is not None:
                break
        for chunk in run.drain(single):
            yield chunk
        run.close()

    # -- state -----------------------------------------------------------------------
    def get_state(self, config: dict, *, subgraphs: bool = False) -> StateSnapshot:
        """The thread's latest checkpoint (or ``checkpoint_id``'s) as a snapshot."""
        saver = self.require_saver("get_state")
        thread_id, ns, checkpoint_id = self.thread_coordinates(config)
        record = saver.get(thread_id, ns, checkpoint_id)
        if record is None:
            if checkpoint_id is not None:
                raise ValueError(f"Thread '{thread_id}' has no checkpoint '{checkpoint_id}'.")
            return StateSnapshot(values={}, next=(), config=config, metadata=None, created_at=None,
                                 parent_config=None, tasks=(), interrupts=())
        return to_snapshot(self, record, subgraphs=subgraphs)

    def get_state_history(self, config: dict, *, filter: dict | None = None, before: dict | None = None,
                          limit: int | None = None) -> Iterator[StateSnapshot]:
        """Every checkpoint of the thread, newest first (all branches); with a
        ``checkpoint_id`` in ``config``, that checkpoint and its ancestors."""
        saver = self.require_saver("get_state_history")
        thread_id, ns, checkpoint_id = self.thread_coordinates(config)
        before_id = (before or {}).get("configurable", {}).get("checkpoint_id") if before else None
        if checkpoint_id is None:
            for record in saver.list(thread_id, ns, before=before_id, limit=limit, filter=filter):
                yield to_snapshot(self, record)
            return
        count, record = 0, saver.get(thread_id, ns, checkpoint_id)
        while record is not None and (limit is None or count < limit):
            if (before_id is None or record.id < before_id) and _matches(record, filter):
                count += 1
                yield to_snapshot(self, record)
            record = saver.get(thread_id, ns, record.parent_id) if record.parent_id else None

    def update_state(self, config: dict, values: Any, as_node: str | None = None, **_compat: Any) -> dict:
        """Apply ``values`` as if ``as_node`` returned them (reducers apply); on a past
        checkpoint this forks. Returns the new checkpoint's config."""
        return update_state(self, config, values, as_node)

    async def aget_state(self, config: dict, *, subgraphs: bool = False) -> StateSnapshot:
        return await _in_thread(self.get_state, config, subgraphs=subgraphs)

    async def aget_state_history(self, config: dict, **kwargs: Any) -> AsyncIterator[StateSnapshot]:
        for snapshot in await _in_thread(lambda: list(self.get_state_history(config, **kwargs))):
            yield snapshot

    async def aupdate_state(self, config: dict, values: Any, as_node: str | None = None) -> dict:
        return await _in_thread(self.update_state, config, values, as_node)

    # -- drawing ---------------------------------------------------------------------
    def get_graph(self, config: dict | None = None, *, xray: int | bool = False) -> Any:
        """A drawable graph (``.nodes``, ``.edges``), as LangGraph's ``get_graph()``."""
        from .drawable import build_drawable

        return build_drawable(self, xray=xray)

    @property
    def nodes(self) -> dict[str, Any]:
        return dict(self.builder.nodes)

    # -- helpers the engine uses -----------------------------------------------------
    def require_saver(self, what: str) -> BaseCheckpointSaver:
        saver = self.checkpointer
        if saver in (None, True, False):
            raise ValueError(f"{what}() needs a checkpointer: compile(checkpointer=InMemorySaver()).")
        return saver

    @staticmethod
    def thread_coordinates(config: dict) -> tuple[str, str, str | None]:
        conf = (config or {}).get("configurable") or {}
        if conf.get("thread_id") is None:
            raise ValueError('Pass a thread: config={"configurable": {"thread_id": "..."}}.')
        return str(conf["thread_id"]), conf.get("checkpoint_ns", "") or "", conf.get("checkpoint_id")

    def breakpoints(self, invoke_time: Any, which: str) -> tuple[str, ...]:
        names = normalise_breakpoints(invoke_time) if invoke_time is not None else (
            self.interrupt_before_nodes if which == "before" else self.interrupt_after_nodes)
        unknown = [n for n in names if n != "*" and n not in self.builder.nodes]
        if unknown:
            raise ValueError(f"interrupt_{which} names unknown node(s) {unknown!r}; known: {self.node_order!r}.")
        return names

    def node_index(self, name: str) -> int:
        return self._node_index.get(name, len(self._node_index))

    def initial_values(self) -> dict[str, Any]:
        out = {}
        for key, channel in self.channels.items():
            value = channel.initial()
            if value is not MISSING:
                out[key] = value
        return out

    def channel(self, key: str) -> Channel:
        channel = self.channels.get(key)
        if channel is None:
            if key.startswith("__join__") or self._dynamic_keys:
                return LastValue(key)
            raise InvalidUpdateError(f"Unknown state key '{key}'.")
        return channel

    def check_keys(self, items: list[tuple[str, Any]], who: str) -> None:
        if self._dynamic_keys:
            return
        for key, _ in items:
            if key not in self.channels:
                raise InvalidUpdateError(
                    f"{who} wrote key '{key}', which is not in the state schema "
                    f"(keys: {', '.join(self.channels)}). Add it to the schema or stop writing it."
                )

    def prepare_writes(self, writes: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        """``writes`` with each value in the form its channel folds in (``add_messages``
        keys: messages with ids), done once per task so that its routing preview and the
        step's commit see the same messages. Returns ``writes`` itself when nothing changes."""
        preparing = self._preparing
        if not preparing or not any(key in preparing for key, _ in writes):
            return writes
        return [(key, preparing[key].prepare(value)) if key in preparing else (key, value) for key, value in writes]

    def apply_writes(self, values: dict[str, Any], writes: list[tuple[str, Any]], *,
                     remember: bool = True) -> tuple[dict, dict[str, Change]]:
        """Fold one step's writes (in task order) into new values; also the per-key changes."""
        grouped: dict[str, list[Any]] = {}
        for key, value in writes:
            grouped.setdefault(key, []).append(value)
        new_values = dict(values)
        changes: dict[str, Change] = {}
        for key, items in grouped.items():
            channel = self.channel(key)
            new_values[key], changes[key] = channel.reduce(values.get(key, MISSING), items, remember)
        return new_values, changes

    def input_dict(self, input: Any, *, nested: bool = False) -> dict:
        schema = self.builder.input_schema or self.builder.schema
        data = schema.coerce_input(input)
        if nested:  # a subgraph receives its parent's whole state: keep the keys it knows
            return {k: v for k, v in data.items() if k in self.channels} if not self._dynamic_keys else dict(data)
        self.check_keys(list(data.items()), "The input")
        return dict(data)

    def update_writes(self, values: Any, as_node: str) -> list[tuple[str, Any]]:
        if values is None:
            return []
        if isinstance(values, (list, tuple)):
            items = list(values)
        else:
            items = list(self.builder.schema.coerce_input(values).items())
        self.check_keys(items, f"update_state(as_node={as_node!r})")
        return items

    def values_with_finished_tasks(self, record: Any) -> dict:
        """A paused step's values as users see them: the checkpoint plus the writes of the
        tasks that already finished (applied again for real when the step completes)."""
        finished = [w for p in record.next if (o := record.outcomes.get(p.id)) is not None and o.writes
                    for w in o.writes]
        if not finished:
            return record.values
        try:
            values, _ = self.apply_writes(record.values, finished, remember=False)
        except InvalidUpdateError:  # conflicting writes: the commit will report it
            return record.values
        return values

    def visible_values(self, values: dict) -> dict:
        """A new dict of ``values`` without the hidden ``__`` keys: what a node reads. Runs
        every step, so it pops the known join keys instead of testing every key."""
        if self._scan_hidden:
            return {k: v for k, v in values.items() if not k.startswith("__")}
        visible = dict(values)
        for key in self.join_keys:
            visible.pop(key, None)
        return visible

    def output_values(self, values: dict, *, for_state: bool = False) -> dict:
        visible = self.visible_values(values)
        schema = self.builder.output_schema
        if schema is None or for_state:
            return visible
        return {k: v for k, v in visible.items() if k in schema.channels}

    def snapshot(self, record: Any) -> StateSnapshot:
        return to_snapshot(self, record)

    def as_node_function(self, parent_channels: dict[str, Channel]):
        """This graph as a node of a parent graph: it receives the parent's state, and its
        changes to the parent's keys become the node's writes."""
        graph = self

        def run_subgraph(state: Any, config: dict) -> dict:
            parent = dict(state) if isinstance(state, dict) else state
            out = graph.invoke(parent, config)
            return _changed_keys(parent_channels, parent if isinstance(parent, dict) else {}, out)

        run_subgraph.__name__ = self.name
        return run_subgraph

    def __repr__(self) -> str:
        return f"<CompiledStateGraph {self.name!r} nodes={self.node_order!r}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        """A static diagram (HTML, with SVG when ``dot`` exists) for front ends without
        widgets, such as nbconvert and GitHub; ``%load_ext hitl_notebook`` shows the widget."""
        from ..display import graph_mimebundle

        return graph_mimebundle(self)


def _changed_keys(parent_channels: dict[str, Channel], before: dict, after: dict) -> dict:
    """Only what the subgraph changed; for append-style keys only the new items, so a
    parent reducer does not add the old items twice."""
    update = {}
    for key, value in after.items():
        if key.startswith("__") or (parent_channels and key not in parent_channels):
            continue
        old = before.get(key, MISSING)
        if old is value or (old is not MISSING and old == value):
            continue
        channel = parent_channels.get(key)
        if isinstance(channel, ReducerChannel) and isinstance(old, list) and isinstance(value, list) \
                and value[: len(old)] == old and channel.reducer.__name__ != "add_messages":
            value = value[len(old):]
        update[key] = value
    return update


def _matches(record: Any, filter: dict | None) -> bool:
    if not filter:
        return True
    meta = {"source": record.source, "step": record.step, **record.metadata}
    return all(meta.get(k) == v for k, v in filter.items())


def _modes(stream_mode: str | Sequence[str]) -> tuple[tuple[str, ...], bool]:
    single = isinstance(stream_mode, str)
    modes = (stream_mode,) if single else tuple(stream_mode)
    for mode in modes:
        if mode not in _MODES:
            raise ValueError(f"Unknown stream_mode {mode!r}; choose from {', '.join(_MODES)}.")
    return modes, single


async def _in_thread(fn, *args, **kwargs):
    import asyncio

    return await asyncio.to_thread(fn, *args, **kwargs)
