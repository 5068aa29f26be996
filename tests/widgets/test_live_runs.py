"""Runs started from the widget: in the background, stoppable, with their own output only.

The browser is simulated (see conftest.Browser); the graphs are real, on both engines.
Nodes block on events the test controls, so nothing here depends on timing.
"""

from __future__ import annotations

import asyncio
import io
import logging
import operator
import sys
import threading
import time
from typing import Annotated, TypedDict

import pytest


class State(TypedDict):
    log: Annotated[list, operator.add]


def gated_chain(e, gate: threading.Event, started: threading.Event):
    """a -> slow -> c; ``slow`` signals ``started`` then waits for ``gate``."""

    def slow(state):
        started.set()
        assert gate.wait(30), "the test never opened the gate"
        print("slow finished its call")
        return {"log": ["slow"]}

    b = e.StateGraph(State)
    b.add_node("a", lambda s: {"log": ["a"]})
    b.add_node("slow", slow)
    b.add_node("c", lambda s: {"log": ["c"]})
    b.add_edge(e.START, "a")
    b.add_edge("a", "slow")
    b.add_edge("slow", "c")
    b.add_edge("c", e.END)
    return b.compile(checkpointer=e.InMemorySaver())


def test_button_run_goes_on_in_the_background_and_reports_live(engine, open_widget):
    """The action's reply comes back while the node still runs; the widget shows the node
    running, then the finished run with its steps and per-node times."""
    gate, started = threading.Event(), threading.Event()
    widget, browser = open_widget(gated_chain(engine, gate, started))
    reply = browser.action("run", wait=False, input={"log": []})
    assert reply["ok"] and reply["result"]["running"]
    assert started.wait(10)
    assert widget.running and widget.status == "running"
    assert widget.node_status["slow"] == "running"
    assert widget.progress["active"] and widget.progress["nodes"]["slow"]["state"] == "running"
    busy = browser.action("continue", wait=False)
    assert not busy["ok"] and "in progress" in busy["error"], "a second run is refused"
    gate.set()
    assert widget.wait(30)
    assert widget.status == "done"
    assert widget.session.head.values["log"] == ["a", "slow", "c"]
    assert not widget.progress["active"]
    assert widget.progress["steps"] >= 4, widget.run  # input, a, slow, c
    assert {n: v["state"] for n, v in widget.progress["nodes"].items()} == {
        "a": "visited",
        "slow": "visited",
        "c": "visited",
    }
    assert all(v["took"] >= 0 for v in widget.progress["nodes"].values())


def test_progress_query_gives_durations_as_of_now(engine, open_widget):
    """A page opened mid-run asks for the run's progress: the same run, its durations
    measured when asked (the trait holds those of the last change, maybe long ago)."""
    gate, started = threading.Event(), threading.Event()
    widget, browser = open_widget(gated_chain(engine, gate, started))
    assert browser.query("progress")["result"] == {}, "no run yet"
    browser.action("run", wait=False, input={"log": []})
    assert started.wait(10)
    held = widget.progress
    time.sleep(0.05)  # (so that "now" is a later millisecond than the last change)
    now = browser.query("progress")["result"]
    assert now["started"] == held["started"] and now["active"]
    assert now["elapsed"] > held["elapsed"]
    assert now["nodes"]["slow"]["took"] > held["nodes"]["slow"]["took"]
    gate.set()
    assert widget.wait(30)
    assert browser.query("progress")["result"] == widget.progress


def test_latest_checkpoint_asked_mid_run_is_the_head(engine, open_widget):
    """A page opened mid-run asks for the latest checkpoint: it comes as the head (the
    state panel shows it) though the panel's last patch is older; it used to come as a
    past checkpoint, which the panel ignores, leaving it empty."""
    gate, started = threading.Event(), threading.Event()
    widget, browser = open_widget(gated_chain(engine, gate, started))
    browser.action("run", wait=False, input={"log": []})
    try:
        assert started.wait(10)
        reads = getattr(widget.session.runtime, "reads_during_run", True)
        deadline = time.monotonic() + 10  # until the step before "slow" is shown
        while reads and widget.head.get("next") != ["slow"] and time.monotonic() < deadline:
            time.sleep(0.01)
        view = browser.query("checkpoint")["result"]
        assert view["is_head"]
        assert view["id"] == widget.head.get("id")
        # (a LangGraph graph is not read during a run: the widget knows no checkpoint yet)
        assert view["values"] == ({"log": ["a"]} if reads else {})
    finally:
        gate.set()
    assert widget.wait(30)


