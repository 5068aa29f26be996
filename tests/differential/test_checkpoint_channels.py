"""The channel bookkeeping in ``saver.list(config)``'s checkpoints on both engines:
``channel_versions``, ``versions_seen``, ``updated_channels`` and ``channel_values``.

Versions are compared by rank (LangGraph's in-memory saver makes strings, ours integers):
the same channels must have versions in the same order, bumped by the same steps."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, plain, same, thread

pytestmark = pytest.mark.langgraph


class Log(TypedDict, total=False):
    topic: str
    log: Annotated[list, operator.add]


def _bookkeeping(saver: Any, config: dict) -> list[dict]:
    """Each checkpoint of the thread, newest first, its versions replaced by their rank."""
    tuples = list(saver.list(config))
    ranks = sorted(
        {v for t in tuples for v in t.checkpoint["channel_versions"].values()}
        | {
            v
            for t in tuples
            for seen in t.checkpoint["versions_seen"].values()
            for v in seen.values()
        }
    )
    rank = {v: i for i, v in enumerate(ranks)}
    return [
        {
            "step": t.metadata["step"],
            "channel_versions": {k: rank[v] for k, v in t.checkpoint["channel_versions"].items()},
            "versions_seen": {
                node: {k: rank[v] for k, v in seen.items()}
                for node, seen in t.checkpoint["versions_seen"].items()
            },
            "updated_channels": sorted(t.checkpoint["updated_channels"] or ()),
            "channel_values": plain(t.checkpoint["channel_values"]),
        }
        for t in tuples
    ]


def _mark(name):
    return lambda s: {"log": [name]}


def test_a_run_with_parallel_branches():
    """``START -> (a, b) -> c``: versions, what each node saw and what each step updated."""

    def scenario(api: Api) -> list:
        saver = api.InMemorySaver()
        graph = (
            api.StateGraph(Log)
            .add_node("a", _mark("a"))
            .add_node("b", _mark("b"))
            .add_node("c", _mark("c"))
            .add_edge(api.START, "a")
            .add_edge(api.START, "b")
            .add_edge("a", "c")
            .add_edge("b", "c")
            .compile(checkpointer=saver)
        )
        config = thread("t")
        graph.invoke({"topic": "x", "log": []}, config)
        return _bookkeeping(saver, config)

    seen = same(scenario)
    assert seen[-1]["updated_channels"] == ["__start__"]


def test_a_run_resumed_after_a_question():
    """A node asks, the run resumes: the resumed run's checkpoints record the versions it
    resumed from under ``__interrupt__``."""

    def scenario(api: Api) -> list:
        saver = api.InMemorySaver()

        def ask(state):
            return {"log": [api.interrupt("ok?")]}

        graph = (
            api.StateGraph(Log)
            .add_node("first", _mark("first"))
            .add_node("ask", ask)
            .add_node("last", _mark("last"))
            .add_edge(api.START, "first")
            .add_edge("first", "ask")
            .add_edge("ask", "last")
            .compile(checkpointer=saver)
        )
        config = thread("t")
        graph.invoke({"topic": "x", "log": []}, config)
        graph.invoke(api.Command(resume="yes"), config)
        return _bookkeeping(saver, config)

    assert "__interrupt__" in same(scenario)[0]["versions_seen"]
