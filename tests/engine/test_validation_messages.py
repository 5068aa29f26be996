"""Build and compile errors start with LangGraph's wording (code matching on it keeps
working) and go on to name the node, edge or key at fault."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from hitl_notebook import (
    END,
    START,
    GraphValidationError,
    InMemorySaver,
    InvalidUpdateError,
    StateGraph,
)


class S(TypedDict, total=False):
    hello: str
    log: Annotated[list, operator.add]


def _builder():
    return StateGraph(S).add_node("start", lambda s: {})


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda b: b.add_edge(START, "start").add_edge("unknown", "start"),
            r"^Found edge starting at unknown node 'unknown': edge 'unknown' -> 'start'",
        ),
        (
            lambda b: b.add_edge(START, "start").add_edge("start", "stat"),
            r"^Found edge ending at unknown node `stat`: .*did you mean 'start'",
        ),
        (
            lambda b: b.add_edge("start", END),
            r"^Graph must have an entrypoint: add at least one edge from START",
        ),
        (
            lambda b: b.add_edge(START, "start").add_conditional_edges(
                "start", lambda s: "x", {"x": "gone"}
            ),
            r"^At 'start' node, '<lambda>' branch found unknown target 'gone': ",
        ),
        (
            lambda b: b.add_edge(START, "start").add_edge(["start", "zz"], END),
            r"^Need to add_node `zz` first: join",
        ),
    ],
)
def test_compile_errors_start_with_langgraphs_words(build, message):
    """A ``GraphValidationError`` (a ``ValueError``) per inconsistency."""
    builder = _builder()
    build(builder)
    with pytest.raises(GraphValidationError, match=message):
        builder.compile()


def test_an_unknown_breakpoint_node():
    """``Interrupt node `x` not found``, then which option named it."""
    with pytest.raises(
        GraphValidationError, match=r"^Interrupt node `b` not found: interrupt_after names"
    ):
        _builder().add_edge(START, "start").compile(interrupt_after=["b"])


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("start", r"^Node `start` already present"),
        (END, r"^Node `__end__` is reserved"),
        ("a|b", r"^'\|' is a reserved character and is not allowed in the node names"),
        ("a:b", r"^':' is a reserved character"),
    ],
)
def test_node_name_errors(name, message):
    with pytest.raises(GraphValidationError, match=message):
        _builder().add_node(name, lambda s: {})


def test_edge_ends_that_cannot_be():
    with pytest.raises(GraphValidationError, match="^END cannot be a start node"):
        _builder().add_edge(END, "start")
    with pytest.raises(GraphValidationError, match="^START cannot be an end node"):
        _builder().add_edge("start", START)


def test_add_sequence_errors():
    """An empty sequence and a repeated name are ``ValueError``s, as in LangGraph."""

    def step(state):
        return {}

    with pytest.raises(ValueError, match="^Sequence requires at least one node"):
        StateGraph(S).add_sequence([])
    with pytest.raises(
        ValueError, match="^Node names must be unique: node with the name 'step' already exists"
    ):
        StateGraph(S).add_sequence([step, step])
    with pytest.raises(ValueError, match="^Node names must be unique"):
        StateGraph(S).add_sequence([("a", step), ("a", step)])


def one(a): ...


def with_default(a, b, sep=","): ...


def variadic(*values): ...


class Bad(TypedDict):
    hello: Annotated[str, one]


class Fine(TypedDict):
    a: Annotated[str, with_default]
    b: Annotated[str, variadic]


def test_a_reducer_that_cannot_take_two_values_is_refused_with_the_schema():
    """Reading the schema checks each reducer's signature; defaults and ``*args`` are fine."""
    with pytest.raises(
        ValueError,
        match=r"^Invalid reducer signature. Expected \(a, b\) -> c. Got \(a\): .*'hello'",
    ):
        StateGraph(Bad)
    StateGraph(Fine)


def test_two_values_for_a_plain_key():
    """``At key 'hello': Can receive only one value per step``, then our explanation."""
    graph = (
        StateGraph(S)
        .add_node("a", lambda s: {"hello": "a"})
        .add_node("b", lambda s: {"hello": "b"})
        .add_edge(START, "a")
        .add_edge(START, "b")
        .compile()
    )
    with pytest.raises(
        InvalidUpdateError, match=r"^At key 'hello': Can receive only one value per step.*reducer"
    ):
        graph.invoke({})


def test_a_checkpointer_that_is_not_a_saver_is_a_type_error():
    """``compile(checkpointer=...)`` takes a saver of this package, True, False or None."""

    class NotASaver:
        pass

    with pytest.raises(TypeError, match="^Invalid checkpointer provided.*Received NotASaver"):
        _builder().add_edge(START, "start").compile(checkpointer=NotASaver())
    for fine in (None, True, False, InMemorySaver()):
        _builder().add_edge(START, "start").compile(checkpointer=fine)
