"""A call with LangChain ``callbacks`` in its config is one run of LangChain's callback
system (start, then end with the final values, or error), as a LangGraph graph's call is:
a tracer records one root run, and ``astream_events`` sees the graph start and end.

Only a top-level call with callbacks is traced; the check is made once per call, so a call
without callbacks costs nothing more. A node that is a LangChain runnable runs as a child
run named after the node, and runnables a node calls with its config are children too.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from contextlib import aclosing
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..engine.loop import Run
    from .compiled import CompiledStateGraph

__all__ = ["call_traced", "traced_async", "traced_sync"]


def _start_fields(graph: CompiledStateGraph, run: Run) -> dict[str, Any]:
    config = run.config
    return {
        "name": config.get("run_name") or graph.name,
        "run_id": config.get("run_id"),
    }


def _configure_fields(run: Run) -> dict[str, Any]:
    config = run.config
    return {
        "inheritable_callbacks": config.get("callbacks"),
        "inheritable_tags": config.get("tags"),
        "inheritable_metadata": config.get("metadata"),
    }


def traced_sync(
    graph: CompiledStateGraph, run: Run, input: Any, chunks: Iterator[Any]
) -> Iterator[Any]:
    """``chunks`` (the driver's generator) inside one LangChain chain run."""
    from langchain_core.callbacks import CallbackManager

    manager = CallbackManager.configure(**_configure_fields(run))
    run_manager = manager.on_chain_start(None, input, **_start_fields(graph, run))
    run.config["callbacks"] = run_manager.get_child()
    try:
        yield from chunks
    except BaseException as error:
        run_manager.on_chain_error(error)
        raise
    run_manager.on_chain_end(run.invoke_result())


async def traced_async(
    graph: CompiledStateGraph, run: Run, input: Any, chunks: AsyncIterator[Any]
) -> AsyncIterator[Any]:
    """``traced_sync`` for ``astream``/``ainvoke``: LangChain's async callback manager."""
    from langchain_core.callbacks import AsyncCallbackManager

    manager = AsyncCallbackManager.configure(**_configure_fields(run))
    run_manager = await manager.on_chain_start(None, input, **_start_fields(graph, run))
    run.config["callbacks"] = run_manager.get_child()
    try:
        async with aclosing(chunks) as running:  # type: ignore[type-var]
            async for chunk in running:
                yield chunk
    except BaseException as error:
        await run_manager.on_chain_error(error)
        raise
    await run_manager.on_chain_end(run.invoke_result())


def call_traced(runnable: Any, node: str, state: Any, config: dict) -> Any:
    """A LangChain runnable node in a traced call: its run is named after the node, and,
    when a handler taps streams (``astream_log``/``astream_events``: by inheritance, as
    LangGraph checks), it is streamed so its chunks show; its output is the last chunk,
    as LangGraph keeps when it streams a node."""
    from langchain_core.tracers._streaming import _StreamingCallbackHandler

    config = {**config, "run_name": node}
    callbacks = config["callbacks"]
    handlers = callbacks if isinstance(callbacks, list) else getattr(callbacks, "handlers", [])
    if not any(_StreamingCallbackHandler in type(h).__mro__ for h in handlers):
        return runnable.invoke(state, config)
    chunks = runnable.stream(state, config)
    return functools.reduce(lambda _, chunk: chunk, chunks, None)
