"""``PregelTask.result`` in history on both engines: every finished task shows what it wrote,
including the one task of an ordinary step (which our engine saves no outcome for)."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, plain, same, thread

pytestmark = pytest.mark.langgraph


class Pair(TypedDict):
    num: int
    text: str


class Trail(TypedDict):
    trail: Annotated[list, operator.add]


def _results(graph, config) -> list:
    return [
        (
            (s.metadata or {}).get("source"),
            (s.metadata or {}).get("step"),
            plain(s.values),
            [(t.name, plain(t.result)) for t in s.tasks],
        )
        for s in graph.get_state_history(config)
    ]


def test_a_chain_shows_each_task_result():
    """The input task's result is the input; a node's is its update; the head has none."""

    def scenario(api: Api):
        graph = (
            api.StateGraph(Pair)
            .add_node("double", lambda s: {"num": s["num"] * 2, "text": s["text"] * 2})
            .add_edge(api.START, "double")
            .add_edge("double", api.END)
            .compile(checkpointer=api.InMemorySaver())
        )
        graph.invoke({"num": 1, "text": "one"}, thread("t"))
        return _results(graph, thread("t"))

    observed = same(scenario)
    assert observed[1][3] == [("double", {"num": 2, "text": "oneone"})]


def test_updates_as_nodes_show_as_task_results():
    """``bulk_update_state`` steps read back with each node's values as its task's result."""

    def scenario(api: Api):
        graph = (
            api.StateGraph(Pair)
            .add_node("double", lambda s: s)
            .add_edge(api.START, "double")
            .compile(checkpointer=api.InMemorySaver())
        )
        graph.bulk_update_state(
            thread("b"),
            [
                [api.StateUpdate(values={}, as_node="__input__")],
                [api.StateUpdate(values={"num": 1, "text": "one"}, as_node="__start__")],
                [api.StateUpdate(values={"num": 2, "text": "oneone"}, as_node="double")],
            ],
        )
        return _results(graph, thread("b"))

    same(scenario)


def test_a_fork_and_its_replay_show_the_results_of_their_own_steps():
    """After a fork of a past checkpoint runs on, the forked branch's tasks show what they
    wrote there, and the original branch keeps its own results."""

    def scenario(api: Api):
        graph = (
            api.StateGraph(Trail)
            .add_node("one", lambda s: {"trail": ["one"]})
            .add_node("two", lambda s: {"trail": ["two"]})
            .add_edge(api.START, "one")
            .add_edge("one", "two")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("f")
        graph.invoke({"trail": ["in"]}, config)
        before_two = next(s for s in graph.get_state_history(config) if s.next == ("two",))
        forked = graph.update_state(before_two.config, {"trail": ["edit"]}, as_node="one")
        graph.invoke(None, forked)
        return _results(graph, config)

    same(scenario)


class Joined(TypedDict):
    foo: Annotated[str, lambda a, b: ", ".join(x for x in (a, b) if x)]


def test_a_key_written_twice_by_one_node():
    """A node returning a list of Commands writing one key twice: the ``updates`` stream
    shows one dict per write, the ``tasks`` stream and history show ``{"$writes": [...]}``."""

    def scenario(api: Api):
        graph = (
            api.StateGraph(Joined)
            .add_node("one", lambda s: [api.Command(update={"foo": "a"}), {"foo": "b"}])
            .add_node("two", lambda s: {"foo": "c"})
            .add_edge(api.START, "one")
            .add_edge("one", "two")
            .compile(checkpointer=api.InMemorySaver())
        )
        events = [
            (mode, {k: v for k, v in chunk.items() if k not in ("id", "triggers")})
            for mode, chunk in graph.stream(
                {"foo": "in"}, thread("w"), stream_mode=["updates", "tasks"]
            )
        ]
        return events, _results(graph, thread("w"))

    events, history = same(scenario)
    assert ("updates", {"one": [{"foo": "a"}, {"foo": "b"}]}) in events
    assert ("loop", 0, {"foo": "in"}, [("one", {"foo": {"$writes": ["a", "b"]}})]) in history


def test_a_root_list_state_shows_each_task_result():
    """With ``StateGraph(Annotated[list, operator.add])`` a node's update is a list: the
    history shows it as the task's result (not as a key written several times)."""

    def scenario(api: Api):
        graph = (
            api.StateGraph(Annotated[list, operator.add])
            .add_node("one", lambda s: ["one"])
            .add_node("two", lambda s: ["two"])
            .add_edge(api.START, "one")
            .add_edge("one", "two")
            .compile(checkpointer=api.InMemorySaver())
        )
        graph.invoke(["zero"], thread("t"))
        return _results(graph, thread("t"))

    observed = same(scenario)
    assert observed[1][3] == [("two", ["two"])]


