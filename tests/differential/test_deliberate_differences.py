"""Where our engine deliberately differs from LangGraph 1.2 (issue 2): a misuse is a clear
error at the call that caused it, with the thread's history unchanged, where LangGraph is
silent or crashes. Each test states what each engine does, so a change on either side shows."""

from __future__ import annotations

import operator
import warnings
from typing import Annotated, TypedDict

import langchain_core.messages as lc
import pytest

from hitl_notebook import (
    CheckpointerRequiredError,
    HITLWarning,
    InvalidUpdateError,
    RemoveMessage,
    ResumeError,
)
from hitl_notebook.messages import REMOVE_ALL_MESSAGES

from .harness import LANGGRAPH, OURS, Api, history, plain, thread

pytestmark = pytest.mark.langgraph


class Form(TypedDict):
    topic: str
    answers: Annotated[list, operator.add]


def one_question(api: Api, runs: list[str] | None = None, *, checkpointer: bool = True):
    """``START -> ask``, where ``ask`` asks one question and records each of its runs."""

    def ask(state: Form) -> dict:
        if runs is not None:
            runs.append("ask")
        return {"answers": [api.interrupt("question?")]}

    builder = api.StateGraph(Form)
    builder.add_node("ask", ask)
    builder.add_edge(api.START, "ask")
    return builder.compile(checkpointer=api.InMemorySaver() if checkpointer else None)


def two_questions(api: Api):
    """Two branches asking a question each in the same step."""
    builder = api.StateGraph(Form)
    builder.add_node("left", lambda s: {"answers": [api.interrupt("left?")]})
    builder.add_node("right", lambda s: {"answers": [api.interrupt("right?")]})
    builder.add_edge(api.START, "left")
    builder.add_edge(api.START, "right")
    return builder.compile(checkpointer=api.InMemorySaver())


def test_resume_on_a_finished_thread():
    """LangGraph returns the final state and ignores the answer; we raise ``ResumeError``
    and write nothing."""
    config = thread("done")
    theirs = one_question(LANGGRAPH)
    theirs.invoke({"topic": "t"}, config)
    theirs.invoke(LANGGRAPH.Command(resume="first"), config)
    assert theirs.invoke(LANGGRAPH.Command(resume="second"), config) == {
        "topic": "t",
        "answers": ["first"],
    }

    ours = one_question(OURS)
    ours.invoke({"topic": "t"}, config)
    ours.invoke(OURS.Command(resume="first"), config)
    before = history(ours, config)
    with pytest.raises(ResumeError, match="no pending interrupt"):
        ours.invoke(OURS.Command(resume="second"), config)
    assert history(ours, config) == before


def test_resume_on_an_unknown_thread():
    """LangGraph starts the graph with no input and asks the question; we raise
    ``ResumeError`` and the thread stays empty."""
    config = thread("never-started")
    runs: list[str] = []
    theirs = one_question(LANGGRAPH, runs)
    started = plain(theirs.invoke(LANGGRAPH.Command(resume="answer"), config))
    assert started == {"answers": [], "__interrupt__": ["question?"]}
    assert runs == ["ask"]

    runs.clear()
    ours = one_question(OURS, runs)
    with pytest.raises(ResumeError, match="has no checkpoint"):
        ours.invoke(OURS.Command(resume="answer"), config)
    assert runs == []
    assert history(ours, config) == []


def test_resume_map_naming_an_id_that_is_not_pending():
    """LangGraph drops an answer keyed by a stale id and asks again; we raise
    ``ResumeError`` naming the id and the pending ones."""
    config = thread("stale")
    stale = "0" * 32
    theirs = one_question(LANGGRAPH)
    theirs.invoke({"topic": "t"}, config)
    again = theirs.invoke(LANGGRAPH.Command(resume={stale: "answer"}), config)
    assert plain(again["__interrupt__"]) == ["question?"]

    ours = one_question(OURS)
    pending = ours.invoke({"topic": "t"}, config)["__interrupt__"][0].id
    before = history(ours, config)
    with pytest.raises(ResumeError, match=f"{stale}.*pending: {pending}"):
        ours.invoke(OURS.Command(resume={stale: "answer"}), config)
    assert history(ours, config) == before


