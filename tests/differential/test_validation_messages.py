"""Build, compile and step errors: the same exception family on both engines, and our
message starts with LangGraph's first sentence (then says what to do)."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, both

pytestmark = pytest.mark.langgraph


class S(TypedDict, total=False):
    hello: str
    log: Annotated[list, operator.add]


def one(a): ...


class BadReducer(TypedDict):
    hello: Annotated[str, one]


class NotASaver:
    pass


def _node(state):
    return {}


CASES = {
    "edge from unknown node": lambda api: (
        api.StateGraph(S)
        .add_node("start", _node)
        .add_edge(api.START, "start")
        .add_edge("unknown", "start")
        .compile()
    ),
    "no entrypoint": lambda api: (
        api.StateGraph(S).add_node("start", _node).add_edge("start", api.END).compile()
    ),
    "unknown branch target": lambda api: (
        api.StateGraph(S)
        .add_node("start", _node)
        .add_edge(api.START, "start")
        .add_conditional_edges("start", _node, {"x": "gone"})
        .compile()
    ),
    "unknown interrupt node": lambda api: (
        api.StateGraph(S)
        .add_node("start", _node)
        .add_edge(api.START, "start")
        .compile(interrupt_before=["b"])
    ),
    "duplicate node": lambda api: (
        api.StateGraph(S).add_node("start", _node).add_node("start", _node)
    ),
    "reserved name": lambda api: api.StateGraph(S).add_node(api.END, _node),
    "reserved character": lambda api: api.StateGraph(S).add_node("a|b", _node),
    "END as a start": lambda api: api.StateGraph(S).add_edge(api.END, "a"),
    "empty sequence": lambda api: api.StateGraph(S).add_sequence([]),
    "repeated sequence name": lambda api: api.StateGraph(S).add_sequence([_node, _node]),
    "bad reducer": lambda api: api.StateGraph(BadReducer),
    "not a checkpointer": lambda api: (
        api.StateGraph(S)
        .add_node("start", _node)
        .add_edge(api.START, "start")
        .compile(checkpointer=NotASaver())
    ),
    "two values for a plain key": lambda api: (
        api.StateGraph(S)
        .add_node("a", lambda s: {"hello": "a"})
        .add_node("b", lambda s: {"hello": "b"})
        .add_edge(api.START, "a")
        .add_edge(api.START, "b")
        .compile()
        .invoke({})
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_our_message_starts_with_langgraphs(case):
    def scenario(api: Api):
        with pytest.raises(Exception) as raised:
            CASES[case](api)
        error = raised.value
        return {
            "family": [t.__name__ for t in (TypeError, ValueError) if isinstance(error, t)],
            "message": str(error).split("\n")[0],
        }

    reference, ours = both(scenario)
    assert set(ours["family"]) >= set(
        reference["family"]
    )  # our InvalidUpdateError is also a ValueError
    first_sentence = reference["message"].split(". ")[0]
    assert ours["message"].startswith(first_sentence), (reference["message"], ours["message"])
