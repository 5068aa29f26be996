"""Edit, then answer: after a state edit over a pending question, resume() still answers it.

LangGraph (and our engine, and a LangGraph server) stop listing the question once the
state is edited over it, but the node is still next and ``Command(resume=...)`` answers
it; the widget's ``resume()`` does the same instead of refusing."""

from __future__ import annotations

import pytest

from hitl_notebook.widgets.session import ActionError

from .graphs import approval_graph, review_graph


def test_resume_answers_the_question_an_edit_hid(engine, open_widget):
    """The edited state reaches the node, which gets the answer; nothing is asked twice."""
    graph = approval_graph(engine)
    widget, _ = open_widget(graph)
    widget.run({"topic": "owls"})
    widget.update_state({"answer": "edited draft"})
    assert widget.status == "paused" and widget.interrupts == []

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
    assert widget.history_size == size and widget.status == "paused"


def test_an_answered_question_is_not_answered_again(engine, open_widget):
    """Once answered (and the thread done), a second answer is refused."""
    graph = approval_graph(engine)
    widget, _ = open_widget(graph)
    widget.run({"topic": "owls"})
    widget.resume("yes")
    with pytest.raises(ActionError, match="no interrupt is pending"):
        widget.resume("yes")
