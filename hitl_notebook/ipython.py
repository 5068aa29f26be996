"""``%load_ext hitl_notebook``: graphs and paused runs display as widgets you can act on.

After loading:

- a compiled graph (the value of a cell) displays as the thread widget with its diagram
  and a thread picker to start a run;
- the dict ``invoke`` returns when a run stopped at ``interrupt()`` displays as a widget
  bound to that thread, where the interrupt can be answered;
- ``%hitl graph, thread`` opens the widget for any thread (``thread`` is a thread id or a
  run config); a bare ``%hitl`` opens the thread of the latest run started in the notebook.

A result dict does not say which graph and thread produced it, so the extension keeps a
short list of recent runs: while loaded, it registers a run observer
(``hitl_notebook.engine.loop.run_observers``) that notes ``(graph, config)`` of every
top-level run (``unload`` removes it). A result is bound to a thread only when that thread's latest
checkpoint really has the result's interrupt ids pending; otherwise (an old result, a
LangGraph graph) it shows the static interrupt card, which every bundle also carries for
front ends without widgets. Loading twice is harmless.
"""

from __future__ import annotations

import weakref
from collections import deque
from collections.abc import Mapping
from typing import Any

from .display import graph_mimebundle, interrupt_card_html, is_interrupted_result
from .engine.loop import run_observers
from .graph.compiled import CompiledStateGraph

__all__ = ["RunRegistry", "load_ipython_extension", "unload_ipython_extension"]


class RunRegistry:
    """Recent ``(graph, config)`` pairs runs were started with, newest first.

    Graphs are held weakly (a deleted graph is forgotten). Only runs of a graph that owns
    a checkpointer, on a thread, are recorded: a subgraph is run by its parent with the
    parent's config but keeps no thread of its own.
    """

    def __init__(self, size: int = 32) -> None:
        self._runs: deque[tuple[weakref.ref, dict]] = deque(maxlen=size)

    def note(self, graph: Any, config: Any) -> None:
        """Remember that ``graph`` was run with ``config`` (its latest checkpoint is kept)."""
        configurable = (config or {}).get("configurable", {}) if isinstance(config, Mapping) else {}
        if not _keeps_threads(graph) or "thread_id" not in configurable:
            return
        latest = {
            k: v for k, v in configurable.items() if k not in ("checkpoint_id", "checkpoint_ns")
        }
        for ref, seen in list(self._runs):
            if ref() is graph and seen["configurable"] == latest:
                self._runs.remove((ref, seen))
        self._runs.appendleft((weakref.ref(graph), {"configurable": latest}))

    def latest(self) -> tuple[Any, dict] | None:
        """The most recent run whose graph still exists."""
        for ref, config in self._runs:
            if (graph := ref()) is not None:
                return graph, config
        return None

    def find(self, interrupt_ids: set[str]) -> tuple[Any, dict] | None:
        """The recent run whose thread has all of ``interrupt_ids`` pending right now."""
        for ref, config in self._runs:
            graph = ref()
            if graph is None or not interrupt_ids:
                continue
            snapshot = graph.get_state(config, subgraphs=True)
            pending = {i.id for task in snapshot.tasks for i in task.interrupts}
            pending |= {i.id for i in getattr(snapshot, "interrupts", ())}
            if interrupt_ids <= pending:
                return graph, config
        return None


class _Extension:
    """What one load installed, so that unload removes exactly that."""

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        self.registry = RunRegistry()
        self.replaced_printers: dict[type, Any] = {}

    def install(self) -> None:
        run_observers.append(self.registry.note)
        bundles = self.shell.display_formatter.mimebundle_formatter
        self.replaced_printers = {
            CompiledStateGraph: bundles.for_type(CompiledStateGraph, self.graph_bundle),
            dict: bundles.for_type(dict, self.result_bundle),
        }
        self.shell.register_magic_function(self.hitl_magic, magic_kind="line", magic_name="hitl")

    def uninstall(self) -> None:
        run_observers.remove(self.registry.note)
        bundles = self.shell.display_formatter.mimebundle_formatter
        for cls, previous in self.replaced_printers.items():
            bundles.type_printers.pop(cls, None)
            if previous is not None:  # another extension's printer: give it back
                bundles.for_type(cls, previous)
        self.shell.magics_manager.magics["line"].pop("hitl", None)

    def graph_bundle(self, graph: CompiledStateGraph) -> dict:
        """The thread widget (diagram and thread picker) plus the static diagram."""
        static = graph_mimebundle(graph)
        if not _keeps_threads(graph):
            return static
        return {**static, **_widget_bundle(_show(graph))}

    def result_bundle(self, result: dict) -> dict | None:
        """A paused run: the widget bound to its thread, plus the static card."""
        if not is_interrupted_result(result):
            return None
        ids = {str(getattr(i, "id", "")) for i in result["__interrupt__"]}
        run = self.registry.find(ids)
        if run is None:
            note = "Not bound to a thread: open one with %hitl graph, config."
            return {"text/html": interrupt_card_html(result, note=note)}
        graph, config = run
        return {
            "text/html": interrupt_card_html(result),
            **_widget_bundle(_show(graph, config=config)),
        }

    def hitl_magic(self, line: str) -> Any:
        """%hitl [graph[, thread_id or config]]: the widget for a thread of a graph.

        Both parts are Python expressions in the notebook's namespace. With no argument,
        the thread of the latest run started in this notebook.
        """
        if not line.strip():
            latest = self.registry.latest()
            if latest is None:
                raise ValueError(
                    "no run yet: use %hitl graph, thread_id (or run graph.invoke(..., config) first)"
                )
            return _show(latest[0], config=latest[1])
        value = self.shell.ev(line)
        graph, thread = value if isinstance(value, tuple) and len(value) == 2 else (value, None)
        if isinstance(thread, Mapping):
            return _show(graph, config=dict(thread))
        return _show(graph, thread_id=None if thread is None else str(thread))


def _keeps_threads(graph: Any) -> bool:
    """True when the graph owns a checkpointer (``None``/``True``/``False`` are flags, not savers)."""
    return getattr(graph, "checkpointer", None) not in (None, True, False)


def _show(graph: Any, **kwargs: Any) -> Any:
    from .widgets import show  # imported late: loading the extension stays cheap

    return show(graph, **kwargs)


def _widget_bundle(widget: Any) -> dict:
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    return {k: v for k, v in data.items() if k != "text/plain"}


_loaded: _Extension | None = None


def load_ipython_extension(shell: Any) -> None:
    """Install the display hooks and the ``%hitl`` magic (a second load does nothing)."""
    global _loaded
    if _loaded is not None:
        if _loaded.shell is shell:
            return
        _loaded.uninstall()
    _loaded = _Extension(shell)
    _loaded.install()


def unload_ipython_extension(shell: Any) -> None:
    """Remove everything ``load_ipython_extension`` installed."""
    global _loaded
    if _loaded is not None and _loaded.shell is shell:
        _loaded.uninstall()
        _loaded = None
