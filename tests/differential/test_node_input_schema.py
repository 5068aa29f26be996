"""``add_node(..., input_schema=...)`` on both engines: what the node receives."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest
from pydantic import BaseModel

from .harness import Api, history, same, thread

pytestmark = pytest.mark.langgraph


class State(TypedDict, total=False):
    topic: str
    draft: str
    log: Annotated[list, operator.add]


class TopicOnly(TypedDict):
    topic: str


class Private(TypedDict):
    topic: str
    scratch: str


class TopicModel(BaseModel):
    topic: str
    words: int = 0


@pytest.mark.parametrize(
    "schema", [TopicOnly, Private, TopicModel], ids=["typeddict", "extra key", "pydantic"]
)
def test_the_node_receives_its_input_schemas_view(schema):
    """Same input seen by the node, same result and history."""

    def scenario(api: Api):
        seen = []

        def read(state):
            seen.append(state if isinstance(state, BaseModel) else dict(state))
            return {"log": ["read"]}

        graph = (
            api.StateGraph(State)
            .add_node("write", lambda s: {"scratch": "notes"} if schema is Private else {})
            .add_node("read", read, input_schema=schema)
            .add_edge(api.START, "write")
            .add_edge("write", "read")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        result = graph.invoke({"topic": "bats", "draft": "d", "log": []}, config)
        return {"seen": seen, "result": result, "history": history(graph, config)}

    same(scenario)
