"""``RetryPolicy`` on both engines: what a user sees of a node that fails and is retried."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from .harness import Api, history, plain, same, thread

pytestmark = pytest.mark.langgraph


class Log(TypedDict):
    log: Annotated[list, operator.add]


def _flaky(errors: list[BaseException], calls: list[str], name: str):
    def node(state):
        calls.append(name)
        if errors:
            raise errors.pop(0)
        return {"log": [name]}

    return node


def test_a_flaky_node_is_retried_within_its_step():
    """Two connection errors, then success: same result, calls and history on both."""

    def scenario(api: Api):
        calls: list[str] = []
        policy = api.RetryPolicy(initial_interval=0, jitter=False)
        graph = (
            api.StateGraph(Log)
            .add_node("a", _flaky([], calls, "a"))
            .add_node(
                "b",
                _flaky([ConnectionError("x"), ConnectionError("y")], calls, "b"),
                retry_policy=policy,
            )
            .add_edge(api.START, "a")
            .add_edge("a", "b")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        return {
            "result": graph.invoke({"log": []}, config),
            "calls": calls,
            "history": history(graph, config),
        }

    assert same(scenario)["calls"] == ["a", "b", "b", "b"]


def test_attempts_run_out_and_the_error_reaches_the_caller():
    """``max_attempts=2``: two calls, the second error raised, the step left to run again."""

    def scenario(api: Api):
        calls: list[str] = []
        errors = [ConnectionError("first"), ConnectionError("second"), ConnectionError("third")]
        graph = (
            api.StateGraph(Log)
            .add_node(
                "n",
                _flaky(errors, calls, "n"),
                retry_policy=api.RetryPolicy(max_attempts=2, initial_interval=0, jitter=False),
            )
            .add_edge(api.START, "n")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        with pytest.raises(ConnectionError) as raised:
            graph.invoke({"log": []}, config)
        snapshot = graph.get_state(config)
        return {
            "error": str(raised.value),
            "calls": calls,
            "next": snapshot.next,
            "task_error": snapshot.tasks[0].error,
            "then": graph.invoke(None, config),
        }

    seen = same(scenario)
    assert seen["error"] == "second" and seen["then"] == {"log": ["n"]}


def test_programming_errors_are_not_retried_by_default():
    """The default ``retry_on`` lets a ``ValueError`` through at once."""

    def scenario(api: Api):
        calls: list[str] = []
        graph = (
            api.StateGraph(Log)
            .add_node(
                "n",
                _flaky([ValueError("bad")], calls, "n"),
                retry_policy=api.RetryPolicy(initial_interval=0),
            )
            .add_edge(api.START, "n")
            .compile()
        )
        with pytest.raises(ValueError):
            graph.invoke({"log": []})
        return calls

    assert same(scenario) == ["n"]


def test_an_answered_node_that_fails_is_retried_with_its_answer():
    """Interrupt, resume, fail once: the retry gets the same answer, nothing is asked again."""

    def scenario(api: Api):
        seen, failures = [], [ConnectionError("flaky")]

        def ask(state):
            answer = api.interrupt("go?")
            seen.append(answer)
            if failures:
                raise failures.pop()
            return {"log": [answer]}

        graph = (
            api.StateGraph(Log)
            .add_node("ask", ask, retry_policy=api.RetryPolicy(initial_interval=0, jitter=False))
            .add_edge(api.START, "ask")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        first = plain(graph.invoke({"log": []}, config))
        return {
            "first": first,
            "then": graph.invoke(api.Command(resume="yes"), config),
            "seen": seen,
        }

    assert same(scenario)["seen"] == ["yes", "yes"]
