"""Step, Continue and breakpoints on a thread of a real LangGraph API server.

The widget's run controls send ``interrupt_before``/``interrupt_after`` with the server run;
every check reads the server through the SDK alone, so a test passes only when the server
really paused (or went on) where the widget says.
"""

from __future__ import annotations

import pytest

from hitl_notebook.widgets import show
from hitl_notebook.widgets.session import ActionError

pytestmark = pytest.mark.server


def _count(sdk, thread_id: str) -> int:
    return len(sdk.threads.get_history(thread_id, limit=1000))


def test_a_breakpoint_before_a_node_pauses_the_server_run_then_continue(server_url, sdk):
    """A breakpoint before ``review`` stops the server run after ``write`` (no question yet);
    Continue goes on from it to the question, and the answer finishes the thread."""
    w = show(server_url, assistant_id="review", breakpoints_before=["review"])
    w.run({"topic": "larks"})

    server = sdk.threads.get_state(w.thread_id)
    assert server["next"] == ["review"] and server["interrupts"] == []
    assert server["values"]["log"] == ["write"]
    assert w.status == "paused" and w.interrupts == []
    assert w.node_status == {"write": "visited", "review": "next"}

    w.continue_run()

    server = sdk.threads.get_state(w.thread_id)
    assert server["next"] == ["review"] and len(server["interrupts"]) == 1
    assert w.status == "interrupted"
    assert w.interrupts[0]["id"] == server["interrupts"][0]["id"]

    w.resume("approve")

    values = sdk.threads.get_state(w.thread_id)["values"]
    assert values["log"] == ["write", "review", "publish:approve:A note about larks."]
    assert w.status == "done"


def test_a_breakpoint_after_a_node_pauses_after_it(server_url, sdk):
    """``interrupt_after`` reaches the server: the run pauses once ``write`` has written."""
    w = show(server_url, assistant_id="review")
    w.set_breakpoint("write", "after")
    w.run({"topic": "finches"})

    server = sdk.threads.get_state(w.thread_id)
    assert server["values"]["draft"] == "A note about finches." and server["next"] == ["review"]
    assert server["interrupts"] == [] and w.status == "paused"


def test_step_runs_one_super_step_on_the_server(server_url, sdk):
    """Step runs exactly one super-step on the server and pauses; Continue then runs on
    to the end; each pause is a checkpoint the timeline counts."""
    w = show(server_url, assistant_id="counter", breakpoints_before=["tick"])
    w.run({"n": 0, "limit": 4})
    assert sdk.threads.get_state(w.thread_id)["values"]["n"] == 0 and w.status == "paused"

    w.clear_breakpoints()
    for expected in (1, 2):
        w.step()
        server = sdk.threads.get_state(w.thread_id)
        assert server["values"]["n"] == expected and server["next"] == ["tick"]
        assert w.status == "paused" and w.head["next"] == ["tick"]
        assert w.history_size == _count(sdk, w.thread_id)

    w.continue_run()

    server = sdk.threads.get_state(w.thread_id)
    assert server["values"]["n"] == 4 and server["next"] == []
    assert w.status == "done" and w.history_size == _count(sdk, w.thread_id)


def test_continue_stops_again_at_a_breakpoint_on_a_looping_node(server_url, sdk):
    """With the breakpoint kept, each Continue on the server runs one more ``tick``."""
    w = show(server_url, assistant_id="counter", breakpoints_before=["tick"])
    w.run({"n": 0, "limit": 3})
    w.continue_run()
    assert sdk.threads.get_state(w.thread_id)["values"]["n"] == 1 and w.status == "paused"
    w.continue_run()
    assert sdk.threads.get_state(w.thread_id)["values"]["n"] == 2 and w.status == "paused"


def test_step_and_continue_refuse_while_a_question_is_pending(server_url, sdk):
    """A pending question is answered, not stepped over: nothing is sent to the server."""
    w = show(server_url, assistant_id="review")
    w.run({"topic": "rooks"})
    before = _count(sdk, w.thread_id)
    for action in (w.step, w.continue_run):
        with pytest.raises(ActionError, match="interrupts are pending"):
            action()
    assert _count(sdk, w.thread_id) == before
    assert len(sdk.runs.list(w.thread_id, limit=10)) == 1


def test_step_on_a_finished_thread_is_refused(server_url, sdk):
    """Nothing is scheduled on a finished server thread: Step says so."""
    w = show(server_url, assistant_id="counter")
    w.run({"n": 0, "limit": 1})
    with pytest.raises(ActionError, match="has finished"):
        w.step()


def test_continue_after_an_edit_asks_the_question_again(server_url, sdk):
    """After an edit the question is kept, labelled as asked before the edit (``carried``);
    Continue re-runs the node on the server, which asks again about the edited draft."""
    w = show(server_url, assistant_id="review")
    w.run({"topic": "jays"})
    [asked] = w.interrupts
    w.update_state({"draft": "An edited note about jays."}, as_node="write")
    [kept] = w.interrupts
    assert kept["carried"] is True and kept["id"] == asked["id"]

    w.continue_run()

    server = sdk.threads.get_state(w.thread_id)
    [again] = w.interrupts
    assert "carried" not in again and again["id"] == server["interrupts"][0]["id"]
    assert again["value"]["draft"] == "An edited note about jays."
    assert w.status == "interrupted"
