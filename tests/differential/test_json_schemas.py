"""``get_input_jsonschema`` / ``get_output_jsonschema``: the JSON schema of what a graph
takes and returns, as LangGraph gives it for a ``TypedDict`` or pydantic state."""

from __future__ import annotations

import operator
from typing import Annotated

import pytest
from pydantic import BaseModel
from typing_extensions import TypedDict

from .harness import Api, plain, same

pytestmark = pytest.mark.langgraph


class OverallState(TypedDict):
    locations: list[str]
    results: Annotated[list[str], operator.add]


class Output(TypedDict):
    results: list[str]


class Model(BaseModel):
    query: str
    docs: Annotated[list[str], operator.add] = []


@pytest.mark.parametrize(
    ("state", "output"), [(OverallState, None), (OverallState, Output), (Model, None)]
)
def test_the_same_schemas(state, output):
    """Input and output schemas of a one-node graph."""

    def scenario(api: Api):
        builder = api.StateGraph(state, output_schema=output) if output else api.StateGraph(state)
        builder.add_node("n", lambda s: {})
        builder.add_edge(api.START, "n")
        graph = builder.compile()
        return graph.get_input_jsonschema(), graph.get_output_jsonschema()

    same(scenario)


class Context(TypedDict):
    model: str


@pytest.mark.parametrize("context", [Context, None])
def test_the_same_context_schema(context):
    """``get_context_jsonschema`` of a graph and an entrypoint declaring ``context_schema``
    (``None`` without one); the entrypoint still runs, asks and resumes."""

    def scenario(api: Api):
        builder = api.StateGraph(OverallState, context)
        builder.add_node("n", lambda s: {})
        builder.add_edge(api.START, "n")

        @api.entrypoint(checkpointer=api.InMemorySaver(), context_schema=context)
        def flow(numbers: list[int]) -> list[str]:
            return [api.interrupt("suffix?") + str(n) for n in numbers]

        thread = {"configurable": {"thread_id": "1"}}
        flow.invoke([1, 2], thread)
        result = plain(flow.invoke(api.Command(resume="x"), thread))
        return builder.compile().get_context_jsonschema(), flow.get_context_jsonschema(), result

    same(scenario)


@pytest.mark.parametrize("name", [None, "chat"])
def test_the_same_schemas_of_a_root_state(name):
    """A state that is one value (a message list with its reducer): LangGraph's schema of a
    root model, titled after the graph (``LangGraphInput``, ``chatOutput``)."""
    from langchain_core.messages import AnyMessage

    def scenario(api: Api):
        builder = api.StateGraph(Annotated[list[AnyMessage], api.add_messages])
        builder.add_node("n", lambda s: [])
        builder.add_edge(api.START, "n")
        graph = builder.compile(name=name) if name else builder.compile()
        return graph.get_input_jsonschema(), graph.get_output_jsonschema()

    same(scenario)
