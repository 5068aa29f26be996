"""Stream details a live view relies on, each isolated in its own scenario: what a
``values`` stream yields when a run continues or pauses, how often a pause is reported on
``updates``, and when a task's update arrives."""

from __future__ import annotations

import operator
import time
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, drive, same, thread

pytestmark = pytest.mark.langgraph


class Form(TypedDict):
    topic: str
    answers: Annotated[list, operator.add]


def asking_graph(api: Api, **compile_options):
    """``START -> ask -> done``, where ``ask`` asks one question."""
    builder = api.StateGraph(Form)
    builder.add_node("ask", lambda s: {"answers": [api.interrupt("question?")]})
    builder.add_node("done", lambda s: {"answers": ["done"]})
    builder.add_edge(api.START, "ask")
    builder.add_edge("ask", "done")
    return builder.compile(checkpointer=api.InMemorySaver(), **compile_options)


def test_values_stream_reports_a_pause_with_its_question():
    """Pausing on ``interrupt()`` yields a last ``values`` chunk carrying ``__interrupt__``."""

    def scenario(api: Api) -> list:
        return drive(asking_graph(api), [{"topic": "t"}], thread("pause"), stream_mode="values")

    assert same(scenario) == [
        [
            {"topic": "t", "answers": []},
            {"topic": "t", "answers": [], "__interrupt__": ("question?",)},
        ]
    ]


def test_values_stream_of_a_resume_starts_with_the_paused_state():
    """A resumed run's ``values`` stream first yields the state it resumes from."""

    def scenario(api: Api) -> list:
        graph = asking_graph(api)
        config = thread("resume")
        graph.invoke({"topic": "t"}, config)
        return drive(graph, [api.Command(resume="yes")], config, stream_mode="values")

    assert same(scenario)[0][0] == {"topic": "t", "answers": []}


def test_values_stream_of_a_continuation_starts_with_the_current_state():
    """``stream(None)`` after a static breakpoint, and on a finished thread, first yields
    the state it continues from."""

    def scenario(api: Api) -> list:
        builder = api.StateGraph(Form)
        builder.add_node("a", lambda s: {"answers": ["a"]})
        builder.add_node("b", lambda s: {"answers": ["b"]})
        builder.add_edge(api.START, "a")
        builder.add_edge("a", "b")
        graph = builder.compile(checkpointer=api.InMemorySaver(), interrupt_before=["b"])
        config = thread("continue")
        graph.invoke({"topic": "t"}, config)
        return drive(graph, [None, None], config, stream_mode="values")

    assert same(scenario) == [
        [{"topic": "t", "answers": ["a"]}, {"topic": "t", "answers": ["a", "b"]}],
        [{"topic": "t", "answers": ["a", "b"]}],
    ]


def test_updates_stream_reports_a_pause_once():
    """One question pending is one ``__interrupt__`` chunk, on the first run and on a
    resume that asks again."""

    def scenario(api: Api) -> list:
        builder = api.StateGraph(Form)
        builder.add_node(
            "ask", lambda s: {"answers": [api.interrupt("first?"), api.interrupt("second?")]}
        )
        builder.add_edge(api.START, "ask")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return drive(
            graph, [{"topic": "t"}, api.Command(resume=1)], thread("once"), stream_mode="updates"
        )

    assert same(scenario) == [[{"__interrupt__": ("first?",)}], [{"__interrupt__": ("second?",)}]]


def test_updates_stream_reports_parallel_questions_per_task():
    """Two branches pausing in one step are reported as one ``__interrupt__`` chunk each."""

    def scenario(api: Api) -> list:
        builder = api.StateGraph(Form)
        builder.add_node("left", lambda s: {"answers": [api.interrupt("left?")]})
        builder.add_node("right", lambda s: {"answers": [api.interrupt("right?")]})
        builder.add_edge(api.START, "left")
        builder.add_edge(api.START, "right")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        [chunks] = drive(graph, [{"topic": "t"}], thread("parallel"), stream_mode="updates")
        return sorted(chunks, key=repr)

    assert same(scenario) == [{"__interrupt__": ("left?",)}, {"__interrupt__": ("right?",)}]


def test_interrupt_after_the_last_node_is_reported():
    """``interrupt_after`` naming the final node still reports the breakpoint on
    ``updates``, although nothing is left to run."""

    def scenario(api: Api) -> list:
        builder = api.StateGraph(Form)
        builder.add_node("only", lambda s: {"answers": ["only"]})
        builder.add_edge(api.START, "only")
        graph = builder.compile(checkpointer=api.InMemorySaver(), interrupt_after=["only"])
        return drive(graph, [{"topic": "t"}], thread("last"), stream_mode="updates")

    assert same(scenario) == [[{"only": {"answers": ["only"]}}, {"__interrupt__": ()}]]