def test_stop_lets_a_sync_node_finish_and_starts_no_further_node(engine, open_widget):
    """Stop while a sync node runs: it finishes its call, its step is saved, the next node
    never starts, and Continue goes on from there."""
    gate, started = threading.Event(), threading.Event()
    widget, browser = open_widget(gated_chain(engine, gate, started))
    browser.action("run", wait=False, input={"log": []})
    assert started.wait(10)
    assert browser.action("stop", wait=False)["ok"]
    assert widget.stop() == [widget.session.live.run_id], "the same run, asked twice"
    assert widget.progress["stopping"] is True
    gate.set()
    assert widget.wait(30)
    head = widget.session.head
    assert head.values["log"] == ["a", "slow"]
    assert tuple(head.next) == ("c",)
    assert widget.status == "paused"
    assert "Stopped" in widget.notice
    assert "c" not in widget.progress["nodes"]
    assert ("stdout", "slow finished its call") in widget.session.log

    browser.action("continue")
    assert widget.session.head.values["log"] == ["a", "slow", "c"]
    assert widget.status == "done"
    # Both engines stream the checkpoint a continuation starts from: not a step of its own.
    assert widget.progress["steps"] == 1, widget.progress


def test_stop_from_code_stops_nothing_without_a_run(engine, open_widget):
    """``w.stop()`` with nothing running says so (no run ids) instead of pretending."""
    gate, started = threading.Event(), threading.Event()
    gate.set()
    widget, _ = open_widget(gated_chain(engine, gate, started))
    assert widget.stop() == []


def test_stop_cancels_a_running_async_node(engine, open_widget):
    """A graph with async nodes runs on an event loop; Stop cancels the running async node
    at once and leaves the thread at its last checkpoint, from which Continue works."""
    entered, cancelled = threading.Event(), threading.Event()
    calls = []

    async def wait_long(state):
        calls.append(1)
        if len(calls) == 1:
            entered.set()
            try:
                await asyncio.sleep(60)
            except asyncio.CancelledError:
                cancelled.set()
                raise
        return {"log": ["wait_long"]}

    b = engine.StateGraph(State)
    b.add_node("a", lambda s: {"log": ["a"]})
    b.add_node("wait_long", wait_long)
    b.add_edge(engine.START, "a")
    b.add_edge("a", "wait_long")
    b.add_edge("wait_long", engine.END)
    widget, browser = open_widget(b.compile(checkpointer=engine.InMemorySaver()))
    browser.action("run", wait=False, input={"log": []})
    assert entered.wait(10)
    widget.stop()
    assert widget.wait(10), "an async node is cancelled, not waited for"
    assert cancelled.is_set()
    head = widget.session.head
    assert head.values["log"] == ["a"] and tuple(head.next) == ("wait_long",)
    assert widget.status == "paused"
    assert widget.progress["nodes"]["wait_long"]["state"] == "stopped"

    browser.action("continue")
    assert widget.session.head.values["log"] == ["a", "wait_long"]


def test_other_threads_output_is_not_captured_during_a_run(engine, open_widget, monkeypatch):
    """While a widget run prints, prints and log records from elsewhere (another cell) go
    where they always go; only the run's own output reaches the widget's log."""
    cell_out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", cell_out)
    gate, started = threading.Event(), threading.Event()
    widget, browser = open_widget(gated_chain(engine, gate, started))
    browser.action("run", wait=False, input={"log": []})
    assert started.wait(10)
    records: list[logging.LogRecord] = []
    handler = logging.Handler(logging.INFO)
    handler.emit = records.append
    logger = logging.getLogger("another_cell")
    logger.addHandler(handler)
    try:
        print("printed by another cell")
        logger.warning("logged by another cell")
    finally:
        logger.removeHandler(handler)
    gate.set()
    assert widget.wait(30)
    assert "printed by another cell" in cell_out.getvalue()
    assert "slow finished its call" not in cell_out.getvalue()
    assert [r.getMessage() for r in records] == ["logged by another cell"]
    lines = [text for _, text in widget.session.log]
    assert "slow finished its call" in lines
    assert not any("another cell" in line for line in lines)
    assert sys.stdout is cell_out, "the run put back the stream it replaced"


