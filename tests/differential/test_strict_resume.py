"""A resume that does not match the pending interrupts: LangGraph refuses it with
``UnknownInterruptError`` (reason, ids, pending ids) in its opt-in strict resume mode; we
always refuse it, with an error of the same shape (also our ``ResumeError``)."""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

import pytest
from langgraph._internal._constants import CONFIG_KEY_STRICT_RESUME
from langgraph.errors import UnknownInterruptError as TheirError

from hitl_notebook import ResumeError, UnknownInterruptError

from .harness import LANGGRAPH, OURS, Api, thread

pytestmark = pytest.mark.langgraph

UNKNOWN = "0" * 32


class Log(TypedDict, total=False):
    log: Annotated[list[str], operator.add]


def parallel(api: Api):
    """``a`` and ``b`` ask a question each in the same step."""
    builder = api.StateGraph(Log)
    builder.add_node("a", lambda s: {"log": [f"a:{api.interrupt('a?')}"]})
    builder.add_node("b", lambda s: {"log": [f"b:{api.interrupt('b?')}"]})
    builder.add_edge(api.START, "a")
    builder.add_edge(api.START, "b")
    return builder.compile(checkpointer=api.InMemorySaver())


def breakpoint_graph(api: Api):
    builder = api.StateGraph(Log)
    builder.add_node("a", lambda s: {"log": ["a"]})
    builder.add_edge(api.START, "a")
    return builder.compile(checkpointer=api.InMemorySaver(), interrupt_before=["a"])


def refusal(api: Api, build, resume: Any, *, answer_first: str | None = None) -> tuple:
    """What each engine raises for ``Command(resume=resume)``; ids named by question."""
    config = thread("strict")
    if api is LANGGRAPH:
        config["configurable"][CONFIG_KEY_STRICT_RESUME] = True
    graph = build(api)
    graph.invoke({"log": []}, config)
    ids = {i.value: i.id for i in graph.get_state(config).interrupts}
    if answer_first:
        graph.invoke(api.Command(resume={ids[answer_first]: "yes"}), config)
    names = {v: k for k, v in ids.items()} | {UNKNOWN: "unknown"}
    if isinstance(resume, dict):
        resume = {ids.get(k, k): v for k, v in resume.items()}
    error_class = TheirError if api is LANGGRAPH else UnknownInterruptError
    with pytest.raises(error_class) as refused:
        graph.invoke(api.Command(resume=resume), config)
    error = refused.value
    return (
        error.reason,
        [names[i] for i in error.interrupt_ids],
        sorted(names[i] for i in error.pending_ids),
        list(error.pending_ids) == sorted(error.pending_ids),
        str(error),
    )


@pytest.mark.parametrize(
    ("build", "resume", "answer_first", "reason", "named", "pending", "phrase"),
    [
        (parallel, {UNKNOWN: "x"}, None, "not_pending", ["unknown"], ["a?", "b?"], UNKNOWN),
        (parallel, {"a?": "again"}, "a?", "not_pending", ["a?"], ["b?"], "already-consumed"),
        (parallel, {}, None, "empty_map", [], ["a?", "b?"], "names no interrupt"),
        (parallel, "x", None, "ambiguous", [], ["a?", "b?"], "multiple pending interrupts"),
        (breakpoint_graph, {UNKNOWN: "x"}, None, "not_pending", ["unknown"], [], UNKNOWN),
    ],
    ids=["unknown-id", "answered-id", "empty-map", "one-value-for-two", "at-a-breakpoint"],
)
def test_a_resume_that_fits_no_pending_interrupt(
    build, resume, answer_first, reason, named, pending, phrase
):
    theirs = refusal(LANGGRAPH, build, resume, answer_first=answer_first)
    ours = refusal(OURS, build, resume, answer_first=answer_first)
    assert theirs[:4] == ours[:4] == (reason, named, sorted(pending), True)
    assert phrase in theirs[4] and phrase in ours[4]


def test_ours_is_also_a_resume_error():
    """Code catching our ``ResumeError`` (or LangGraph's ``RuntimeError``) still catches it."""
    assert issubclass(UnknownInterruptError, ResumeError)
    assert issubclass(UnknownInterruptError, RuntimeError)


def test_answers_to_a_past_checkpoints_questions_replay_it():
    """Answers keyed by the ids a past (superseded) checkpoint asked, given with that
    checkpoint's id, replay its step with those answers (an explicit fork, as any
    ``checkpoint_id``); LangGraph takes the call too but returns the past run's results and
    drops the new answers. An id it never asked is refused, and nothing is stored."""

    def scenario(api: Api):
        config = thread("t")
        graph = parallel(api)
        graph.invoke({"log": []}, config)
        paused = graph.get_state(config).config
        ids = {i.value: i.id for i in graph.get_state(config).interrupts}
        first = graph.invoke(api.Command(resume={ids["a?"]: "yes", ids["b?"]: "no"}), config)
        replayed = graph.invoke(
            api.Command(resume={ids["a?"]: "again", ids["b?"]: "again"}), paused
        )
        if api is LANGGRAPH:
            return first, replayed
        saved = len(list(graph.get_state_history(config)))
        with pytest.raises(UnknownInterruptError, match=UNKNOWN):
            graph.invoke(api.Command(resume={UNKNOWN: "x"}), paused)
        assert len(list(graph.get_state_history(config))) == saved
        assert graph.get_state(config).values == {"log": ["a:again", "b:again"]}
        return first, replayed

    assert scenario(LANGGRAPH) == ({"log": ["a:yes", "b:no"]}, {"log": ["a:yes", "b:no"]})
    assert scenario(OURS) == ({"log": ["a:yes", "b:no"]}, {"log": ["a:again", "b:again"]})


def test_answers_to_a_past_checkpoints_subgraph_question_replay_it_asking_again():
    """A resume map keyed by the id of a question a past checkpoint's subgraph asked, given
    with that checkpoint's id, replays it: the subgraph runs from its start and asks again
    (not carried, see the README row); it was refused after the replay's fork checkpoint
    had been stored. An id the checkpoint never asked is still refused, storing nothing.
    LangGraph returns the past run's result."""

    def scenario(api: Api):
        sub = (
            api.StateGraph(Log)
            .add_node("s1", lambda s: {"log": ["s1"]})
            .add_node("s2", lambda s: {"log": [f"s2:{api.interrupt('q')}"]})
            .add_edge(api.START, "s1")
            .add_edge("s1", "s2")
            .compile()
        )
        graph = (
            api.StateGraph(Log)
            .add_node("sub", sub)
            .add_edge(api.START, "sub")
            .compile(checkpointer=api.InMemorySaver())
        )
        config = thread("t")
        graph.invoke({"log": []}, config)
        paused = graph.get_state(config)
        asked = paused.interrupts[0].id
        first = graph.invoke(api.Command(resume={asked: "yes"}), config)
        if api is OURS:
            saved = len(list(graph.get_state_history(config)))
            with pytest.raises(UnknownInterruptError, match=UNKNOWN):
                graph.invoke(api.Command(resume={UNKNOWN: "x"}), paused.config)
            assert len(list(graph.get_state_history(config))) == saved
        replayed = graph.invoke(api.Command(resume={asked: "again"}), paused.config)
        return first, {k: v if k == "log" else [i.value for i in v] for k, v in replayed.items()}

    assert scenario(LANGGRAPH) == ({"log": ["s1", "s2:yes"]}, {"log": ["s1", "s2:yes"]})
    assert scenario(OURS) == ({"log": ["s1", "s2:yes"]}, {"log": [], "__interrupt__": ["q"]})
