"""``graph | runnable``, ``{...} | graph`` and mapping nodes: built with LangChain, which is
optional (without it, a clear error)."""

from __future__ import annotations

import sys
from typing import TypedDict

import pytest

from hitl_notebook import START, StateGraph
from hitl_notebook.graph import runnable


class Text(TypedDict):
    text: str


def _graph():
    return (
        StateGraph(Text)
        .add_node("up", lambda s: {"text": s["text"].upper()})
        .add_edge(START, "up")
        .compile()
    )


def test_a_mapping_piped_into_a_graph_feeds_it():
    pytest.importorskip("langchain_core")
    from langchain_core.runnables import RunnableLambda

    chain = {"text": RunnableLambda(lambda s: s["raw"].strip())} | _graph()
    assert chain.invoke({"raw": "  hi "}) == {"text": "HI"}


def test_without_langchain_the_pipe_is_a_clear_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "langchain_core.runnables", None)
    runnable._adapter.cache_clear()
    try:
        with pytest.raises(TypeError, match="install langchain-core"):
            _graph() | (lambda s: s)
    finally:
        runnable._adapter.cache_clear()


def test_without_langchain_a_mapping_node_is_a_clear_error(monkeypatch):
    from hitl_notebook import GraphValidationError

    monkeypatch.setitem(sys.modules, "langchain_core.runnables", None)
    with pytest.raises(GraphValidationError, match="Node 'n' is a mapping.*install langchain-core"):
        StateGraph(Text).add_node("n", {"text": lambda s: s})
