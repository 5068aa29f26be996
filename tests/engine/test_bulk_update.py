"""``bulk_update_state``: each superstep of updates is one checkpoint, applied as one step;
``as_node`` also takes ``"__input__"``, ``END`` (clear) and ``"__copy__"``."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict

import pytest

from hitl_notebook import (
    END,
    START,
    Command,
    InMemorySaver,
    InvalidUpdateError,
    Send,
    StateGraph,
    StateUpdate,
    interrupt,
)

from .helpers import two_branch_graph

CFG = {"configurable": {"thread_id": "t"}}


class S(TypedDict, total=False):
    foo: str
    baz: str


class Log(TypedDict, total=False):
    foo: str
    log: Annotated[list, operator.add]


def _chain(checkpointer=None):
    """``START -> a -> b -> END``, each writing its name."""
    return (
        StateGraph(S)
        .add_node("a", lambda s: {"foo": "a"})
        .add_node("b", lambda s: {"baz": "b"})
        .add_edge(START, "a")
        .add_edge("a", "b")
        .add_edge("b", END)
        .compile(checkpointer=checkpointer or InMemorySaver())
    )


def _checkpoints(graph, config=CFG) -> list:
    return list(graph.get_state_history(config))


def test_a_superstep_is_one_checkpoint_with_all_its_updates():
    """Two updates in one superstep: both applied, one new checkpoint, routes joined."""
    graph = _chain()
    graph.bulk_update_state(CFG, [[StateUpdate({"foo": "x"}, "a")]])
    graph.bulk_update_state(
        CFG, [[StateUpdate({"foo": "updated"}, "a"), StateUpdate({"baz": "new"}, "b")]]
    )
    state = graph.get_state(CFG)
    assert state.values == {"foo": "updated", "baz": "new"}
    assert state.next == ("b",)  # a's edge; b's leads to END
    assert len(_checkpoints(graph)) == 2
    assert state.metadata["source"] == "update"


def test_each_superstep_makes_one_checkpoint_and_the_last_config_is_returned():
    """Two supersteps in one call: two checkpoints, the returned config names the last."""
    graph = _chain()
    config = graph.bulk_update_state(
        CFG,
        [
            [StateUpdate({"foo": "x"}, "a")],
            [StateUpdate({"foo": "y"}, "a"), StateUpdate({"baz": "z"}, "b")],
        ],
    )
    history = _checkpoints(graph)
    assert [s.metadata["step"] for s in history] == [1, 0]
    assert (
        config["configurable"]["checkpoint_id"]
        == history[0].config["configurable"]["checkpoint_id"]
    )


def test_updates_may_be_plain_tuples():
    """``(values, as_node)`` pairs work like ``StateUpdate``."""
    graph = _chain()
    graph.bulk_update_state(CFG, [[({"foo": "x"}, "a")]])
    assert graph.get_state(CFG).values == {"foo": "x"}


@pytest.mark.parametrize(
    ("supersteps", "message"),
    [
        ([], "No supersteps provided"),
        ([[], []], "No updates provided"),
    ],
)
def test_empty_supersteps_are_refused(supersteps, message):
    """No supersteps, or a superstep without updates, is a ``ValueError`` (LangGraph's)."""
    with pytest.raises(ValueError, match=message):
        _chain().bulk_update_state(CFG, supersteps)


@pytest.mark.parametrize(
    ("superstep", "message"),
    [
        (
            [StateUpdate({"foo": "x"}), StateUpdate({"baz": "y"})],
            "as_node is required when applying multiple updates",
        ),
        (
            [StateUpdate(None, END), StateUpdate(None, "__copy__")],
            "Cannot apply multiple updates when clearing state",
        ),
        (
            [StateUpdate({"foo": "x"}, "__input__"), StateUpdate({"foo": "y"}, "a")],
            "Cannot apply multiple updates when updating as input",
        ),
        ([StateUpdate({"foo": "x"}, "nope")], "Node nope does not exist.*no such node"),
    ],
)
def test_inconsistent_supersteps_are_refused_before_anything_is_written(superstep, message):
    """Each error is an ``InvalidUpdateError``; the thread keeps its history."""
    graph = _chain()
    graph.invoke({"foo": ""}, CFG)
    before = len(_checkpoints(graph))
    with pytest.raises(InvalidUpdateError, match=message):
        graph.bulk_update_state(CFG, [superstep])
    assert len(_checkpoints(graph)) == before


def test_two_values_for_a_plain_key_in_one_superstep_conflict():
    """Like two nodes of one step, two updates of a last-value key are an error."""
    with pytest.raises(InvalidUpdateError, match="foo"):
        _chain().bulk_update_state(
            CFG, [[StateUpdate({"foo": "x"}, "a"), StateUpdate({"foo": "y"}, "b")]]
        )


def test_as_input_records_an_input_without_running_anything():
    """``as_node="__input__"``: a checkpoint with source "input" and START next; continuing
    it runs the graph on that input."""
    graph = _chain()
    graph.update_state(CFG, {"foo": "in"}, as_node="__input__")
    state = graph.get_state(CFG)
    assert (state.next, state.metadata["source"], state.metadata["step"], state.values) == (
        ("__start__",),
        "input",
        -1,
        {},
    )
    assert graph.invoke(None, CFG) == {"foo": "a", "baz": "b"}


def test_as_input_needs_values():
    """``None`` is no input: ``InvalidUpdateError`` (LangGraph's message first)."""
    with pytest.raises(InvalidUpdateError, match="Received no input writes"):
        _chain().update_state(CFG, None, as_node="__input__")


def test_supersteps_replay_a_run_step_by_step():
    """Input, START, then each node: the same values, next and steps as the run itself."""
    graph = _chain()
    graph.invoke({"foo": "in"}, {"configurable": {"thread_id": "run"}})
    graph.bulk_update_state(
        CFG,
        [
            [StateUpdate({"foo": "in"}, "__input__")],
            [StateUpdate({"foo": "in"}, START)],
            [StateUpdate({"foo": "a"}, "a")],
            [StateUpdate({"baz": "b"}, "b")],
        ],
    )

    def view(config):
        return [(s.values, s.next, s.metadata["step"]) for s in graph.get_state_history(config)]

    assert view(CFG) == view({"configurable": {"thread_id": "run"}})


def test_end_clears_the_waiting_tasks_of_a_paused_thread():
    """``update_state(None, as_node=END)``: no next task, no pending interrupt; the thread
    is finished."""
    graph = (
        StateGraph(S)
        .add_node("ask", lambda s: {"foo": interrupt("?")})
        .add_edge(START, "ask")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"foo": "x"}, CFG)
    graph.update_state(CFG, None, as_node=END)
    state = graph.get_state(CFG)
    assert (state.next, state.tasks, state.interrupts, state.values) == ((), (), (), {"foo": "x"})
    assert state.metadata["source"] == "update"
    assert graph.invoke(None, CFG) == {"foo": "x"}