def test_plain_answer_with_several_questions_pending():
    """Both engines refuse one answer for two pending questions: LangGraph with a
    ``RuntimeError``, we with a ``ResumeError`` that lists the pending ids."""
    config = thread("two")
    theirs = two_questions(LANGGRAPH)
    theirs.invoke({"topic": "t"}, config)
    with pytest.raises(RuntimeError, match="multiple pending interrupts"):
        theirs.invoke(LANGGRAPH.Command(resume="x"), config)

    ours = two_questions(OURS)
    ids = [i.id for i in ours.invoke({"topic": "t"}, config)["__interrupt__"]]
    before = history(ours, config)
    with pytest.raises(ResumeError, match=f"2 pending interrupts.*{ids[0]}.*{ids[1]}"):
        ours.invoke(OURS.Command(resume="x"), config)
    assert history(ours, config) == before


def test_interrupt_without_a_checkpointer():
    """LangGraph returns the question although it can never be answered; we raise at the
    ``interrupt()`` call, naming the fix."""
    theirs = one_question(LANGGRAPH, checkpointer=False)
    assert plain(theirs.invoke({"topic": "t"})) == {
        "topic": "t",
        "answers": [],
        "__interrupt__": ["question?"],
    }

    ours = one_question(OURS, checkpointer=False)
    with pytest.raises(RuntimeError, match=r"interrupt\(\) in node 'ask' needs a checkpointer"):
        ours.invoke({"topic": "t"})


def test_interrupt_payload_that_cannot_be_stored():
    """Both engines refuse a payload they cannot serialise with a ``TypeError``; ours is
    raised at the ``interrupt()`` call and names the offending part of the payload."""

    def scenario(api: Api):
        builder = api.StateGraph(Form)
        builder.add_node("ask", lambda s: {"answers": [api.interrupt({"handle": object()})]})
        builder.add_edge(api.START, "ask")
        return builder.compile(checkpointer=api.InMemorySaver())

    with pytest.raises(TypeError, match="not msgpack serializable"):
        scenario(LANGGRAPH).invoke({"topic": "t"}, thread("payload"))
    with pytest.raises(TypeError, match=r"interrupt\(\) in node 'ask'.*\['handle'\]"):
        scenario(OURS).invoke({"topic": "t"}, thread("payload"))


def test_resume_with_none():
    """``Command(resume=None)`` crashes inside LangGraph; for us ``None`` is an answer."""
    config = thread("none")
    theirs = one_question(LANGGRAPH)
    theirs.invoke({"topic": "t"}, config)
    with pytest.raises(UnboundLocalError):
        theirs.invoke(LANGGRAPH.Command(resume=None), config)

    ours = one_question(OURS)
    ours.invoke({"topic": "t"}, config)
    assert ours.invoke(OURS.Command(resume=None), config) == {"topic": "t", "answers": [None]}


def test_new_input_over_a_pending_question():
    """Both engines start a new run from the latest checkpoint and leave the question
    unanswered; LangGraph says nothing, we warn with the pending ids."""
    outputs = {}
    for api in (LANGGRAPH, OURS):
        graph = one_question(api)
        config = thread("new-input")
        graph.invoke({"topic": "first"}, config)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            outputs[api.name] = plain(graph.invoke({"topic": "second"}, config))
        outputs[api.name + " warnings"] = [w.category for w in caught]
    assert (
        outputs["langgraph"]
        == outputs["hitl_notebook"]
        == {"topic": "second", "answers": [], "__interrupt__": ["question?"]}
    )
    assert outputs["langgraph warnings"] == []
    assert outputs["hitl_notebook warnings"] == [HITLWarning]


def test_update_state_on_a_thread_and_checkpoint_id_config():
    """A config with only ``thread_id`` and ``checkpoint_id`` (as seed 001 writes it) is a
    ``KeyError`` in LangGraph; we fork from that checkpoint."""
    config = thread("two-keys")
    results = {}
    for api in (LANGGRAPH, OURS):
        graph = one_question(api)
        graph.invoke({"topic": "t"}, config)
        first = list(graph.get_state_history(config))[-1]
        short = {
            "configurable": {
                "thread_id": "two-keys",
                "checkpoint_id": first.config["configurable"]["checkpoint_id"],
            }
        }
        try:
            fork = graph.update_state(short, {"topic": "forked"})
        except KeyError as error:
            results[api.name] = f"KeyError {error}"
        else:
            results[api.name] = graph.get_state(fork).values
    assert results == {
        "langgraph": "KeyError 'checkpoint_ns'",
        "hitl_notebook": {"topic": "forked", "answers": []},
    }


def test_invoke_none_with_a_question_pending():
    """LangGraph runs the paused node again (its side effects repeat) to ask the same
    question; we return the pending question without running anything."""
    reruns = {}
    for api in (LANGGRAPH, OURS):
        runs: list[str] = []
        graph = one_question(api, runs)
        config = thread("poke")
        graph.invoke({"topic": "t"}, config)
        runs.clear()
        assert plain(graph.invoke(None, config)) == {
            "topic": "t",
            "answers": [],
            "__interrupt__": ["question?"],
        }
        reruns[api.name] = len(runs)
    assert reruns == {"langgraph": 1, "hitl_notebook": 0}


