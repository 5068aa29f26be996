"""Threads kept in a SQLite file outlive the widget: a later session (a fresh checkpointer
on the same file) lists them in the thread picker and answers their pending question."""

from __future__ import annotations

import pytest

from .flavours import make_flavour
from .frontend import FrontEnd
from .graphs import approval


@pytest.mark.parametrize("name", ["langgraph-sqlite", "ours-sqlite"])
def test_a_new_session_on_the_same_file_picks_up_the_pending_interrupt(name, tmp_path, opened):
    """Run until the approval question, then reopen the file in a new widget: the picker
    lists the thread, selecting it shows the question, and answering finishes the run."""
    database = tmp_path / "threads.db"
    earlier = FrontEnd(
        approval(make_flavour(name, tmp_path, opened, database=database)), thread_id="deploy-1"
    )
    earlier.act("run", input={"task": "deploy"})
    question = earlier.widget.interrupts[0]
    size = earlier.widget.history_size

    later = FrontEnd(
        approval(make_flavour(name, tmp_path, opened, database=database)), thread_id=None
    )
    assert later.widget.status == "no_thread"
    assert [(t["thread_id"], t["checkpoint_count"]) for t in later.widget.threads] == [
        ("deploy-1", size)
    ]

    later.act("select_thread", thread_id="deploy-1")
    assert later.widget.interrupts == [question]
    assert later.widget.history_size == size
    later.answer(lambda payload: "approve")
    assert later.widget.status == "done"
    assert later.widget.state.values["result"] == "executed plan for deploy"
