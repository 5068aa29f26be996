"""The thread widget over an ``@entrypoint``: a diagram of the task calls so far, the
pending interrupt with its form, the saved value as editable state, history with fork and
replay (the browser is simulated by the widget's message handler)."""

from __future__ import annotations

from collections import Counter

import pytest

from hitl_notebook import Command, InMemorySaver, entrypoint, interrupt, task
from hitl_notebook.widgets import ActionError


def review_flow(runs: Counter):
    """Two tasks, then a question with options, then the verdict."""

    @task
    def draft(topic: str) -> str:
        runs["draft"] += 1
        return f"A note on {topic}."

    @task
    def polish(text: str) -> str:
        runs["polish"] += 1
        return text.upper()

    @entrypoint(checkpointer=InMemorySaver())
    def review(topic: str) -> dict:
        text = polish(draft(topic).result()).result()
        verdict = interrupt({"question": "Publish?", "text": text, "options": ["yes", "no"]})
        return {"text": text, "published": verdict == "yes"}

    return review


def test_the_diagram_shows_the_task_calls_and_the_question(open_widget):
    """After a run pauses, the diagram holds the entrypoint and one node per task call, in
    order, with the entrypoint interrupted; the interrupt panel offers the options."""
    widget, _ = open_widget(review_flow(Counter()))
    widget.run("owls")
    assert widget.status == "interrupted"
    svg = widget.graph_svg
    assert 'data-node="draft #1"' in svg and 'data-node="polish #2"' in svg
    assert svg.index('data-node="draft #1"') < svg.index('data-node="polish #2"')
    assert widget.node_status == {
        "review": "interrupted",
        "draft #1": "visited",
        "polish #2": "visited",
    }
    [pending] = widget.interrupts
    assert pending["kind"] == "options" and pending["node"] == "review"


def test_answering_in_the_panel_finishes_without_re_running_tasks(open_widget):
    """The answer resumes the entrypoint; its tasks' results come from the checkpoint."""
    runs: Counter = Counter()
    flow = review_flow(runs)
    widget, browser = open_widget(flow)
    widget.run("owls")
    [pending] = widget.interrupts
    reply = browser.action("resume", answers={pending["id"]: "yes"})
    assert reply["ok"], reply
    assert widget.status == "done"
    assert flow.get_state({"configurable": {"thread_id": "t1"}}).values == {
        "text": "A NOTE ON OWLS.",
        "published": True,
    }
    assert runs == {"draft": 1, "polish": 1}
    assert widget.node_status["draft #1"] == "visited"


def test_a_question_asked_inside_a_task_marks_that_task(open_widget):
    """A task paused on ``interrupt()`` is drawn as an interrupted task call."""

    @task
    def fetch() -> list:
        return [1, 2]

    @task
    def confirm(items: list) -> bool:
        return interrupt(f"Keep {items}?") == "yes"

    @entrypoint(checkpointer=InMemorySaver())
    def flow(_: str) -> bool:
        return confirm(fetch().result()).result()

    widget, browser = open_widget(flow)
    widget.run("go")
    assert widget.node_status == {
        "flow": "interrupted",
        "fetch #1": "visited",
        "confirm #2": "interrupted",
    }
    [pending] = widget.interrupts
    assert pending["kind"] == "text"
    assert browser.action("resume", answers={pending["id"]: "yes"})["ok"]
    assert flow.get_state({"configurable": {"thread_id": "t1"}}).values is True


def test_the_saved_value_is_edited_whole(open_widget):
    """The state editor edits the entrypoint's value as one JSON value (not key by key):
    saving replaces it and the next run reads it as ``previous``."""

    @entrypoint(checkpointer=InMemorySaver())
    def counter(step: int, *, previous: int | None = None) -> int:
        return (previous or 0) + step

    widget, browser = open_widget(counter)
    assert widget.state_kind == "value"
    widget.run(1)
    reply = browser.action("update_state", values=41, as_node=None)
    assert reply["ok"], reply
    widget.run(1)
    assert counter.get_state({"configurable": {"thread_id": "t1"}}).values == 42


def test_fork_and_replay_from_the_history(open_widget):
    """Forking a past checkpoint with a new value and replaying an input checkpoint work
    from the widget as on a graph; history keeps every branch."""

    @entrypoint(checkpointer=InMemorySaver())
    def counter(step: int, *, previous: int | None = None) -> int:
        return (previous or 0) + step

    config = {"configurable": {"thread_id": "t1"}}
    widget, browser = open_widget(counter)
    widget.run(1)
    widget.run(2)
    first_done = next(
        s for s in counter.get_state_history(config) if s.metadata["step"] == 0
    ).config["configurable"]["checkpoint_id"]
    assert browser.action("fork", checkpoint_id=first_done, values=100, as_node=None)["ok"]
    assert counter.get_state(config).values == 100
    widget.run(5)
    assert counter.get_state(config).values == 105
    second_input = next(
        s
        for s in counter.get_state_history(config)
        if s.metadata["source"] == "input" and s.metadata["step"] == 1
    ).config["configurable"]["checkpoint_id"]
    assert browser.action("replay", checkpoint_id=second_input)["ok"]
    assert counter.get_state(config).values == 3  # previous 1, plus 2 again
    assert widget.history_size == len(list(counter.get_state_history(config)))


def test_as_node_must_be_the_entrypoint(open_widget):
    """A task call is drawn but is not a node one can write as: the edit is refused and
    nothing is written."""
    widget, _ = open_widget(review_flow(Counter()))
    widget.run("owls")
    size = widget.history_size
    with pytest.raises(ActionError, match="not a node"):
        widget.session.update_state({"text": "x"}, as_node="draft #1")
    assert widget.history_size == size


def test_a_resume_from_code_updates_the_widget(open_widget):
    """Answering with ``invoke(Command(resume=...))`` elsewhere and refreshing redraws the
    diagram for the new run state."""
    flow = review_flow(Counter())
    widget, _ = open_widget(flow)
    widget.run("owls")
    flow.invoke(Command(resume="no"), {"configurable": {"thread_id": "t1"}})
    widget.refresh()
    assert widget.status == "done"
    assert widget.node_status["draft #1"] == "visited"
    assert "review" not in widget.node_status or widget.node_status["review"] == "visited"


def test_the_run_panel_shows_a_task_that_asked_as_interrupted(open_widget):
    """In the run panel, a task call paused on ``interrupt()`` ends as interrupted (its
    stream has no result event for it, as LangGraph's: the run ended on its question)."""

    @task
    def confirm(n: int) -> bool:
        return interrupt(f"Keep {n}?") == "yes"

    @entrypoint(checkpointer=InMemorySaver())
    def flow(n: int) -> bool:
        return confirm(n).result()

    widget, _ = open_widget(flow)
    widget.run(1)
    states = {node: entry["state"] for node, entry in widget.progress["nodes"].items()}
    assert states == {"flow": "interrupted", "confirm": "interrupted"}
