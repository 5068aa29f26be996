"""A compiled graph piped into LangChain runnables (``graph | runnable``): the chain
invokes and streams the graph as LangGraph's does."""

from __future__ import annotations

import asyncio
from typing import TypedDict

import pytest

from .harness import Api, same

pytestmark = pytest.mark.langgraph


class Text(TypedDict):
    text: str


def _graph(api: Api):
    builder = api.StateGraph(Text)
    builder.add_node("up", lambda s: {"text": s["text"].upper()})
    builder.add_node("bang", lambda s: {"text": s["text"] + "!"})
    builder.add_edge(api.START, "up")
    builder.add_edge("up", "bang")
    return builder.compile()


def test_graph_piped_into_runnables():
    from langchain_core.runnables import RunnableLambda, RunnablePassthrough

    def scenario(api: Api):
        graph = _graph(api)
        after = graph | RunnablePassthrough()
        then = graph | RunnableLambda(lambda s: s["text"]) | RunnableLambda(len)

        async def asynchronous():
            return await after.ainvoke({"text": "a"}), [
                c async for c in after.astream({"text": "b"})
            ]

        return {
            "invoke": after.invoke({"text": "a"}),
            "stream": [*after.stream({"text": "a"})],
            "then": then.invoke({"text": "abc"}),
            "async": asyncio.run(asynchronous()),
            "name": after.first.get_name(),
        }

    seen = same(scenario)
    assert seen["stream"] == [{"up": {"text": "A"}}, {"bang": {"text": "A!"}}]


def test_a_mapping_of_runnables_as_a_node():
    """``add_node("n", {"key": runnable})``: LangChain's ``RunnableParallel`` of the mapping,
    its output the node's update (sync and async)."""
    from langchain_core.runnables import RunnableLambda, RunnablePick

    def scenario(api: Api):
        builder = api.StateGraph(Text)
        builder.add_node("n", {"text": RunnablePick("text") | RunnableLambda(str.title)})
        builder.add_edge(api.START, "n")
        graph = builder.compile()
        return graph.invoke({"text": "hi there"}), asyncio.run(graph.ainvoke({"text": "a b"}))

    assert same(scenario) == ({"text": "Hi There"}, {"text": "A B"})
