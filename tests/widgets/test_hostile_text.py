"""Text no kernel message can carry (lone surrogates) never breaks the widget.

On our engine only: LangGraph's savers cannot store such text at all (its msgpack
serializer raises), so no LangGraph thread can hold it."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from jupyter_client.session import json_packer

from .conftest import _ours

LONE = "bad \ud800 text"


class State(TypedDict):
    note: str
    log: Annotated[list, operator.add]


def surrogate_graph(e):
    def ask(state):
        print(f"printing {LONE}")
        return {"note": e.interrupt({"question": LONE, LONE: 1})}

    b = e.StateGraph(State)
    b.add_node("ask", ask)
    b.add_edge(e.START, "ask")
    b.add_edge("ask", e.END)
    return b.compile(checkpointer=e.InMemorySaver())


def test_lone_surrogates_are_shown_escaped_not_raised(open_widget):
    """A payload, state value and printed line with a lone surrogate: show() works, every
    trait and message can be packed as a kernel message, and the surrogate reads as an
    escape; the thread's own values are untouched."""
    graph = surrogate_graph(_ours())
    config = {"configurable": {"thread_id": "t1"}}
    graph.invoke({"note": LONE, "log": []}, config)
    widget, browser = open_widget(graph)
    json_packer(widget.get_state())
    [spec] = widget.interrupts
    assert spec["value"]["question"] == "bad \\ud800 text"
    assert spec["value"]["bad \\ud800 text"] == 1
    view = browser.query("checkpoint")["result"]
    assert view["values"]["note"] == "bad \\ud800 text"
    assert graph.get_state(config).values["note"] == LONE

    browser.action("new_thread", input={"note": LONE, "log": []})
    for message in browser.received:
        json_packer(message)
    json_packer(widget.get_state())
    assert ("stdout", "printing bad \\ud800 text") in widget.session.log