def test_conditional_edge_sees_the_message_id_that_is_stored():
    """A node writes a message without an id. LangGraph gives it one id in the state its
    conditional edge reads and another in the state it stores; ours is the same message in
    both, so routing on ``messages[-1].id`` means what it says."""

    def ids_seen(api: Api) -> tuple[str, str]:
        seen: list[str] = []

        def route(state) -> str:
            seen.append(state["messages"][-1].id)
            return api.END

        builder = api.StateGraph(api.MessagesState)
        builder.add_node(
            "reply", lambda state: {"messages": [{"role": "assistant", "content": "hi"}]}
        )
        builder.add_edge(api.START, "reply")
        builder.add_conditional_edges("reply", route, [api.END])
        out = builder.compile(checkpointer=api.InMemorySaver()).invoke(
            {"messages": []}, thread("ids")
        )
        return seen[0], out["messages"][-1].id

    routed, stored = ids_seen(LANGGRAPH)
    assert routed != stored
    routed, stored = ids_seen(OURS)
    assert routed == stored


def test_node_writing_a_key_outside_the_schema():
    """LangGraph drops a key the state schema does not have (a typo goes unnoticed); we
    raise ``InvalidUpdateError`` naming the node, the key and the schema's keys."""

    class Text(TypedDict):
        a: str

    def build(api: Api):
        builder = api.StateGraph(Text)
        builder.add_node("n", lambda s: {"a": "x", "typo": 1})
        builder.add_edge(api.START, "n")
        return builder.compile()

    assert build(LANGGRAPH).invoke({"a": ""}) == {"a": "x"}
    with pytest.raises(InvalidUpdateError, match="Node 'n' wrote key 'typo'.*keys: a"):
        build(OURS).invoke({"a": ""})


def test_exit_durability_checkpoint_events_name_the_stored_parent():
    """With ``durability="exit"``, a resumed run's ``debug`` checkpoint event names the
    checkpoint's real parent, the one history shows; LangGraph's names the parent of the
    checkpoint the run started from (``None`` here) until the run exits."""

    def scenario(api: Api) -> dict:
        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(_: dict) -> int:
            api.interrupt("go?")
            return 1

        config = thread("exit")
        ids: dict = {}

        def short(cfg: dict | None) -> str | None:
            if cfg is None:
                return None
            return ids.setdefault(cfg["configurable"]["checkpoint_id"], f"c{len(ids)}")

        events = []
        for given in ({"a": 1}, api.Command(resume="yes")):
            for chunk in flow.stream(given, config, stream_mode="debug", durability="exit"):
                if chunk["type"] == "checkpoint":
                    payload = chunk["payload"]
                    events.append((chunk["step"], short(payload["parent_config"])))
        stored = [
            (s.metadata["step"], short(s.parent_config)) for s in flow.get_state_history(config)
        ]
        return {"events": events, "stored": stored}

    assert scenario(LANGGRAPH) == {
        "events": [(-1, None), (-1, None), (0, None)],
        "stored": [(0, "c0"), (-1, None)],
    }
    assert scenario(OURS) == {
        "events": [(-1, None), (-1, None), (0, "c0")],
        "stored": [(0, "c0"), (-1, None)],
    }


def test_history_from_a_checkpoint_id_lists_its_branch():
    """``get_state_history`` of a config naming a checkpoint: LangGraph's savers list that
    one checkpoint (the same as ``get_state``); ours list it and its ancestors, newest
    first: the branch that led to it, which a forked thread otherwise cannot show."""
    listed = {}
    for api in (LANGGRAPH, OURS):
        graph = one_question(api)
        config = thread("branch")
        graph.invoke({"topic": "t"}, config)
        graph.invoke(api.Command(resume="yes"), config)
        everything = list(graph.get_state_history(config))
        middle = everything[1]
        listed[api.name] = [
            (s.metadata["step"], s.next) for s in graph.get_state_history(middle.config)
        ]
    assert listed == {
        "langgraph": [(0, ("ask",))],
        "hitl_notebook": [(0, ("ask",)), (-1, ("__start__",))],
    }


