"""Static breakpoints: ``interrupt_before``/``interrupt_after`` given at compile time or
at call time, by node name or ``"*"``, pause and continue (``invoke(None)``) as in LangGraph."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, Call, observe, same

pytestmark = pytest.mark.langgraph


class Trail(TypedDict):
    trail: Annotated[list, operator.add]


def mark(name: str):
    """A node that appends its name to ``trail``."""

    def node(state: Trail) -> dict:
        return {"trail": [name]}

    return node


def chain_graph(api: Api, **compile_options):
    """``a -> b -> c``, each node appending its name to ``trail``."""
    builder = api.StateGraph(Trail)
    for name in "abc":
        builder.add_node(name, mark(name))
    builder.add_edge(api.START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    return builder.compile(checkpointer=api.InMemorySaver(), **compile_options)


START_INPUT = {"trail": ["in"]}


@pytest.mark.parametrize(
    "options",
    [
        {"interrupt_before": ["b"]},
        {"interrupt_after": ["a"]},
        {"interrupt_before": ["a", "c"]},
        {"interrupt_before": "*"},
        {"interrupt_after": "*"},
    ],
    ids=repr,
)
def test_compile_time_breakpoints(options: dict):
    """Breakpoints given to ``compile`` pause the run where they say; ``invoke(None)``
    continues to the next one."""

    def scenario(api: Api) -> dict:
        graph = chain_graph(api, **options)
        return observe(graph, [START_INPUT, None, None, None])

    seen = same(scenario)
    assert seen["invoke"][-1] == {"trail": ["in", "a", "b", "c"]}


@pytest.mark.parametrize(
    "options",
    [
        {"interrupt_before": ["c"]},
        {"interrupt_after": ["b"]},
        {"interrupt_before": "*"},
        {"interrupt_after": "*"},
    ],
    ids=repr,
)
def test_call_time_breakpoints(options: dict):
    """Breakpoints passed to ``invoke``/``stream`` apply to that call only."""

    def scenario(api: Api) -> dict:
        graph = chain_graph(api)
        return observe(graph, [Call(START_INPUT, options), Call(None, options), None])

    seen = same(scenario)
    assert seen["invoke"][-1] == {"trail": ["in", "a", "b", "c"]}


def test_call_time_breakpoints_replace_compile_time_ones():
    """``interrupt_before`` given to a call is used instead of the compiled one."""

    def scenario(api: Api) -> dict:
        graph = chain_graph(api, interrupt_before=["b"])
        return observe(graph, [Call(START_INPUT, {"interrupt_before": ["c"]}), None])

    assert same(scenario)["invoke"][0] == {"trail": ["in", "a", "b"]}


@pytest.mark.parametrize("checkpointer", [None, True], ids=["per-task", "stateful"])
def test_a_subgraphs_breakpoint_after_its_last_node_pauses_the_parent(checkpointer):
    """``interrupt_after`` on a subgraph's last node pauses the parent at the subgraph's
    task (the subgraph has nothing left to run, but its breakpoint still holds), and
    continuing finishes it without running it again, as in LangGraph (the parent went on)."""

    def scenario(api: Api):
        runs: list[str] = []

        def inner(state: Trail) -> dict:
            runs.append("inner")
            return {"trail": ["inner"]}

        sub = (
            api.StateGraph(Trail)
            .add_node("inner", inner)
            .add_edge(api.START, "inner")
            .compile(checkpointer=checkpointer, interrupt_after=["inner"])
        )
        graph = (
            api.StateGraph(Trail)
            .add_node("sub", sub)
            .add_node("after", mark("after"))
            .add_edge(api.START, "sub")
            .add_edge("sub", "after")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = {"configurable": {"thread_id": "t"}}
        seen = []
        for given in (START_INPUT, None, None):
            seen.append(list(graph.stream(given, config, stream_mode="updates")))
            seen.append(graph.get_state(config).next)
        return seen, runs

    assert same(scenario)[0][1] == ("sub",)
