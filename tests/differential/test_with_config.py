"""``graph.with_config(...)``: a copy whose runs start from the bound config (the call's
config merged over it: ``configurable`` and ``metadata`` key by key, ``tags`` joined), as
LangGraph's; state reads still take their config as given."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, plain, same

pytestmark = pytest.mark.langgraph


class Log(TypedDict, total=False):
    log: Annotated[list, operator.add]


def test_runs_of_a_bound_graph_start_from_its_config():
    def scenario(api: Api) -> Any:
        def node(state: Log) -> dict:
            config = api.get_config()
            seen = [
                config["configurable"].get("user"),
                config["configurable"].get("thread_id"),
                sorted(config.get("tags", [])),
                config["metadata"].get("bound"),
                config["metadata"].get("given"),
                config.get("recursion_limit"),
            ]
            return {"log": [seen, api.interrupt("ok?")]}

        builder = api.StateGraph(Log)
        builder.add_node("node", node)
        builder.add_edge(api.START, "node")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        bound = graph.with_config(
            {
                "configurable": {"user": "u", "thread_id": "bound"},
                "tags": ["x"],
                "metadata": {"bound": 1},
            },
            recursion_limit=7,
        )
        rebound = bound.with_config(configurable={"user": "v"})
        config = {"configurable": {"thread_id": "bound"}}
        return [
            bound is graph,
            bound.config,
            rebound.config,
            plain(bound.invoke({"log": []}, {"tags": ["y"], "metadata": {"given": 2}})),
            bound.get_state(config).next,
            plain(rebound.invoke(api.Command(resume="yes"))),
            [s.metadata.get("bound") for s in bound.get_state_history(config)],
            graph.config,
        ]

    same(scenario)