def _raises_after_its_first_answer(api: Api) -> list:
    """``ask`` raises after its first answer; what ``answers`` the run ends with after the
    question is answered again."""
    answers: list[str] = []

    def ask(state: Form) -> dict:
        answers.append(api.interrupt("question?"))
        if len(answers) == 1:
            raise ValueError("the first answer did not work")
        return {"answers": [answers[-1]]}

    builder = api.StateGraph(Form)
    builder.add_node("ask", ask)
    builder.add_edge(api.START, "ask")
    graph = builder.compile(checkpointer=api.InMemorySaver())
    config = thread("again")
    graph.invoke({"topic": "t"}, config)
    with pytest.raises(ValueError, match="did not work"):
        graph.invoke(api.Command(resume="first"), config)
    (task,) = graph.get_state(config).tasks
    assert [i.value for i in task.interrupts] == ["question?"]
    return graph.invoke(api.Command(resume="second"), config)["answers"]


def test_a_task_that_raised_after_its_answer_takes_a_new_answer():
    """A node that raised after ``interrupt()`` returned still shows its question; answering
    it again gives the node the new answer on ours (the node may have failed because of
    the first one). LangGraph accepts the new answer and re-runs the node with the old."""
    assert {api.name: _raises_after_its_first_answer(api) for api in (LANGGRAPH, OURS)} == {
        "langgraph": ["first"],
        "hitl_notebook": ["second"],
    }


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("path", r"Node 'a' routes to unknown node 'ghost'"),
        ("goto", r"Node 'a' routes to unknown node 'ghost'"),
        ("send", r"Conditional edge from 'a' sent to unknown node 'ghost'"),
    ],
)
def test_routing_to_a_node_that_does_not_exist(route, message):
    """LangGraph logs a warning and drops the route (the run just ends there); we raise,
    naming the route and the known nodes, and store nothing after the step."""

    def build(api: Api):
        def a(state: Form) -> object:
            return api.Command(goto="ghost") if route == "goto" else {"answers": ["a"]}

        builder = api.StateGraph(Form)
        builder.add_node("a", a)
        builder.add_edge(api.START, "a")
        if route == "path":
            builder.add_conditional_edges("a", lambda s: "ghost")
        elif route == "send":
            builder.add_conditional_edges("a", lambda s: [api.Send("ghost", {})])
        return builder.compile()

    quiet = {"topic": "t", "answers": [] if route == "goto" else ["a"]}
    assert build(LANGGRAPH).invoke({"topic": "t", "answers": []}) == quiet
    with pytest.raises(InvalidUpdateError, match=message):
        build(OURS).invoke({"topic": "t", "answers": []})


@pytest.mark.parametrize("pause", ["interrupt", "breakpoint"])
def test_a_pause_inside_a_subgraph_without_checkpoints(pause):
    """A subgraph compiled with ``checkpointer=False`` keeps nothing to resume from.
    LangGraph pauses the parent anyway: a breakpoint in it pauses again on every
    continuation, and after the first answer its next question is asked forever. We raise
    ``CheckpointerRequiredError`` at the call, naming what to change; the parent's
    checkpoint keeps the subgraph task to run once the subgraph is compiled otherwise."""

    def build(api: Api):
        def ask(state: Form) -> dict:
            first = api.interrupt("first?")
            return {"answers": [first, api.interrupt("second?")]}

        options = {"interrupt_before": ["ask"]} if pause == "breakpoint" else {}
        sub = (
            api.StateGraph(Form)
            .add_node("ask", ask if pause == "interrupt" else lambda s: {"answers": ["ran"]})
            .add_edge(api.START, "ask")
            .compile(checkpointer=False, **options)
        )
        return (
            api.StateGraph(Form)
            .add_node("sub", sub)
            .add_edge(api.START, "sub")
            .compile(checkpointer=api.InMemorySaver())
        )

    config = thread("t")
    theirs = build(LANGGRAPH)
    seen = [plain(theirs.invoke({"topic": "t", "answers": []}, config))]
    for answer in ("a", "b", "c"):
        given = LANGGRAPH.Command(resume=answer) if pause == "interrupt" else None
        seen.append(plain(theirs.invoke(given, config)))
    stuck = {"topic": "t", "answers": [], "__interrupt__": ["second?"]}
    if pause == "interrupt":
        assert seen == [{**stuck, "__interrupt__": ["first?"]}, stuck, stuck, stuck]
    else:
        assert seen == [{"topic": "t", "answers": []}] * 4
    assert theirs.get_state(config).next == ("sub",)

    ours = build(OURS)
    with pytest.raises(CheckpointerRequiredError, match="checkpointer"):
        ours.invoke({"topic": "t", "answers": []}, config)
    assert ours.get_state(config).next == ("sub",)


