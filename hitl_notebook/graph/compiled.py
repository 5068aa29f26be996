"""``CompiledStateGraph``: the runnable graph users call (LangGraph's method names)."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from ..constants import normalise_breakpoints
from ..engine.driver import drive_async, drive_sync
from ..engine.loop import DURABILITY, STREAM_MODES, Run
from ..engine.snapshot import read_history, read_state
from ..engine.tracing import graph_manager, traced_async, traced_sync
from ..engine.update import bulk_update_state, update_state
from ..types import RunControl, StateSnapshot
from . import batching
from .bound_config import merge_configs
from .plan import GraphPlan
from .stream_parts import Shapes, aparts, check_version, graph_output, part, parts

if TYPE_CHECKING:
    from .builder import StateGraph
    from .schema import StateSchema

__all__ = ["CompiledStateGraph"]


class CompiledStateGraph:
    """A validated graph bound to an optional checkpointer and static breakpoints.

    Its methods are LangGraph's; what the engine reads lives in the frozen ``GraphPlan``
    (``compile()`` copies the builder, so editing the builder later changes nothing here).
    """

    def __init__(
        self,
        builder: StateGraph,
        *,
        checkpointer: Any,
        interrupt_before: Any,
        interrupt_after: Any,
        name: str,
        debug: bool = False,
    ) -> None:
        #: The ``StateGraph`` this was compiled from (LangGraph keeps it too).
        self.builder = builder
        #: A saver, ``None``, or for a subgraph ``True`` (own history) / ``False`` (none).
        self.checkpointer = checkpointer
        self.interrupt_before_nodes = normalise_breakpoints(interrupt_before)
        self.interrupt_after_nodes = normalise_breakpoints(interrupt_after)
        self.name = name
        self.debug = debug
        #: The default of ``stream``/``astream`` (LangGraph's for a ``StateGraph``).
        self.stream_mode = "updates"
        #: Seconds a step may take before the call raises ``TimeoutError`` (None: no limit).
        self.step_timeout: float | None = None
        #: The config every run starts from (``with_config``); a call's config goes over it.
        self.config: dict | None = None
        self._plan = GraphPlan(builder)

    # -- running ---------------------------------------------------------------------
    def invoke(
        self,
        input: Any,
        config: dict | None = None,
        *,
        context: Any = None,
        stream_mode: str = "values",
        print_mode: str | Sequence[str] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        durability: str | None = None,
        debug: bool | None = None,
        subgraphs: bool = False,
        control: RunControl | None = None,
        version: str = "v1",
    ) -> Any:
        """Run until the graph finishes or pauses. With ``stream_mode="values"`` returns the
        final values (plus ``__interrupt__`` when paused on ``interrupt()``); with another
        mode, the list of chunks ``stream`` would have yielded. ``version="v2"``: a
        ``GraphOutput`` (value and interrupts apart), or the list of v2 stream parts."""
        v2 = check_version(version)
        run, single = self._new_run(
            config,
            context,
            _invoke_modes(stream_mode, v2),
            print_mode,
            output_keys,
            interrupt_before,
            interrupt_after,
            durability,
            debug,
            subgraphs,
            control,
        )
        chunks = list(self._drive_sync(run, input, single))
        return self._invoke_output(run, chunks, stream_mode, v2, subgraphs, output_keys)

    async def ainvoke(
        self,
        input: Any,
        config: dict | None = None,
        *,
        context: Any = None,
        stream_mode: str = "values",
        print_mode: str | Sequence[str] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        durability: str | None = None,
        debug: bool | None = None,
        subgraphs: bool = False,
        control: RunControl | None = None,
        version: str = "v1",
    ) -> Any:
        """``invoke`` on the event loop: a step's tasks run concurrently."""
        v2 = check_version(version)
        run, single = self._new_run(
            config,
            context,
            _invoke_modes(stream_mode, v2),
            print_mode,
            output_keys,
            interrupt_before,
            interrupt_after,
            durability,
            debug,
            subgraphs,
            control,
        )
        chunks = [chunk async for chunk in self._drive_async(run, input, single)]
        return self._invoke_output(run, chunks, stream_mode, v2, subgraphs, output_keys)

    def stream(
        self,
        input: Any,
        config: dict | None = None,
        *,
        context: Any = None,
        stream_mode: str | Sequence[str] | None = None,
        print_mode: str | Sequence[str] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        durability: str | None = None,
        debug: bool | None = None,
        subgraphs: bool = False,
        control: RunControl | None = None,
        version: str = "v1",
    ) -> Iterator[Any]:
        """Yield chunks as the run progresses: ``updates`` (``{node: writes}``, the default),
        ``values`` (state after each step), ``tasks``, ``checkpoints``, ``debug``, ``custom``,
        ``messages``; a list of modes yields ``(mode, chunk)`` pairs, and ``subgraphs=True``
        prefixes each with the namespace tuple. ``version="v2"`` yields typed parts
        (``{"type", "ns", "data"}``) whatever the modes."""
        v2 = check_version(version)
        run, single = self._new_run(
            config,
            context,
            self._part_modes(stream_mode) if v2 else stream_mode,
            print_mode,
            output_keys,
            interrupt_before,
            interrupt_after,
            durability,
            debug,
            subgraphs,
            control,
        )
        chunks = self._drive_sync(run, input, single)
        return parts(chunks, subgraphs, self._typed(output_keys)) if v2 else chunks

    def astream(
        self,
        input: Any,
        config: dict | None = None,
        *,
        context: Any = None,
        stream_mode: str | Sequence[str] | None = None,
        print_mode: str | Sequence[str] = (),
        output_keys: str | Sequence[str] | None = None,
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        durability: str | None = None,
        debug: bool | None = None,
        subgraphs: bool = False,
        control: RunControl | None = None,
        version: str = "v1",
    ) -> AsyncIterator[Any]:
        """``stream`` on the event loop; leaving the ``async for`` early cancels running tasks."""
        v2 = check_version(version)
        run, single = self._new_run(
            config,
            context,
            self._part_modes(stream_mode) if v2 else stream_mode,
            print_mode,
            output_keys,
            interrupt_before,
            interrupt_after,
            durability,
            debug,
            subgraphs,
            control,
        )
        chunks = self._drive_async(run, input, single)
        return aparts(chunks, subgraphs, self._typed(output_keys)) if v2 else chunks

    def _part_modes(self, stream_mode: Any) -> Any:
        """Modes as a list, so v1 chunks come as ``(mode, chunk)`` to make parts from."""
        mode = self.stream_mode if stream_mode is None else stream_mode
        return [mode] if isinstance(mode, str) else mode

    def _typed(self, output_keys: Any) -> Shapes:
        """The classes v2 output shows values as (with ``output_keys``: as selected)."""
        output = None if output_keys is not None else self._plan.output_schema or self._plan.schema
        return Shapes(output=output, state=self._plan.schema)

    def _invoke_output(
        self,
        run: Run,
        chunks: list,
        stream_mode: Any,
        v2: bool,
        subgraphs: bool,
        output_keys: Any,
    ) -> Any:
        if stream_mode == "values":
            result = run.invoke_result()
            return graph_output(result, self._typed(output_keys)) if v2 else result
        if not v2:
            return chunks
        return [part(chunk, subgraphs, self._typed(output_keys)) for chunk in chunks]

    def _trace_name(self) -> str:
        """The name of a call's run, as LangChain callbacks see it."""
        return self.name or "LangGraph"

    def _drive_sync(self, run: Run, input: Any, single: bool) -> Iterator[Any]:
        chunks = drive_sync(run, input, single)
        manager = graph_manager(run)
        if manager is None:
            return chunks
        return traced_sync(run, manager, self._trace_name(), input, chunks)

    def _drive_async(self, run: Run, input: Any, single: bool) -> AsyncIterator[Any]:
        chunks = drive_async(run, input, single)
        manager = graph_manager(run)
        if manager is None:
            return chunks
        return traced_async(run, manager, self._trace_name(), input, chunks)

    def _new_run(
        self,
        config: dict | None,
        context: Any,
        stream_mode: Any,
        print_mode: Any,
        output_keys: Any,
        interrupt_before: Any,
        interrupt_after: Any,
        durability: str | None,
        debug: bool | None,
        subgraphs: bool,
        control: RunControl | None = None,
    ) -> tuple[Run, bool]:
        if self.config:
            config = merge_configs(self.config, config)
        modes, single = _modes(self.stream_mode if stream_mode is None else stream_mode)
        printed, _ = _modes(print_mode) if print_mode else ((), True)
        if debug if debug is not None else self.debug:
            printed = tuple(dict.fromkeys((*printed, "updates", "values")))
        if durability not in (None, *DURABILITY):
            raise ValueError(
                f"Unknown durability {durability!r}; choose from {', '.join(DURABILITY)}."
            )
        run = Run(
            self,
            config,
            modes=modes,
            printed=printed,
            interrupt_before=interrupt_before,
            interrupt_after=interrupt_after,
            subgraphs=subgraphs,
            durability=durability,
            output_keys=output_keys,
            control=control,
            context=context,
        )
        return run, single

    def batch(
        self,
        inputs: Sequence[Any],
        config: dict | Sequence[dict] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """``invoke`` for each input (one config for all, or one each), in parallel
        threads (``max_concurrency`` in the config caps them); outputs in input order."""
        return batching.batch(self.invoke, inputs, config, return_exceptions, kwargs)

    def batch_as_completed(
        self,
        inputs: Sequence[Any],
        config: dict | Sequence[dict] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> Iterator[tuple[int, Any]]:
        """``batch``, yielding ``(index, output)`` as each call finishes."""
        return batching.batch_as_completed(self.invoke, inputs, config, return_exceptions, kwargs)

    async def abatch(
        self,
        inputs: Sequence[Any],
        config: dict | Sequence[dict] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> list[Any]:
        """``ainvoke`` for each input, concurrently on the event loop."""
        return await batching.abatch(self.ainvoke, inputs, config, return_exceptions, kwargs)

    def abatch_as_completed(
        self,
        inputs: Sequence[Any],
        config: dict | Sequence[dict] | None = None,
        *,
        return_exceptions: bool = False,
        **kwargs: Any,
    ) -> AsyncIterator[tuple[int, Any]]:
        """``abatch``, yielding ``(index, output)`` as each call finishes."""
        return batching.abatch_as_completed(self.ainvoke, inputs, config, return_exceptions, kwargs)

    def with_config(self, config: dict | None = None, **kwargs: Any) -> CompiledStateGraph:
        """A copy of this graph whose runs start from ``config`` and ``kwargs`` (merged
        under each call's config, as LangGraph's ``with_config``). State reads
        (``get_state``, history, ``update_state``) take their config as given, as there."""
        bound = copy.copy(self)
        bound.config = merge_configs(self.config, config, kwargs)
        return bound

    # -- state -----------------------------------------------------------------------
    def get_state(self, config: dict, *, subgraphs: bool = False) -> StateSnapshot:
        """The thread's latest checkpoint (or ``checkpoint_id``'s) as a snapshot."""
        return read_state(self, config, subgraphs=subgraphs)

    def get_state_history(
        self,
        config: dict,
        *,
        filter: dict | None = None,
        before: dict | None = None,
        limit: int | None = None,
    ) -> Iterator[StateSnapshot]:
        """Every checkpoint of the thread, newest first (all branches); with a
        ``checkpoint_id`` in ``config``, that checkpoint and its ancestors."""
        return read_history(self, config, filter=filter, before=before, limit=limit)

    def update_state(
        self, config: dict, values: Any, as_node: str | None = None, task_id: str | None = None
    ) -> dict:
        """Apply ``values`` as if ``as_node`` returned them (reducers apply); on a past
        checkpoint this forks. Returns the new checkpoint's config."""
        return update_state(self, config, values, as_node, task_id)

    def bulk_update_state(self, config: dict, supersteps: Sequence[Sequence[Any]]) -> dict:
        """Apply ``supersteps`` in order, each a list of ``StateUpdate(values, as_node)``
        applied together as one step: one new checkpoint per superstep. Returns the last
        checkpoint's config."""
        return bulk_update_state(self, config, supersteps)

    async def aget_state(self, config: dict, *, subgraphs: bool = False) -> StateSnapshot:
        return await asyncio.to_thread(self.get_state, config, subgraphs=subgraphs)

    async def aget_state_history(
        self,
        config: dict,
        *,
        filter: dict | None = None,
        before: dict | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[StateSnapshot]:
        snapshots = await asyncio.to_thread(
            lambda: list(self.get_state_history(config, filter=filter, before=before, limit=limit))
        )
        for snapshot in snapshots:
            yield snapshot

    async def aupdate_state(
        self, config: dict, values: Any, as_node: str | None = None, task_id: str | None = None
    ) -> dict:
        return await asyncio.to_thread(self.update_state, config, values, as_node, task_id)

    async def abulk_update_state(self, config: dict, supersteps: Sequence[Sequence[Any]]) -> dict:
        return await asyncio.to_thread(self.bulk_update_state, config, supersteps)

    # -- LangChain composition -------------------------------------------------------
    def astream_events(self, input: Any, config: dict | None = None, **kwargs: Any) -> Any:
        """LangChain's event stream of a call (needs langchain-core): the graph's own start,
        stream and end events, and those of runnables its nodes call with their config."""
        from .runnable import as_runnable

        return as_runnable(self).astream_events(input, config, **kwargs)

    def astream_log(self, input: Any, config: dict | None = None, **kwargs: Any) -> Any:
        """LangChain's run log of a call (needs langchain-core), as ``astream_events``."""
        from .runnable import as_runnable

        return as_runnable(self).astream_log(input, config, **kwargs)

    def __or__(self, other: Any) -> Any:
        """``graph | runnable``: a LangChain chain that runs this graph first."""
        from .runnable import as_runnable

        return as_runnable(self) | other

    def __ror__(self, other: Any) -> Any:
        """``{...} | graph`` (a left operand that is not a runnable: LangChain coerces it)."""
        from .runnable import as_runnable

        return other | as_runnable(self)

    # -- structure -------------------------------------------------------------------
    def get_graph(self, config: dict | None = None, *, xray: int | bool = False) -> Any:
        """A drawable graph (``.nodes``, ``.edges``), as LangGraph's ``get_graph()``."""
        from .drawable import build_drawable

        return build_drawable(self, xray=xray)

    def get_input_jsonschema(self, config: dict | None = None) -> dict[str, Any]:
        """The JSON schema of the input: pydantic's schema of the input (else state) class."""
        return _json_schema(self.builder.input_schema or self.builder.schema, self._titled("Input"))

    def get_output_jsonschema(self, config: dict | None = None) -> dict[str, Any]:
        """The JSON schema of the output: pydantic's schema of the output (else state) class."""
        return _json_schema(
            self.builder.output_schema or self.builder.schema, self._titled("Output")
        )

    def _titled(self, suffix: str) -> str:
        """LangChain's naming of a graph's schemas: ``LangGraphInput``, ``my_graph_input``."""
        name = self.name or "LangGraph"
        return name + suffix if name[:1].isupper() else f"{name}_{suffix.lower()}"

    def get_context_jsonschema(self) -> dict[str, Any] | None:
        """The JSON schema of the builder's ``context_schema`` (``None`` without one), for
        tools that show what a run's context takes."""
        context = self.builder.context_schema
        return None if context is None else _schema_of_class(context)

    def get_subgraphs(
        self, *, namespace: str | None = None, recurse: bool = False
    ) -> Iterator[tuple[str, Any]]:
        """``(namespace, compiled subgraph)`` for each node that is (or whose function refers
        to) a compiled graph (and, with ``recurse``, theirs: ``"parent|child"``). With
        ``namespace`` (node names joined by ``|``, no task ids), only the subgraph at exactly
        that namespace; a nested one needs ``recurse=True``. One compiled with
        ``checkpointer=False`` has no state to read and is not listed (as in LangGraph)."""
        for name, spec in self._plan.nodes.items():
            graph = spec.subgraph or spec.refers_to
            if graph is None or graph.checkpointer is False:
                continue
            if namespace is None:
                yield name, graph
                if recurse:
                    for inner, nested in graph.get_subgraphs(recurse=True):
                        yield f"{name}|{inner}", nested
            elif namespace == name:
                yield name, graph
                return
            elif recurse and namespace.startswith(name + "|"):
                for inner, nested in graph.get_subgraphs(
                    namespace=namespace[len(name) + 1 :], recurse=True
                ):
                    yield f"{name}|{inner}", nested

    async def aget_subgraphs(
        self, *, namespace: str | None = None, recurse: bool = False
    ) -> AsyncIterator[tuple[str, Any]]:
        """``get_subgraphs`` as an async iterator."""
        for item in self.get_subgraphs(namespace=namespace, recurse=recurse):
            yield item

    @property
    def nodes(self) -> dict[str, Any]:
        return dict(self._plan.nodes)

    def __repr__(self) -> str:
        return f"<CompiledStateGraph {self.name!r} nodes={self._plan.node_order!r}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict:
        """A static diagram (HTML, with SVG when ``dot`` exists) for front ends without
        widgets, such as nbconvert and GitHub; ``%load_ext hitl_notebook`` shows the widget."""
        from ..display import graph_mimebundle

        return graph_mimebundle(self)


def _invoke_modes(stream_mode: Any, v2: bool) -> Any:
    """``invoke`` in ``values`` mode reads the run's last values and reported interrupts
    (``Run.invoke_result``), so it streams nothing; another mode is collected as chunks
    (as ``(mode, chunk)`` pairs for v2 parts)."""
    if stream_mode == "values":
        return ()
    return [stream_mode] if v2 and isinstance(stream_mode, str) else stream_mode


def _modes(stream_mode: str | Sequence[str]) -> tuple[tuple[str, ...], bool]:
    single = isinstance(stream_mode, str)
    modes: tuple[str, ...] = (stream_mode,) if isinstance(stream_mode, str) else tuple(stream_mode)
    for mode in modes:
        if mode not in STREAM_MODES:
            raise ValueError(
                f"Unknown stream_mode {mode!r}; choose from {', '.join(STREAM_MODES)}."
            )
    return modes, single


def _json_schema(state: StateSchema, title: str) -> dict[str, Any]:
    """A state class's schema; a state that is one value (``is_root``) is described as
    LangGraph does, as an optional root model titled after the graph."""
    if not state.is_root:
        return _schema_of_class(state.schema)
    from pydantic import RootModel, create_model

    value: Any = state.root_type
    root = create_model(title, __base__=RootModel[value], root=(value, None))
    return root.model_json_schema()


def _schema_of_class(schema: type) -> dict[str, Any]:
    from pydantic import BaseModel, TypeAdapter

    if isinstance(schema, type) and issubclass(schema, BaseModel):
        return schema.model_json_schema()
    return TypeAdapter(schema).json_schema()