def test_end_keeps_what_finished_tasks_of_the_step_wrote():
    """Clearing a step where one task finished and one paused keeps the finished one's write."""
    graph = two_branch_graph()
    graph.invoke({"vals": []}, CFG)
    (a_id,) = [i.id for i in graph.get_state(CFG).interrupts if i.value == "qa"]
    graph.invoke(Command(resume={a_id: "yes"}), CFG)  # a finishes, b still waits
    graph.update_state(CFG, None, as_node=END)
    state = graph.get_state(CFG)
    assert (state.values, state.next) == ({"vals": ["a:yes"]}, ())


def test_a_command_update_routes_with_its_sends_and_each_update_stands_for_one_task():
    """A ``Command(goto=[Send...])`` update makes Send tasks; three updates as that node in
    the next superstep stand for the three tasks, so nothing is left to run."""

    def fan(state):
        return Command(goto=[Send("task", {"i": i}) for i in range(3)], update={"foo": "map"})

    graph = (
        StateGraph(Log)
        .add_node("map", fan)
        .add_node("task", lambda a: {"log": [a["i"]]})
        .add_edge(START, "map")
        .compile(checkpointer=InMemorySaver())
    )
    graph.bulk_update_state(
        CFG,
        [
            [
                StateUpdate(
                    Command(goto=[Send("task", {"i": i}) for i in range(3)], update={"foo": "map"}),
                    "map",
                )
            ],
        ],
    )
    assert graph.get_state(CFG).next == ("task", "task", "task")
    graph.bulk_update_state(CFG, [[StateUpdate({"log": [i]}, "task") for i in range(3)]])
    state = graph.get_state(CFG)
    assert (state.values, state.next) == ({"foo": "map", "log": [0, 1, 2]}, ())


