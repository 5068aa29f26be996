"""What a call returns: the state's keys in the order the schema declares them (not the
order they were first written), hidden bookkeeping keys left out, and the keys of a
plain-dict state that no schema declares kept after the declared ones."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from hitl_notebook import END, START, StateGraph


class Ordered(TypedDict, total=False):
    first: str
    second: str
    third: str


def test_output_keys_follow_the_schema_not_the_write_order():
    graph = (
        StateGraph(Ordered)
        .add_node("late", lambda s: {"first": "1"})
        .add_edge(START, "late")
        .add_edge("late", END)
        .compile()
    )
    out = graph.invoke({"third": "3", "second": "2"})
    assert list(out) == ["first", "second", "third"]
    streamed = list(graph.stream({"third": "3"}, stream_mode="values"))
    assert [list(chunk) for chunk in streamed] == [["third"], ["first", "third"]]


class Joined(TypedDict):
    seen: Annotated[list, operator.add]


def test_join_bookkeeping_is_never_returned():
    """A join's hidden progress key lives in the values but is no output."""
    graph = (
        StateGraph(Joined)
        .add_node("a", lambda s: {"seen": ["a"]})
        .add_node("b", lambda s: {"seen": ["b"]})
        .add_node("c", lambda s: {"seen": ["c"]})
        .add_edge(START, "a")
        .add_edge(START, "b")
        .add_edge(["a", "b"], "c")
        .add_edge("c", END)
        .compile()
    )
    assert graph.invoke({"seen": []}) == {"seen": ["a", "b", "c"]}


def test_a_dict_state_keeps_undeclared_keys_after_declared_ones():
    graph = (
        StateGraph(dict)
        .add_node("n", lambda s: {"z": 1, "a": 2})
        .add_edge(START, "n")
        .add_edge("n", END)
        .compile()
    )
    assert list(graph.invoke({"m": 0})) == ["m", "z", "a"]
