"""``get_subgraphs(namespace=..., recurse=...)``: a namespace matches whole node names, one
segment per level; ``aget_subgraphs`` is its async twin."""

from __future__ import annotations

import asyncio
from typing import TypedDict

import pytest

from hitl_notebook import START, StateGraph


class Notes(TypedDict, total=False):
    notes: str


def _leaf(label):
    return (
        StateGraph(Notes)
        .add_node("work", lambda s: {"notes": label})
        .add_edge(START, "work")
        .compile()
    )


def _parent():
    graphs = {
        "research|review": _leaf("inner review"),
        "research_review": _leaf("rr"),
        "review": _leaf("review"),
    }
    graphs["research"] = (
        StateGraph(Notes)
        .add_node("review", graphs["research|review"])
        .add_edge(START, "review")
        .compile()
    )
    parent = (
        StateGraph(Notes)
        .add_node("research", graphs["research"])
        .add_node("research_review", graphs["research_review"])
        .add_node("review", graphs["review"])
        .add_node("plain", lambda s: {})
        .add_edge(START, "research")
        .compile()
    )
    return parent, graphs


def test_without_a_namespace_every_subgraph_node_is_listed():
    """Direct subgraphs only; with ``recurse`` their own too, as ``parent|child``."""
    parent, graphs = _parent()
    assert [n for n, _ in parent.get_subgraphs()] == ["research", "research_review", "review"]
    assert dict(parent.get_subgraphs(recurse=True)) == graphs


@pytest.mark.parametrize("namespace", ["research", "research|review", "research_review", "review"])
def test_a_namespace_names_exactly_one_subgraph(namespace):
    """``research_review`` is not ``research`` then ``review``; ``research|review`` is not the
    parent's own ``review``."""
    parent, graphs = _parent()
    assert list(parent.get_subgraphs(namespace=namespace, recurse=True)) == [
        (namespace, graphs[namespace])
    ]


def test_a_nested_namespace_needs_recurse():
    """Without ``recurse`` only this graph's own nodes are looked at."""
    parent, _ = _parent()
    assert list(parent.get_subgraphs(namespace="research|review")) == []
    assert list(parent.get_subgraphs(namespace="nope", recurse=True)) == []


def test_aget_subgraphs():
    """The async iterator yields what ``get_subgraphs`` does."""
    parent, graphs = _parent()

    async def collect():
        return [
            item async for item in parent.aget_subgraphs(namespace="research|review", recurse=True)
        ]

    assert asyncio.run(collect()) == [("research|review", graphs["research|review"])]
