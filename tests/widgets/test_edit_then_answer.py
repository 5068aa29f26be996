"""Review, edit, then answer: the core HITL pattern, on both engines.

After ``update_state`` while paused at an interrupt, neither LangGraph nor our engine
lists the interrupt any more, yet both accept ``Command(resume=...)``: the node re-runs
on the edited state and its ``interrupt()`` returns the answer. The widget keeps the
question answerable across the edit.
"""

from __future__ import annotations

import pytest

from .graphs import approval_graph, parallel_graph


def test_edit_then_answer_from_the_panel(engine, open_widget):
    """Edit the draft while the question is pending, then answer it: the answer reaches
    the node, which sees the edited state; the result matches plain LangGraph calls."""
    graph = approval_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"topic": "owls"})
    [asked] = widget.interrupts
    assert browser.action("update_state", values={"answer": "draft about otters"})["ok"]
    [still] = widget.interrupts
    assert still["id"] == asked["id"] and still["carried"] is True
    assert widget.status == "interrupted"
    reply = browser.action("resume", answers={asked["id"]: "yes"})
    assert reply["ok"], reply
    values = widget.session.head.values
    assert widget.status == "done" and widget.interrupts == []

    reference = approval_graph(engine)
    config = {"configurable": {"thread_id": "ref"}}
    reference.invoke({"topic": "owls"}, config)
    reference.update_state(config, {"answer": "draft about otters"})
    reference.invoke(engine.Command(resume="yes"), config)
    assert values == reference.get_state(config).values
    assert "otters" in str(values) and "[yes]" in str(values)


def test_edit_then_answer_from_code(engine, open_widget):
    """The same with the Python twins: ``update_state`` then ``resume``."""
    widget, _ = open_widget(approval_graph(engine))
    widget.run({"topic": "owls"})
    widget.update_state({"answer": "draft about otters"})
    widget.resume("no")
    assert widget.session.head.values["answer"].endswith("[no]")
    assert "otters" in widget.session.head.values["answer"]


def test_continue_after_an_edit_asks_again(engine, open_widget):
    """Continue instead of answering re-asks the question on the edited state."""
    widget, browser = open_widget(approval_graph(engine))
    widget.run({"topic": "owls"})
    browser.action("update_state", values={"answer": "draft about otters"})
    [before] = widget.interrupts
    assert browser.action("continue")["ok"]
    [asked] = widget.interrupts
    assert "carried" not in asked and asked["id"] != before["id"]
    widget.resume("yes")
    assert widget.session.head.values["answer"] == "draft about otters [yes]"


def test_several_questions_over_an_edit_are_re_asked_not_guessed(engine, open_widget):
    """Two parallel questions pending before an edit: answering is refused with what to do
    (their re-run tasks have new ids), and history is unchanged."""
    widget, browser = open_widget(parallel_graph(engine))
    widget.run({"log": []})
    assert len(widget.interrupts) == 2
    browser.action("update_state", values={"answer": "edited"})
    if len(widget.interrupts) != 2:
        pytest.skip("the edit ended the parallel questions on this engine")
    before = len(list(widget.session.runtime.get_state_history(widget.session.config)))
    reply = browser.action("resume", answers={widget.interrupts[0]["id"]: "x"})
    assert not reply["ok"] and "Continue" in reply["error"]
    after = len(list(widget.session.runtime.get_state_history(widget.session.config)))
    assert after == before
