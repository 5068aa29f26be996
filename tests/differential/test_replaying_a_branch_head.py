"""Replaying, by its ``checkpoint_id``, a thread's head that is already a branch of its
own (a fork made by an earlier replay, or an edit) re-runs its step from scratch on both
engines: the answers given there are dropped and its questions are asked again (found by
fuzzing the Functional API against LangGraph)."""

from __future__ import annotations

from typing import TypedDict

import pytest

from .harness import LANGGRAPH, OURS, Api, history, plain, same, state, thread

pytestmark = pytest.mark.langgraph


class _Log(TypedDict, total=False):
    log: list


def _replay_answer_replay(graph, api: Api, first_input) -> dict:
    config = thread("t")
    seen = [plain(graph.invoke(first_input, config))]
    seen.append(plain(graph.invoke(None, graph.get_state(config).config)))  # head is a fork now
    seen.append(plain(graph.invoke(api.Command(resume="a1"), config)))
    seen.append(plain(graph.invoke(None, graph.get_state(config).config)))  # replay that fork
    return {"seen": seen, "state": state(graph, config), "history": history(graph, config)}


def _node_that_asks_twice(api: Api):
    def node(state: _Log) -> dict:
        return {"log": [api.interrupt("q1"), api.interrupt("q2")]}

    builder = api.StateGraph(_Log).add_node("n", node).add_edge(api.START, "n")
    return builder.compile(checkpointer=api.InMemorySaver())


def test_replaying_a_forked_head_asks_a_graph_nodes_questions_again():
    """A node that asked twice, answered once on a fork: replaying the fork asks the first
    question again instead of continuing with the answer."""

    def scenario(api: Api) -> dict:
        return _replay_answer_replay(_node_that_asks_twice(api), api, {"log": []})

    assert same(scenario)["seen"][3] == {"log": [], "__interrupt__": ["q1"]}


def test_replaying_a_forked_head_re_runs_an_entrypoint_from_its_start():
    """The same for an entrypoint whose body asked and then a task asked: the replay asks
    the body's question again."""

    def scenario(api: Api) -> dict:
        @api.task
        def check(x: int) -> str:
            return api.interrupt(f"check {x}?")

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: str) -> list:
            return [api.interrupt("q1"), check(2).result()]

        return _replay_answer_replay(flow, api, "x")

    assert same(scenario)["seen"][3] == {"__interrupt__": ["q1"]}


def test_after_the_replay_an_answer_answers_the_question_shown():
    """Deliberate difference: after that replay shows the first question again, ours gives
    the next answer to it; LangGraph gives it to the second question and brings back the
    first question's dropped answer."""

    def scenario(api: Api) -> dict:
        graph, config = _node_that_asks_twice(api), thread("t")
        _replay_answer_replay(graph, api, {"log": []})
        shown = plain(graph.get_state(config).interrupts)
        return {"shown": shown, "after": plain(graph.invoke(api.Command(resume="b1"), config))}

    assert scenario(LANGGRAPH) == {"shown": ("q1",), "after": {"log": ["a1", "b1"]}}
    assert scenario(OURS) == {"shown": ("q1",), "after": {"log": [], "__interrupt__": ["q2"]}}


def test_replaying_a_forked_head_keeps_the_error_it_recorded():
    """A task's error recorded on the head stays in its snapshot when the replay asks
    again (LangGraph keeps a step's errors across re-runs)."""

    def scenario(api: Api) -> dict:
        failed: list = []

        @api.task
        def flaky(x: int) -> int:
            if not failed:
                failed.append(x)
                raise ValueError("boom")
            return x

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: int) -> list:
            return [api.interrupt("q1"), flaky(x).result()]

        config = thread("t")
        flow.invoke(1, config)
        flow.invoke(None, flow.get_state(config).config)  # the head is a fork now
        with pytest.raises(ValueError, match="boom"):
            flow.invoke(api.Command(resume="a1"), config)
        replayed = plain(flow.invoke(None, flow.get_state(config).config))
        errors = [repr(t.error) for t in flow.get_state(config).tasks]
        return {"replayed": replayed, "state": state(flow, config), "errors": errors}

    seen = same(scenario)
    assert seen["state"]["tasks"] == [("flow", ("q1",))]
    assert len(seen["errors"]) == 1 and "ValueError('boom')" in seen["errors"][0]


def test_the_replays_first_checkpoint_event_shows_what_the_head_had_asked():
    """On ``checkpoints``, the replay of such a head starts with the head as stored: its
    task still shows the question answered there."""

    def scenario(api: Api) -> list:
        graph, config = _node_that_asks_twice(api), thread("t")
        graph.invoke({"log": []}, config)
        graph.invoke(None, graph.get_state(config).config)  # the head is a fork now
        graph.invoke(api.Command(resume="a1"), config)
        head = graph.get_state(config).config
        first = next(iter(graph.stream(None, head, stream_mode="checkpoints")))
        return [(t["name"], [i["value"] for i in t.get("interrupts", [])]) for t in first["tasks"]]

    assert same(scenario) == [("n", ["q2"])]
