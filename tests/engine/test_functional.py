"""Our Functional API's own guarantees: misuse is a precise error at the call that caused
it, task calls run in parallel without starving each other, nested tasks resume, and
interrupt ids are stable and distinct per task call."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from typing import TypedDict

import pytest

from hitl_notebook import (
    START,
    Command,
    InMemorySaver,
    ResumeError,
    StateGraph,
    entrypoint,
    interrupt,
    task,
)


def config(thread: str = "t") -> dict:
    return {"configurable": {"thread_id": thread}}


def test_a_task_called_outside_a_graph_says_so():
    """Calling a task as a plain function names the task and the way out."""

    @task
    def lonely(x: int) -> int:
        return x

    with pytest.raises(RuntimeError, match=r"Task 'lonely' was called outside a graph"):
        lonely(1)
    assert lonely.func(2) == 2


def test_an_unstorable_task_result_names_the_task_and_keeps_finished_tasks():
    """A task returning something the checkpoint cannot hold fails with its name; a task
    that finished before it is not run again when the thread continues."""
    runs: Counter = Counter()
    fixed = {"yes": False}

    @task
    def good() -> int:
        runs["good"] += 1
        return 1

    @task
    def bad() -> object:
        runs["bad"] += 1
        return 2 if fixed["yes"] else object()

    @entrypoint(checkpointer=InMemorySaver())
    def flow(_: str) -> int:
        return good().result() + bad().result()

    with pytest.raises(TypeError, match=r"Task 'bad' returned a value that cannot be stored"):
        flow.invoke("go", config())
    fixed["yes"] = True
    assert flow.invoke(None, config()) == 3
    assert runs == {"good": 1, "bad": 2}


def test_an_async_task_in_a_sync_entrypoint_is_refused():
    """A coroutine task cannot run from a sync body: the error says to make it async."""

    @task
    async def fetch() -> int:
        return 1

    @entrypoint(checkpointer=InMemorySaver())
    def flow(_: str) -> int:
        return fetch().result()

    with pytest.raises(TypeError, match=r"Task 'fetch' is an async function.*async entrypoint"):
        flow.invoke("go", config())


@pytest.mark.parametrize(
    ("define", "error", "message"),
    [
        (lambda: entrypoint()(42), TypeError, "named function"),
        (lambda: entrypoint()(_no_input), ValueError, "first positional parameter"),
        (lambda: entrypoint()(_generator), NotImplementedError, "is a generator"),
        (lambda: entrypoint(store=object()), NotImplementedError, "store"),
        (lambda: entrypoint(checkpointer="memory"), TypeError, "Invalid checkpointer"),
        (lambda: task(retry_policy=object()), NotImplementedError, "retry_policy"),
        (lambda: task(timeout=30), NotImplementedError, "timeout"),
    ],
)
def test_bad_definitions_fail_where_they_are_written(define, error, message):
    """Each malformed decorator use raises at definition time with what is wrong."""
    with pytest.raises(error, match=message):
        define()


def _no_input(*, previous=None):
    return previous


def _generator(x):
    yield x


def test_interrupt_without_a_checkpointer_names_the_fix():
    """An entrypoint without a checkpointer cannot pause: the error says how to add one."""

    @entrypoint()
    def flow(_: str) -> str:
        return interrupt("?")

    with pytest.raises(RuntimeError, match=r"needs a checkpointer"):
        flow.invoke("go")


def test_resume_with_nothing_pending_is_refused_and_history_unchanged():
    """Resuming a finished thread is a ResumeError and writes nothing."""

    @entrypoint(checkpointer=InMemorySaver())
    def flow(x: int) -> int:
        return x

    flow.invoke(1, config())
    before = [s.config for s in flow.get_state_history(config())]
    with pytest.raises(ResumeError, match="no pending interrupt"):
        flow.invoke(Command(resume="x"), config())
    assert [s.config for s in flow.get_state_history(config())] == before


def test_task_calls_run_in_parallel():
    """Two tasks that each wait for the other both finish: they run at the same time."""
    barrier = threading.Barrier(2, timeout=30)

    @task
    def meet(name: str) -> str:
        barrier.wait()
        return name

    @entrypoint(checkpointer=InMemorySaver())
    def flow(_: str) -> list:
        futures = [meet("a"), meet("b")]
        return [f.result() for f in futures]

    assert flow.invoke("go", config()) == ["a", "b"]


def test_tasks_waiting_on_tasks_do_not_starve_the_pool():
    """More tasks than worker threads, each waiting on a nested task, all finish: a
    waiting task runs the nested call itself when no worker has started it."""

    @task
    def leaf(i: int) -> int:
        return i * 2

    @task
    def branch(i: int) -> int:
        return leaf(i).result() + 1

    @entrypoint(checkpointer=InMemorySaver())
    def flow(n: int) -> int:
        return sum(f.result() for f in [branch(i) for i in range(n)])

    assert flow.invoke(80, config()) == sum(2 * i + 1 for i in range(80))


def test_nested_task_questions_resume_in_place():
    """A question asked by a task that another task called is answered by id; the outer
    tasks' finished siblings are not run again."""
    runs: Counter = Counter()

    @task
    def ask(q: str) -> str:
        runs[q] += 1
        return interrupt(q)

    @task
    def pair(tag: str) -> list:
        return [ask(f"{tag}-1").result(), ask(f"{tag}-2").result()]

    @entrypoint(checkpointer=InMemorySaver())
    def flow(_: str) -> list:
        return pair("x").result()

    out = flow.invoke("go", config())
    [first] = out["__interrupt__"]
    out = flow.invoke(Command(resume={first.id: "A"}), config())
    [second] = out["__interrupt__"]
    assert second.value == "x-2" and second.id != first.id
    assert flow.invoke(Command(resume="B"), config()) == ["A", "B"]
    assert runs == {"x-1": 2, "x-2": 2}


