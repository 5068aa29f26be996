"""Edit, then answer: after a state edit over a pending question, resume() still answers it.

LangGraph (and our engine, and a LangGraph server) stop listing the question once the
state is edited over it, but the node is still next and ``Command(resume=...)`` answers
it; the widget's ``resume()`` does the same instead of refusing."""

from __future__ import annotations

import pytest

from hitl_notebook.widgets.session import ActionError

from .graphs import approval_graph, parallel_graph, review_graph


def test_resume_answers_the_question_an_edit_hid(engine, open_widget):
    """The edited state reaches the node, which gets the answer; nothing is asked twice."""
    graph = approval_graph(engine)
    widget, _ = open_widget(graph)
    widget.run({"topic": "owls"})
    widget.update_state({"answer": "edited draft"})
    # The question stays on screen, answerable (the engines themselves stop listing it).
    assert widget.status == "interrupted" and widget.interrupts[0]["carried"] is True

    widget.resume("yes")

    assert widget.status == "done"
    assert widget.state.values["answer"] == "edited draft [yes]"
    assert widget.state.values["log"] == ["draft", "review"]


def test_the_hidden_questions_form_still_checks_the_answer(engine, open_widget):
    """A review decision the hidden request does not allow is refused, history unchanged."""
    graph = review_graph(engine)
    widget, _ = open_widget(graph)
    widget.run({"log": []})
    widget.update_state({"answer": "edited"})
    size = widget.history_size

    with pytest.raises(ActionError, match="'respond' is not allowed for 'send_email'"):
        widget.resume({"decisions": [{"type": "respond", "message": "x"}]})

    widget.refresh()
    assert widget.history_size == size and widget.status == "interrupted"


def test_an_answered_question_is_not_answered_again(engine, open_widget):
    """Once answered (and the thread done), a second answer is refused."""
    graph = approval_graph(engine)
    widget, _ = open_widget(graph)
    widget.run({"topic": "owls"})
    widget.resume("yes")
    with pytest.raises(ActionError, match="no interrupt is pending"):
        widget.resume("yes")


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
    assert len(widget.interrupts) == 2, "both questions stay on screen after the edit"
    before = len(list(widget.session.runtime.get_state_history(widget.session.config)))
    reply = browser.action("resume", answers={widget.interrupts[0]["id"]: "x"})
    assert not reply["ok"] and "continue the run" in reply["error"]
    after = len(list(widget.session.runtime.get_state_history(widget.session.config)))
    assert after == before
