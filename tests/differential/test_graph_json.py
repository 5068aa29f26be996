"""``get_graph().to_json()``: the nodes and edges as the JSON drawing tools read from
LangGraph (LangChain's ``Graph.to_json`` shape), the same on both engines."""

from __future__ import annotations

import json
from typing import TypedDict

import pytest

from .harness import Api, same

pytestmark = pytest.mark.langgraph


class Route(TypedDict):
    n: int


def test_function_and_runnable_nodes_labels_metadata_and_breakpoints():
    """Function nodes, a LangChain runnable node, a labelled conditional edge to END, node
    metadata and a breakpoint marker: the JSON text is the same, key order included."""
    from langchain_core.runnables import RunnableLambda

    def scenario(api: Api):
        builder = api.StateGraph(Route)
        builder.add_node("agent", lambda s: {"n": s["n"] + 1}, metadata={"team": "a"})
        builder.add_node("tools", RunnableLambda(lambda s: {"n": 0}))
        builder.add_edge(api.START, "agent")
        builder.add_conditional_edges(
            "agent", lambda s: "exit", {"continue": "tools", "exit": api.END}
        )
        builder.add_edge("tools", "agent")
        graph = builder.compile(checkpointer=api.InMemorySaver(), interrupt_before=["tools"])
        return json.dumps(graph.get_graph().to_json(), indent=2)

    drawn = json.loads(same(scenario))
    assert drawn["nodes"][-1] == {"id": "__end__"}
    assert {"source": "agent", "target": "__end__", "data": "exit", "conditional": True} in (
        drawn["edges"]
    )
