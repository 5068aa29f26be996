"""Subgraphs compiled with ``checkpointer=True`` keep their own state across parent runs;
when the parent forks or replays an older checkpoint they start from the state they had
at that point of the parent's history, as in LangGraph."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, history, plain, same, thread

pytestmark = pytest.mark.langgraph


class Sub(TypedDict):
    value: Annotated[list[str], operator.add]


class Parent(TypedDict):
    results: Annotated[list[str], operator.add]


def _asking_subgraph(api: Api, seen: list, depth: int):
    """A ``checkpointer=True`` subgraph whose innermost node records its state and asks;
    ``depth`` 2 wraps it in another ``checkpointer=True`` subgraph (three levels with the
    parent)."""

    def step(state: Sub) -> Sub:
        seen.append(list(state["value"]))
        return {"value": [f"a:{api.interrupt('q')}"]}

    graph = (
        api.StateGraph(Sub)
        .add_node("step", step)
        .add_edge(api.START, "step")
        .compile(checkpointer=True)
    )
    for level in range(1, depth):
        graph = (
            api.StateGraph(Sub)
            .add_node(f"level{level}", graph)
            .add_edge(api.START, f"level{level}")
            .compile(checkpointer=True)
        )
    return graph


def _parent(api: Api, sub):
    return (
        api.StateGraph(Parent)
        .add_node("p", lambda s: {"results": ["p"]})
        .add_node("sub", sub)
        .add_edge(api.START, "p")
        .add_edge("p", "sub")
        .compile(checkpointer=api.InMemorySaver())
    )


@pytest.mark.parametrize(
    ("depth", "first_state"),
    # two levels: the inner subgraph's whole list is added to the middle one's (the rule)
    [(1, ["a:1"]), (2, ["a:1", "a:1"])],
)
def test_a_fork_before_the_second_call_sees_the_first_calls_state(depth, first_state):
    """update_state on the checkpoint before the subgraph's second call forks the parent:
    the subgraph starts from what its first call left, not from its second call's end."""

    def scenario(api: Api):
        seen: list = []
        graph = _parent(api, _asking_subgraph(api, seen, depth))
        config = thread("t")
        for answer in ("1", "2"):
            graph.invoke({"results": []}, config)
            graph.invoke(api.Command(resume=answer), config)
        history = list(graph.get_state_history(config))
        before_second = next(s for s in history if s.next == ("sub",))
        fork = graph.update_state(before_second.config, {"results": ["f"]})
        seen.clear()
        graph.invoke(None, fork)
        return seen

    assert same(scenario) == [first_state]


def _innermost_config(snapshot):
    """The config of the deepest waiting subgraph in ``get_state(config, subgraphs=True)``."""
    while snapshot.tasks and snapshot.tasks[0].state is not None:
        snapshot = snapshot.tasks[0].state
    return snapshot.config