def test_tokens_of_a_chat_model_are_streamed_to_the_browser(open_widget):
    """A node calling our ScriptedChatModel: the browser receives the reply piece by piece,
    and the pieces add up to the message the state holds."""
    from hitl_notebook import END, START, InMemorySaver, ScriptedChatModel, StateGraph

    reply = "Otters hold hands while they sleep so they do not drift apart"
    model = ScriptedChatModel([reply])

    class Chat(TypedDict):
        messages: Annotated[list, operator.add]

    b = StateGraph(Chat)
    b.add_node("model", lambda s: {"messages": [model.invoke(s["messages"])]})
    b.add_edge(START, "model")
    b.add_edge("model", END)
    widget, browser = open_widget(b.compile(checkpointer=InMemorySaver()))
    browser.action("run", input={"messages": [("user", "tell me about otters")]})
    items = [item for msg in browser.events("tokens") for item in msg["items"]]
    assert items and all(item["node"] == "model" for item in items)
    assert len({item["id"] for item in items}) == 1
    assert "".join(item["text"] for item in items) == reply
    assert widget.session.head.values["messages"][-1].content == reply


def test_tokens_of_a_langchain_model_on_langgraph(open_widget):
    """The same on LangGraph with a LangChain chat model that streams."""
    pytest.importorskip("langchain_core")
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import END, START, MessagesState, StateGraph

    reply = "Sea otters use rocks as tools"
    model = GenericFakeChatModel(messages=iter([AIMessage(reply, id="r1")]))
    b = StateGraph(MessagesState)
    b.add_node("model", lambda s: {"messages": [model.invoke(s["messages"])]})
    b.add_edge(START, "model")
    b.add_edge("model", END)
    _, browser = open_widget(b.compile(checkpointer=InMemorySaver()))
    browser.action("run", input={"messages": [("user", "otters?")]})
    items = [item for msg in browser.events("tokens") for item in msg["items"]]
    assert items and all(item["node"] == "model" for item in items)
    assert "".join(item["text"] for item in items) == reply


def test_new_thread_with_an_unknown_input_key_keeps_the_picker(engine, open_widget):
    """Starting a thread from the picker with a key the state does not have is refused
    with the key named; no thread is created and the picker is still offered."""
    from .graphs import approval_graph

    graph = approval_graph(engine)
    widget, browser = open_widget(graph, thread_id=None)
    assert widget.status == "no_thread"
    reply = browser.action("new_thread", base=None, input={"topik": "owls"})
    assert not reply["ok"] and reply["kind"] == "rejected"
    assert "'topik'" in reply["error"] and "topic" in reply["error"]
    assert widget.thread_id == "" and widget.status == "no_thread"
    assert widget.session.runtime.list_threads() == []
    assert browser.action("new_thread", base=None, input={"topic": "owls"})["ok"]
    assert widget.status == "interrupted"


def test_two_widgets_on_one_thread_stay_in_sync(engine, open_widget):
    """Answering in one widget updates the other widget on the same thread; an edit with
    a question pending keeps it answerable in both."""
    from .graphs import approval_graph

    graph = approval_graph(engine)
    first, first_browser = open_widget(graph)
    first.run({"topic": "owls"})
    second, second_browser = open_widget(graph)
    assert second.status == "interrupted"
    first_browser.action("update_state", values={"answer": "draft about otters"})
    assert second.interrupts and second.interrupts[0]["carried"] is True
    second_browser.action("resume", answers={second.interrupts[0]["id"]: "yes"})
    assert second.status == "done"
    assert first.status == "done" and first.interrupts == []
    assert first.head["id"] == second.head["id"]
    assert first.session.head.values["answer"] == "draft about otters [yes]"
    other, _ = open_widget(graph, thread_id="another")
    assert other.status == "new", "a widget on another thread is left alone"
