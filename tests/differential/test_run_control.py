"""``RunControl.request_drain()`` stops a run between two steps on both engines: the step
running finishes and is saved, ``GraphDrained`` is raised, and ``invoke(None)`` continues."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import langgraph.errors
import langgraph.runtime
import pytest

import hitl_notebook

from .harness import LANGGRAPH, Api, same, state

pytestmark = pytest.mark.langgraph


def _classes(api: Api) -> tuple[Any, type]:
    if api is LANGGRAPH:
        return langgraph.runtime.RunControl, langgraph.errors.GraphDrained
    return hitl_notebook.RunControl, hitl_notebook.GraphDrained


class _State(TypedDict):
    log: Annotated[list, operator.add]


def test_drain_requested_in_a_node_stops_before_the_next_step():
    """A node asks for the drain: its step is saved, the next node does not run until the
    thread is continued."""

    def scenario(api: Api) -> dict:
        RunControl, GraphDrained = _classes(api)
        control = RunControl()

        def first(s: _State) -> dict:
            control.request_drain("deploy")
            return {"log": ["first"]}

        builder = api.StateGraph(_State)
        builder.add_node("first", first)
        builder.add_node("second", lambda s: {"log": ["second"]})
        builder.add_edge(api.START, "first")
        builder.add_edge("first", "second")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = {"configurable": {"thread_id": "t"}}
        with pytest.raises(GraphDrained) as raised:
            graph.invoke({"log": []}, config, control=control)
        paused = state(graph, config)
        return {
            "reason": raised.value.reason,
            "paused": paused,
            "continued": graph.invoke(None, config),
        }

    seen = same(scenario)
    assert seen["reason"] == "deploy"
    assert seen["paused"]["values"] == {"log": ["first"]}
    assert seen["paused"]["next"] == ("second",)
    assert seen["continued"] == {"log": ["first", "second"]}


def test_drain_in_an_entrypoint_lets_its_task_calls_run():
    """Draining while the entrypoint's body runs still lets the tasks it calls run: the
    body is one step, so the call finishes."""

    def scenario(api: Api) -> Any:
        RunControl, _ = _classes(api)
        control = RunControl()

        @api.task
        def child(x: int) -> int:
            return x + 1

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: int) -> int:
            control.request_drain()
            return child(x).result()

        out = flow.invoke(1, {"configurable": {"thread_id": "t"}}, control=control)
        return out, control.drain_requested

    assert same(scenario) == (2, True)


def test_drain_without_request_changes_nothing():
    """A control nobody drains: the run ends as without one."""

    def scenario(api: Api) -> Any:
        RunControl, _ = _classes(api)
        builder = api.StateGraph(_State)
        builder.add_node("only", lambda s: {"log": ["x"]})
        builder.add_edge(api.START, "only")
        graph = builder.compile()
        control = RunControl()
        return graph.invoke({"log": []}, control=control), control.drain_reason

    assert same(scenario) == ({"log": ["x"]}, None)
