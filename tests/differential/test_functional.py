"""The Functional API (``@entrypoint``/``@task``) looks the same on both engines: task
futures, ``interrupt()`` in the body or in a task, resumes, ``previous`` and
``entrypoint.final``, sync and async, the stream modes, state, history, update, replay, fork."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import TypedDict

import pytest

from .harness import Api, assert_same, both, history, observe, plain, same, state, thread

pytestmark = pytest.mark.langgraph


def test_tasks_then_a_question_then_resume():
    """Two parallel tasks, then a question in the body: the resume re-runs the body from the
    top, and the finished tasks' results come from the checkpoint (they run once)."""
    runs: Counter = Counter()

    def scenario(api: Api) -> dict:
        runs.clear()

        @api.task
        def draft(topic: str) -> str:
            runs["draft"] += 1
            return f"draft on {topic}"

        @api.task
        def title(topic: str) -> str:
            runs["title"] += 1
            return topic.title()

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def write(topic: str) -> dict:
            runs["body"] += 1
            text, heading = draft(topic), title(topic)
            verdict = api.interrupt({"review": text.result(), "title": heading.result()})
            return {"text": text.result(), "verdict": verdict}

        seen = observe(write, ["green tea", api.Command(resume="ok")])
        return {**seen, "runs": dict(runs)}

    seen = same(scenario)
    assert seen["invoke"][0] == {
        "__interrupt__": [{"review": "draft on green tea", "title": "Green Tea"}]
    }
    assert seen["invoke"][1] == {"text": "draft on green tea", "verdict": "ok"}
    assert seen["runs"] == {"draft": 3, "title": 3, "body": 6}  # 3 threads observed


def test_question_inside_a_task():
    """A task's ``interrupt()`` pauses the whole entrypoint; on resume the task gets the
    answer and the tasks before it are not run again."""
    runs: Counter = Counter()

    def scenario(api: Api) -> dict:
        runs.clear()

        @api.task
        def fetch(n: int) -> list:
            runs["fetch"] += 1
            return list(range(n))

        @api.task
        def approve(items: list) -> bool:
            runs["approve"] += 1
            return api.interrupt({"approve": items}) == "yes"

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(n: int) -> dict:
            items = fetch(n).result()
            return {"items": items, "approved": approve(items).result()}

        seen = observe(flow, [3, api.Command(resume="yes")])
        return {**seen, "runs": dict(runs)}

    seen = same(scenario)
    assert seen["invoke"][1] == {"items": [0, 1, 2], "approved": True}
    assert seen["runs"] == {"fetch": 3, "approve": 6}


def test_several_questions_in_one_entrypoint():
    """The n-th ``interrupt()`` of the body returns the n-th answer."""

    def scenario(api: Api) -> dict:
        @api.entrypoint(checkpointer=api.InMemorySaver())
        def survey(who: str) -> str:
            name = api.interrupt(f"{who}: your name?")
            age = api.interrupt(f"{name}: your age?")
            return f"{name} is {age}"

        return observe(survey, ["guest", api.Command(resume="Ada"), api.Command(resume=36)])

    seen = same(scenario)
    assert seen["invoke"] == [
        {"__interrupt__": ["guest: your name?"]},
        {"__interrupt__": ["Ada: your age?"]},
        "Ada is 36",
    ]


def test_parallel_tasks_that_each_ask():
    """Parallel tasks that each ask: answering whatever is pending by interrupt id until the
    entrypoint returns gives each task its own answer on both engines. (Ours pauses with
    every question at once; LangGraph's first pause shows one or both, by timing.)"""

    def scenario(api: Api) -> dict:
        @api.task
        def ask(i: int) -> str:
            return api.interrupt(f"question {i}")

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def poll(n: int) -> list:
            futures = [ask(i) for i in range(n)]
            return [f.result() for f in futures]

        config = thread("p")
        out = poll.invoke(3, config)
        first = sorted(plain(out["__interrupt__"]))
        while isinstance(out, dict) and "__interrupt__" in out:
            answers = {i.id: f"answer to {i.value}" for i in out["__interrupt__"]}
            out = poll.invoke(api.Command(resume=answers), config)
        return {"out": out, "first": first}

    reference, ours = both(scenario)
    assert_same(reference["out"], ours["out"])
    assert ours["out"] == ["answer to question 0", "answer to question 1", "answer to question 2"]
    assert ours["first"] == ["question 0", "question 1", "question 2"]
    assert "question 0" in reference["first"]


def test_previous_and_final():
    """``previous`` is what the last run on the thread saved: its return value, or the
    ``save`` of ``entrypoint.final``; ``update_state`` sets both."""

    def scenario(api: Api) -> dict:
        @api.entrypoint(checkpointer=api.InMemorySaver())
        def tally(x: int, *, previous: int | None = None):
            total = (previous or 0) + x
            return api.entrypoint.final(value=total, save=total * 10)

        config = thread("tally")
        outputs = [tally.invoke(1, config), tally.invoke(2, config)]
        tally.update_state(config, 100)
        outputs.append(tally.invoke(5, config))
        return {
            "outputs": outputs,
            "state": state(tally, config),
            "history": history(tally, config),
        }

    seen = same(scenario)
    assert seen["outputs"] == [1, 12, 105]


