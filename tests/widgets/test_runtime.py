"""Choosing the runtime adapter: ours directly, LangGraph's only for LangGraph graphs."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hitl_notebook.widgets import GraphRuntime, LangGraphRuntime, as_runtime, runtime

ROOT = Path(__file__).resolve().parents[2]


def test_adapter_follows_the_graph_type(engine):
    """A LangGraph graph gets the LangGraph adapter; ours gets the plain one."""
    from .graphs import chain_graph

    adapter = as_runtime(chain_graph(engine))
    expected = LangGraphRuntime if engine.name == "langgraph" else GraphRuntime
    assert type(adapter) is expected


def test_showing_our_graph_never_imports_langgraph():
    """The widget on our engine works without LangGraph installed or imported."""
    script = textwrap.dedent(
        """
        import sys
        from typing import TypedDict
        from hitl_notebook import StateGraph, START, END, InMemorySaver
        from hitl_notebook.widgets import show

        class S(TypedDict):
            n: int

        b = StateGraph(S)
        b.add_node("inc", lambda s: {"n": s["n"] + 1})
        b.add_edge(START, "inc"); b.add_edge("inc", END)
        w = show(b.compile(checkpointer=InMemorySaver()), thread_id="t")
        w.run({"n": 1})
        assert w.state.values == {"n": 2}, w.state.values
        leaked = sorted(m for m in sys.modules if m.split(".")[0] in {"langgraph", "langchain", "langchain_core"})
        assert not leaked, leaked
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_graph_without_checkpointer_is_a_clear_error(engine):
    """The widget needs history: a graph compiled without a checkpointer is refused up front."""
    b = engine.StateGraph(dict)
    b.add_node("x", lambda s: {})
    b.add_edge(engine.START, "x")
    with pytest.raises(ValueError, match="checkpointer"):
        as_runtime(b.compile())


def test_unsupported_langgraph_version_fails_clearly(monkeypatch):
    """An untested LangGraph version is named in the error instead of failing obscurely."""
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "version", lambda name: "9.0.0")
    with pytest.raises(RuntimeError, match=r"langgraph 9\.0\.0 is installed"):
        runtime._check_langgraph_version()
