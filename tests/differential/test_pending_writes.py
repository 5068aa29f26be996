"""Pending writes in ``saver.list(config)`` on both engines: what a checkpoint records of
the step that runs from it, as code written for LangGraph's savers reads it.

Task ids differ by design (ours are derived from the checkpoint), so writes are compared
as ``(channel, value)`` pairs, in an order-free way: LangGraph stores them as tasks finish.
"""

from __future__ import annotations

import operator
import time
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, plain, same, thread

pytestmark = pytest.mark.langgraph


class Total(TypedDict):
    value: Annotated[int, operator.add]


def _listing(saver: Any, config: dict) -> list[dict]:
    """Each checkpoint, newest first: step, source, which nodes' ``versions_seen`` it
    keeps, and its pending writes without task ids."""
    return [
        {
            "step": t.metadata["step"],
            "source": t.metadata["source"],
            "seen_by": sorted(t.checkpoint["versions_seen"]),
            "writes": sorted(((c, _value(v)) for _, c, v in t.pending_writes), key=repr),
            "error_task_wrote": sorted(
                c
                for tid, c, _ in t.pending_writes
                if any(e[0] == tid and e[1] == "__error__" for e in t.pending_writes)
            ),
        }
        for t in saver.list(config)
    ]


def _value(value: Any) -> Any:
    """A written value, a ``Send`` (each engine has its class) as ``("Send", node, arg)``."""
    if type(value).__name__ == "Send":
        return ("Send", value.node, plain(value.arg))
    return plain(value)


def _tasks(graph: Any, config: dict) -> list:
    """Each history snapshot's tasks as ``(name, error, result)``."""
    return [
        [(t.name, t.error, plain(t.result)) for t in snapshot.tasks]
        for snapshot in graph.get_state_history(config)
    ]


def _failing_then_fixed(api: Api, durability: str) -> dict:
    """``START -> (one, two)``; ``two`` fails (retried once), fails again on resume, then
    succeeds on a third run."""

    class Node:
        def __init__(self, result: Any) -> None:
            self.result = result

        def __call__(self, state: Total) -> Any:
            if isinstance(self.result, Exception):
                time.sleep(0.05)  # after its sibling finished: LangGraph keeps that write
                raise self.result
            return self.result

    two = Node(ConnectionError("not good"))
    saver = api.InMemorySaver()
    policy = api.RetryPolicy(max_attempts=2, initial_interval=0, jitter=False)
    graph = (
        api.StateGraph(Total)
        .add_node("one", Node({"value": 2}))
        .add_node("two", two, retry_policy=policy)
        .add_edge(api.START, "one")
        .add_edge(api.START, "two")
        .compile(checkpointer=saver)
    )
    config = thread("t")
    seen: dict = {}
    for turn, given in enumerate(({"value": 1}, None)):
        with pytest.raises(ConnectionError):
            graph.invoke(given, config, durability=durability)
        seen[f"failed {turn}"] = _listing(saver, config)
    two.result = {"value": 3}
    seen["result"] = graph.invoke(None, config, durability=durability)
    seen["fixed"] = _listing(saver, config)
    seen["history"] = _tasks(graph, config)
    return seen


@pytest.mark.parametrize("durability", ["sync", "async", "exit"])
def test_a_task_that_failed_then_succeeded_keeps_its_error(durability):
    """The failed task's error stays among the step's pending writes beside the writes of
    its later success (history shows both), and the step after the resume records what
    the resumed run saw (``versions_seen["__interrupt__"]``)."""
    seen = same(lambda api: _failing_then_fixed(api, durability))
    assert seen["result"] == {"value": 6}


def test_the_input_checkpoint_records_the_start_tasks_writes():
    """The input checkpoint's pending writes are its ``__start__`` task's: the input's
    keys and the trigger of each node it starts (a ``Send`` from ``START`` too)."""

    class Doc(TypedDict, total=False):
        topic: str
        log: Annotated[list, operator.add]

    def scenario(api: Api) -> list:
        saver = api.InMemorySaver()
        graph = (
            api.StateGraph(Doc)
            .add_node("a", lambda s: {"log": ["a"]})
            .add_node("b", lambda s: {"log": ["b"]})
            .add_node("c", lambda s: {"log": ["c"]})
            .add_edge(api.START, "a")
            .add_conditional_edges(api.START, lambda s: ["b", api.Send("c", {"topic": "s"})])
            .compile(checkpointer=saver)
        )
        config = thread("t")
        graph.invoke({"topic": "x", "log": []}, config)
        graph.invoke({"log": ["again"]}, config)
        # (``versions_seen`` of a ``Send`` task is another matter: only the writes here)
        return [{k: t[k] for k in ("step", "source", "writes")} for t in _listing(saver, config)]

    same(scenario)


