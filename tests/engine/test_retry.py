"""``RetryPolicy``: a failing node runs again within its step, as its policy says; pauses
and rejected answers are never retried, and a graph without policies is unchanged."""

from __future__ import annotations

import asyncio

import pytest

from hitl_notebook import START, Command, InMemorySaver, RetryPolicy, StateGraph, interrupt
from hitl_notebook.engine import retry as retry_module
from hitl_notebook.types import default_retry_on

from .helpers import Vals

CFG = {"configurable": {"thread_id": "t"}}
NOW = RetryPolicy(initial_interval=0, jitter=False)


class Flaky:
    """Raises the given errors one per call, then returns ``{"vals": [name]}``."""

    def __init__(self, name: str, *errors: BaseException) -> None:
        self.name, self.errors, self.calls = name, list(errors), 0

    def __call__(self, state):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return {"vals": [self.name]}


def _one_node(fn, checkpointer=None, **node_options):
    return (
        StateGraph(Vals)
        .add_node("n", fn, **node_options)
        .add_edge(START, "n")
        .compile(checkpointer=checkpointer)
    )


def test_defaults_are_langgraphs():
    """The fields and defaults are LangGraph's."""
    assert RetryPolicy() == (0.5, 2.0, 128.0, 3, True, default_retry_on)
    assert RetryPolicy._fields == (
        "initial_interval",
        "backoff_factor",
        "max_interval",
        "max_attempts",
        "jitter",
        "retry_on",
    )


def test_a_transient_failure_is_retried_in_the_same_step():
    """Two connection errors then success: three calls, one step, one result."""
    node = Flaky("n", ConnectionError("down"), ConnectionError("down"))
    graph = _one_node(node, InMemorySaver(), retry_policy=NOW)
    assert graph.invoke({"vals": []}, CFG) == {"vals": ["n"]}
    assert node.calls == 3
    assert [s.metadata["step"] for s in graph.get_state_history(CFG)] == [1, 0, -1]


def test_the_last_error_is_raised_after_max_attempts():
    """After ``max_attempts`` calls the error of the last one reaches the caller, and the
    thread keeps the failed step to run again."""
    node = Flaky("n", *[ConnectionError(f"down {i}") for i in range(5)])
    graph = _one_node(
        node,
        InMemorySaver(),
        retry_policy=RetryPolicy(max_attempts=2, initial_interval=0, jitter=False),
    )
    with pytest.raises(ConnectionError, match="down 1"):
        graph.invoke({"vals": []}, CFG)
    assert node.calls == 2
    state = graph.get_state(CFG)
    assert state.next == ("n",) and "down 1" in state.tasks[0].error


def test_default_retry_on_skips_programming_errors():
    """``ValueError``, ``KeyError``, ``TypeError``... fail at once; other errors are retried."""
    assert default_retry_on(ConnectionError()) and default_retry_on(TimeoutError()) is False
    assert not default_retry_on(ValueError()) and not default_retry_on(KeyError("k"))

    class ServiceError(Exception):
        pass

    assert default_retry_on(ServiceError())
    node = Flaky("n", ValueError("bad input"))
    with pytest.raises(ValueError):
        _one_node(node, retry_policy=NOW).invoke({"vals": []})
    assert node.calls == 1


def test_http_5xx_is_retried_and_4xx_is_not():
    """An ``httpx.HTTPStatusError`` is retried only for server errors."""
    httpx = pytest.importorskip("httpx")
    request = httpx.Request("GET", "http://example.invalid")

    def error(status):
        return httpx.HTTPStatusError(
            "x", request=request, response=httpx.Response(status, request=request)
        )

    assert default_retry_on(error(503)) and not default_retry_on(error(404))


@pytest.mark.parametrize(
    "retry_on",
    [KeyError, (KeyError, IndexError), lambda exc: isinstance(exc, KeyError)],
    ids=["class", "tuple", "predicate"],
)
def test_retry_on_forms(retry_on):
    """``retry_on`` is an exception class, a sequence of them, or a predicate."""
    node = Flaky("n", KeyError("k"))
    assert _one_node(node, retry_policy=NOW._replace(retry_on=retry_on)).invoke({"vals": []}) == {
        "vals": ["n"]
    }
    other = Flaky("n", ZeroDivisionError())
    with pytest.raises(ZeroDivisionError):
        _one_node(other, retry_policy=NOW._replace(retry_on=retry_on)).invoke({"vals": []})
    assert other.calls == 1


def test_the_first_matching_policy_of_a_sequence_applies():
    """With several policies, an error uses the first whose ``retry_on`` accepts it."""
    policies = [
        NOW._replace(retry_on=KeyError, max_attempts=2),
        NOW._replace(retry_on=Exception, max_attempts=4),
    ]
    keys = Flaky("n", *[KeyError(i) for i in range(9)])
    with pytest.raises(KeyError):
        _one_node(keys, retry_policy=policies).invoke({"vals": []})
    assert keys.calls == 2
    others = Flaky("n", *[ValueError(i) for i in range(9)])
    with pytest.raises(ValueError):
        _one_node(others, retry_policy=policies).invoke({"vals": []})
    assert others.calls == 4


def test_waits_back_off_up_to_max_interval(monkeypatch):
    """Waits grow by ``backoff_factor`` from ``initial_interval`` and stop at ``max_interval``."""
    waited = []
    monkeypatch.setattr(retry_module.time, "sleep", waited.append)
    node = Flaky("n", *[ConnectionError() for _ in range(4)])
    policy = RetryPolicy(
        initial_interval=1.0, backoff_factor=3.0, max_interval=5.0, max_attempts=5, jitter=False
    )
    assert _one_node(node, retry_policy=policy).invoke({"vals": []}) == {"vals": ["n"]}
    assert waited == [1.0, 3.0, 5.0, 5.0]


