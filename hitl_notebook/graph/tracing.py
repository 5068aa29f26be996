"""A node that is a LangChain runnable, in a traced call (``engine.tracing``): its run is
named after the node and, when a handler taps streams, it is streamed so its chunks show."""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["call_traced"]


def call_traced(runnable: Any, node: str, state: Any, config: dict) -> Any:
    """Run ``runnable`` as node ``node`` with ``config``'s callbacks: streamed when a
    handler taps streams (``astream_log``/``astream_events``, found by inheritance as
    LangGraph checks), its output then being the last chunk, as LangGraph keeps it."""
    from langchain_core.tracers._streaming import _StreamingCallbackHandler

    config = {**config, "run_name": node}
    callbacks = config["callbacks"]
    handlers = callbacks if isinstance(callbacks, list) else getattr(callbacks, "handlers", [])
    if not any(_StreamingCallbackHandler in type(h).__mro__ for h in handlers):
        return runnable.invoke(state, config)
    chunks = runnable.stream(state, config)
    return functools.reduce(lambda _, chunk: chunk, chunks, None)
