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

__all__ = ["graph_manager", "node_run", "task_inputs", "traced_async", "traced_sync"]


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
        inheritable_metadata=config.get("metadata"),
    )
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


def _output(run: Any) -> Any:
    out = run.invoke_result()
    return out if isinstance(out, dict) else {"output": out}


class node_run:
    """``with node_run(ctx, name, inputs) as traced:`` while a node or task body runs: a
    child run of ``ctx.trace``, under which what the body calls (LangChain runnables,
    subgraphs, tasks) reports; set ``traced.output`` to what the body returned."""

    __slots__ = ("_ctx", "_inputs", "_name", "_parent", "_run", "_token", "output")

    def __init__(self, ctx: Any, name: str, inputs: Any) -> None:
        self._ctx, self._name, self._inputs = ctx, name, inputs
        self.output: Any = None

    def __enter__(self) -> node_run:
        from langchain_core.runnables.config import var_child_runnable_config

        self._parent = self._ctx.trace
        self._run = self._parent.on_chain_start(None, self._inputs, name=self._name)
        child = self._run.get_child()
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
            out = self.output
            self._run.on_chain_end(out if isinstance(out, dict) else {"output": out})


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
