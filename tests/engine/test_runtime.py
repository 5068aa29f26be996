"""``Runtime`` details of our own (LangGraph's behaviour is pinned in
``tests/differential/test_runtime_context.py``): the context is never stored, so it may
hold what a checkpoint cannot (a connection, a lock), and a pydantic schema coerces a dict."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import pydantic
import pytest

from hitl_notebook import (
    END,
    START,
    Command,
    ExecutionInfo,
    InMemorySaver,
    Runtime,
    StateGraph,
    get_runtime,
    interrupt,
)
from hitl_notebook.checkpoint.sqlite import SqliteSaver

from .helpers import Vals


@dataclass
class Deps:
    user: str
    lock: Any = None


def _graph(checkpointer: Any, context_schema: Any = Deps) -> Any:
    def ask(state: Vals, runtime: Runtime[Deps]) -> dict:
        with runtime.context.lock:
            answer = interrupt(f"ok, {runtime.context.user}?")
        return {"text": f"{answer} by {get_runtime().context.user}"}

    return (
        StateGraph(Vals, context_schema=context_schema)
        .add_node("ask", ask)
        .add_edge(START, "ask")
        .add_edge("ask", END)
        .compile(checkpointer=checkpointer)
    )


@pytest.mark.parametrize("saver", ["memory", "sqlite"])
def test_a_context_holding_unstorable_objects_is_used_and_never_stored(saver, tmp_path):
    checkpointer = InMemorySaver() if saver == "memory" else SqliteSaver(tmp_path / "t.db")
    graph, config = _graph(checkpointer), {"configurable": {"thread_id": "t"}}
    paused = graph.invoke({"vals": []}, config, context=Deps("ann", threading.Lock()))
    assert paused["__interrupt__"][0].value == "ok, ann?"
    done = graph.invoke(Command(resume="yes"), config, context=Deps("bob", threading.Lock()))
    assert done["text"] == "yes by bob"
    stored = repr([(s.values, s.metadata) for s in graph.get_state_history(config)])
    assert "ann" not in stored and "bob" not in stored.replace("yes by bob", "")


def test_a_dict_context_becomes_the_pydantic_schema():
    class Settings(pydantic.BaseModel):
        user: str
        lock: Any = None

    graph = _graph(InMemorySaver(), context_schema=Settings)
    config = {"configurable": {"thread_id": "p"}}
    graph.invoke({"vals": []}, config, context={"user": "pyd", "lock": threading.Lock()})
    assert (
        graph.invoke(
            Command(resume="fine"), config, context={"user": "pyd2", "lock": threading.Lock()}
        )["text"]
        == "fine by pyd2"
    )


def test_a_dict_missing_a_dataclass_field_fails_before_the_thread_changes():
    graph = _graph(InMemorySaver())
    config = {"configurable": {"thread_id": "bad"}}
    with pytest.raises(TypeError, match=r"does not fit the graph's context_schema Deps: .*'name'"):
        graph.invoke({"vals": []}, config, context={"name": "x"})
    assert list(graph.get_state_history(config)) == []


def test_runtime_override_and_merge_keep_the_other_fields():
    info = ExecutionInfo(checkpoint_id="c", checkpoint_ns="n:1", task_id="1")
    base = Runtime(context=Deps("a"), execution_info=info)
    assert base.override(context=Deps("b")).execution_info is info
    merged = base.merge(Runtime(previous=3))
    assert (merged.context, merged.previous, merged.execution_info) == (Deps("a"), 3, info)
    assert info.patch(node_attempt=2).node_attempt == 2


def test_the_context_schema_is_frozen_at_compile():
    """Editing the builder after ``compile()`` does not change the compiled graph: a dict
    context still becomes the schema it was compiled with."""
    builder = StateGraph(Vals, context_schema=Deps)
    builder.add_node("n", lambda s, runtime: {"text": type(runtime.context).__name__})
    builder.add_edge(START, "n")
    graph = builder.compile()
    builder.context_schema = None
    assert graph.invoke({"vals": []}, context={"user": "x"})["text"] == "Deps"
