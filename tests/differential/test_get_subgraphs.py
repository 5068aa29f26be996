"""``get_subgraphs`` on both engines: the same namespaces for the same graph."""

from __future__ import annotations

from typing import TypedDict

import pytest

from .harness import LANGGRAPH, OURS, Api, same

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


def test_a_called_subgraphs_state_is_read_with_its_own_schema():
    """get_state on the namespace of a subgraph a node function invoked (one the parent
    does not declare) shows that subgraph's own state, all its keys; LangGraph reads it
    with the parent's channels and drops the keys the parent lacks."""

    class Parent(TypedDict):
        notes: str

    class Review(TypedDict):
        notes: str
        verdict: str

    def scenario(api: Api):
        # A subscript hides the subgraph from detection, as in LangGraph's own test.
        called = {
            "review": api.StateGraph(Review)
            .add_node("work", lambda s: {"notes": "reviewed", "verdict": "approved"})
            .add_edge(api.START, "work")
            .compile()
        }

        def call_review(state: Parent) -> dict:
            called["review"].invoke({"notes": "check it"})
            return {}

        graph = (
            api.StateGraph(Parent)
            .add_node("call", call_review)
            .add_edge(api.START, "call")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = {"configurable": {"thread_id": "t"}}
        namespaces = [
            ns[0] for ns, _ in graph.stream({"notes": "go"}, config, subgraphs=True) if ns
        ]
        inner = {"configurable": {"thread_id": "t", "checkpoint_ns": namespaces[0]}}
        return graph.get_state(inner).values

    assert scenario(LANGGRAPH) == {"notes": "reviewed"}
    assert scenario(OURS) == {"notes": "reviewed", "verdict": "approved"}


def test_a_subgraph_without_checkpoints_is_not_listed_and_has_no_state():
    """A subgraph compiled with ``checkpointer=False`` keeps no state: ``get_subgraphs``
    does not list it and its task's ``state`` in ``get_state`` is None, as in LangGraph
    (we listed it and showed an empty snapshot)."""

    def scenario(api: Api):
        def leaf(checkpointer):
            return (
                api.StateGraph(Notes)
                .add_node("work", lambda s: {"notes": "x"})
                .add_edge(api.START, "work")
                .compile(checkpointer=checkpointer)
            )

        graph = (
            api.StateGraph(Notes)
            .add_node("kept", leaf(None))
            .add_node("bare", leaf(False))
            .add_edge(api.START, "kept")
            .add_edge(api.START, "bare")
            .compile(checkpointer=api.InMemorySaver(), interrupt_before=["kept", "bare"])
        )
        config = {"configurable": {"thread_id": "t"}}
        graph.invoke({"notes": ""}, config)
        states = {
            task.name: task.state is None for task in graph.get_state(config, subgraphs=True).tasks
        }
        return [name for name, _ in graph.get_subgraphs()], states

    assert same(scenario) == (["kept"], {"kept": False, "bare": True})