def test_jitter_adds_up_to_a_second():
    """With ``jitter`` each wait is the backoff plus a random 0-1 s."""
    waits = [retry_module.wait_seconds(RetryPolicy(initial_interval=2.0), 1) for _ in range(50)]
    assert all(2.0 <= w <= 3.0 for w in waits) and len(set(waits)) > 1


def test_an_interrupt_is_never_retried():
    """``interrupt()`` pauses the thread; the node is not called again by the policy."""
    calls = []

    def ask(state):
        calls.append(1)
        return {"vals": [interrupt("ok?")]}

    graph = _one_node(ask, InMemorySaver(), retry_policy=NOW._replace(retry_on=BaseException))
    assert graph.invoke({"vals": []}, CFG)["__interrupt__"][0].value == "ok?"
    assert len(calls) == 1


def test_a_retry_reuses_the_answers_the_node_already_had():
    """Failing after its answer, the node is retried with the same answer, not asked again."""
    asked, failures = [], [ConnectionError("flaky")]

    def ask(state):
        answer = interrupt("delete?")
        asked.append(answer)
        if failures:
            raise failures.pop()
        return {"vals": [answer]}

    graph = _one_node(ask, InMemorySaver(), retry_policy=NOW)
    graph.invoke({"vals": []}, CFG)
    assert graph.invoke(Command(resume="yes"), CFG) == {"vals": ["yes"]}
    assert asked == ["yes", "yes"]


def test_two_interrupts_count_from_the_first_again_on_retry():
    """A node with two questions, failing after both answers, gets both answers again."""
    failures = [ConnectionError()]

    def ask(state):
        first, second = interrupt("one?"), interrupt("two?")
        if failures:
            raise failures.pop()
        return {"vals": [first, second]}

    graph = _one_node(ask, InMemorySaver(), retry_policy=NOW)
    graph.invoke({"vals": []}, CFG)
    graph.invoke(Command(resume="1"), CFG)
    assert graph.invoke(Command(resume="2"), CFG) == {"vals": ["1", "2"]}


def test_only_the_failing_task_of_a_parallel_step_is_retried():
    """Its sibling runs once; the step applies both writes."""
    steady, flaky = Flaky("a"), Flaky("b", ConnectionError())
    graph = (
        StateGraph(Vals)
        .add_node("a", steady)
        .add_node("b", flaky, retry_policy=NOW)
        .add_edge(START, "a")
        .add_edge(START, "b")
        .compile()
    )
    assert graph.invoke({"vals": []}) == {"vals": ["a", "b"]}
    assert (steady.calls, flaky.calls) == (1, 2)


def test_a_subgraph_node_is_retried():
    """A compiled graph as a node is retried as a whole."""
    inner_node = Flaky("inner", ConnectionError())
    inner = StateGraph(Vals).add_node("inner", inner_node).add_edge(START, "inner").compile()
    graph = (
        StateGraph(Vals)
        .add_node("sub", inner, retry_policy=NOW)
        .add_edge(START, "sub")
        .compile(checkpointer=InMemorySaver())
    )
    assert graph.invoke({"vals": []}, CFG) == {"vals": ["inner"]}
    assert inner_node.calls == 2


def test_async_nodes_are_retried_without_blocking_the_loop():
    """``ainvoke``: an async node is retried with ``asyncio.sleep`` between attempts."""
    calls = []

    async def flaky(state):
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError()
        return {"vals": ["done"]}

    graph = _one_node(flaky, retry_policy=NOW._replace(initial_interval=0.01))
    assert asyncio.run(graph.ainvoke({"vals": []})) == {"vals": ["done"]}
    assert len(calls) == 3


def test_sync_nodes_are_retried_under_ainvoke():
    """A sync node run by ``ainvoke`` (in a worker thread) is retried as well."""
    node = Flaky("n", ConnectionError())
    assert asyncio.run(_one_node(node, retry_policy=NOW).ainvoke({"vals": []})) == {"vals": ["n"]}
    assert node.calls == 2


def test_set_node_defaults_gives_nodes_without_a_policy_one():
    """``set_node_defaults(retry_policy=...)`` applies at compile time; a node's own wins."""
    a = Flaky("a", *[ConnectionError() for _ in range(9)])
    b = Flaky("b", *[ConnectionError() for _ in range(9)])
    builder = (
        StateGraph(Vals)
        .set_node_defaults(retry_policy=NOW._replace(max_attempts=4))
        .add_node("a", a)
        .add_node("b", b, retry_policy=NOW._replace(max_attempts=2))
        .add_edge(START, "a")
        .add_edge(START, "b")
    )
    with pytest.raises(ConnectionError):
        builder.compile().invoke({"vals": []})
    assert (a.calls, b.calls) == (4, 2)


def test_without_a_policy_a_failure_is_not_retried():
    """The default: one call, the error at once."""
    node = Flaky("n", ConnectionError())
    with pytest.raises(ConnectionError):
        _one_node(node).invoke({"vals": []})
    assert node.calls == 1


def test_a_retry_policy_that_is_not_one_is_refused():
    """``add_node(retry_policy=3)`` fails at the call, naming the node."""
    with pytest.raises(TypeError, match="add_node\\('n'\\): retry_policy must be a RetryPolicy"):
        StateGraph(Vals).add_node("n", lambda s: {}, retry_policy=3)
