"""``Annotated[T, UntrackedValue]`` keys on both engines: nodes read and write them during a
run, the run's output shows them, and no checkpoint ever stores them."""

from __future__ import annotations

import operator
import threading
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, history, same, thread

pytestmark = pytest.mark.langgraph


class Resource:
    """Not serialisable: a lock inside."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lock = threading.Lock()


def _state(untracked: Any) -> Any:
    return TypedDict(
        "State", {"log": Annotated[list, operator.add], "resource": Annotated[Any, untracked]}
    )


def test_an_untracked_key_lives_for_the_run_and_is_never_stored():
    """A resource written in one step is read by the next steps, through a ``Send`` and a
    parallel step, shown in the result, and absent from every stored checkpoint."""

    def scenario(api: Api):
        def setup(state):
            return {"log": ["setup"], "resource": Resource("first")}

        def use(arg):
            return {"log": [f"used {arg['resource'].name}"], "resource": Resource("second")}

        def side(state):
            return {"log": [f"side saw {state['resource'].name}"]}

        graph = (
            api.StateGraph(_state(api.UntrackedValue))
            .add_node("setup", setup)
            .add_node("use", use)
            .add_node("side", side)
            .add_edge(api.START, "setup")
            .add_edge("setup", "side")
            .add_conditional_edges("setup", lambda state: [api.Send("use", state)])
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        result = graph.invoke({"log": []}, config)
        return {
            "log": result["log"],
            "resource": result["resource"].name,
            "history": history(graph, config),
            "next_call": graph.invoke({"log": ["again"]}, config)["log"],
        }

    seen = same(scenario)
    assert seen["resource"] == "second"
    assert all("resource" not in view["values"] for view in seen["history"])


def test_an_untracked_key_takes_one_write_per_step_unless_unguarded():
    """Two writes in one step are refused (as a plain key's are); ``guard=False`` keeps
    the last."""

    def scenario(api: Api, guard: bool):
        graph = (
            api.StateGraph(_state(api.UntrackedValue(Any, guard=guard)))
            .add_node("a", lambda state: {"resource": "a"})
            .add_node("b", lambda state: {"resource": "b"})
            .add_edge(api.START, "a")
            .add_edge(api.START, "b")
            .compile()
        )
        try:
            return graph.invoke({"log": []})
        except api.InvalidUpdateError as exc:
            return type(exc).__name__

    assert same(lambda api: scenario(api, True)) == "InvalidUpdateError"
    assert same(lambda api: scenario(api, False)) == {"log": [], "resource": "b"}