def _beside_a_slow_sibling(api: Api, name: str, node: Any) -> list:
    """``updates`` of one run where ``node`` (as ``name``) runs in parallel with a node that
    takes 0.3 s."""

    def slow(state: Form) -> dict:
        time.sleep(0.3)
        return {"answers": ["slow"]}

    builder = api.StateGraph(Form)
    builder.add_node("slow", slow)
    builder.add_node(name, node)
    builder.add_edge(api.START, "slow")
    builder.add_edge(api.START, name)
    graph = builder.compile(checkpointer=api.InMemorySaver())
    return drive(graph, [{"topic": "t"}], thread(name), stream_mode="updates")


def test_a_fast_task_update_is_not_held_back_by_a_slow_sibling():
    """In a parallel step the quick branch's update is streamed before the slow one's:
    a live view shows progress as tasks finish."""

    def scenario(api: Api) -> list:
        return _beside_a_slow_sibling(api, "quick", lambda s: {"answers": ["quick"]})

    assert same(scenario) == [[{"quick": {"answers": ["quick"]}}, {"slow": {"answers": ["slow"]}}]]


def test_a_question_is_streamed_when_its_task_asks_not_after_a_slow_sibling():
    """In a parallel step a task's question goes out on ``updates`` as soon as it asks,
    before a slower sibling's update."""

    def scenario(api: Api) -> list:
        return _beside_a_slow_sibling(api, "asks", lambda s: {"answers": [api.interrupt("ok?")]})

    assert same(scenario) == [[{"__interrupt__": ("ok?",)}, {"slow": {"answers": ["slow"]}}]]


def _checkpoint_view(chunk: dict) -> tuple:
    """A ``checkpoints`` chunk without ids: step, source, next, values and each task's
    name and questions."""
    return (
        chunk["metadata"]["step"],
        chunk["metadata"]["source"],
        tuple(chunk["next"]),
        chunk["values"],
        tuple(
            (t["name"], tuple(i["value"] for i in t.get("interrupts", ()))) for t in chunk["tasks"]
        ),
    )


def _debug_view(chunk: dict) -> tuple:
    return (chunk["type"], chunk["step"])


def test_a_continuation_first_streams_the_checkpoint_it_starts_from():
    """``checkpoints`` and ``debug`` streams of a resume, of ``stream(None)`` after a
    breakpoint, after ``update_state``, and of a replay of a past checkpoint start with the
    checkpoint the run continues from (its questions in its tasks), as LangGraph's do."""

    def scenario(api: Api) -> list:
        seen = []
        for mode, view in (("checkpoints", _checkpoint_view), ("debug", _debug_view)):
            graph = asking_graph(api, interrupt_before=["done"])
            config = thread(mode)
            for turn in ({"topic": "t"}, api.Command(resume="yes"), None):
                seen.append([view(c) for c in graph.stream(turn, config, stream_mode=mode)])
            graph.update_state(config, {"answers": ["edited"]})
            seen.append([view(c) for c in graph.stream(None, config, stream_mode=mode)])
            past = [s.config for s in graph.get_state_history(config) if s.next == ("done",)][-1]
            seen.append([view(c) for c in graph.stream(None, past, stream_mode=mode)])
        return seen

    seen = same(scenario)
    resumed = seen[1]
    assert resumed[0] == (
        0,
        "loop",
        ("ask",),
        {"topic": "t", "answers": []},
        (("ask", ("question?",)),),
    )


def _paused_beside_a_finished_sibling(api: Api) -> tuple[Any, dict]:
    """``fast`` and ``asks`` run in parallel from START; the thread waits on ``asks``."""
    builder = api.StateGraph(Form)
    builder.add_node("fast", lambda s: {"answers": ["fast"]})
    builder.add_node("asks", lambda s: {"answers": [api.interrupt("ok?")]})
    builder.add_edge(api.START, "fast")
    builder.add_edge(api.START, "asks")
    graph = builder.compile(checkpointer=api.InMemorySaver())
    config = thread("parallel")
    graph.invoke({"topic": "t"}, config)
    return graph, config


def test_a_resumed_step_lists_its_tasks_that_finished_before_the_pause():
    """When one of two parallel tasks asked and the other finished, the resumed run's
    ``tasks`` stream starts both (the finished one's result is not recomputed); tasks
    start in name order, whatever order the nodes were added in."""

    def scenario(api: Api) -> list:
        graph, config = _paused_beside_a_finished_sibling(api)
        return [
            (c["name"], "result" in c, c.get("input", {}).get("answers"))
            for c in graph.stream(api.Command(resume="yes"), config, stream_mode="tasks")
        ]

    assert same(scenario) == [("asks", False, []), ("fast", False, []), ("asks", True, None)]