@pytest.mark.parametrize("depth", [1, 2])
def test_an_edit_of_a_waiting_subgraphs_checkpoint_asks_again_and_finishes(depth):
    """update_state on the waiting subgraph's own checkpoint (from ``tasks[i].state``) forks
    it; invoke(None) on that fork asks again, and the answer runs the subgraph and then the
    parent to the end, each graph at every level holding the edit and the answer."""

    def scenario(api: Api):
        seen: list = []
        graph = (
            api.StateGraph(Parent)
            .add_node("p", lambda s: {"results": ["p"]})
            .add_node("sub", _asking_subgraph(api, seen, depth))
            .add_node("post", lambda s: {"results": ["post"]})
            .add_edge(api.START, "p")
            .add_edge("p", "sub")
            .add_edge("sub", "post")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        graph.invoke({"results": []}, config)
        inner = _innermost_config(graph.get_state(config, subgraphs=True))
        fork = graph.update_state(inner, {"value": ["edited"]})
        asked = plain(graph.invoke(None, fork))
        chunks = [
            plain(chunk)
            for chunk in graph.stream(
                api.Command(resume="new"), fork, stream_mode="updates", subgraphs=True
            )
        ]
        # LangGraph numbers the step after such a fork as the fork itself (an artifact of
        # its replay bookkeeping); the rest of the history is compared.
        views = [{k: v for k, v in view.items() if k != "step"} for view in history(graph, config)]
        return asked, chunks, seen, views

    same(scenario)


def _namespace(ns: tuple) -> tuple:
    """A stream namespace without task ids (they differ between the engines)."""
    return tuple(part.split(":", 1)[0] + (":" if ":" in part else "") for part in ns)


def test_a_node_calling_two_subgraphs_streams_each_under_its_own_namespace():
    """The second subgraph a node function calls streams under the task's namespace plus
    its call index (``("call:<task id>", "1")``), the ``checkpointer=True`` first one
    under the node's name; the stateful one keeps counting across parent runs."""

    class Counter(TypedDict):
        n: Annotated[int, operator.add]

    class Total(TypedDict):
        total: int

    def scenario(api: Api):
        kept = (
            api.StateGraph(Counter)
            .add_node("add2", lambda s: {"n": 2})
            .add_edge(api.START, "add2")
            .compile(checkpointer=True)
        )
        fresh = (
            api.StateGraph(Counter)
            .add_node("add3", lambda s: {"n": 3})
            .add_edge(api.START, "add3")
            .compile()
        )

        def call(state: Total) -> Total:
            return {"total": fresh.invoke({"n": kept.invoke({"n": state["total"]})["n"]})["n"]}

        graph = (
            api.StateGraph(Total)
            .add_node("call", call)
            .add_edge(api.START, "call")
            .compile(checkpointer=api.InMemorySaver())
        )
        return [
            [
                (_namespace(ns), chunk)
                for ns, chunk in graph.stream(
                    {"total": 0}, thread("t"), stream_mode="updates", subgraphs=True
                )
            ]
            for _ in range(2)
        ]

    assert same(scenario)[1][-1] == ((), {"call": {"total": 7}})


@pytest.mark.parametrize("middle_checkpointer", [None, False], ids=["per-task", "none"])
@pytest.mark.parametrize("called", [False, True], ids=["node", "called"])
def test_a_stateful_subgraph_below_a_per_task_one_keeps_one_history(called, middle_checkpointer):
    """A ``checkpointer=True`` subgraph inside a subgraph compiled with ``checkpointer=None``
    (a history per task) or ``False`` (none) keeps one history for the thread, under the
    namespace without task ids, so it goes on counting from run to run, as in LangGraph
    (it started afresh each run under a per-task one, and crashed under ``False``)."""

    def scenario(api: Api):
        counter = (
            api.StateGraph(Sub)
            .add_node("add", lambda s: {"value": ["x"]})
            .add_edge(api.START, "add")
            .compile(checkpointer=True)
        )
        if called:
            middle_node = lambda s: {"value": counter.invoke({"value": s["value"]})["value"]}  # noqa: E731
        else:
            middle_node = counter
        middle = (
            api.StateGraph(Sub)
            .add_node("inner", middle_node)
            .add_edge(api.START, "inner")
            .compile(checkpointer=middle_checkpointer)
        )
        graph = (
            api.StateGraph(Sub)
            .add_node("middle", middle)
            .add_edge(api.START, "middle")
            .compile(checkpointer=api.InMemorySaver())
        )
        return [plain(graph.invoke({"value": ["in"]}, thread("t"))) for _ in range(2)]

    same(scenario)


def test_a_stateful_subgraph_called_before_a_question_is_not_run_again_on_resume():
    """A node calls a ``checkpointer=True`` subgraph, then asks: answering re-runs the node,
    and its call continues the subgraph's finished run of this step instead of running it
    again (the state held the subgraph's output twice), as in LangGraph."""

    def scenario(api: Api):
        runs: list[str] = []

        def add(state: Sub) -> Sub:
            runs.append("add")
            return {"value": ["x"]}

        counter = (
            api.StateGraph(Sub)
            .add_node("add", add)
            .add_edge(api.START, "add")
            .compile(checkpointer=True)
        )

        def node(state: Sub) -> Sub:
            counted = counter.invoke({"value": ["in"]})["value"]
            return {"value": [*counted, api.interrupt("ok?")]}

        graph = (
            api.StateGraph(Sub)
            .add_node("node", node)
            .add_edge(api.START, "node")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        seen = []
        for given in (
            {"value": []},
            api.Command(resume="a"),
            {"value": []},
            api.Command(resume="b"),
        ):
            seen.append(plain(graph.invoke(given, config)))
        return seen, runs

    assert same(scenario)[1] == ["add", "add"]


@pytest.mark.parametrize("checkpointer", [None, True], ids=["per-task", "stateful"])
def test_a_subgraph_that_has_not_run_shows_an_empty_state(checkpointer):
    """``get_state(config, subgraphs=True)`` paused before a subgraph node: the task's
    ``state`` is the subgraph's empty snapshot (no values, nothing next, its namespace in
    the config), as in LangGraph, not None."""

    def scenario(api: Api):
        sub = (
            api.StateGraph(Sub)
            .add_node("step", lambda s: {"value": ["x"]})
            .add_edge(api.START, "step")
            .compile(checkpointer=checkpointer)
        )
        graph = (
            api.StateGraph(Sub)
            .add_node("sub", sub)
            .add_edge(api.START, "sub")
            .compile(checkpointer=api.InMemorySaver(), interrupt_before=["sub"])
        )
        config = thread("t")
        graph.invoke({"value": []}, config)
        inner = graph.get_state(config, subgraphs=True).tasks[0].state
        namespace = inner.config["configurable"]["checkpoint_ns"]
        return (
            inner.values,
            inner.next,
            inner.metadata,
            inner.parent_config,
            inner.tasks,
            namespace.split(":")[0],
        )

    assert same(scenario) == ({}, (), None, None, (), "sub")


@pytest.mark.parametrize("checkpointer", [None, True])
@pytest.mark.parametrize("mode", ["checkpoints", "debug"])
def test_checkpoint_payloads_name_a_subgraph_task_by_its_id(checkpointer, mode):
    """A ``checkpoints``/``debug`` chunk shows a waiting subgraph task's ``state`` as the
    namespace ``node:<task id>``, even for a ``checkpointer=True`` subgraph (whose own
    history lives under the node's name, which ``get_state`` shows), as LangGraph does."""

    def scenario(api: Api):
        seen: list = []
        sub = _asking_subgraph(api, seen, 1) if checkpointer else None
        if sub is None:
            sub = (
                api.StateGraph(Sub)
                .add_node("step", lambda s: {"value": [f"a:{api.interrupt('q')}"]})
                .add_edge(api.START, "step")
                .compile()
            )
        graph = _parent(api, sub)
        config = thread("t")
        states = []
        for chunk in graph.stream({"results": []}, config, stream_mode=mode):
            payload = chunk["payload"] if mode == "debug" else chunk
            if mode == "debug" and chunk["type"] != "checkpoint":
                continue
            for task in payload["tasks"]:
                state = task["state"]
                if state is not None:
                    ns = state["configurable"]["checkpoint_ns"]
                    assert ns == f"{task['name']}:{task['id']}", ns
                    ns = ns.replace(task["id"], "<task id>")
                    state = {**state["configurable"], "checkpoint_ns": ns}
                states.append((task["name"], state))
        return states

    assert ("sub", {"thread_id": "t", "checkpoint_ns": "sub:<task id>"}) in same(scenario)
