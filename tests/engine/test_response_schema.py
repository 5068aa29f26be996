"""``interrupt(..., response_schema=...)``: the schema clients see, the validated answer,
and an invalid answer that changes nothing, so the interrupt can be answered again."""

from __future__ import annotations

import asyncio
import operator
from dataclasses import dataclass
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, ValidationError
from typing_extensions import TypedDict

from hitl_notebook import (
    START,
    Command,
    InMemorySaver,
    RetryPolicy,
    StateGraph,
    interrupt,
    is_invalid_resume,
    register_type,
)
from hitl_notebook.checkpoint.sqlite import SqliteSaver

CFG = {"configurable": {"thread_id": "t"}}


class Decision(BaseModel):
    approved: bool
    note: str | None = None


class DecisionDict(TypedDict):
    approved: bool


@dataclass
class DecisionData:
    approved: bool


register_type(Decision, "tests.Decision")


class State(TypedDict, total=False):
    answer: Any
    log: Annotated[list, operator.add]


class Answer(TypedDict):
    answer: Any


def _asking(schema, checkpointer=None):
    def node(state):
        return {"answer": interrupt({"question": "approve?"}, response_schema=schema)}

    return (
        StateGraph(Answer)
        .add_node("node", node)
        .add_edge(START, "node")
        .compile(checkpointer=checkpointer or InMemorySaver())
    )


def _seen(graph, config=CFG) -> tuple:
    """What a user can see of the thread: every checkpoint's values, next and pending ids."""
    return [
        (
            s.config["configurable"]["checkpoint_id"],
            s.values,
            s.next,
            [(i.id, i.value) for i in s.interrupts],
            [t.error for t in s.tasks],
        )
        for s in graph.get_state_history(config)
    ]


RAW = {"type": "object", "properties": {"approved": {"type": "boolean"}}}
APPROVED = {
    "properties": {"approved": {"title": "Approved", "type": "boolean"}},
    "required": ["approved"],
    "type": "object",
}


@pytest.mark.parametrize(
    ("schema", "shown"),
    [
        (None, None),
        (RAW, RAW),
        (Decision, Decision.model_json_schema()),
        (DecisionDict, {**APPROVED, "title": "DecisionDict"}),
        (DecisionData, {**APPROVED, "title": "DecisionData"}),
    ],
    ids=["none", "raw_dict", "pydantic", "typeddict", "dataclass"],
)
def test_the_schema_is_shown_as_json_schema_wherever_the_interrupt_is(schema, shown, tmp_path):
    """``Interrupt.response_schema`` is the JSON schema in the run's result, the stream,
    ``get_state`` and a task's interrupts, also after a round trip through SQLite."""
    with SqliteSaver.from_conn_string(tmp_path / "t.db") as saver:
        graph = _asking(schema, saver)
        (streamed,) = [
            c["__interrupt__"][0]
            for c in graph.stream({"answer": None}, CFG)
            if "__interrupt__" in c
        ]
        state = graph.get_state(CFG)
        assert streamed.response_schema == shown
        assert (
            state.interrupts[0].response_schema
            == shown
            == state.tasks[0].interrupts[0].response_schema
        )
        assert graph.invoke(None, CFG)["__interrupt__"][0].response_schema == shown


@pytest.mark.parametrize(
    ("schema", "answer", "received"),
    [
        (None, {"approved": True, "extra": 1}, {"approved": True, "extra": 1}),
        (RAW, {"approved": True, "extra": 1}, {"approved": True, "extra": 1}),
        (Decision, {"approved": True}, Decision(approved=True)),
        (DecisionDict, {"approved": True, "extra": 1}, {"approved": True}),
        (DecisionData, {"approved": "yes"}, DecisionData(approved=True)),
    ],
    ids=["none", "raw_dict", "pydantic", "typeddict", "dataclass"],
)
def test_the_node_receives_the_validated_answer(schema, answer, received):
    """A type validates (and converts) the answer; a dict schema or none passes it as it is."""
    got = []

    def node(state):
        got.append(interrupt("approve?", response_schema=schema))
        return {"log": ["done"]}

    graph = (
        StateGraph(State)
        .add_node("node", node)
        .add_edge(START, "node")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"log": []}, CFG)
    graph.invoke(Command(resume=answer), CFG)
    assert got == [received]


@pytest.mark.parametrize("style", ["single", "map"])
def test_an_invalid_answer_changes_nothing_and_can_be_answered_again(style):
    """The resume raises ``ValidationError`` (``is_invalid_resume``); history, pending ids
    and task errors are as before; a valid answer then completes the run."""
    graph = _asking(Decision)
    graph.invoke({"answer": None}, CFG)
    before = _seen(graph)
    (pending,) = graph.get_state(CFG).interrupts

    def resume(value):
        return Command(resume=value if style == "single" else {pending.id: value})

    with pytest.raises(ValidationError, match="approved") as raised:
        graph.invoke(resume({"approved": "maybe"}), CFG)
    assert is_invalid_resume(raised.value)
    assert _seen(graph) == before
    assert graph.invoke(resume({"approved": False}), CFG) == {"answer": Decision(approved=False)}


