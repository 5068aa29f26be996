"""Checkpoint metadata on both engines: the run's ``metadata`` and the plain values of its
``configurable`` (not the checkpoint coordinates, not ``__``-prefixed internals)."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, same

pytestmark = pytest.mark.langgraph


class Log(TypedDict):
    log: Annotated[list, operator.add]


_CONFIG = {
    "configurable": {
        "thread_id": "t",
        "user": "ada",
        "attempt": 3,
        "ratio": 0.5,
        "strict": True,
        "options": {"not": "scalar"},
        "__internal": "hidden",
        "shared": "from configurable",
    },
    "metadata": {"shared": "from metadata", "tag": "x"},
}


def _metadata_seen(api: Api, run) -> list[dict]:
    graph = (
        api.StateGraph(Log)
        .add_node("a", lambda state: {"log": ["a"]})
        .add_node("b", lambda state: {"log": ["b"]})
        .add_edge(api.START, "a")
        .add_edge("a", "b")
        .compile(checkpointer=api.InMemorySaver())
    )
    run(graph)
    graph.update_state(_CONFIG, {"log": ["edit"]})
    kept = ("source", "step", "writes", "parents")
    return [
        {k: v for k, v in snapshot.metadata.items() if k not in kept}
        for snapshot in graph.get_state_history({"configurable": {"thread_id": "t"}})
    ]


def test_configurable_scalars_are_stored_as_metadata_by_invoke():
    """Every checkpoint of an ``invoke`` (and of ``update_state``) carries the config's
    metadata and its scalar ``configurable`` values, the metadata winning a clash."""
    seen = same(lambda api: _metadata_seen(api, lambda g: g.invoke({"log": []}, _CONFIG)))
    assert seen[0] == {
        "user": "ada",
        "attempt": 3,
        "ratio": 0.5,
        "strict": True,
        "shared": "from metadata",
        "tag": "x",
    }


def test_configurable_scalars_are_stored_as_metadata_by_ainvoke():
    """The same through ``ainvoke``."""

    def run(graph):
        asyncio.run(graph.ainvoke({"log": []}, _CONFIG))

    same(lambda api: _metadata_seen(api, run))
