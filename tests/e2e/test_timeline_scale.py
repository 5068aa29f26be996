"""The history timeline on long, branching threads in a real JupyterLab (issue 16):
scrolling fetches pages from the kernel, forks are drawn as branches, and two checkpoints
are diffed structurally (state and metadata)."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

ROW_HEIGHT = 26  # js/src/timeline.js

LONG_THREAD = """
import json
from typing import Annotated, TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph, add_messages
from hitl_notebook.widgets import show

class Talk(TypedDict):
    messages: Annotated[list, add_messages]
    limit: int

def talk(state: Talk) -> dict:
    n = len(state["messages"])
    return {"messages": [{"role": "assistant", "content": f"turn {n:04d}"}]}

graph = (
    StateGraph(Talk)
    .add_node("talk", talk)
    .add_edge(START, "talk")
    .add_conditional_edges("talk", lambda s: "talk" if len(s["messages"]) < s["limit"] else END, ["talk", END])
    .compile(checkpointer=InMemorySaver())
)
config = {"configurable": {"thread_id": "long"}, "recursion_limit": 5000}
graph.invoke({"messages": [], "limit": 3000}, config)
history = list(graph.get_state_history({"configurable": {"thread_id": "long"}}))
widget = show(graph, thread_id="long")
widget
"""


def open_long_thread(lab):
    """Open the notebook with a 3,002-checkpoint conversation; return the widget locator."""
    lab.open_notebook([LONG_THREAD])
    lab.run_all()
    widget = lab.page.get_by_test_id("hitl-widget")
    expect(widget.get_by_test_id("history-row").first).to_be_visible(timeout=120_000)
    return widget


def kernel(lab, expression: str):
    return json.loads(lab.run_code(f"print(json.dumps({expression}))"))


def test_scrolling_a_long_timeline_fetches_pages_and_draws_only_rows_in_view(lab):
    """A 3,002-checkpoint thread opens with a few dozen rows in the DOM, the kernel having
    summarised only its first pages; scrolling to the middle and to the end draws the rows
    there (their pages fetched), matching the kernel's history."""
    widget = open_long_thread(lab)
    size = kernel(lab, "len(history)")
    assert size == 3002
    viewport = widget.get_by_test_id("history-list")
    assert viewport.evaluate("(el) => el.scrollHeight") >= size * ROW_HEIGHT
    assert widget.get_by_test_id("history-row").count() < 60
    read_at_open = kernel(lab, "len(widget.session.history.by_id)")
    assert read_at_open < 500

    for index in (1500, size - 1):
        viewport.evaluate("(el, top) => { el.scrollTop = top; }", index * ROW_HEIGHT)
        row = widget.locator(f'[data-testid="history-row"][data-index="{index}"]')
        expect(row).to_be_visible(timeout=60_000)
        expected = kernel(
            lab,
            f"[history[{index}].config['configurable']['checkpoint_id'], history[{index}].metadata['step']]",
        )
        assert row.get_attribute("data-checkpoint-id") == expected[0]
        expect(row).to_contain_text(f"#{expected[1]}")
        assert widget.get_by_test_id("history-row").count() < 60
    assert read_at_open < kernel(lab, "len(widget.session.history.by_id)") < size


def test_forks_are_drawn_as_branches_and_two_checkpoints_diff_structurally(lab):
    """Two forks of the long thread show as branch rows (their own lane, a fork mark, the
    fork point's branch-off mark); diffing the head against a checkpoint 1,000 back shows
    the appended messages and the metadata's step change, as text."""
    widget = open_long_thread(lab)
    lab.run_code(
        "widget.fork(history[2000].config['configurable']['checkpoint_id'], {'limit': 1001})\n"
        "widget.fork(history[1000].config['configurable']['checkpoint_id'], "
        "{'messages': [{'role': 'user', 'content': '<b>not bold</b>'}]})"
    )
    rows = widget.get_by_test_id("history-row")
    expect(widget.locator(".hn-fork")).to_have_count(2, timeout=60_000)
    forks = kernel(
        lab,
        "[[i['id'], i['parent'], i['lane']] for i in widget.session.history.page(0, 2)]",
    )
    assert {lane for _, _, lane in forks} == {1, 2}
    newest = widget.locator(f'[data-checkpoint-id="{forks[0][0]}"]')
    expect(newest.locator(".hn-lane")).to_contain_text("◆")
    assert newest.get_attribute("data-lane") == str(forks[0][2])

    # The fork point (1,000 back) shows the branch leaving it.
    viewport = widget.get_by_test_id("history-list")
    index = kernel(lab, f"widget.session.history.ids.index({forks[0][1]!r})")
    viewport.evaluate("(el, top) => { el.scrollTop = top; }", max(0, index - 3) * ROW_HEIGHT)
    fork_point = widget.locator(f'[data-checkpoint-id="{forks[0][1]}"]')
    expect(fork_point.locator(".hn-lane")).to_contain_text("╯", timeout=60_000)

    # Diff: mark the main line's head, select a checkpoint 1,000 steps older, diff them.
    viewport.evaluate("(el) => { el.scrollTop = 0; }")
    head = kernel(lab, "history[0].config['configurable']['checkpoint_id']")
    widget.locator(f'[data-checkpoint-id="{head}"]').click()
    widget.get_by_test_id("checkpoint-mark").click()
    old = kernel(lab, "history[1000].config['configurable']['checkpoint_id']")
    old_index = kernel(lab, f"widget.session.history.ids.index({old!r})")
    viewport.evaluate("(el, top) => { el.scrollTop = top; }", old_index * ROW_HEIGHT)
    widget.locator(f'[data-checkpoint-id="{old}"]').click()
    widget.get_by_test_id("checkpoint-diff-marked").click()
    diff_view = widget.get_by_test_id("diff-view")
    expect(diff_view.get_by_test_id("diff-state")).to_contain_text(".messages", timeout=60_000)
    expect(diff_view.get_by_test_id("diff-metadata")).to_contain_text(".step")
    expect(diff_view).to_contain_text("in state")
    # Old values are shown too: the head's step is what the metadata change replaces.
    head_step = kernel(lab, "history[0].metadata['step']")
    expect(diff_view.get_by_test_id("diff-metadata")).to_contain_text(str(head_step))
    assert rows.count() < 60
    assert lab.page.evaluate("() => document.querySelector('.hn-diff b')") is None
