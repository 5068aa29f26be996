"""A task that failed after its questions were answered, on both engines: what its
snapshot shows and where the next ``Command(resume=...)`` goes (found by fuzzing the
Functional API against LangGraph)."""

from __future__ import annotations

from typing import TypedDict

import pytest

from .harness import LANGGRAPH, OURS, Api, history, plain, same, state, thread

pytestmark = pytest.mark.langgraph


class _Log(TypedDict, total=False):
    log: list


def _asks_twice_then_fails_once(api: Api):
    failed: list = []

    def node(state: _Log) -> dict:
        first, second = api.interrupt("first?"), api.interrupt("second?")
        if not failed:
            failed.append(True)
            raise ValueError("boom")
        return {"log": [first, second]}

    builder = api.StateGraph(_Log).add_node("n", node).add_edge(api.START, "n")
    return builder.compile(checkpointer=api.InMemorySaver())


def test_a_node_that_failed_after_two_answers_shows_its_last_question():
    """After both questions were answered and the node raised, ``get_state`` and the
    history show the last question only (the one a new answer would be for)."""

    def scenario(api: Api) -> dict:
        graph, config = _asks_twice_then_fails_once(api), thread("t")
        graph.invoke({"log": []}, config)
        graph.invoke(api.Command(resume="a"), config)
        with pytest.raises(ValueError, match="boom"):
            graph.invoke(api.Command(resume="b"), config)
        snapshot = graph.get_state(config)
        return {
            "state": state(graph, config),
            "interrupts": plain(snapshot.interrupts),
            "history": history(graph, config),
        }

    assert same(scenario)["interrupts"] == ("second?",)


def test_one_answer_after_two_answered_questions_failed_is_accepted():
    """A single answer is accepted (no "several interrupts pending" error for questions
    that were answered); ours gives it to the last question, as the deliberate-differences
    table says of a node that raised after its answer."""

    def scenario(api: Api) -> dict:
        graph, config = _asks_twice_then_fails_once(api), thread("t")
        graph.invoke({"log": []}, config)
        graph.invoke(api.Command(resume="a"), config)
        with pytest.raises(ValueError):
            graph.invoke(api.Command(resume="b"), config)
        return graph.invoke(api.Command(resume="c"), config)

    assert scenario(LANGGRAPH) == {"log": ["a", "b"]}
    assert scenario(OURS) == {"log": ["a", "c"]}


def test_an_answer_after_a_task_failed_goes_to_the_bodys_next_question():
    """An entrypoint whose task asked, was answered, and then another task failed: the
    next ``Command(resume=...)`` answers the body's next question (nothing waits for it
    before), instead of raising that several interrupts are pending."""

    def scenario(api: Api) -> list:
        failed: list = []

        @api.task
        def ask(x: int) -> str:
            return f"ask:{api.interrupt(f'q{x}')}"

        @api.task
        def flaky(x: int) -> str:
            if not failed:
                failed.append(x)
                raise ValueError(f"boom {x}")
            return f"flaky{x}"

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: str) -> list:
            return [ask(1).result(), flaky(2).result(), api.interrupt("body")]

        config = thread("t")
        seen: list = [plain(flow.invoke("x", config))]
        with pytest.raises(ValueError, match="boom 2"):
            flow.invoke(api.Command(resume="a1"), config)
        seen.append(state(flow, config))
        seen.append(plain(flow.invoke(api.Command(resume="a2"), config)))
        seen.append(history(flow, config))
        return seen

    assert same(scenario)[2] == ["ask:a1", "flaky2", "a2"]


def test_an_answer_after_a_task_failed_after_its_answer_goes_to_the_body():
    """A task that asked, got its answer and then raised re-runs with that answer; the
    new answer goes to the body's next question, as LangGraph's does."""

    def scenario(api: Api) -> list:
        failed: list = []

        @api.task
        def check(x: int) -> str:
            answer = api.interrupt(f"check {x}?")
            if not failed:
                failed.append(x)
                raise ValueError(f"boom after {answer}")
            return f"checked {x}: {answer}"

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: str) -> list:
            return [check(1).result(), api.interrupt("body")]

        config = thread("t")
        seen: list = [plain(flow.invoke("x", config))]
        with pytest.raises(ValueError, match="boom after a0"):
            flow.invoke(api.Command(resume="a0"), config)
        seen.append(state(flow, config))
        seen.append(plain(flow.invoke(api.Command(resume="a1"), config)))
        return seen

    assert same(scenario)[2] == ["checked 1: a0", "a1"]


def test_an_answer_after_a_task_failed_after_its_answer_goes_to_the_next_task_that_asks():
    """The next question can be another ``@task`` call's: it takes the answer, and keeps
    it when it fails in turn and runs again."""

    def scenario(api: Api) -> list:
        failed: list = []

        @api.task
        def check(x: int) -> str:
            answer = api.interrupt(f"check {x}?")
            if x not in failed:
                failed.append(x)
                raise ValueError(f"boom after {answer}")
            return f"checked {x}: {answer}"

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: str) -> list:
            return [check(1).result(), check(2).result(), api.interrupt("body")]

        config = thread("t")
        seen: list = [plain(flow.invoke("x", config))]
        for answer in ("a0", "a1"):
            with pytest.raises(ValueError, match=f"boom after {answer}"):
                flow.invoke(api.Command(resume=answer), config)
            seen.append(state(flow, config))
        seen.append(plain(flow.invoke(api.Command(resume="a2"), config)))
        seen.append(history(flow, config))
        return seen

    assert same(scenario)[3] == ["checked 1: a0", "checked 2: a1", "a2"]


def test_one_answer_answers_one_question():
    """Deliberate difference: a node that failed after its first answer and runs again
    asks its second question; LangGraph hands the first answer to it too."""

    def scenario(api: Api) -> dict:
        failed: list = []

        def node(state: _Log) -> dict:
            first = api.interrupt("first?")
            if not failed:
                failed.append(True)
                raise ValueError("boom")
            return {"log": [first, api.interrupt("second?")]}

        builder = api.StateGraph(_Log).add_node("n", node).add_edge(api.START, "n")
        graph, config = builder.compile(checkpointer=api.InMemorySaver()), thread("t")
        graph.invoke({"log": []}, config)
        with pytest.raises(ValueError):
            graph.invoke(api.Command(resume="a1"), config)
        return plain(graph.invoke(None, config))

    assert scenario(LANGGRAPH) == {"log": ["a1", "a1"]}
    assert scenario(OURS) == {"log": [], "__interrupt__": ["second?"]}
