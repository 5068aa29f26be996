"""``add_node(..., input_schema=...)``: the node reads only its schema's keys (as a dict or
that schema's object); keys only that schema declares are state keys too."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from pydantic import BaseModel

from hitl_notebook import START, MessagesState, StateGraph


class State(TypedDict, total=False):
    topic: str
    draft: str
    log: Annotated[list, operator.add]


class TopicOnly(TypedDict):
    topic: str


class TopicModel(BaseModel):
    topic: str
    words: int = 0


def test_the_node_reads_only_its_input_schemas_keys():
    """Other keys of the state are not in what the node receives."""
    seen = []
    graph = (
        StateGraph(State)
        .add_node("read", lambda s: seen.append(dict(s)) or {}, input_schema=TopicOnly)
        .add_edge(START, "read")
        .compile()
    )
    graph.invoke({"topic": "bats", "draft": "...", "log": ["x"]})
    assert seen == [{"topic": "bats"}]


def test_a_pydantic_input_schema_gives_the_node_that_object():
    """The node receives a ``TopicModel`` built from the state's keys it declares."""
    seen = []
    graph = (
        StateGraph(State)
        .add_node(
            "read", lambda m: seen.append(m) or {"draft": m.topic.upper()}, input_schema=TopicModel
        )
        .add_edge(START, "read")
        .compile()
    )
    assert graph.invoke({"topic": "bats", "log": []}) == {
        "topic": "bats",
        "draft": "BATS",
        "log": [],
    }
    assert seen == [TopicModel(topic="bats")]


def test_keys_only_the_input_schema_declares_are_state_keys():
    """A node may write a key that only another node's input schema declares, and that node reads it."""

    class Private(TypedDict):
        topic: str
        scratch: str

    seen = []
    graph = (
        StateGraph(State)
        .add_node("write", lambda s: {"scratch": "notes"})
        .add_node("read", lambda s: seen.append(dict(s)) or {}, input_schema=Private)
        .add_edge(START, "write")
        .add_edge("write", "read")
        .compile()
    )
    graph.invoke({"topic": "bats"})
    assert seen == [{"topic": "bats", "scratch": "notes"}]


def test_the_tasks_stream_shows_the_nodes_own_input():
    """``stream_mode="tasks"`` reports the input the node really received."""
    graph = (
        StateGraph(State)
        .add_node("read", lambda s: {}, input_schema=TopicOnly)
        .add_edge(START, "read")
        .compile()
    )
    inputs = [
        c["input"]
        for c in graph.stream({"topic": "bats", "draft": "d"}, stream_mode="tasks")
        if "input" in c and c["name"] == "read"
    ]
    assert inputs == [{"topic": "bats"}]


def test_the_first_parameters_annotation_does_not_narrow_the_input():
    """Deliberately unlike LangGraph: ``def node(state: MessagesState)`` in a graph with more
    keys still reads them all (only ``input_schema=`` narrows)."""

    class Chat(MessagesState):
        active: str

    seen = []

    def node(state: MessagesState):
        seen.append(sorted(state))
        return {}

    StateGraph(Chat).add_node("node", node).add_edge(START, "node").compile().invoke(
        {"messages": [], "active": "a"}
    )
    assert seen == [["active", "messages"]]
