"""The history timeline on long and branching threads (issue 16): lane spans for drawing
branches, pages of a long thread, and the structural diff of two checkpoints (state and
metadata, with old values)."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

from hitl_notebook.widgets.jsonable import apply_ops, diff

from .graphs import chain_graph, history_ids


def test_forks_open_lanes_whose_spans_start_at_the_forked_checkpoint(engine, open_widget):
    """Two forks of the same run each get a lane starting at the checkpoint they branch
    from and ending at their newest checkpoint; the main line keeps lane 0."""
    graph = chain_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"log": []})
    items = widget.session.history.items
    after_a = next(i for i in items if i["writers"] == ["a"])
    first = next(i for i in items if i["parent"] is None)
    widget.fork(after_a["id"], {"log": ["x"]})
    widget.fork(first["id"], {"log": ["y"]})
    page = browser.query("history", offset=0, limit=50)["result"]
    lanes = {lane["lane"]: lane for lane in page["lanes"]}
    newest = page["items"]
    assert lanes[0]["from"] == first["id"] and len(lanes) == 3
    fork_y, fork_x = newest[0], newest[1]
    assert fork_x["fork"] and fork_y["fork"] and fork_x["lane"] != fork_y["lane"] != 0
    assert lanes[fork_x["lane"]] == {
        "lane": fork_x["lane"],
        "from": after_a["id"],
        "to": fork_x["id"],
    }
    assert lanes[fork_y["lane"]]["from"] == first["id"]
    assert all(i["lane"] == 0 for i in newest[2:])
    # A message to the browser after an action carries the lanes too.
    history_messages = browser.events("history")
    widget.fork(after_a["id"], {"log": ["z"]})
    assert (
        browser.events("history")[len(history_messages) :][-1]["lanes"][-1]["from"] == after_a["id"]
    )


def test_diff_of_any_two_checkpoints_covers_state_and_metadata(engine, open_widget):
    """Diffing two checkpoints of different branches gives item-by-item state operations
    carrying the old values, and the metadata operations (step, source)."""
    graph = chain_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"log": []})
    head = widget.session.history.items[0]
    first_step = next(i for i in widget.session.history.items if i["step"] == 0)
    widget.fork(first_step["id"], {"log": ["other"]})
    fork = widget.session.history.items[0]
    result = browser.query("diff", a=fork["id"], b=head["id"])["result"]
    assert result["from"] == head["id"] and result["to"] == fork["id"]
    state_ops = result["ops"]
    old_log = graph.get_state(
        {"configurable": {"thread_id": "t1", "checkpoint_id": head["id"]}}
    ).values["log"]
    new_log = graph.get_state(
        {"configurable": {"thread_id": "t1", "checkpoint_id": fork["id"]}}
    ).values["log"]
    assert apply_ops({"log": old_log}, state_ops) == {"log": new_log}
    changed = [op for op in state_ops if op["op"] in ("set", "delete")]
    assert changed and all(op["old"] == old_log[op["path"][1]] for op in changed)
    meta = {tuple(op["path"]): op for op in result["metadata_ops"]}
    assert meta[("step",)]["old"] == head["step"] and meta[("step",)]["value"] == fork["step"]
    assert "writes" not in {op["path"][0] for op in result["metadata_ops"]}


def test_a_long_thread_is_paged_and_every_page_matches_the_history(open_widget):
    """A 600-checkpoint thread: pages at any offset hold exactly the history's checkpoints
    in order, and the size counts them all."""
    from typing import TypedDict

    from hitl_notebook import END, START, InMemorySaver, StateGraph

    class Count(TypedDict):
        n: int

    graph = (
        StateGraph(Count)
        .add_node("tick", lambda s: {"n": s["n"] + 1})
        .add_edge(START, "tick")
        .add_conditional_edges("tick", lambda s: "tick" if s["n"] < 598 else END, ["tick", END])
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"n": 0}, {"configurable": {"thread_id": "t1"}, "recursion_limit": 1000})
    widget, browser = open_widget(graph)
    ids = history_ids(graph)
    assert widget.history_size == len(ids) == 600
    for offset in (0, 100, 250, 550):
        page = browser.query("history", offset=offset, limit=100)["result"]
        assert [i["id"] for i in page["items"]] == ids[offset : offset + 100]
        assert page["size"] == 600 and page["offset"] == offset
    assert [
        i["step"] for i in browser.query("history", offset=597, limit=3)["result"]["items"]
    ] == [i["step"] for i in widget.session.history.items[597:600]]


def test_display_diff_of_lists_of_different_lengths_is_item_by_item():
    """Shown diffs compare lists item by item (with the rest appended or deleted) rather
    than replacing the whole list; patches for the browser keep replacing it."""
    old, new = {"m": [1, 2, 3, 4]}, {"m": [1, 9, 3]}
    shown = diff(old, new, old_values=True)
    assert shown == [
        {"op": "set", "path": ["m", 1], "old": 2, "value": 9},
        {"op": "delete", "path": ["m", 3], "old": 4},
    ]
    assert apply_ops(old, shown) == new
    assert diff(old, new) == [{"op": "set", "path": ["m"], "value": [1, 9, 3]}]


def test_opening_a_long_thread_reads_only_the_pages_it_shows(open_widget):
    """Opening a 2,000-checkpoint thread lays out every checkpoint's lane but summarises
    only the first page (the diagram's "visited" marks stop looking back once every node
    is marked); a later page is read when asked for, and what it says matches the history."""
    from typing import TypedDict

    from hitl_notebook import END, START, InMemorySaver, StateGraph
    from hitl_notebook.widgets.history import FIRST_PAGE

    class Count(TypedDict):
        n: int

    graph = (
        StateGraph(Count)
        .add_node("tick", lambda s: {"n": s["n"] + 1})
        .add_edge(START, "tick")
        .add_conditional_edges("tick", lambda s: "tick" if s["n"] < 1998 else END, ["tick", END])
        .compile(checkpointer=InMemorySaver())
    )
    graph.invoke({"n": 0}, {"configurable": {"thread_id": "t1"}, "recursion_limit": 3000})
    widget, browser = open_widget(graph)
    index = widget.session.history
    assert len(index) == widget.history_size == 2000 and len(index.lane_of) == 2000
    assert len(index.by_id) == FIRST_PAGE
    assert widget.node_status["tick"] == "visited"
    page = browser.query("history", offset=1500, limit=100)["result"]
    expected = list(graph.get_state_history({"configurable": {"thread_id": "t1"}}))[1500:1600]
    assert [i["id"] for i in page["items"]] == [
        s.config["configurable"]["checkpoint_id"] for s in expected
    ]
    assert [i["step"] for i in page["items"]] == [s.metadata["step"] for s in expected]
    assert all(i["writers"] == ["tick"] for i in page["items"])


class _Log(TypedDict):
    log: Annotated[list, operator.add]


def _filled_graph(items: int):
    """START -> fill -> END, where ``fill`` appends ``items`` strings to ``log``."""
    from hitl_notebook import END, START, InMemorySaver, StateGraph

    return (
        StateGraph(_Log)
        .add_node("fill", lambda s: {"log": [f"m{i}" for i in range(items)]})
        .add_edge(START, "fill")
        .add_edge("fill", END)
        .compile(checkpointer=InMemorySaver())
    )


def test_a_long_append_in_a_diff_is_sent_a_page_at_a_time(open_widget):
    """A step appending 45 items diffs as one append carrying the first page of items and
    their count; "Show more" pages (``diff_items``) give the rest, in order, and together
    they are the whole append."""
    from hitl_notebook.widgets.diff_view import ITEMS_PAGE

    graph = _filled_graph(45)
    graph.invoke({"log": ["start"]}, {"configurable": {"thread_id": "t1"}})
    widget, browser = open_widget(graph)
    head = widget.session.history.items[0]
    result = browser.query("diff", a=head["id"])["result"]
    assert result["ops_total"] == 1 and result["from"] == head["parent"]
    (op,) = result["ops"]
    expected = [f"m{i}" for i in range(45)]
    assert op["op"] == "append" and op["path"] == ["log"] and op["count"] == 45
    assert op["items"] == expected[:ITEMS_PAGE]
    received = list(op["items"])
    while len(received) < op["count"]:
        page = browser.query("diff_items", a=head["id"], path=["log"], offset=len(received))
        assert page["ok"] and page["result"]["offset"] == len(received)
        received += page["result"]["items"]
    assert received == expected
    assert result["metadata_total"] == len(result["metadata_ops"]) > 0


def test_diff_items_refuses_a_path_the_diff_does_not_append_to(open_widget):
    """Asking for items of an append the diff does not have, or with a bad offset, is
    refused with a message that says why, and the widget keeps working."""
    graph = _filled_graph(3)
    graph.invoke({"log": []}, {"configurable": {"thread_id": "t1"}})
    widget, browser = open_widget(graph)
    head = widget.session.history.items[0]["id"]
    missing = browser.query("diff_items", a=head, path=["other"], offset=0)
    assert not missing["ok"] and "appends nothing at ['other']" in missing["error"]
    bad = browser.query("diff_items", a=head, path=["log"], offset="x")
    assert not bad["ok"] and "offset and limit must be integers" in bad["error"]
    negative = browser.query("diff_items", a=head, path=["log"], offset=-1)
    assert not negative["ok"] and "offset must be >= 0" in negative["error"]
    assert browser.query("diff_items", a=head, path=["log"], offset=1)["result"]["items"] == [
        "m1",
        "m2",
    ]


def test_a_diff_page_sends_at_most_max_ops_and_counts_them_all():
    """More operations than a page holds: the first ``MAX_OPS`` go out, uncut ones as they
    are, and ``total`` counts every one."""
    from hitl_notebook.widgets.diff_view import MAX_OPS, diff_page

    old = {"n": list(range(MAX_OPS + 50))}
    new = {"n": [-v for v in old["n"]]}
    ops = diff(old, new, old_values=True)
    page = diff_page(ops)
    assert page["total"] == MAX_OPS + 49  # n[0] is 0 == -0
    assert page["ops"] == ops[:MAX_OPS]


def test_the_widget_state_carries_the_newest_rows_until_the_history_moves_on(engine, open_widget):
    """Opening a thread puts its newest rows (as many as drawn first), its size and lanes
    in ``history_page``, equal to the first history page; once a step adds checkpoints the
    trait is emptied, so a view opened later asks for the page instead of drawing old rows."""
    from hitl_notebook.widgets.history import FIRST_PAGE

    graph = chain_graph(engine)
    for turn in range(12):
        graph.invoke({"log": [str(turn)]}, {"configurable": {"thread_id": "t1"}})
    widget, browser = open_widget(graph)
    first = widget.history_page
    ids = history_ids(graph)
    assert len(ids) > FIRST_PAGE
    assert first["size"] == widget.history_size == len(ids)
    assert [i["id"] for i in first["items"]] == ids[:FIRST_PAGE]
    assert first["items"] == browser.query("history", offset=0, limit=FIRST_PAGE)["result"]["items"]
    assert first["lanes"] == widget.session.history.lanes
    widget.run({"log": []})
    assert widget.history_page == {}
