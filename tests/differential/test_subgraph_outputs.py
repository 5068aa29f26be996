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
