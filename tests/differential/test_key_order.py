"""Values come out keyed in the order the state schema declares its keys (LangGraph's
channel order), whatever order nodes first wrote them in: ``invoke``'s result, the
``values`` stream, ``get_state`` and history print as a LangGraph user's do."""

from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

import pydantic
import pytest

from .harness import Api, same, thread

pytestmark = pytest.mark.langgraph


class Typed(TypedDict, total=False):
    first: int
    middle: str
    log: Annotated[list, operator.add]
    last: str


@dataclass
class Data:
    first: int = 0
    middle: str = ""
    log: Annotated[list, operator.add] = field(default_factory=list)
    last: str = ""


class Model(pydantic.BaseModel):
    first: int = 0
    middle: str = ""
    log: Annotated[list, operator.add] = []
    last: str = ""


class Out(TypedDict, total=False):
    last: str
    first: int


@pytest.mark.parametrize("schema", [Typed, Data, Model], ids=["typeddict", "dataclass", "pydantic"])
@pytest.mark.parametrize("output", [None, Out], ids=["state-out", "output-schema"])
def test_keys_come_out_in_schema_order(schema, output):
    def scenario(api: Api) -> Any:
        builder = api.StateGraph(schema, output_schema=output) if output else api.StateGraph(schema)
        builder.add_node("late", lambda s: {"last": "z", "log": ["late"]})
        builder.add_node("early", lambda s: {"middle": "m", "first": 1})
        builder.add_edge(api.START, "late")
        builder.add_edge("late", "early")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("order")
        result = graph.invoke({"log": []}, config)
        streamed = [list(c) for c in graph.stream({"log": []}, thread("s"), stream_mode="values")]
        return [
            list(result),
            streamed,
            list(graph.get_state(config).values),
            [list(s.values) for s in graph.get_state_history(config)],
        ]

    same(scenario)
