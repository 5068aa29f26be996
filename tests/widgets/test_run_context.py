"""``show(graph, context=...)``: every run the widget starts (the first run, each answer,
continue) gets the run context, on both engines, sync and async nodes alike."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pydantic

from hitl_notebook.widgets.server_shapes import context_as_json

from .graphs import State


@dataclass
class Who:
    user: str


def _greeting_graph(e, *, is_async: bool = False):
    """greet (reads the context) -> ask (interrupts, then reads it again) -> END."""

    def greet(state, runtime):
        return {"log": [f"greet {runtime.context.user}"]}

    def ask(state, runtime):
        answer = e.interrupt({"question": "Go on?", "options": ["yes", "no"]})
        return {"log": [f"{answer} from {runtime.context.user}"]}

    async def ask_async(state, runtime):
        await asyncio.sleep(0)
        return ask(state, runtime)

    b = e.StateGraph(State)
    b.add_node("greet", greet)
    b.add_node("ask", ask_async if is_async else ask)
    b.add_edge(e.START, "greet")
    b.add_edge("greet", "ask")
    b.add_edge("ask", e.END)
    return b.compile(checkpointer=e.InMemorySaver())


def test_runs_and_answers_from_the_widget_get_its_context(engine, open_widget):
    graph = _greeting_graph(engine)
    widget, browser = open_widget(graph, context=Who("ann"))
    widget.run({"log": []})
    assert widget.status == "interrupted"
    [pending] = widget.interrupts
    reply = browser.action("resume", answers={pending["id"]: "yes"})
    assert reply["ok"], reply
    assert widget.session.head.values["log"] == ["greet ann", "yes from ann"]


def test_async_nodes_get_the_context_too(open_widget):
    from types import SimpleNamespace

    from hitl_notebook import END, START, InMemorySaver, StateGraph, interrupt

    e = SimpleNamespace(
        StateGraph=StateGraph,
        START=START,
        END=END,
        InMemorySaver=InMemorySaver,
        interrupt=interrupt,
    )
    widget, browser = open_widget(_greeting_graph(e, is_async=True), context=Who("bo"))
    widget.run({"log": []})
    [pending] = widget.interrupts
    assert browser.action("resume", answers={pending["id"]: "no"})["ok"]
    assert widget.session.head.values["log"] == ["greet bo", "no from bo"]


def test_a_context_goes_to_a_server_as_json():
    class Settings(pydantic.BaseModel):
        user: str

    assert context_as_json(Who("ann")) == {"user": "ann"}
    assert context_as_json(Settings(user="pyd")) == {"user": "pyd"}
    assert context_as_json({"user": "raw"}) == {"user": "raw"}
