"""The thread widget: a thin anywidget declaration over a :class:`Session`.

State the browser needs at a glance lives in traitlets; history pages, state values,
patches and log lines travel as custom messages (see docs/widget-protocol.md). Every
button's Python twin is a method here that delegates to the Session.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..display import snapshot_html
from ..render import layout_svg
from .jsonable import sendable_text
from .server_connect import is_server_target
from .server_runtime import ServerRuntime
from .session import Session

__all__ = ["ThreadWidget", "show"]

_STATIC = Path(__file__).resolve().parent.parent / "static"


class ThreadWidget(anywidget.AnyWidget):
    """One thread of a graph: diagram, interrupts, state editor, history and run log."""

    _esm = _STATIC / "widget.js"
    _css = _STATIC / "widget.css"

    #: The thread shown ("" until one is picked or started).
    thread_id = traitlets.Unicode("").tag(sync=True)
    #: Threads of the checkpointer, for the picker (filled when no thread is selected, or
    #: by a search).
    threads: traitlets.List[dict] = traitlets.List().tag(sync=True)
    #: True when the picker searches threads by metadata and status (a server's threads);
    #: it then stays reachable beside the thread shown ("Other threads").
    thread_search = traitlets.Bool(False).tag(sync=True)
    #: The graph laid out in the kernel, as SVG (see ``render``); restyled by status in place.
    graph_svg = traitlets.Unicode("").tag(sync=True)
    #: Node ids as drawn (subgraph nodes as "parent:child").
    nodes: traitlets.List[str] = traitlets.List().tag(sync=True)
    #: "keys": the state is a mapping edited key by key; "value": one value (an
    #: entrypoint's return value, a root state schema) edited as a whole.
    state_kind = traitlets.Unicode("keys").tag(sync=True)
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
    #: The history's newest rows ``{items, size, lanes}`` as the thread was opened, so a
    #: view draws its timeline without a round trip; ``{}`` once the history moved on.
    history_page = traitlets.Dict().tag(sync=True)
    #: "no_thread" | "new" | "running" | "interrupted" | "paused" | "done" | "error".
    status = traitlets.Unicode("no_thread").tag(sync=True)
    #: The last error (node exception or rejected action), "" when the last action worked.
    error = traitlets.Unicode("").tag(sync=True)
    #: A notice for the user, e.g. why a stale action was refused.
    notice = traitlets.Unicode("").tag(sync=True)
    #: The line of code that shows this thread live again; a widget restored from a saved
    #: notebook, with no kernel behind it, shows it.
    reattach = traitlets.Unicode("").tag(sync=True)
    #: The last error in detail: {"node", "type", "message", "traceback"} ({} when none).
    error_detail = traitlets.Dict().tag(sync=True)
    #: The latest run: active, stopping, elapsed (ms), steps, step, nodes {id: state,
    #: started, ended, took} ({} before the first run).
    progress = traitlets.Dict().tag(sync=True)

    def __init__(
        self,
        graph: Any,
        thread_id: str | None = None,
        config: dict | None = None,
        *,
        context: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._graph = graph
        #: The static copy shown below the widget (an IPython display handle), once shown.
        self._snapshot: Any = None
        self.session = Session(
            graph, thread_id=thread_id, config=config, listener=self, context=context
        )
        self.on_msg(self._on_frontend_msg)

    # Listener protocol used by the Session.
    def set_traits(self, **changes: Any) -> None:
        with self.hold_sync():
            for name, value in changes.items():
                setattr(self, name, _sendable(value))
            if "thread_id" in changes or not self.reattach:
                self.reattach = reattach_line(self._graph, self.thread_id)
        if self._snapshot is not None and self.status != "running":
            self._snapshot.update(self._snapshot_bundle(), raw=True)

    def _on_frontend_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict):
            self.send(self.session.handle(content))

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):  # for front ends that cannot show widgets
            data["image/svg+xml"] = self.graph_svg
        return bundle

    def _ipython_display_(self) -> None:
        """The widget, then a static snapshot of it (diagram and pending questions as SVG
        and text) that a saved notebook keeps for places where the widget's JavaScript
        does not run: nbconvert HTML, GitHub, a closed kernel. Beside a live widget the
        snapshot is hidden by the widget's stylesheet; it is updated after every action."""
        from IPython.display import display

        bundle = self._repr_mimebundle_()
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, None)
        display(data, metadata=metadata, raw=True)
        self._snapshot = display(self._snapshot_bundle(), raw=True, display_id=True)

    def _snapshot_bundle(self) -> dict[str, str]:
        plain = f"Thread {self.thread_id!r} ({self.status}); to act on it: {self.reattach}"
        return {"text/html": self.snapshot_html(), "text/plain": plain}

    def snapshot_html(self) -> str:
        """The static snapshot as HTML (see ``_ipython_display_``)."""
        return snapshot_html(
            thread_id=self.thread_id,
            status=self.status,
            svg=layout_svg(self.session.diagram, self.node_status),
            interrupts=list(self.interrupts),
            reattach=self.reattach,
        )

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

    def stop(self) -> list[str]:
        """Stop the run started from the widget at its next safe point (no further node
        starts; a running async node is cancelled) and, on a server thread, cancel the
        runs in flight there; returns the ids of the runs stopped ([] when none was)."""
        return self.session.stop()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the widget's run in progress has ended; False if ``timeout`` passed."""
        return self.session.wait(timeout)

    @property
    def running(self) -> bool:
        """True while a run started from the widget is in progress."""
        return self.session.live is not None and self.session.live.running

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


def reattach_line(graph: Any, thread_id: str) -> str:
    """``show(<graph>, thread_id=...)``, with the name the notebook gives the graph."""
    name = _user_name(graph) or "graph"
    return f"show({name}, thread_id={thread_id!r})" if thread_id else f"show({name})"


def _user_name(value: Any) -> str | None:
    """The notebook variable that holds ``value`` (none outside IPython)."""
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None:
        return None
    for name, held in shell.user_ns.items():
        if held is value and name.isidentifier() and not name.startswith("_"):
            return name
    return None


def _sendable(value: Any) -> Any:
    """A trait value whose strings can travel in a kernel message (see sendable_text)."""
    if isinstance(value, str):
        return sendable_text(value)
    if isinstance(value, dict):
        return {sendable_text(str(k)): _sendable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_sendable(v) for v in value]
    return value


def show(
    graph: Any,
    thread_id: str | None = None,
    config: dict | None = None,
    *,
    assistant_id: str | None = None,
    headers: dict | None = None,
    api_key: str | None = None,
    context: Any = None,
    **options: Any,
) -> ThreadWidget:
    """A widget for one thread of ``graph`` (a thread picker when no thread is given).

    ``graph`` is a compiled graph (ours or LangGraph's), or a LangGraph API server: its
    URL or a ``langgraph_sdk.get_sync_client(...)``, with ``assistant_id`` (a graph id,
    assistant name or id; optional when the server has one graph), ``headers``/``api_key``
    for a URL; there ``thread_id=None`` creates a thread on the server.
    ``config`` is a run config (its ``configurable.thread_id`` is used when ``thread_id``
    is not given); ``context`` is the run context every run the widget starts gets
    (``invoke(context=...)``; sent as JSON to a server); ``breakpoints_before``/
    ``breakpoints_after`` list nodes to pause at.
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
    widget = ThreadWidget(graph, thread_id=thread_id, config=config, context=context)
    for when in ("before", "after"):
        for node in options.get(f"breakpoints_{when}", ()):
            widget.set_breakpoint(node, when)
    return widget