def test_an_invalid_answer_keeps_the_answers_before_it():
    """Failing the second question's answer keeps the first answer: it is not asked again."""
    asked = []

    def node(state):
        first = interrupt("first")
        asked.append(first)
        second = interrupt("approve?", response_schema=DecisionDict)
        return {"answer": [first, second]}

    graph = (
        StateGraph(Answer)
        .add_node("node", node)
        .add_edge(START, "node")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"answer": None}, CFG)
    graph.invoke(Command(resume="ok"), CFG)
    with pytest.raises(ValidationError):
        graph.invoke(Command(resume={"approved": []}), CFG)
    assert [i.value for i in graph.get_state(CFG).interrupts] == ["approve?"]
    assert graph.invoke(Command(resume={"approved": True}), CFG) == {
        "answer": ["ok", {"approved": True}]
    }


def test_an_invalid_answer_to_a_subgraphs_interrupt_leaves_it_pending():
    """Inside a subgraph node the rejected answer is dropped at every level."""

    def inner_node(state):
        return {"answer": interrupt("inner?", response_schema=DecisionDict)}

    inner = StateGraph(Answer).add_node("inner", inner_node).add_edge(START, "inner").compile()
    graph = (
        StateGraph(Answer)
        .add_node("sub", inner)
        .add_edge(START, "sub")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"answer": None}, CFG)
    (pending,) = graph.get_state(CFG).interrupts
    with pytest.raises(ValidationError):
        graph.invoke(Command(resume={pending.id: {"approved": "?"}}), CFG)
    assert [i.id for i in graph.get_state(CFG).interrupts] == [pending.id]
    assert graph.invoke(Command(resume={pending.id: {"approved": True}}), CFG) == {
        "answer": {"approved": True}
    }


def test_other_answered_tasks_finish_and_do_not_run_again():
    """One valid and one invalid answer in a parallel step: the valid task finishes once;
    the other's interrupt is pending again."""
    runs = []

    def make(name):
        def node(state):
            interrupt(f"{name}?", response_schema=DecisionDict)
            runs.append(name)
            return {"log": [name]}

        return node

    graph = (
        StateGraph(State)
        .add_node("a", make("a"))
        .add_node("b", make("b"))
        .add_edge(START, "a")
        .add_edge(START, "b")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"log": []}, CFG)
    ids = {i.value: i.id for i in graph.get_state(CFG).interrupts}
    with pytest.raises(ValidationError):
        graph.invoke(
            Command(resume={ids["a?"]: {"approved": True}, ids["b?"]: {"approved": "maybe"}}), CFG
        )
    assert [i.value for i in graph.get_state(CFG).interrupts] == ["b?"]
    result = graph.invoke(Command(resume={ids["b?"]: {"approved": False}}), CFG)
    assert (sorted(result["log"]), runs) == (["a", "b"], ["a", "b"])


def test_an_invalid_answer_is_not_retried():
    """A retry policy that retries everything still fails an invalid answer at once."""
    calls = []

    def node(state):
        calls.append(1)
        return {"answer": interrupt("approve?", response_schema=DecisionDict)}

    graph = (
        StateGraph(Answer)
        .add_node("node", node, retry_policy=RetryPolicy(retry_on=Exception, initial_interval=0))
        .add_edge(START, "node")
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"answer": None}, CFG)
    with pytest.raises(ValidationError):
        graph.invoke(Command(resume={"approved": "?"}), CFG)
    assert len(calls) == 2 and graph.get_state(CFG).interrupts


def test_async_invalid_answer():
    """``ainvoke`` rejects the answer the same way."""

    async def node(state):
        return {"answer": interrupt("approve?", response_schema=DecisionDict)}

    graph = (
        StateGraph(Answer)
        .add_node("node", node)
        .add_edge(START, "node")
        .compile(checkpointer=InMemorySaver())
    )

    async def scenario():
        await graph.ainvoke({"answer": None}, CFG)
        with pytest.raises(ValidationError):
            await graph.ainvoke(Command(resume={"approved": "?"}), CFG)
        return await graph.ainvoke(Command(resume={"approved": True}), CFG)

    assert asyncio.run(scenario()) == {"answer": {"approved": True}}


def test_other_errors_are_not_invalid_resumes():
    """``is_invalid_resume`` is false for a ValidationError raised elsewhere."""
    with pytest.raises(ValidationError) as raised:
        Decision.model_validate({"approved": "nope"})
    assert not is_invalid_resume(raised.value) and not is_invalid_resume(ValueError("x"))


def test_a_schema_dict_must_be_storable():
    """The schema is stored with the interrupt: a dict holding a function is refused at the call."""
    graph = _asking({"type": "object", "check": print})
    with pytest.raises(TypeError, match="response_schema dict must be plain JSON"):
        graph.invoke({"answer": None}, CFG)
