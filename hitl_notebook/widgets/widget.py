"""The thread widget: a thin anywidget declaration over a :class:`Session`.

State the browser needs at a glance lives in traitlets; history pages, state values,
patches and log lines travel as custom messages (see docs/widget-protocol.md). Every
button's Python twin is a method here that delegates to the Session.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..render import dot_to_svg
from .server_runtime import ServerRuntime, is_server_target
from .session import Session

__all__ = ["ThreadWidget", "show"]

_STATIC = Path(__file__).resolve().parent.parent / "static"


class ThreadWidget(anywidget.AnyWidget):
    """One thread of a graph: diagram, interrupts, state editor, history and run log."""

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    #: The thread shown ("" until one is picked or started).
    thread_id = traitlets.Unicode("").tag(sync=True)
    #: Threads of the checkpointer, for the picker (filled when no thread is selected).
    threads: traitlets.List[dict] = traitlets.List().tag(sync=True)
    #: Graphviz DOT source of the graph (laid out in the browser).
    graph_dot = traitlets.Unicode("").tag(sync=True)
    #: Node ids as drawn (subgraph nodes as "parent:child").
    nodes: traitlets.List[str] = traitlets.List().tag(sync=True)
    #: Node id -> "visited" | "next" | "running" | "interrupted" | "errored".
    node_status = traitlets.Dict().tag(sync=True)
    #: {"before": [node, ...], "after": [node, ...]} applied to runs started here.
    breakpoints = traitlets.Dict().tag(sync=True)
    #: Summary of the thread's latest checkpoint: id, step, source, created_at, next.
    head = traitlets.Dict().tag(sync=True)
    #: Pending interrupts with their response form (see forms.interrupt_spec).
    interrupts: traitlets.List[dict] = traitlets.List().tag(sync=True)
    #: Number of checkpoints in the thread (pages are fetched by message).
    history_size = traitlets.Int(0).tag(sync=True)
    #: "no_thread" | "new" | "running" | "interrupted" | "paused" | "done" | "error".
    status = traitlets.Unicode("no_thread").tag(sync=True)
    #: The last error (node exception or rejected action), "" when the last action worked.
    error = traitlets.Unicode("").tag(sync=True)
    #: A notice for the user, e.g. why a stale action was refused.
    notice = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self, graph: Any, thread_id: str | None = None, config: dict | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.session = Session(graph, thread_id=thread_id, config=config, listener=self)
        self.on_msg(self._on_frontend_msg)

    # Listener protocol used by the Session.
    def set_traits(self, **changes: Any) -> None:
        with self.hold_sync():
            for name, value in changes.items():
                setattr(self, name, value)

    def _on_frontend_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict):
            self.send(self.session.handle(content))

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        svg = dot_to_svg(self.graph_dot)
        if svg is not None and isinstance(bundle, tuple):
            bundle[0]["image/svg+xml"] = svg
        elif svg is not None and isinstance(bundle, dict):
            bundle["image/svg+xml"] = svg
        return bundle

    # The buttons' Python twins.
    def run(self, input: Any) -> Any:
        """Start a run with ``input``; returns the latest StateSnapshot."""
        return self.session.run(input)

    def resume(self, answer: Any) -> Any:
        """Answer the pending interrupt (or several with ``{interrupt_id: value}``)."""
        return self.session.resume(answer)

    def review_tool_calls(self, decisions: list) -> Any:
        """Answer the tool calls the thread is paused before (the tool-call card):
        ``{"type": "approve"}``, ``{"type": "edit", "args": {...}}`` or
        ``{"type": "reject", "message": ...}`` per call; then the run goes on."""
        return self.session.review_tool_calls(decisions)

    def update_state(self, values: Any, as_node: str | None = None) -> Any:
        """Edit the latest state as if ``as_node`` wrote ``values``."""
        return self.session.update_state(values, as_node)

    def fork(self, checkpoint_id: str, values: Any = None, as_node: str | None = None) -> Any:
        """Branch from a past checkpoint, optionally with edited values."""
        return self.session.fork(checkpoint_id, values, as_node)

    def replay(self, checkpoint_id: str) -> Any:
        """Run again from a past checkpoint."""
        return self.session.replay(checkpoint_id)

    def step(self) -> Any:
        """Run one super-step, then pause."""
        return self.session.step()

    def continue_run(self) -> Any:
        """Continue until the end, an interrupt or a breakpoint."""
        return self.session.continue_run()

    def set_breakpoint(self, node: str, when: str = "before", enabled: bool = True) -> None:
        """Pause before/after ``node`` on later runs (``enabled=False`` removes it)."""
        self.session.set_breakpoint(node, when, enabled)

    def clear_breakpoints(self) -> None:
        """Remove every breakpoint."""
        self.session.clear_breakpoints()

    def select_thread(self, thread_id: str) -> None:
        """Show another thread of the same graph."""
        self.session.select_thread(thread_id)

    def refresh(self) -> None:
        """Re-read the thread (after it was run elsewhere)."""
        self.session.refresh()

    def stop(self) -> list[str]:
        """Cancel the runs in flight on a server thread; returns their ids."""
        return self.session.stop()

    def follow(self) -> Any:
        """Watch the run in flight on a server thread until it ends (live status, tokens)."""
        return self.session.follow()

    def search_threads(self, metadata: dict | None = None, status: str | None = None) -> list:
        """Fill the thread picker with server threads matching ``metadata``/``status``."""
        return self.session.search_threads(metadata, status)

    @property
    def state(self) -> Any:
        """The thread's latest StateSnapshot."""
        return self.session.head


def show(
    graph: Any,
    thread_id: str | None = None,
    config: dict | None = None,
    *,
    assistant_id: str | None = None,
    headers: dict | None = None,
    api_key: str | None = None,
    **options: Any,
) -> ThreadWidget:
    """A widget for one thread of ``graph`` (a thread picker when no thread is given).

    ``graph`` is a compiled graph (ours or LangGraph's), or a LangGraph API server: its
    URL or a ``langgraph_sdk.get_sync_client(...)``, with ``assistant_id`` (a graph id,
    assistant name or id; optional when the server has one graph), ``headers``/``api_key``
    for a URL; there ``thread_id=None`` creates a thread on the server.
    ``config`` is a run config (its ``configurable.thread_id`` is used when ``thread_id``
    is not given); ``breakpoints_before``/``breakpoints_after`` list nodes to pause at.
    """
    unknown = set(options) - {"breakpoints_before", "breakpoints_after"}
    if unknown:
        raise TypeError(f"show() got unexpected options: {', '.join(sorted(unknown))}")
    if is_server_target(graph):
        graph = ServerRuntime(graph, assistant_id, headers=headers, api_key=api_key)
        if thread_id is None and not (config or {}).get("configurable", {}).get("thread_id"):
            thread_id = graph.new_thread_id()
    elif assistant_id is not None or headers is not None or api_key is not None:
        raise TypeError("assistant_id=, headers= and api_key= are for a LangGraph API server URL")
    widget = ThreadWidget(graph, thread_id=thread_id, config=config)
    for when in ("before", "after"):
        for node in options.get(f"breakpoints_{when}", ()):
            widget.set_breakpoint(node, when)
    return widget
