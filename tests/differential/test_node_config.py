"""The config a node sees, as LangGraph shapes it: ``configurable`` is always there (even
when the call gave no config) and ``metadata`` says which task is running (step, node,
triggers, path, namespace), also from ``get_config()`` and in a conditional edge; a node
handing its config on to a subgraph does not put those keys in the subgraph's history."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, same, thread

pytestmark = pytest.mark.langgraph


class Log(TypedDict, total=False):
    log: Annotated[list, operator.add]


def _shape(config: dict) -> tuple:
    """What code reads from a node's config (internal ``__`` keys and LangGraph's own
    subgraph coordinates left out)."""
    conf = config.get("configurable", "missing")
    user_keys = (
        sorted(k for k in conf if not k.startswith(("__", "checkpoint_")))
        if isinstance(conf, dict)
        else conf
    )
    metadata = dict(config.get("metadata", {}))
    ns = metadata.pop("langgraph_checkpoint_ns", "")
    return user_keys, sorted(metadata.items(), key=repr), ns.split(":")[0], config.get("tags")


@pytest.mark.parametrize(
    "config",
    [None, {"configurable": {"user": "u"}, "metadata": {"run": 7}, "tags": ["t"]}],
    ids=["no-config", "given"],
)
def test_nodes_routing_and_get_config_see_the_tasks_metadata(config):
    def scenario(api: Api) -> Any:
        seen: list = []

        def first(state, config):
            seen.append(("first", _shape(config)))
            return {"log": ["first"]}

        def route(state, config):
            seen.append(("route", _shape(config)))
            return "second"

        def second(state: Log) -> dict:
            seen.append(("second", _shape(api.get_config())))
            return {"log": ["second"]}

        builder = api.StateGraph(Log)
        builder.add_node("first", first)
        builder.add_node("second", second)
        builder.add_edge(api.START, "first")
        builder.add_conditional_edges("first", route, ["second"])
        result = builder.compile().invoke({"log": []}, config)
        return result, seen

    same(scenario)


def test_a_subgraph_given_the_nodes_config_keeps_plain_metadata():
    def scenario(api: Api) -> Any:
        def inner(state: Log) -> dict:
            return {"log": ["inner"]}

        sub_builder = api.StateGraph(Log)
        sub_builder.add_node("inner", inner)
        sub_builder.add_edge(api.START, "inner")
        sub = sub_builder.compile(checkpointer=True)

        def outer(state, config):
            return {"log": sub.invoke({"log": []}, config)["log"]}

        builder = api.StateGraph(Log)
        builder.add_node("outer", outer)
        builder.add_edge(api.START, "outer")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = {"configurable": {"thread_id": "t", "user": "u"}, "metadata": {"run": 7}}
        graph.invoke({"log": []}, config)
        return [
            sorted((k, v) for k, v in s.metadata.items() if k != "parents")
            for ns in ("", "outer")
            for s in graph.get_state_history(
                {"configurable": {**thread("t")["configurable"], "checkpoint_ns": ns}}
            )
        ]

    same(scenario)
