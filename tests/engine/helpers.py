"""Small graphs shared by the engine tests."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph, interrupt


class Vals(TypedDict, total=False):
    vals: Annotated[list, operator.add]
    text: str


def history(graph, config) -> list[tuple]:
    """What a user can see of a thread: every checkpoint's id, values, next and pending."""
    return [
        (s.config["configurable"]["checkpoint_id"], s.values, s.next, [i.id for i in s.interrupts])
        for s in graph.get_state_history(config)
    ]


def one_question_graph(checkpointer=None):
    def ask(state):
        return {"text": interrupt("question?")}

    return (
        StateGraph(Vals)
        .add_node("ask", ask)
        .add_edge(START, "ask")
        .add_edge("ask", END)
        .compile(checkpointer=checkpointer or InMemorySaver())
    )


def two_branch_graph(checkpointer=None):
    def a(state):
        return {"vals": [f"a:{interrupt('qa')}"]}

    def b(state):
        return {"vals": [f"b:{interrupt('qb')}"]}

    return (
        StateGraph(Vals)
        .add_node("a", a)
        .add_node("b", b)
        .add_edge(START, "a")
        .add_edge(START, "b")
        .compile(checkpointer=checkpointer or InMemorySaver())
    )
