"""Fixtures for widget tests: the same graphs on LangGraph and on our engine, and a widget
whose outgoing messages are recorded (the browser is simulated by calling the widget's
message handler directly; no kernel)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from hitl_notebook.widgets import ThreadWidget, show


def _langgraph() -> SimpleNamespace:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import END, START, StateGraph
    from langgraph.types import Command, interrupt

    return SimpleNamespace(
        name="langgraph",
        StateGraph=StateGraph,
        START=START,
        END=END,
        InMemorySaver=InMemorySaver,
        Command=Command,
        interrupt=interrupt,
    )


def _ours() -> SimpleNamespace:
    from hitl_notebook import END, START, Command, InMemorySaver, StateGraph, interrupt

    return SimpleNamespace(
        name="ours",
        StateGraph=StateGraph,
        START=START,
        END=END,
        InMemorySaver=InMemorySaver,
        Command=Command,
        interrupt=interrupt,
    )


@pytest.fixture(params=[pytest.param("langgraph", marks=pytest.mark.langgraph), "ours"])
def engine(request) -> SimpleNamespace:
    """The graph API of one engine: real LangGraph (marked ``langgraph``; skipped without
    the [langgraph] extra) or hitl_notebook's."""
    if request.param == "langgraph":
        pytest.importorskip("langgraph", reason="the LangGraph engine needs the [langgraph] extra")
        return _langgraph()
    return _ours()


class Browser:
    """Plays the front end: sends action/query messages and records what comes back."""

    def __init__(self, widget: ThreadWidget) -> None:
        self.widget = widget
        self.received: list[dict] = []
        widget.send = self.received.append
        self._next = 0

    def _send(self, message: dict) -> dict:
        self._next += 1
        message = {**message, "request_id": self._next}
        self.widget._on_frontend_msg(self.widget, message, [])
        replies = [
            m for m in self.received if m.get("type") == "reply" and m["request_id"] == self._next
        ]
        assert len(replies) == 1, "every request gets exactly one reply"
        return replies[0]

    def action(self, action: str, base: str | None = "HEAD", wait: bool = True, **args) -> dict:
        """An action as a button sends it, based on the checkpoint the widget shows.

        A run it starts goes on in the background; unless ``wait=False`` this waits for
        the run to end, as a user waits for the status to settle."""
        shown = self.widget.head.get("id") if base == "HEAD" else base
        reply = self._send({"type": "action", "action": action, "args": args, "base": shown})
        if wait:
            assert self.widget.wait(timeout=60), "the run did not end within 60 s"
        return reply

    def query(self, query: str, **args) -> dict:
        return self._send({"type": "query", "query": query, "args": args})

    def events(self, kind: str) -> list[dict]:
        return [m for m in self.received if m.get("type") == kind]


@pytest.fixture
def open_widget():
    """``open_widget(graph, thread_id)`` -> (widget, browser)."""

    def make(graph, thread_id="t1", **options):
        widget = show(graph, thread_id=thread_id, **options)
        return widget, Browser(widget)

    return make