def test_stream_modes():
    """``updates`` shows each task's result and the entrypoint's return, ``values`` the
    return value, ``custom`` what the body and tasks write."""

    def scenario(api: Api) -> list:
        @api.task
        def double(x: int) -> int:
            api.get_stream_writer()({"doubling": x})
            return 2 * x

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: int, *, writer) -> int:
            writer({"start": x})
            once = double(x).result()
            return double(once).result()

        config = thread("s")
        modes = ["custom", "updates", "values"]
        return [plain(chunk) for chunk in flow.stream(3, config, stream_mode=modes)]

    seen = same(scenario)
    assert seen == [
        ("custom", {"start": 3}),
        ("custom", {"doubling": 3}),
        ("updates", {"double": 6}),
        ("custom", {"doubling": 6}),
        ("updates", {"double": 12}),
        ("updates", {"flow": 12}),
        ("values", 12),
    ]


def test_tasks_stream_shows_each_task_call():
    """``stream_mode="tasks"`` shows the entrypoint's task (its input, triggered by the
    run's start) and each ``@task`` call starting (args, kwargs) and returning."""

    def scenario(api: Api) -> list:
        @api.task
        def double(x: int) -> int:
            return 2 * x

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: int) -> int:
            return double(x).result() + api.interrupt("add?")

        config = thread("t")
        chunks = list(flow.stream(3, config, stream_mode="tasks"))
        chunks += list(flow.stream(api.Command(resume=1), config, stream_mode="tasks"))
        return [plain(_without_ids(c)) for c in chunks]

    seen = same(scenario)
    assert {"name": "double", "input": ((3,), {}), "triggers": ("__pregel_push",)} in seen
    assert {"name": "flow", "input": 3, "triggers": ("__start__",)} in seen


def test_async_entrypoint():
    """An async entrypoint awaits async and sync tasks; ``ainvoke``/``astream`` pause and
    resume it like the sync one, and finished tasks are not run again."""
    runs: Counter = Counter()

    def scenario(api: Api) -> dict:
        runs.clear()

        @api.task
        async def fetch(x: int) -> int:
            runs["fetch"] += 1
            return x + 1

        @api.task
        def check(x: int) -> bool:
            runs["check"] += 1
            return x > 1

        @api.entrypoint(checkpointer=api.InMemorySaver())
        async def flow(x: int) -> dict:
            a, b = await asyncio.gather(fetch(x), fetch(x + 10))
            ok = await check(a)
            answer = api.interrupt({"a": a, "b": b, "ok": ok})
            return {"sum": a + b, "answer": answer}

        async def go() -> dict:
            config, streamed = thread("a"), thread("b")
            outputs = [await flow.ainvoke(1, config)]
            outputs.append(await flow.ainvoke(api.Command(resume="yes"), config))
            chunks = [plain(c) async for c in flow.astream(1, streamed)]
            chunks += [plain(c) async for c in flow.astream(api.Command(resume="no"), streamed)]
            return {
                "outputs": plain(outputs),
                "chunks": sorted(map(repr, chunks)),
                "state": state(flow, config),
                "history": history(flow, config),
            }

        return {**asyncio.run(go()), "runs": dict(runs)}

    seen = same(scenario)
    assert seen["outputs"][1] == {"sum": 14, "answer": "yes"}
    assert seen["runs"] == {"fetch": 4, "check": 2}


def test_update_state_while_paused():
    """``update_state`` on a paused entrypoint writes its value as if it had returned it: the
    pending question is dropped and the next run sees it as ``previous``."""

    def scenario(api: Api) -> dict:
        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: str, *, previous=None) -> dict:
            answer = api.interrupt(f"{x}?")
            return {"x": x, "answer": answer, "previous": previous}

        config = thread("u")
        first = plain(flow.invoke("a", config))
        flow.update_state(config, {"edited": True})
        after = state(flow, config)
        second = plain(flow.invoke("b", config))
        third = plain(flow.invoke(api.Command(resume="B"), config))
        return {
            "first": first,
            "after": after,
            "second": second,
            "third": third,
            "history": history(flow, config),
        }

    seen = same(scenario)
    assert seen["third"] == {"x": "b", "answer": "B", "previous": {"edited": True}}


def test_replay_and_fork():
    """Replaying a past input checkpoint re-runs the body from there; a fork made with
    ``update_state`` on a past checkpoint changes what the next run reads as ``previous``."""
    runs: Counter = Counter()

    def scenario(api: Api) -> dict:
        runs.clear()

        @api.task
        def step(x: int) -> int:
            runs["step"] += 1
            return x * 2

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def acc(x: int, *, previous: int | None = None) -> int:
            return (previous or 0) + step(x).result()

        config = thread("r")
        for x in (1, 2, 3):
            acc.invoke(x, config)
        past = list(acc.get_state_history(config))
        second_input = next(
            s for s in past if s.metadata["source"] == "input" and s.metadata["step"] == 1
        )
        replayed = acc.invoke(None, second_input.config)
        after_first = next(
            s for s in past if s.metadata["source"] == "loop" and s.metadata["step"] == 0
        )
        fork = acc.update_state(after_first.config, 100)
        forked = acc.invoke(10, fork)
        return {
            "replayed": replayed,
            "forked": forked,
            "state": state(acc, config),
            "history": history(acc, config),
            "runs": dict(runs),
        }

    seen = same(scenario)
    assert seen["replayed"] == 2 + 4  # previous 2 (after run 1) plus step(2)
    assert seen["forked"] == 120