def test_a_removal_after_remove_all_in_one_update_removes():
    """``[RemoveMessage(REMOVE_ALL_MESSAGES), m, RemoveMessage(m.id)]`` in one update leaves
    no messages on ours (the removal applies; one naming no message is a ``ValueError``).
    LangGraph keeps everything after the remove-all as it is: ``m`` and the
    ``RemoveMessage`` itself end up in the state as messages."""

    def update(remove: type) -> list:
        return [remove(id=REMOVE_ALL_MESSAGES), lc.HumanMessage("hi", id="m"), remove(id="m")]

    old = [lc.AIMessage("old", id="o")]
    theirs = LANGGRAPH.add_messages(old, update(lc.RemoveMessage))
    assert [m.type for m in theirs] == ["human", "remove"]
    assert OURS.add_messages(old, update(RemoveMessage)) == []
    with pytest.raises(ValueError, match="no message has that id"):
        OURS.add_messages([], [RemoveMessage(id=REMOVE_ALL_MESSAGES), RemoveMessage(id="x")])


def test_a_checkpoint_waiting_on_a_join_lists_what_runs_next():
    """``n0 -> n1, n5``; ``n1 -> n4``; ``[n1, n4] -> n5``. After the step that ran n1 (and
    n5), only n4 runs; then the join completes and n5 runs again. On ours that checkpoint's
    ``next`` is ``("n4",)`` and replaying it runs n4 then n5, as the run did. LangGraph
    lists ``("n4", "n5")`` there (n5 did not run in that step), and replaying it runs n4
    only: the join never completes."""

    class Log(TypedDict, total=False):
        log: Annotated[list, operator.add]

    def run(api: Api) -> tuple:
        builder = api.StateGraph(Log)
        for name in ("n0", "n1", "n4", "n5"):
            builder.add_node(name, lambda s, name=name: {"log": [name]})
        builder.add_edge(api.START, "n0")
        builder.add_edge("n0", "n1")
        builder.add_edge("n0", "n5")
        builder.add_conditional_edges("n1", lambda s: "n4", ["n4", api.END])
        builder.add_edge(["n1", "n4"], "n5")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("join")
        ran = graph.invoke({"log": []}, config)["log"]  # the parallel step's order is timing
        waiting = next(s for s in graph.get_state_history(config) if s.metadata["step"] == 2)
        replay = [
            list(chunk) for chunk in graph.stream(None, waiting.config, stream_mode="updates")
        ]
        return sorted(ran), waiting.next, replay

    ran = ["n0", "n1", "n4", "n5", "n5"]
    assert run(OURS) == (ran, ("n4",), [["n4"], ["n5"]])
    assert run(LANGGRAPH) == (ran, ("n4", "n5"), [["n4"]])


@pytest.mark.parametrize("held_by", ["breakpoint", "edit"])
def test_a_stateful_subgraph_first_in_a_continued_run_runs_again(held_by):
    """A ``checkpointer=True`` subgraph that finished in an earlier run and is the first
    task of a continued run (after ``interrupt_before`` on it, or after an edit whose next
    task it is) runs again on its new input, on ours. LangGraph tells every task of a
    continued run's first step to resume; the subgraph finds its own last run finished, so
    it does not run and the parent gets its old output again."""

    class Log(TypedDict, total=False):
        log: Annotated[list, operator.add]

    def run(api: Api) -> list:
        sub = (
            api.StateGraph(Log)
            .add_node("s", lambda s: {"log": [f"s saw {len(s.get('log', []))}"]})
            .add_edge(api.START, "s")
            .compile(checkpointer=True)
        )
        builder = api.StateGraph(Log)
        builder.add_node("n1", lambda s: {"log": ["n1"]})
        builder.add_node("sub", sub)
        builder.add_edge(api.START, "n1")
        builder.add_edge("n1", "sub")
        options = {"interrupt_before": ["sub"]} if held_by == "breakpoint" else {}
        graph = builder.compile(checkpointer=api.InMemorySaver(), **options)
        config = thread("stateful")
        graph.invoke({"log": ["in0"]}, config)
        if held_by == "breakpoint":
            graph.invoke(None, config)
            graph.invoke({"log": ["in1"]}, config)
        else:
            graph.update_state(config, {"log": ["edit"]}, as_node="n1")
        last = graph.invoke(None, config)["log"][-1]
        sub_runs = len(
            list(
                graph.get_state_history(
                    {**config, "configurable": {**config["configurable"], "checkpoint_ns": "sub"}}
                )
            )
        )
        return [last, sub_runs]

    ours, theirs = run(OURS), run(LANGGRAPH)
    assert theirs == ["s saw 2", 3]  # the subgraph's first run only: input, start, s
    assert ours[1] == 6 and ours[0] != "s saw 2"
