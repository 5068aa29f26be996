"""``interrupt(..., response_schema=...)`` on both engines: the schema clients see, the
answer the node gets, and an invalid answer that can be given again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError
from typing_extensions import TypedDict

from .harness import Api, history, same, thread

pytestmark = pytest.mark.langgraph


class Decision(BaseModel):
    approved: bool
    note: str | None = None


class DecisionDict(TypedDict):
    approved: bool


@dataclass
class DecisionData:
    approved: bool


class Answer(TypedDict):
    answer: Any


def _graph(api: Api, schema: Any):
    def node(state):
        answer = api.interrupt({"question": "approve?"}, response_schema=schema)
        return {"answer": repr(answer)}  # what the node received, stored as text

    return (
        api.StateGraph(Answer)
        .add_node("node", node)
        .add_edge(api.START, "node")
        .compile(checkpointer=api.InMemorySaver())
    )


@pytest.mark.parametrize(
    "schema",
    [None, {"type": "object"}, Decision, DecisionDict, DecisionData],
    ids=["none", "raw_dict", "pydantic", "typeddict", "dataclass"],
)
def test_the_schema_and_the_answer(schema):
    """Same ``response_schema`` in the result and in ``get_state``; same answer received."""

    def scenario(api: Api):
        graph = _graph(api, schema)
        config = thread("t")
        paused = graph.invoke({"answer": None}, config)["__interrupt__"][0]
        state = graph.get_state(config)
        return {
            "result": paused.response_schema,
            "state": state.interrupts[0].response_schema,
            "task": state.tasks[0].interrupts[0].response_schema,
            "answer": graph.invoke(api.Command(resume={"approved": True}), config),
        }

    same(scenario)


@pytest.mark.parametrize("style", ["single", "map"])
def test_an_invalid_answer_can_be_given_again(style):
    """A ``ValidationError`` marked as an invalid resume; the interrupt is still pending and
    the next valid answer completes the run with the same history."""

    def scenario(api: Api):
        graph = _graph(api, Decision)
        config = thread("t")
        graph.invoke({"answer": None}, config)
        (pending,) = graph.get_state(config).interrupts

        def resume(value):
            return api.Command(resume=value if style == "single" else {pending.id: value})

        with pytest.raises(ValidationError) as raised:
            graph.invoke(resume({"approved": "maybe"}), config)
        still = [i.value for i in graph.get_state(config).interrupts]
        return {
            "marked": api.is_invalid_resume(raised.value),
            "still": still,
            "then": graph.invoke(resume({"approved": False}), config),
            "history": history(graph, config),
        }

    seen = same(scenario)
    assert seen["marked"] and seen["then"] == {"answer": "Decision(approved=False, note=None)"}
