"""Editing and time travel: ``update_state`` (with and without ``as_node``, ``None`` to
skip a node), forking a past checkpoint and replaying from one give the same values,
``next`` and history as LangGraph."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, history, plain, same, state, thread

pytestmark = pytest.mark.langgraph


class Trail(TypedDict):
    trail: Annotated[list, operator.add]
    ok: bool


def build(api: Api, runs: list[str], **compile_options):
    """``a -> b -> c`` recording each run in ``runs``."""

    def mark(name: str):
        def node(state: Trail) -> dict:
            runs.append(name)
            return {"trail": [name]}

        return node

    builder = api.StateGraph(Trail)
    for name in "abc":
        builder.add_node(name, mark(name))
    builder.add_edge(api.START, "a")
    builder.add_edge("a", "b")
    builder.add_edge("b", "c")
    return builder.compile(checkpointer=api.InMemorySaver(), **compile_options)


def edit_at_breakpoint(values, **as_node):
    """A scenario: pause before ``b``, apply ``update_state(values, **as_node)``, continue."""

    def scenario(api: Api) -> dict:
        runs: list[str] = []
        graph = build(api, runs, interrupt_before=["b"])
        config = thread("edit")
        graph.invoke({"trail": ["in"]}, config)
        returned = graph.update_state(config, values, **as_node)
        after_edit = state(graph, config)
        output = plain(graph.invoke(None, config))
        return {
            "returned_keys": sorted(returned["configurable"]),
            "after_edit": after_edit,
            "output": output,
            "runs": runs,
            "history": history(graph, config),
        }

    return scenario


def test_update_state_without_as_node_acts_as_the_last_writer():
    """Without ``as_node`` the edit counts as the node that wrote last (``a``), reducers
    apply, and ``b`` is still next."""
    seen = same(edit_at_breakpoint({"trail": ["edit"]}))
    assert seen["after_edit"]["next"] == ("b",)
    assert seen["output"] == {"trail": ["in", "a", "edit", "b", "c"]}


def test_update_state_as_node_takes_that_nodes_place():
    """``as_node="b"`` records the edit as ``b``'s output, so ``c`` runs next and ``b``
    never does."""
    seen = same(edit_at_breakpoint({"trail": ["by hand"]}, as_node="b"))
    assert seen["after_edit"]["next"] == ("c",)
    assert seen["runs"] == ["a", "c"]


def test_update_state_with_none_skips_a_node():
    """``update_state(config, None, as_node="b")`` moves past ``b`` without changing state."""
    seen = same(edit_at_breakpoint(None, as_node="b"))
    assert seen["output"] == {"trail": ["in", "a", "c"]}


def test_update_state_as_node_routes_through_its_conditional_edge():
    """An edit as a node with a conditional edge takes the route the edited state picks."""

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Trail)
        builder.add_node("check", lambda s: {"ok": False})
        builder.add_node("accept", lambda s: {"trail": ["accepted"]})
        builder.add_node("reject", lambda s: {"trail": ["rejected"]})
        builder.add_edge(api.START, "check")
        builder.add_conditional_edges(
            "check", lambda s: "yes" if s["ok"] else "no", {"yes": "accept", "no": "reject"}
        )
        graph = builder.compile(checkpointer=api.InMemorySaver(), interrupt_after=["check"])
        config = thread("route")
        graph.invoke({"trail": []}, config)
        paused = state(graph, config)
        graph.update_state(config, {"ok": True}, as_node="check")
        edited = state(graph, config)
        return {
            "paused": paused,
            "edited": edited,
            "output": plain(graph.invoke(None, config)),
            "history": history(graph, config),
        }

    seen = same(scenario)
    assert (seen["paused"]["next"], seen["edited"]["next"]) == (("reject",), ("accept",))


def test_fork_a_past_checkpoint_and_run_from_it():
    """``update_state`` on a past checkpoint starts a branch; running it leaves the old
    branch in the history and makes the branch the thread's latest state."""

    def scenario(api: Api) -> dict:
        runs: list[str] = []
        graph = build(api, runs)
        config = thread("fork")
        graph.invoke({"trail": ["in"]}, config)
        before_b = next(s for s in graph.get_state_history(config) if s.next == ("b",))
        fork = graph.update_state(before_b.config, {"trail": ["forked"]})
        forked = graph.get_state(fork)
        output = plain(graph.invoke(None, fork))
        return {
            "forked": state(graph, fork),
            "fork_parent_is_the_past_checkpoint": forked.parent_config["configurable"][
                "checkpoint_id"
            ]
            == before_b.config["configurable"]["checkpoint_id"],
            "output": output,
            "latest": state(graph, config),
            "runs": runs,
            "history": history(graph, config),
        }

    seen = same(scenario)
    assert seen["output"] == {"trail": ["in", "a", "forked", "b", "c"]}
    assert seen["fork_parent_is_the_past_checkpoint"] is True


def test_replay_from_a_checkpoint_id():
    """``invoke(None, {thread_id, checkpoint_id})`` re-runs the steps after that checkpoint
    (not the ones before) and adds a branch to the history."""

    def scenario(api: Api) -> dict:
        runs: list[str] = []
        graph = build(api, runs)
        config = thread("replay")
        graph.invoke({"trail": ["in"]}, config)
        runs.clear()
        before_b = next(s for s in graph.get_state_history(config) if s.next == ("b",))
        output = plain(graph.invoke(None, before_b.config))
        return {
            "output": output,
            "runs": runs,
            "latest": state(graph, config),
            "history": history(graph, config),
        }

    seen = same(scenario)
    assert seen["runs"] == ["b", "c"]
    assert seen["output"] == {"trail": ["in", "a", "b", "c"]}
