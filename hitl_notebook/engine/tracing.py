"""LangChain callbacks: a tracer given in ``config["callbacks"]`` sees the graph call as a
run, each node and ``@task`` call as a child run of whatever called it.

The ``tools`` stream mode rides on the same runs (``engine.tool_events``). Only calls whose
config has callbacks, or that stream ``tools``, pay for this: the graph call checks once,
and its task contexts then carry a callback manager (``TaskContext.trace``, else None).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import AsyncIterator, Iterator
from typing import Any

from .tool_events import tool_events_handler

__all__ = [
    "graph_manager",
    "node_run",
    "reporting",
    "tagged_manager",
    "task_inputs",
    "traced_async",
    "traced_sync",
]


def graph_manager(run: Any) -> Any:
    """The callback manager a graph call reports to: its calling node's (a subgraph), or
    one built from ``config["callbacks"]`` (plus the ``tools`` stream's handler); None when
    there is nobody to report to."""
    parent = run.parent
    if parent is not None and parent.trace is not None:
        return parent.trace
    config = run.config
    callbacks = config.get("callbacks")
    # Tools worth streaming are LangChain's, so LangChain is loaded if there are any.
    tools = "tools" in run.modes and "langchain_core" in sys.modules
    if not callbacks and not tools:
        return None
    from langchain_core.callbacks import CallbackManager

    manager = CallbackManager.configure(
        callbacks,
        inheritable_tags=config.get("tags"),
        inheritable_metadata={**_configurable_scalars(config), **(config.get("metadata") or {})},
    )
    if "ls_integration" not in manager.metadata:
        manager.add_metadata({"ls_integration": "langgraph"})
    if tools:
        manager.add_handler(tool_events_handler(run), inherit=True)
    return manager


def traced_sync(run: Any, manager: Any, name: str, input: Any, chunks: Iterator) -> Iterator:
    """``chunks`` (a graph call's stream) as one run of ``manager``'s."""
    run_manager = _start(run, manager, name, input)
    run.trace = run_manager.get_child()
    try:
        yield from chunks
    except BaseException as exc:
        run_manager.on_chain_error(exc)
        raise
    run_manager.on_chain_end(_output(run))


async def traced_async(
    run: Any, manager: Any, name: str, input: Any, chunks: AsyncIterator
) -> AsyncIterator:
    """``traced_sync`` for ``astream``."""
    run_manager = _start(run, manager, name, input)
    run.trace = run_manager.get_child()
    try:
        async for chunk in chunks:
            yield chunk
    except BaseException as exc:
        run_manager.on_chain_error(exc)
        raise
    run_manager.on_chain_end(_output(run))


def _start(run: Any, manager: Any, name: str, input: Any) -> Any:
    """Start the call's run, named and identified as its config says; a subgraph's config
    repeats its parent's ``run_name``/``run_id``, which are not its own."""
    inherited = run.parent.config if run.parent is not None else {}
    own = {
        key: value
        for key in ("run_name", "run_id")
        if (value := run.config.get(key)) is not None and value != inherited.get(key)
    }
    return manager.on_chain_start(
        None, input, name=own.get("run_name", name), run_id=own.get("run_id")
    )


def _configurable_scalars(config: dict) -> dict:
    """The plain values of ``configurable`` (``thread_id``...), which LangGraph shows in
    every run's metadata."""
    return {
        key: value
        for key, value in (config.get("configurable") or {}).items()
        if isinstance(key, str)
        and not key.startswith("__")
        and isinstance(value, (str, int, float, bool))
    }


def _output(run: Any) -> Any:
    return run.invoke_result()


def tagged_manager(manager: Any, tag: str | None, metadata: dict) -> Any:
    """A copy of ``manager`` whose next run carries ``tag`` and (for it and its children)
    ``metadata``: how a traced task's run says which step, node and path it is."""
    manager = manager.copy()
    if tag is not None:
        manager.add_tags([tag], inherit=False)
    manager.add_metadata(metadata)
    return manager


class node_run:
    """``with node_run(ctx, name, inputs) as traced:`` while a node or task body runs: a
    child run of ``ctx.trace``, under which what the body calls (LangChain runnables,
    subgraphs, tasks) reports; set ``traced.output`` to what the body returned, or call
    ``traced.returned(output)`` as soon as it returns (see ``reporting``)."""

    __slots__ = ("_ctx", "_inputs", "_name", "_parent", "_run", "_streamed", "_token", "output")

    def __init__(self, ctx: Any, name: str, inputs: Any) -> None:
        self._ctx, self._name, self._inputs = ctx, name, inputs
        self.output: Any = None
        self._streamed = False

    def returned(self, output: Any) -> None:
        """The body returned ``output``: handlers that tap streams (``astream_events``,
        ``astream_log``) see it as the run's one chunk now, before the body's unawaited
        tasks settle, as LangGraph streams a node's output."""
        self.output = output
        if self._streamed:
            return
        self._streamed = True
        from langchain_core.tracers._streaming import _StreamingCallbackHandler

        for handler in self._parent.handlers:
            if isinstance(handler, _StreamingCallbackHandler):
                for _ in handler.tap_output_iter(self._run.run_id, iter((output,))):
                    pass

    def __enter__(self) -> node_run:
        from langchain_core.runnables.config import var_child_runnable_config

        self._parent = self._ctx.trace
        self._run = self._parent.on_chain_start(None, self._inputs, name=self._name)
        # The body is the first step of the node's sequence in LangGraph: what it calls
        # is tagged so.
        child = self._run.get_child("seq:step:1")
        outer = var_child_runnable_config.get() or {}
        inherited = outer.get("callbacks")
        # The ``messages`` stream's token handler (set by ``langchain_callbacks``) stays.
        for handler in inherited if isinstance(inherited, list) else ():
            if getattr(handler, "hitl_tokens", False):
                child.add_handler(handler, inherit=True)
        self._token = var_child_runnable_config.set({**outer, "callbacks": child})
        self._ctx.trace = child
        return self

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        from langchain_core.runnables.config import var_child_runnable_config

        self._ctx.trace = self._parent
        var_child_runnable_config.reset(self._token)
        if exc is not None:
            self._run.on_chain_error(exc)
        else:
            self.returned(self.output)
            self._run.on_chain_end(self.output)


def reporting(fn: Any, traced: node_run) -> Any:
    """``fn`` calling ``traced.returned`` with what it returns (awaited when it is a
    coroutine), so a body's output is streamed the moment it returns."""

    def call(*args: Any, **kwargs: Any) -> Any:
        out = fn(*args, **kwargs)
        if inspect.iscoroutine(out):
            return _returned_async(out, traced)
        traced.returned(out)
        return out

    return call


async def _returned_async(out: Any, traced: node_run) -> Any:
    value = await out
    traced.returned(value)
    return value


def task_inputs(fn: Any, args: tuple, kwargs: dict) -> dict:
    """A ``@task`` call's arguments by parameter name, as a tracer shows them."""
    try:
        bound = inspect.signature(fn).bind_partial(*args, **kwargs)
    except (TypeError, ValueError):
        return {"args": args, **kwargs}
    bound.apply_defaults()
    inputs = dict(bound.arguments)
    for param in bound.signature.parameters.values():
        if param.kind is inspect.Parameter.VAR_KEYWORD and param.name in inputs:
            inputs.update(inputs.pop(param.name))
    return inputs
