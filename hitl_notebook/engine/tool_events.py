"""The ``tools`` stream mode: the start, end or error of each LangChain tool a node calls.

A callback handler on the run's callback manager (see ``engine.tracing``) turns LangChain's
``on_tool_*`` callbacks into ``{"event": "tool-started" | "tool-finished" | "tool-error",
"tool_call_id": ...}`` chunks, in the namespace of the graph whose node called the tool.
"""

from __future__ import annotations

from typing import Any

from ..types import GraphInterrupt
from .context import current_task

__all__ = ["tool_events_handler"]


def tool_events_handler(run: Any) -> Any:
    """A LangChain callback handler that emits ``run``'s ``tools`` chunks."""
    from langchain_core.callbacks import BaseCallbackHandler

    class _ToolEvents(BaseCallbackHandler):
        run_inline = True  # in the tool's own thread and context: its task is current

        def __init__(self) -> None:
            self.calls: dict[Any, tuple[str, str]] = {}

        def on_tool_start(
            self, serialized: Any, input_str: str, *, run_id: Any, **kwargs: Any
        ) -> None:
            task = current_task()
            ns = task.ns if task is not None else run.ns
            if ns != run.ns and not run.subgraphs:  # a subgraph's tool: shown with subgraphs=True
                return
            call_id = kwargs.get("tool_call_id") or str(run_id)
            self.calls[run_id] = (ns, call_id)
            payload = {
                "event": "tool-started",
                "tool_call_id": call_id,
                "tool_name": (serialized or {}).get("name") or kwargs.get("name") or "",
            }
            if kwargs.get("inputs") is not None:
                payload["input"] = kwargs["inputs"]
            run.emit_at("tools", ns, payload)

        def on_tool_end(self, output: Any, *, run_id: Any, **kwargs: Any) -> None:
            found = self.calls.pop(run_id, None)
            if found is not None:
                ns, call_id = found
                event = {"event": "tool-finished", "tool_call_id": call_id, "output": output}
                run.emit_at("tools", ns, event)

        def on_tool_error(self, error: BaseException, *, run_id: Any, **kwargs: Any) -> None:
            found = self.calls.pop(run_id, None)
            # A tool that paused on interrupt() runs again on resume and reports then.
            if found is not None and not isinstance(error, GraphInterrupt):
                ns, call_id = found
                event = {"event": "tool-error", "tool_call_id": call_id, "message": str(error)}
                run.emit_at("tools", ns, event)

    return _ToolEvents()
