"""``get_subgraphs`` on both engines: the same namespaces for the same graph."""

from __future__ import annotations

from typing import TypedDict

import pytest

from .harness import Api, same

pytestmark = pytest.mark.langgraph


class Notes(TypedDict, total=False):
    notes: str


def _parent(api: Api):
    def leaf():
        return (
            api.StateGraph(Notes)
            .add_node("work", lambda s: {"notes": "x"})
            .add_edge(api.START, "work")
            .compile()
        )

    research = (
        api.StateGraph(Notes).add_node("review", leaf()).add_edge(api.START, "review").compile()
    )
    return (
        api.StateGraph(Notes)
        .add_node("research", research)
        .add_node("research_review", leaf())
        .add_node("review", leaf())
        .add_edge(api.START, "research")
        .compile()
    )


@pytest.mark.parametrize(
    "namespace", [None, "research", "research|review", "research_review", "review", "nope"]
)
@pytest.mark.parametrize("recurse", [False, True])
def test_the_same_namespaces(namespace, recurse):
    """Names listed for each ``namespace``/``recurse`` pair."""

    def scenario(api: Api):
        return [
            name for name, _ in _parent(api).get_subgraphs(namespace=namespace, recurse=recurse)
        ]

    same(scenario)


def test_a_subgraph_a_node_function_refers_to_is_listed():
    """A compiled graph a node function reaches by name (closure or module global) counts as
    that node's subgraph; one looked up in a dict does not (LangGraph's detection)."""

    def scenario(api: Api):
        leaf = (
            api.StateGraph(Notes)
            .add_node("work", lambda s: {"notes": "x"})
            .add_edge(api.START, "work")
            .compile()
        )
        table = {"leaf": leaf}

        def by_name(state: Notes) -> dict:
            return leaf.invoke(state)

        def by_key(state: Notes) -> dict:
            return table["leaf"].invoke(state)

        graph = (
            api.StateGraph(Notes)
            .add_node("by_name", by_name)
            .add_node("by_key", by_key)
            .add_node("by_lambda", lambda s: leaf.invoke(s))
            .add_edge(api.START, "by_name")
            .compile()
        )
        return [name for name, _ in graph.get_subgraphs()]

    assert same(scenario) == ["by_name", "by_lambda"]