@pytest.mark.parametrize(
    "modes", [["updates", "tasks"], ["updates", "debug"], ["updates", "checkpoints", "values"]]
)
def test_a_finished_siblings_cached_update_follows_the_steps_task_chunks(modes):
    """On resume, the update of the task that finished before the pause (marked cached)
    comes after the checkpoint and the step's task chunks, as LangGraph streams it, not
    before them."""

    def scenario(api: Api) -> list:
        graph, config = _paused_beside_a_finished_sibling(api)
        shown = []
        for mode, chunk in graph.stream(api.Command(resume="yes"), config, stream_mode=modes):
            if mode == "debug":
                shown.append((mode, chunk["type"], chunk["payload"].get("name")))
            elif mode == "tasks":
                shown.append((mode, chunk["name"], "result" in chunk))
            elif mode == "updates":
                shown.append((mode, sorted(chunk)))
            else:
                shown.append((mode,))
        return shown

    shown = same(scenario)
    cached = shown.index(("updates", ["__metadata__", "fast"]))
    assert cached > 0 and shown[cached - 1][0] != "updates"


@pytest.mark.parametrize("parallel", [False, True], ids=["lone", "beside-a-slow-sibling"])
def test_a_question_goes_out_before_its_tasks_result(parallel):
    """An asking task's ``__interrupt__`` updates and values chunks come before its
    ``tasks`` result chunk, alone or beside a sibling still running."""

    def scenario(api: Api) -> list:
        def slow(state: Form) -> dict:
            time.sleep(0.05)
            return {"answers": ["slow"]}

        builder = api.StateGraph(Form)
        builder.add_node("ask", lambda s: {"answers": [api.interrupt("question?")]})
        builder.add_edge(api.START, "ask")
        if parallel:
            builder.add_node("slow", slow)
            builder.add_edge(api.START, "slow")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        chunks = graph.stream(
            {"topic": "t"}, thread("order"), stream_mode=["values", "updates", "tasks"]
        )
        return [
            (mode, sorted(chunk) if mode != "tasks" else ("result" in chunk, chunk["name"]))
            for mode, chunk in chunks
        ]

    same(scenario)


def test_a_subgraph_task_that_goes_to_the_parent_reports_no_result():
    """A subgraph node returning ``Command(graph=Command.PARENT, goto=...)`` hands its
    update to the parent's step: the ``tasks`` stream shows the task start but no result
    (we reported a ``ParentCommand`` error), as in LangGraph."""

    def scenario(api: Api):
        sub = (
            api.StateGraph(Form)
            .add_node(
                "hop",
                lambda s: api.Command(
                    graph=api.Command.PARENT, goto="done", update={"answers": ["hop"]}
                ),
            )
            .add_edge(api.START, "hop")
            .compile()
        )
        graph = (
            api.StateGraph(Form)
            .add_node("sub", sub)
            .add_node("done", lambda s: {"answers": ["done"]})
            .add_edge(api.START, "sub")
            .compile(checkpointer=api.InMemorySaver())
        )
        chunks = graph.stream({"answers": []}, thread("t"), stream_mode="tasks", subgraphs=True)
        return sorted(
            (
                (len(ns), chunk["name"], "result" in chunk, chunk.get("error"))
                for ns, chunk in chunks
            ),
            key=repr,
        )

    same(scenario)


def test_a_subgraph_task_paused_at_a_breakpoint_inside_reports_no_result():
    """A subgraph node whose subgraph stops at its own ``interrupt_before`` has no result
    yet: the ``tasks`` stream shows it start but not finish (we reported an empty result),
    as in LangGraph."""

    def scenario(api: Api):
        sub = (
            api.StateGraph(Form)
            .add_node("inner", lambda s: {"answers": ["inner"]})
            .add_edge(api.START, "inner")
            .compile(interrupt_before=["inner"])
        )
        graph = (
            api.StateGraph(Form)
            .add_node("sub", sub)
            .add_edge(api.START, "sub")
            .compile(checkpointer=api.InMemorySaver())
        )
        chunks = graph.stream({"answers": []}, thread("t"), stream_mode="tasks")
        return [(chunk["name"], "result" in chunk) for chunk in chunks]

    assert same(scenario) == [("sub", False)]


def test_a_node_calling_a_subgraph_shows_its_namespace_before_it_runs():
    """A node whose function calls a compiled graph it refers to by name is that graph's
    subgraph from the start: the ``checkpoints`` stream names the subgraph's namespace in
    the node's task before the node first runs, as in LangGraph (we knew it only once it
    had run)."""

    def scenario(api: Api):
        sub = (
            api.StateGraph(Form)
            .add_node("inner", lambda s: {"answers": ["inner"]})
            .add_edge(api.START, "inner")
            .compile()
        )

        def call(state: Form) -> dict:
            return {"answers": sub.invoke({"answers": []})["answers"]}

        graph = (
            api.StateGraph(Form)
            .add_node("call", call)
            .add_edge(api.START, "call")
            .compile(checkpointer=api.InMemorySaver())
        )
        states = []
        for chunk in graph.stream({"answers": []}, thread("t"), stream_mode="checkpoints"):
            for task in chunk["tasks"]:
                state = task["state"]
                ns = state["configurable"]["checkpoint_ns"] if state else None
                states.append((task["name"], ns and ns.split(":")[0]))
        return states

    assert same(scenario) == [("__start__", None), ("call", "call")]
