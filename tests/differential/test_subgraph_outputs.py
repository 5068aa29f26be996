"""What a parent keeps of a subgraph's output: LangGraph keeps the parent's keys and drops
the subgraph's own, whether the subgraph is the node or a node function returns what it
returned. A key that is neither the parent's nor a subgraph's is still our clear error."""

from __future__ import annotations

from typing import TypedDict

import pytest

from hitl_notebook import InvalidUpdateError

from .harness import OURS, Api, same, thread

pytestmark = pytest.mark.langgraph


class Parent(TypedDict):
    foo: str


class Child(TypedDict):
    foo: str
    bar: str


def _child(api: Api, **compile_options):
    builder = api.StateGraph(Child)
    builder.add_node("inner", lambda s: {"foo": s["foo"] + "|inner", "bar": "own"})
    builder.add_edge(api.START, "inner")
    return builder.compile(**compile_options)


@pytest.mark.parametrize("checkpointer", [None, True])
def test_a_node_returning_its_subgraphs_output_keeps_the_parents_keys(checkpointer):
    """``return subgraph.invoke(state)`` from a node: ``bar``, the subgraph's own key, is
    dropped (the parent's schema has no ``bar``), ``foo`` is kept."""

    def scenario(api: Api):
        child = _child(api, checkpointer=checkpointer)
        builder = api.StateGraph(Parent)
        builder.add_node("call", lambda s: child.invoke(s))
        builder.add_edge(api.START, "call")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return graph.invoke({"foo": "x"}, thread("t"))

    assert same(scenario) == {"foo": "x|inner"}


def test_a_subgraph_node_keeps_the_parents_keys():
    """The subgraph itself as the node: same rule."""

    def scenario(api: Api):
        builder = api.StateGraph(Parent)
        builder.add_node("call", _child(api))
        builder.add_edge(api.START, "call")
        return builder.compile().invoke({"foo": "x"})

    assert same(scenario) == {"foo": "x|inner"}


def test_a_key_of_no_subgraph_is_still_an_error():
    """A node that ran a subgraph and also writes a key neither schema has (a typo)
    gets our ``InvalidUpdateError`` (the deliberate difference stays)."""
    child = _child(OURS)
    builder = OURS.StateGraph(Parent)
    builder.add_node("call", lambda s: {**child.invoke(s), "typo": 1})
    builder.add_edge(OURS.START, "call")
    with pytest.raises(InvalidUpdateError, match="Node 'call' wrote key 'typo'"):
        builder.compile().invoke({"foo": "x"})


def test_editing_the_state_of_a_subgraph_a_node_function_runs():
    """``update_state`` on the config of a waiting subgraph that a node function invokes
    (not a subgraph node) edits that subgraph's state, and the run goes on with it."""

    def scenario(api: Api):
        builder = api.StateGraph(Child)
        builder.add_node("first", lambda s: {"bar": "first"})
        builder.add_node("second", lambda s: {"foo": s["foo"] + "|" + s["bar"]})
        builder.add_edge(api.START, "first")
        builder.add_edge("first", "second")
        child = builder.compile(interrupt_before=["second"])
        parent = api.StateGraph(Parent)
        parent.add_node("call", lambda s: child.invoke(s))
        parent.add_edge(api.START, "call")
        graph = parent.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        graph.invoke({"foo": "x"}, config)
        waiting = graph.get_state(config, subgraphs=True).tasks[0].state
        graph.update_state(waiting.config, {"bar": "edited"})
        return waiting.values, graph.invoke(None, config)

    assert same(scenario) == ({"foo": "x", "bar": "first"}, {"foo": "x|edited"})


@pytest.mark.parametrize("as_subgraph_node", [False, True])
def test_editing_a_waiting_subgraph_as_its_last_node_finishes_it(as_subgraph_node):
    """``update_state(..., as_node=<the node it waits before>)`` on the subgraph's config
    stands in for that node: on ``invoke(None)`` the subgraph has nothing left to run and
    the parent gets its edited state (nothing runs again)."""

    def scenario(api: Api):
        runs: list[str] = []
        builder = api.StateGraph(Child)
        builder.add_node("first", lambda s: runs.append("first") or {"bar": "first"})
        builder.add_node("second", lambda s: runs.append("second") or {"foo": "second"})
        builder.add_edge(api.START, "first")
        builder.add_edge("first", "second")
        child = builder.compile(interrupt_before=["second"])
        parent = api.StateGraph(Parent)
        parent.add_node("call", child if as_subgraph_node else (lambda s: child.invoke(s)))
        parent.add_edge(api.START, "call")
        graph = parent.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        graph.invoke({"foo": "x"}, config)
        waiting = graph.get_state(config, subgraphs=True).tasks[0].state
        graph.update_state(waiting.config, {"foo": "edited"}, as_node="second")
        return graph.invoke(None, config), runs

    assert same(scenario) == ({"foo": "edited"}, ["first"])


def test_a_subgraph_compiled_with_its_parents_saver_runs_as_a_subgraph():
    """``inner.compile(checkpointer=saver)`` with the parent's own saver, used as a node:
    it keeps its checkpoints in its own namespace of the parent's thread (no clash with the
    parent's head), run after run."""

    def scenario(api: Api):
        saver = api.InMemorySaver()
        inner = api.StateGraph(Child)
        inner.add_node("inner", lambda s: {"foo": s["foo"] + "|inner"})
        inner.add_edge(api.START, "inner")
        builder = api.StateGraph(Parent)
        builder.add_node("call", inner.compile(checkpointer=saver))
        builder.add_edge(api.START, "call")
        graph = builder.compile(checkpointer=saver)
        return [graph.invoke({"foo": str(n)}, thread("t")) for n in range(2)]

    assert same(scenario) == [{"foo": "0|inner"}, {"foo": "1|inner"}]