def test_a_failed_body_keeps_its_finished_tasks():
    """When the body fails after a task finished, continuing the thread re-runs the body
    but not the task."""
    runs: Counter = Counter()

    def scenario(api: Api) -> dict:
        runs.clear()
        flaky = {"fail": True}

        @api.task
        def slow(x: int) -> int:
            runs["slow"] += 1
            return x + 1

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: int) -> int:
            y = slow(x).result()
            if flaky["fail"]:
                raise ValueError("boom")
            return y

        config = thread("f")
        with pytest.raises(ValueError, match="boom"):
            flow.invoke(1, config)
        flaky["fail"] = False
        out = flow.invoke(None, config)
        return {"out": out, "runs": dict(runs), "state": state(flow, config)}

    seen = same(scenario)
    assert seen == {"out": 2, "runs": {"slow": 1}, "state": seen["state"]}


def test_another_task_at_the_same_position_on_resume_runs():
    """A body that calls a different task where a finished one was (a decision that
    changed between runs) runs the new task instead of reusing the other's result."""

    def scenario(api: Api) -> dict:
        order = {"first": "a"}

        @api.task
        def a() -> str:
            return "a"

        @api.task
        def b() -> str:
            return "b"

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(_: str) -> str:
            first = (a if order["first"] == "a" else b)().result()
            return first + api.interrupt("more?")

        flow.invoke("go", thread("o"))
        order["first"] = "b"
        return {"out": flow.invoke(api.Command(resume="!"), thread("o"))}

    assert same(scenario) == {"out": "b!"}


def test_observations_differ_when_the_answer_differs():
    """The harness can tell the engines apart: a scenario that depends on which engine runs
    it is reported as a difference (so the comparisons above can fail)."""

    def scenario(api: Api) -> str:
        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: str) -> str:
            return f"{x} on {api.name}"

        return flow.invoke("run", thread("d"))

    reference, ours = both(scenario)
    with pytest.raises(AssertionError, match="differ"):
        assert_same(reference, ours)


def _without_ids(chunk: dict) -> dict:
    """A ``tasks`` chunk without task and interrupt ids (they differ by design)."""
    out = {k: v for k, v in chunk.items() if k != "id"}
    if "interrupts" in out:
        out["interrupts"] = [{k: v for k, v in i.items() if k != "id"} for i in out["interrupts"]]
    return out


def test_task_called_from_a_graph_node_runs_once_across_a_resume():
    """A ``@task`` called from a ``StateGraph`` node: its result reaches the node, and when
    the node asks a question afterwards the resumed node gets the stored result."""
    runs: Counter = Counter()

    class _S(TypedDict):
        out: str

    def scenario(api: Api) -> dict:
        runs.clear()

        @api.task
        def shout(text: str) -> str:
            runs["shout"] += 1
            return text.upper()

        def node(state: _S) -> dict:
            loud = shout(state["out"]).result()
            answer = api.interrupt(f"keep {loud}?")
            return {"out": f"{loud}:{answer}"}

        builder = api.StateGraph(_S)
        builder.add_node("node", node)
        builder.add_edge(api.START, "node")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("node-task")
        first = plain(graph.invoke({"out": "hi"}, config))
        second = graph.invoke(api.Command(resume="yes"), config)
        return {"first": first, "second": second, "runs": dict(runs)}

    assert same(scenario) == {
        "first": {"out": "hi", "__interrupt__": ["keep HI?"]},
        "second": {"out": "HI:yes"},
        "runs": {"shout": 1},
    }


def test_a_task_call_that_asks_has_no_result_event():
    """On ``tasks`` and ``debug``, a ``@task`` call that paused on ``interrupt()`` shows its
    start only: its question is in the entrypoint's result event (a failed call does show
    a result, with its error)."""

    def scenario(api: Api) -> dict:
        @api.task
        def ask(x: int) -> str:
            return api.interrupt(f"q{x}")

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: str) -> str:
            return ask(1).result()

        tasks = [
            (c["name"], "result" in c, plain([i["value"] for i in c.get("interrupts", [])]))
            for c in flow.stream("x", thread("t"), stream_mode="tasks")
        ]
        debug = [
            (c["type"], c["payload"].get("name"))
            for c in flow.stream("x", thread("d"), stream_mode="debug")
        ]
        return {"tasks": tasks, "debug": debug}

    seen = same(scenario)
    assert seen["tasks"] == [("flow", False, []), ("ask", False, []), ("flow", True, ["q1"])]