def test_interrupt_ids_are_stable_and_distinct_per_task_call():
    """The same task called twice asks two questions with different ids, and the ids are
    the same each time the body re-runs."""

    @task
    def ask(q: str) -> str:
        return interrupt(q)

    @entrypoint(checkpointer=InMemorySaver())
    def flow(_: str) -> list:
        futures = [ask("same"), ask("same")]
        return [f.result() for f in futures]

    ids = [i.id for i in flow.invoke("go", config())["__interrupt__"]]
    assert len(set(ids)) == 2
    assert [i.id for i in flow.invoke(None, config())["__interrupt__"]] == ids
    assert flow.invoke(Command(resume={ids[0]: 1, ids[1]: 2}), config()) == [1, 2]


def test_async_parallel_questions_and_a_failed_task():
    """In an async entrypoint, parallel task questions are all pending at once, and an
    error inside a task reaches the caller with its own type."""

    @task
    async def ask(i: int) -> int:
        return interrupt(i)

    @task
    async def broken() -> None:
        raise KeyError("missing")

    @entrypoint(checkpointer=InMemorySaver())
    async def flow(mode: str) -> list:
        if mode == "broken":
            await broken()
        return list(await asyncio.gather(ask(1), ask(2)))

    async def go() -> None:
        out = await flow.ainvoke("ask", config("a"))
        answers = {i.id: i.value * 10 for i in out["__interrupt__"]}
        assert sorted(answers.values()) == [10, 20]
        assert await flow.ainvoke(Command(resume=answers), config("a")) == [10, 20]
        with pytest.raises(KeyError, match="missing"):
            await flow.ainvoke("broken", config("b"))

    asyncio.run(go())


def test_answering_one_of_two_task_questions_runs_nothing_until_both_are_answered():
    """With two tasks waiting, the first answer is recorded and nothing re-runs (no
    repeated side effects); the second answer finishes the run, each task re-run once."""
    runs: Counter = Counter()

    @task
    def ask(q: str) -> str:
        runs[q] += 1
        return interrupt(q)

    @entrypoint(checkpointer=InMemorySaver())
    def flow(_: str) -> list:
        runs["body"] += 1
        futures = [ask("a"), ask("b")]
        return [f.result() for f in futures]

    questions = {i.value: i.id for i in flow.invoke("go", config())["__interrupt__"]}
    still = flow.invoke(Command(resume={questions["a"]: 1}), config())
    assert [i.value for i in still["__interrupt__"]] == ["b"]
    assert runs == {"body": 1, "a": 1, "b": 1}
    assert flow.invoke(Command(resume={questions["b"]: 2}), config()) == [1, 2]
    assert runs == {"body": 2, "a": 2, "b": 2}


def test_a_task_sees_the_callers_context_variables():
    """A task runs in a copy of its caller's context (as a thread started with it would),
    so a ``ContextVar`` set by the body is visible inside the task."""
    import contextvars

    who: contextvars.ContextVar[str] = contextvars.ContextVar("who", default="nobody")

    @task
    def greet() -> str:
        return f"hello {who.get()}"

    @entrypoint(checkpointer=InMemorySaver())
    def flow(name: str) -> list:
        who.set(name)
        futures = [greet(), greet()]
        return [f.result() for f in futures]

    assert flow.invoke("ada", config()) == ["hello ada", "hello ada"]


def test_a_sync_node_calls_a_task_under_a_running_event_loop():
    """A sync graph node calling a ``@task`` gets a future with ``.result()`` even when
    ``invoke`` is called from code running on an event loop (a Jupyter cell)."""

    class _S(TypedDict):
        out: int

    @task
    def double(x: int) -> int:
        return x * 2

    def node(state: _S) -> dict:
        return {"out": double(state["out"]).result()}

    builder = StateGraph(_S)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    graph = builder.compile()

    async def cell() -> dict:
        return graph.invoke({"out": 21})

    assert asyncio.run(cell()) == {"out": 42}