def test_an_interrupt_written_with_put_writes_is_the_tasks_question():
    """An ``__interrupt__`` write stored through ``put_writes`` replaces the task's
    unanswered question (one such write per task, as LangGraph keeps it): ``get_state``
    shows it and a resume keyed by its id answers the node's next ``interrupt()``, even
    when the id is the one its first, answered question had (a saver from before ids
    were per call)."""

    class Log(TypedDict, total=False):
        log: Annotated[list[str], operator.add]

    def scenario(api: Api) -> dict:
        def ask_twice(state: Log) -> dict:
            return {"log": [f"{api.interrupt('first?')},{api.interrupt('second?')}"]}

        saver = api.InMemorySaver()
        graph = (
            api.StateGraph(Log)
            .add_node("ask", ask_twice)
            .add_edge(api.START, "ask")
            .compile(checkpointer=saver)
        )
        config = thread("t")
        graph.invoke({"log": []}, config)
        (card,) = graph.get_state(config).interrupts
        graph.invoke(api.Command(resume={card.id: "1"}), config)
        state = graph.get_state(config)
        question = api.Interrupt(value="second, again?", id=card.id)
        saver.put_writes(state.config, [("__interrupt__", (question,))], state.tasks[0].id)
        asked = graph.get_state(config).interrupts
        return {
            "asked": [(plain(q), q.id == card.id) for q in asked],
            "result": graph.invoke(api.Command(resume={card.id: "2"}), config),
        }

    assert same(scenario)["result"] == {"log": ["1,2"]}


@pytest.mark.parametrize("asks_in", ["node", "routing"])
def test_a_task_that_failed_then_asked_keeps_its_error(asks_in):
    """A task that raised, then asked a question when run again (in its body or in its
    conditional edge), shows both in ``get_state`` and in history, before and after the
    answer."""

    class Log(TypedDict, total=False):
        log: Annotated[list, operator.add]

    def scenario(api: Api) -> list:
        failed: list[bool] = []

        def flaky(state: Log) -> dict:
            if not failed:
                failed.append(True)
                raise ValueError("boom")
            if asks_in == "node":
                return {"log": ["flaky:" + api.interrupt("q")]}
            return {"log": ["flaky"]}

        builder = api.StateGraph(Log)
        builder.add_node("flaky", flaky)
        builder.add_node("after", lambda s: {"log": ["after"]})
        builder.add_edge(api.START, "flaky")
        if asks_in == "routing":
            builder.add_conditional_edges(
                "flaky", lambda s: "after" if api.interrupt("route?") else api.END
            )
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        with pytest.raises(ValueError, match="boom"):
            graph.invoke({"log": []}, config)

        def tasks() -> list:
            return [
                [(t.name, type(t.error).__name__, plain(t.interrupts)) for t in s.tasks]
                for s in graph.get_state_history(config)
            ]

        paused = plain(graph.invoke(None, config))
        seen = [paused, tasks()]
        seen += [plain(graph.invoke(api.Command(resume="yes"), config)), tasks()]
        return seen

    same(scenario)


def test_a_task_that_failed_after_its_answer_then_asked_shows_the_new_question():
    """A node answered, raised, then (run again with ``invoke(None)``) got through and its
    conditional edge asked: ``get_state`` shows the routing question, not the
    answered one, beside the kept error."""

    class Log(TypedDict, total=False):
        log: Annotated[list, operator.add]

    def scenario(api: Api) -> list:
        runs: list[bool] = []

        def flaky(state: Log) -> dict:
            answer = api.interrupt("q")
            runs.append(True)
            if len(runs) == 1:
                raise ValueError("boom")
            return {"log": [f"flaky:{answer}"]}

        builder = api.StateGraph(Log)
        builder.add_node("flaky", flaky)
        builder.add_node("after", lambda s: {"log": ["after"]})
        builder.add_edge(api.START, "flaky")
        builder.add_conditional_edges(
            "flaky", lambda s: "after" if api.interrupt("route?") else api.END
        )
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        graph.invoke({"log": []}, config, durability="exit")
        with pytest.raises(ValueError, match="boom"):
            graph.invoke(api.Command(resume="yes"), config, durability="exit")
        seen = [plain(graph.invoke(None, config, durability="exit"))]
        snapshot = graph.get_state(config)
        seen.append([(t.name, type(t.error).__name__, plain(t.interrupts)) for t in snapshot.tasks])
        seen.append(plain(graph.invoke(api.Command(resume="go"), config)))
        return seen

    same(scenario)
