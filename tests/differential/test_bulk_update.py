"""``bulk_update_state`` and the special ``as_node`` values on both engines: the history a
user reads after building a thread from updates is LangGraph's."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, history, plain, same, state, thread

pytestmark = pytest.mark.langgraph


class Two(TypedDict, total=False):
    foo: str
    baz: str


class Fan(TypedDict):
    foo: str
    tasks: Annotated[list, operator.add]


def _chain(api: Api, **compile_options):
    return (
        api.StateGraph(Two)
        .add_node("a", lambda s: {"foo": "a"})
        .add_node("b", lambda s: {"baz": "b"})
        .add_edge(api.START, "a")
        .add_edge("a", "b")
        .compile(checkpointer=api.InMemorySaver(), **compile_options)
    )


def test_a_superstep_with_two_updates_is_one_checkpoint():
    """Two updates as two nodes: one checkpoint, both writes, the next tasks of both."""

    def scenario(api: Api):
        graph = _chain(api)
        config = thread("t")
        graph.bulk_update_state(config, [[api.StateUpdate({"foo": "x"}, "a")]])
        graph.bulk_update_state(
            config,
            [[api.StateUpdate({"foo": "updated"}, "a"), api.StateUpdate({"baz": "new"}, "b")]],
        )
        return {"history": history(graph, config), "then": graph.invoke(None, config)}

    assert len(same(scenario)["history"]) == 2


def test_supersteps_rebuild_a_run_with_its_sends():
    """Input, START, a node, a ``Command`` with Sends, then one update per Send task: the
    same values, next tasks and steps as running the graph (the sources say "update")."""

    def scenario(api: Api):
        def fan(state):
            return api.Command(
                goto=[api.Send("task", {"i": i}) for i in range(3)], update={"foo": "map"}
            )

        graph = (
            api.StateGraph(Fan)
            .add_node("agent", lambda s: {"foo": "agent"})
            .add_node("map", fan)
            .add_node("task", lambda a: {"tasks": [a["i"]]})
            .add_edge(api.START, "agent")
            .add_edge("agent", "map")
            .compile(checkpointer=api.InMemorySaver())
        )
        graph.invoke({"foo": "input"}, thread("run"))
        U = api.StateUpdate
        graph.bulk_update_state(
            thread("bulk"),
            [
                [U({"foo": "input"}, "__input__")],
                [U({"foo": "input"}, "__start__")],
                [U({"foo": "agent", "tasks": []}, "agent")],
                [
                    U(
                        api.Command(
                            goto=[api.Send("task", {"i": i}) for i in range(3)],
                            update={"foo": "map"},
                        ),
                        "map",
                    )
                ],
                [U({"tasks": [0]}, "task"), U({"tasks": [1]}, "task"), U({"tasks": [2]}, "task")],
            ],
        )
        return {"run": history(graph, thread("run")), "bulk": history(graph, thread("bulk"))}

    seen = same(scenario)

    def shape(entries):
        return [{k: v for k, v in entry.items() if k != "source"} for entry in entries]

    assert shape(seen["run"]) == shape(seen["bulk"])


def test_as_input_on_a_finished_thread_starts_the_next_turn():
    """``__input__`` on a thread that ran: a new input checkpoint, then ``invoke(None)``
    runs the turn."""

    def scenario(api: Api):
        graph = _chain(api)
        config = thread("t")
        graph.invoke({"foo": "first"}, config)
        graph.update_state(config, {"foo": "second"}, as_node="__input__")
        waiting = state(graph, config)
        return {
            "waiting": waiting,
            "then": graph.invoke(None, config),
            "history": history(graph, config),
        }

    assert same(scenario)["waiting"]["next"] == ("__start__",)


def test_end_clears_a_pending_interrupt():
    """``update_state(None, as_node=END)`` at an interrupt: nothing waits any more."""

    def scenario(api: Api):
        def ask(state):
            return {"foo": api.interrupt("?")}

        graph = (
            api.StateGraph(Two)
            .add_node("ask", ask)
            .add_edge(api.START, "ask")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        first = plain(graph.invoke({"foo": "x"}, config))
        graph.update_state(config, None, as_node=api.END)
        return {
            "first": first,
            "cleared": state(graph, config),
            "interrupts": graph.get_state(config).interrupts,
            "then": graph.invoke(None, config),
        }

    seen = same(scenario)
    assert seen["cleared"]["next"] == () and seen["interrupts"] == ()


@pytest.mark.parametrize("supersteps", [[], [[]]], ids=["no supersteps", "empty superstep"])
def test_empty_supersteps_are_value_errors(supersteps):
    """Both engines refuse them with a ``ValueError``."""

    def scenario(api: Api):
        with pytest.raises(ValueError) as raised:
            _chain(api).bulk_update_state(thread("t"), supersteps)
        return str(raised.value).split(":")[0]

    same(scenario)


def test_several_updates_without_as_node_are_refused():
    """In a superstep of several updates each must name its node."""

    def scenario(api: Api):
        with pytest.raises(api.InvalidUpdateError) as raised:
            _chain(api).bulk_update_state(
                thread("t"), [[api.StateUpdate({"foo": "x"}), api.StateUpdate({"baz": "y"})]]
            )
        return str(raised.value).split(":")[0]

    assert same(scenario) == "as_node is required when applying multiple updates"