def test_a_copy_updated_as_each_of_two_tasks_of_one_node():
    """A step of two ``two`` tasks (a ``Send`` and an edge), copied and then updated as
    ``two`` twice: the copy's two tasks show those updates as their results, also once
    the edit is itself copied."""

    def scenario(api: Api):
        def one(state):
            return api.Command(goto=[api.Send("two", {})], update={"trail": ["one"]})

        graph = (
            api.StateGraph(Trail)
            .add_node("one", one)
            .add_node("two", lambda s: {"trail": ["two"]})
            .add_edge(api.START, "one")
            .add_edge("one", "two")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("c")
        graph.invoke({"trail": ["in"]}, config)
        before_two = next(s for s in graph.get_state_history(config) if len(s.next) == 2)
        update = api.StateUpdate(values={"trail": ["two*"]}, as_node="two")
        graph.invoke(None, graph.update_state(before_two.config, [update, update], "__copy__"))
        # A copy of the edit is a second child of the copied step; the edit stays its record.
        edit = next(s for s in graph.get_state_history(config) if s.metadata["source"] == "update")
        again = api.StateUpdate(values={"trail": ["again"]}, as_node="two")
        graph.update_state(edit.config, [again], "__copy__")
        return _results(graph, config)

    observed = same(scenario)
    assert [("two", ["two*"]), ("two", ["two*"])] in [
        [(name, result and result.get("trail")) for name, result in s[3]] for s in observed
    ]


@pytest.mark.parametrize(
    ("layout", "as_node", "address"),
    [
        ("ask", "n1", "thread"),  # the asking task: its result is the edit, its question stays
        ("ask", "n1", "head id"),  # the head named by id is still the latest checkpoint
        ("ask", "n2", "thread"),  # a node that does not wait there: no task gets the edit
        ("parallel", "n1", "thread"),  # beside a sibling that finished
        ("parallel", "n2", "thread"),  # the finished sibling keeps its own writes
        ("breakpoint", "n3", "thread"),  # a task held by interrupt_before, not run yet
        ("ask", "n1", "past"),  # an edit of a past checkpoint (a fork) leaves it as it was
    ],
)
def test_an_edit_as_a_waiting_node_is_that_tasks_result(layout, as_node, address):
    """``update_state(..., as_node=X)`` on the latest checkpoint, where X waits, shows the edit
    as X's task result in history (LangGraph stores it as the task's writes there); replaying
    that checkpoint afterwards still runs X (it asks again)."""

    def scenario(api: Api):
        def n1(state):
            return {"trail": [f"n1:{api.interrupt('q1')}"]}

        builder = api.StateGraph(Trail)
        builder.add_node("n1", n1)
        builder.add_node("n2", lambda s: {"trail": ["n2"]})
        builder.add_node("n3", lambda s: {"trail": ["n3"]})
        options: dict = {}
        if layout == "parallel":
            builder.add_edge(api.START, "n1")
            builder.add_edge(api.START, "n2")
            builder.add_edge(["n1", "n2"], "n3")
        elif layout == "breakpoint":
            builder.add_edge(api.START, "n2")
            builder.add_edge("n2", "n3")
            options["interrupt_before"] = ["n3"]
        else:
            builder.add_edge(api.START, "n1")
            builder.add_edge("n1", "n2")
        graph = builder.compile(checkpointer=api.InMemorySaver(), **options)
        config = thread("t")
        graph.invoke({"trail": ["in"]}, config)
        if address == "past":
            graph.update_state(config, {"trail": ["moved on"]}, as_node="n2")
        paused = graph.get_state(config).config
        target = config if address == "thread" else paused
        if address == "past":
            target = list(graph.get_state_history(config))[1].config
        graph.update_state(target, {"trail": ["edit"]}, as_node=as_node)
        seen = [_results(graph, config)]
        seen.append(plain(graph.invoke(None, paused)))  # replay the paused checkpoint
        seen.append(_results(graph, config))
        return seen

    same(scenario)
