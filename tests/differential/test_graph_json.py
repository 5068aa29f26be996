"""``get_graph().to_json()``: the nodes and edges as the JSON drawing tools read from
LangGraph (LangChain's ``Graph.to_json`` shape), the same on both engines."""

from __future__ import annotations

import json
from typing import Any, TypedDict

import pytest

from .harness import LANGGRAPH, OURS, Api, assert_same, same

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


def test_a_tool_node_is_named_by_its_own_class_path():
    """Deliberate: a ``ToolNode`` is named by the class that runs there, ours
    (``hitl_notebook.prebuilt.tool_node.ToolNode``) or LangGraph's; the rest of the JSON
    (its ``__tools`` marker, a function node's ``RunnableCallable`` id) is the same."""
    import langgraph.prebuilt
    from langchain_core.tools import tool

    import hitl_notebook

    @tool
    def search(query: str) -> str:
        """Look something up."""
        return query

    def scenario(api: Api, tool_node: Any) -> dict:
        graph = (
            api.StateGraph(api.MessagesState)
            .add_node("agent", lambda s: {"messages": []})
            .add_node("tools", tool_node([search]))
            .add_edge(api.START, "agent")
            .add_edge("agent", "tools")
            .compile()
        )
        return graph.get_graph().to_json()

    theirs = scenario(LANGGRAPH, langgraph.prebuilt.ToolNode)
    ours = scenario(OURS, hitl_notebook.ToolNode)
    their_tools, our_tools = (
        next(n for n in drawn["nodes"] if n["id"] == "tools") for drawn in (theirs, ours)
    )
    assert their_tools["data"]["id"] == ["langgraph", "prebuilt", "tool_node", "ToolNode"]
    assert our_tools["data"]["id"] == ["hitl_notebook", "prebuilt", "tool_node", "ToolNode"]
    assert our_tools["metadata"] == their_tools["metadata"] == {"__tools": ["search"]}
    our_tools["data"]["id"] = their_tools["data"]["id"]
    assert_same(theirs, ours)