def test_task_id_names_the_waiting_task_an_update_stands_for():
    """``StateUpdate(..., task_id=)`` must name a waiting task of its node (a typo is an
    error naming the waiting tasks); the update then ends that step, as every edit does."""
    graph = (
        StateGraph(Log)
        .add_node("task", lambda a: {"log": [a["i"]]})
        .add_conditional_edges(START, lambda s: [Send("task", {"i": i}) for i in range(2)])
        .compile(checkpointer=InMemorySaver(), interrupt_before=["task"])
    )
    graph.invoke({"log": []}, CFG)
    first, second = graph.get_state(CFG).tasks
    with pytest.raises(InvalidUpdateError, match="names no waiting task"):
        graph.update_state(CFG, {"log": ["x"]}, as_node="task", task_id="not-a-task")
    graph.update_state(CFG, {"log": ["by hand"]}, as_node="task", task_id=second.id)
    assert graph.invoke(None, CFG) == {"log": ["by hand"]}
    assert first.id != second.id


def test_copy_with_updates_applies_them_to_the_copy():
    """``as_node="__copy__"`` with ``[(values, as_node)]``: a sibling copy, then the update."""
    graph = _chain()
    graph.invoke({"foo": "in"}, CFG)
    past = next(s for s in _checkpoints(graph) if s.next == ("b",))
    config = graph.update_state(past.config, [({"baz": "by hand"}, "b")], as_node="__copy__")
    state = graph.get_state(config)
    assert (state.values, state.next) == ({"foo": "a", "baz": "by hand"}, ())
    copy = graph.get_state(state.parent_config)
    assert copy.metadata["source"] == "fork" and copy.parent_config == past.parent_config


def test_copy_refuses_values_that_are_not_updates():
    """A dict is not a list of updates: the copy is refused before anything is written."""
    graph = _chain()
    graph.invoke({"foo": "in"}, CFG)
    with pytest.raises(InvalidUpdateError, match="__copy__"):
        graph.update_state(CFG, {"foo": "x"}, as_node="__copy__")


def test_a_subgraph_namespace_is_updated_with_the_subgraphs_schema():
    """A config naming a subgraph's namespace writes with that subgraph's nodes and keys."""

    class Inner(TypedDict):
        note: str

    inner = (
        StateGraph(Inner)
        .add_node("think", lambda s: {"note": interrupt("note?")})
        .add_edge(START, "think")
        .compile()
    )
    graph = (
        StateGraph(Inner)
        .add_node("sub", inner)
        .add_edge(START, "sub")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"note": ""}, CFG)
    sub_config = graph.get_state(CFG, subgraphs=True).tasks[0].state.config
    edited = graph.update_state(sub_config, {"note": "edited"}, as_node="think")
    assert edited["configurable"]["checkpoint_ns"] == sub_config["configurable"]["checkpoint_ns"]
    assert graph.get_state(edited).values == {"note": "edited"}


def test_an_unknown_subgraph_namespace_is_refused():
    """Updating a namespace no declared subgraph has would write the wrong state."""
    graph = _chain()
    graph.invoke({"foo": "in"}, CFG)
    config = {"configurable": {"thread_id": "t", "checkpoint_ns": "ghost:123"}}
    with pytest.raises(ValueError, match="Subgraph ghost not found"):
        graph.update_state(config, {"foo": "x"}, as_node="a")


def test_abulk_update_state():
    """The async twin applies the same supersteps."""
    graph = _chain()
    asyncio.run(
        graph.abulk_update_state(
            CFG, [[StateUpdate({"foo": "x"}, "a")], [StateUpdate({"baz": "y"}, "b")]]
        )
    )
    assert graph.get_state(CFG).values == {"foo": "x", "baz": "y"}
