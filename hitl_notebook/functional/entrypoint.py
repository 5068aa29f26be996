"""``@entrypoint``: a function run as a one-node graph on our engine.

The function is the node: it re-runs from the top on resume, its ``interrupt()`` calls get
their answers as any node's do, and the ``@task`` calls it makes are stored with the
checkpoint. What it returns is the thread's state (and, unless ``entrypoint.final`` says
otherwise, the ``previous`` value of the next run), so ``get_state``, ``update_state``,
history, replay and fork all work as for a ``StateGraph``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from ..checkpoint.base import BaseCheckpointSaver
from ..constants import END, START
from ..engine.context import TaskContext, current_task, runtime_of
from ..engine.tracing import node_run, reporting
from ..graph.builder import StateGraph, check_checkpointer
from ..graph.compiled import CompiledStateGraph
from ..graph.drawable import DrawableGraph
from ..graph.validation import refuse_unbuilt
from .calls import run_body, run_body_async
from .plan import BodyInput, EntrypointPlan, Final, returned_writes
from .schema import input_jsonschema, output_jsonschema, type_hints
from .timeline import task_calls, timeline_drawable

__all__ = ["Entrypoint", "entrypoint"]

#: Parameters the engine fills by name: the last saved value, the run's config, the
#: ``custom`` stream writer, (no store here) ``store=None`` and the call's ``Runtime``.
_INJECTED = ("previous", "config", "writer", "store", "runtime")


class Entrypoint(CompiledStateGraph):
    """A compiled entrypoint: LangGraph's ``Pregel`` methods (``invoke``, ``stream``,
    ``get_state``, ``update_state``...) over a graph with one node."""

    def __init__(
        self, builder: StateGraph, *, checkpointer: Any, name: str, func: Callable
    ) -> None:
        super().__init__(
            builder,
            checkpointer=checkpointer,
            interrupt_before=None,
            interrupt_after=None,
            name=name,
        )
        self._plan = EntrypointPlan(builder)
        #: The decorated function.
        self.func = func

    def _trace_name(self) -> str:
        # The call's run is the graph's (LangGraph's unnamed Pregel); the node is the function.
        return "LangGraph"

    def update_state(
        self, config: dict, values: Any, as_node: str | None = None, task_id: str | None = None
    ) -> dict:
        """Save ``values`` as if the entrypoint had returned it (an ``entrypoint.final``
        sets the value and ``previous`` apart); a pending run of it is done."""
        return super().update_state(config, values, as_node or self.name, task_id)

    def get_input_jsonschema(self, config: dict | None = None) -> dict:
        """The JSON schema of the input (the first parameter's annotation)."""
        return input_jsonschema(self.func)

    def get_output_jsonschema(self, config: dict | None = None) -> dict:
        """The JSON schema of the returned value (``V`` of ``entrypoint.final[V, S]``)."""
        return output_jsonschema(self.func)

    def thread_drawable(self, config: dict) -> tuple[DrawableGraph, dict[str, str]]:
        """The diagram of the thread's latest run: the entrypoint and its task calls so
        far, with each call's status (``visited`` or ``interrupted``)."""
        thread_id = (config.get("configurable") or {}).get("thread_id")
        saver = self.checkpointer if isinstance(self.checkpointer, BaseCheckpointSaver) else None
        calls = task_calls(saver, str(thread_id), self.name) if saver and thread_id else []
        return timeline_drawable(self.name, calls), {c.node: c.status for c in calls}


class entrypoint:
    """``@entrypoint(checkpointer=...)`` makes a function (sync or async) a workflow.

    The function takes the input as its first parameter and may declare ``previous`` (the
    value the last run on this thread saved), ``config``, ``writer`` and ``runtime``. Return
    ``entrypoint.final(value=..., save=...)`` to return one value and save another.
    """

    final = Final

    def __init__(
        self,
        checkpointer: Any = None,
        store: Any = None,
        cache: Any = None,
        context_schema: Any = None,
        cache_policy: Any = None,
        retry_policy: Any = None,
        timeout: Any = None,
    ) -> None:
        refuse_unbuilt(
            "@entrypoint",
            store=store,
            cache=cache,
            cache_policy=cache_policy,
            retry_policy=retry_policy,
            timeout=timeout,
        )
        check_checkpointer(checkpointer)
        self.checkpointer = checkpointer
        #: A ``context=`` given as a dict becomes one (dataclass or pydantic model).
        self.context_schema = context_schema

    def __call__(self, func: Callable[..., Any]) -> Entrypoint:
        name = getattr(func, "__name__", None)
        if not callable(func) or not name:
            raise TypeError(f"@entrypoint decorates a named function, got {func!r}.")
        if inspect.isgeneratorfunction(func) or inspect.isasyncgenfunction(func):
            raise NotImplementedError(
                f"Entrypoint '{name}' is a generator: @entrypoint runs functions that return their "
                "result; to send chunks while it runs, take a `writer` parameter and call writer(chunk)."
            )
        type_hints(func)  # a malformed entrypoint.final[...] annotation fails here
        wanted = _injected_parameters(func, name)
        body = (
            _async_body(func, wanted)
            if inspect.iscoroutinefunction(func)
            else _sync_body(func, wanted)
        )
        builder = (
            StateGraph(object, self.context_schema)
            .add_node(name, body)
            .add_edge(START, name)
            .add_edge(name, END)
        )
        return Entrypoint(builder, checkpointer=self.checkpointer, name=name, func=func)


def _injected_parameters(func: Callable, name: str) -> tuple[str, ...]:
    params = list(inspect.signature(func).parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if not positional or positional[0].name in _INJECTED:
        raise ValueError(
            f"Entrypoint '{name}' must take the input as its first positional parameter, e.g. "
            f"`def {name}(inputs, *, previous=None)`; got ({', '.join(p.name for p in params)})."
        )
    return tuple(p.name for p in params[1:] if p.name in _INJECTED)


def _arguments(state: BodyInput, config: dict, wanted: tuple[str, ...]) -> dict:
    ctx = _running()
    ctx.previous = state.previous
    given = {
        "previous": state.previous,
        "config": config,
        "writer": ctx.writer or _ignore,
        "store": None,
    }
    return {key: runtime_of(ctx) if key == "runtime" else given[key] for key in wanted}


def _sync_body(func: Callable, wanted: tuple[str, ...]) -> Callable:
    def body(state: BodyInput, config: dict) -> list:
        ctx, args = _running(), (state.input,)
        if ctx.trace is None:
            out = run_body(ctx, func, args, _arguments(state, config, wanted))
            return returned_writes(out)
        with node_run(ctx, ctx.name, state.input) as traced:
            out = run_body(ctx, reporting(func, traced), args, _arguments(state, config, wanted))
        return returned_writes(out)

    body.traces_itself = True  # type: ignore[attr-defined]
    return body


def _async_body(func: Callable, wanted: tuple[str, ...]) -> Callable:
    async def body(state: BodyInput, config: dict) -> list:
        ctx, args = _running(), (state.input,)
        if ctx.trace is None:
            out = await run_body_async(ctx, func, args, _arguments(state, config, wanted))
            return returned_writes(out)
        with node_run(ctx, ctx.name, state.input) as traced:
            out = await run_body_async(
                ctx, reporting(func, traced), args, _arguments(state, config, wanted)
            )
        return returned_writes(out)

    body.traces_itself = True  # type: ignore[attr-defined]
    return body


def _running() -> TaskContext:
    """The entrypoint node's context (the engine always runs the body inside one)."""
    ctx = current_task()
    if ctx is None:
        raise RuntimeError("an entrypoint's body runs only inside its graph's run")
    return ctx


def _ignore(chunk: Any) -> None:
    """The writer an entrypoint gets when nobody streams ``custom``."""
