"""The widget's buttons, simulated as front-end messages, against both engines."""

from __future__ import annotations

import pytest

from hitl_notebook.widgets import ActionError

from .graphs import (
    State,
    approval_graph,
    chain_graph,
    history_ids,
    parallel_graph,
    review_graph,
)


def test_answering_an_interrupt_from_the_panel_resumes_the_graph(engine, open_widget):
    """Clicking an option resumes the interrupted node with that option and the run finishes."""
    graph = approval_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"topic": "owls"})
    assert widget.status == "interrupted"
    [pending] = widget.interrupts
    assert (
        pending["kind"] == "options"
        and pending["options"] == ["yes", "no"]
        and pending["node"] == "review"
    )
    assert widget.node_status == {"draft": "visited", "review": "interrupted"}

    reply = browser.action("resume", answers={pending["id"]: "yes"})

    assert reply["ok"], reply
    state = graph.get_state({"configurable": {"thread_id": "t1"}})
    assert state.values["answer"] == "draft about owls [yes]"
    assert state.next == ()
    assert widget.status == "done" and widget.interrupts == []
    assert widget.head["id"] == state.config["configurable"]["checkpoint_id"]
    assert widget.history_size == len(history_ids(graph))


def test_multi_interrupt_resume_map_answers_parallel_branches_together(engine, open_widget):
    """Both pending interrupts of parallel branches are listed and answered in one map."""
    graph = parallel_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"log": []})
    specs = {s["node"]: s for s in widget.interrupts}
    assert set(specs) == {"left", "right"} and all(s["kind"] == "text" for s in specs.values())

    reply = browser.action("resume", answers={specs["left"]["id"]: "L", specs["right"]["id"]: "R"})

    assert reply["ok"], reply
    assert widget.session.head.values["answer"] == "left=L,right=R"
    assert widget.status == "done"


def test_python_resume_with_several_pending_needs_a_map(engine, open_widget):
    """resume(value) with two pending interrupts is refused with a clear message and no run."""
    from hitl_notebook.widgets import ActionError

    graph = parallel_graph(engine)
    widget, _ = open_widget(graph)
    widget.run({"log": []})
    before = history_ids(graph)
    try:
        widget.resume("x")
    except ActionError as exc:
        assert "2 interrupts are pending" in str(exc)
    else:
        raise AssertionError("resume with an ambiguous answer must fail")
    assert history_ids(graph) == before


def test_state_edit_with_as_node_writes_through_the_graph(engine, open_widget):
    """The state editor's save becomes update_state(values, as_node) on the latest checkpoint."""
    graph = approval_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"topic": "owls"})
    reply = browser.action("update_state", values={"answer": "edited"}, as_node="draft")
    assert reply["ok"], reply
    state = graph.get_state({"configurable": {"thread_id": "t1"}})
    assert state.values["answer"] == "edited"
    assert state.next == ("review",)
    assert widget.head["source"] == "update"


def test_invalid_edits_are_rejected_and_history_is_unchanged(engine, open_widget):
    """Non-object values, an unknown as_node or a malformed review answer change nothing."""
    graph = approval_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"topic": "owls"})
    before = history_ids(graph)

    for action, args in [
        ("update_state", {"values": [1, 2], "as_node": None}),
        ("update_state", {"values": {"answer": "x"}, "as_node": "no_such_node"}),
        ("fork", {"checkpoint_id": "not-a-checkpoint", "values": None}),
        ("resume", {"answers": {"unknown-interrupt": "yes"}}),
    ]:
        reply = browser.action(action, **args)
        assert reply["ok"] is False and reply["kind"] == "rejected", (action, reply)
        assert widget.error == reply["error"]

    assert history_ids(graph) == before
    assert widget.status == "interrupted"


def test_fork_from_an_old_checkpoint_keeps_the_original_branch(engine, open_widget):
    """Forking a past checkpoint with edits adds a branch; the old checkpoints stay intact."""
    graph = approval_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"topic": "owls"})
    widget.resume("yes")
    original = history_ids(graph)
    first_step = next(s for s in widget.session.history.items if s["step"] == 0)

    reply = browser.action("fork", checkpoint_id=first_step["id"], values={"topic": "cats"})
    assert reply["ok"], reply

    after = history_ids(graph)
    assert after[len(after) - len(original) :] == original
    fork = widget.session.history.items[0]
    assert fork["parent"] == first_step["id"] and fork["fork"] is True and fork["lane"] > 0
    assert widget.session.head.values["topic"] == "cats"

    assert browser.action("continue")["ok"]
    assert widget.status == "interrupted"
    assert widget.session.head.values["answer"] == "draft about cats"


def test_replay_runs_again_from_a_past_checkpoint(engine, open_widget):
    """Replay from the step-0 checkpoint re-runs the nodes after it on a new branch."""
    graph = chain_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"log": []})
    step0 = next(s for s in widget.session.history.items if s["step"] == 0)
    before = len(history_ids(graph))
    assert browser.action("replay", checkpoint_id=step0["id"])["ok"]
    assert len(history_ids(graph)) > before
    assert widget.session.head.values["log"] == ["a", "b", "c"]


def test_stale_widget_refuses_to_act_and_refreshes(engine, open_widget):
    """After the thread moved on in another cell, a click based on the old checkpoint is
    refused with a notice, nothing is written, and the widget shows the new latest state."""
    graph = approval_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"topic": "owls"})
    shown = widget.head["id"]
    interrupt_id = widget.interrupts[0]["id"]
    config = {"configurable": {"thread_id": "t1"}}
    graph.invoke(engine.Command(resume="no"), config)  # "another cell"
    before = history_ids(graph)

    reply = browser.action("resume", base=shown, answers={interrupt_id: "yes"})

    assert reply["ok"] is False and reply["kind"] == "stale"
    assert "moved on" in widget.notice and shown in widget.notice
    assert history_ids(graph) == before
    assert graph.get_state(config).values["answer"].endswith("[no]")
    assert widget.head["id"] == before[0] and widget.status == "done"


def test_html_payload_is_carried_as_plain_data(engine, open_widget):
    """An interrupt payload full of markup reaches the browser as the same string, unescaped
    and unchanged: rendering it as text is the front end's job (tested in js/)."""
    evil = '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    graph = approval_graph(engine, question=evil)
    widget, browser = open_widget(graph)
    widget.run({"topic": evil})
    [pending] = widget.interrupts
    assert pending == {"id": pending["id"], "node": "review", "value": evil, "kind": "text"}
    view = browser.query("checkpoint")["result"]
    assert view["values"]["topic"] == evil
    assert browser.action("resume", answers={pending["id"]: evil})["ok"]
    assert widget.session.head.values["answer"].endswith(f"[{evil}]")


def test_node_error_is_shown_and_the_kernel_survives(engine, open_widget):
    """A node exception from a button run (in the background, so the reply only says it
    started) is reported in the widget: status, message, node and a traceback."""
    graph = chain_graph(engine, fail_at="b")
    widget, browser = open_widget(graph)
    reply = browser.action("run", input={"log": []})
    assert reply["ok"] is True and reply["result"]["running"] is True
    assert "b exploded" in widget.error
    assert widget.error_detail["node"] == "b"
    assert widget.error_detail["message"] == "b exploded"
    assert "Traceback (most recent call last)" in widget.error_detail["traceback"]
    assert "RuntimeError: b exploded" in widget.error_detail["traceback"]
    assert "raise RuntimeError" in widget.error_detail["traceback"], "the node's own line is shown"
    assert widget.status == "error"
    assert widget.node_status["a"] == "visited" and widget.node_status["b"] == "errored"


def test_print_output_of_a_button_run_is_captured(engine, open_widget):
    """Node prints during a button-triggered run arrive as log messages, not in the kernel log."""
    graph = approval_graph(engine)
    widget, browser = open_widget(graph)
    assert browser.action("run", input={"topic": "owls"})["ok"]
    assert {"type": "log", "stream": "stdout", "text": "drafting owls"} in browser.received
    assert ("stdout", "drafting owls") in widget.session.log


def test_step_runs_one_superstep_and_breakpoints_pause(engine, open_widget):
    """Step advances exactly one node; a breakpoint before a node pauses there; Continue ends."""
    graph = chain_graph(engine)
    widget, browser = open_widget(graph, breakpoints_before=["b"])
    widget.run({"log": []})
    assert widget.session.head.next == ("b",) and widget.status == "paused"
    assert widget.node_status["b"] == "next"

    assert browser.action("step")["ok"]
    assert widget.session.head.values["log"] == ["a", "b"] and widget.session.head.next == ("c",)

    assert browser.action("breakpoint", node="c", when="after", enabled=True)["ok"]
    assert widget.breakpoints == {"before": ["b"], "after": ["c"]}
    assert browser.action("continue")["ok"]
    assert widget.session.head.values["log"] == ["a", "b", "c"]
    reply = browser.action("continue")
    assert reply["ok"] is False and "finished" in reply["error"]


def test_thread_picker_lists_threads_and_starts_a_new_one(engine, open_widget):
    """Without a thread the widget lists the checkpointer's threads and can start one."""
    from hitl_notebook.widgets import show

    graph = chain_graph(engine)
    graph.invoke({"log": []}, {"configurable": {"thread_id": "existing"}})
    widget = show(graph)
    assert widget.status == "no_thread"
    assert [t["thread_id"] for t in widget.threads] == ["existing"]
    from .conftest import Browser

    browser = Browser(widget)
    reply = browser.action("new_thread", input={"log": []})
    assert reply["ok"], reply
    assert widget.thread_id and widget.thread_id != "existing" and widget.status == "done"
    assert browser.action("select_thread", thread_id="existing")["ok"]
    assert widget.thread_id == "existing" and widget.session.head.values["log"] == ["a", "b", "c"]


def test_a_local_threads_query_lists_them_and_a_filtered_search_needs_a_server(engine, open_widget):
    """The picker's ``threads`` query lists a local graph's threads (and fills the picker);
    metadata and status filters are a server's: asked of a local graph they are refused."""
    graph = chain_graph(engine)
    graph.invoke({"log": []}, {"configurable": {"thread_id": "other"}})
    widget, browser = open_widget(graph)
    assert widget.thread_search is False
    listed = browser.query("threads")
    assert listed["ok"] and [t["thread_id"] for t in listed["result"]] == ["other"]
    assert widget.threads == listed["result"]
    refused = browser.query("threads", status="interrupted")
    assert refused["ok"] is False and "needs a server" in refused["error"]


def test_queries_history_pages_diff_and_node_writes(engine, open_widget):
    """The timeline's pages, a diff against the parent, and a node's last writes."""
    graph = chain_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"log": []})
    page = browser.query("history", offset=0, limit=2)["result"]
    assert page["size"] == widget.history_size == len(history_ids(graph))
    assert [item["id"] for item in page["items"]] == history_ids(graph)[:2]
    newest = page["items"][0]
    assert newest["writers"] == ["c"]

    diff = browser.query("diff", a=newest["id"])["result"]
    assert diff["from"] == newest["parent"]
    assert diff["ops"] == [{"op": "append", "path": ["log"], "items": ["c"]}]

    writes = browser.query("node_writes", node="b")["result"]
    assert writes["writes"] == {"log": ["b"]}


def test_python_methods_mirror_the_buttons(engine, open_widget):
    """run/resume/update_state/fork/replay from Python update the widget like the buttons."""
    graph = approval_graph(engine)
    widget, browser = open_widget(graph)
    snap = widget.run({"topic": "owls"})
    assert snap.next == ("review",)
    widget.update_state({"topic": "bats"})
    assert widget.status == "interrupted", "the question asked before the edit stays answerable"
    assert widget.interrupts[0]["carried"] is True
    widget.continue_run()  # or re-ask it on the edited state
    widget.resume("no")
    assert widget.state.values["answer"].endswith("[no]")
    first = widget.session.history.items[-1]["id"]
    widget.fork(first, {"topic": "eels"})
    assert widget.state.values["topic"] == "eels"
    assert browser.events("history"), "new checkpoints are pushed to the timeline"


@pytest.mark.parametrize(
    ("decisions", "reason"),
    [
        ([{"type": "respond", "message": "x"}], "'respond' is not allowed for 'send_email'"),
        (
            [{"type": "approve"}, {"type": "approve"}],
            "1 actions await review but 2 decisions were given",
        ),
    ],
    ids=["not-allowed", "wrong-count"],
)
def test_a_refused_review_decision_is_rejected_and_changes_nothing(
    engine, open_widget, decisions, reason
):
    """A review answer the request does not allow is a "rejected" reply with the reason in
    widget.error (an ActionError from Python); the thread is untouched and still answerable."""
    graph = review_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"log": []})
    [pending] = widget.interrupts
    before = history_ids(graph)

    reply = browser.action("resume", answers={pending["id"]: {"decisions": decisions}})

    assert reply["ok"] is False and reply["kind"] == "rejected" and reason in reply["error"]
    assert widget.error == reply["error"]
    with pytest.raises(ActionError, match=reason):
        widget.resume({"decisions": decisions})
    assert history_ids(graph) == before and widget.interrupts == [pending]
    assert browser.action("resume", answers={pending["id"]: {"decisions": [{"type": "reject"}]}})[
        "ok"
    ]
    assert widget.session.head.values["log"] == ["reject"] and widget.error == ""


def test_answering_one_of_two_parallel_interrupts_updates_the_same_checkpoint(engine, open_widget):
    """Resuming one branch saves no new checkpoint, yet the widget shows its effect: the
    branch's write reaches the browser as a patch, the head and its timeline entry list
    only the branch still waiting, and that branch's question stays pending."""
    graph = parallel_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"log": []})
    specs = {s["node"]: s for s in widget.interrupts}
    head = widget.head["id"]
    browser.received.clear()

    assert browser.action("resume", answers={specs["left"]["id"]: "L"})["ok"]

    assert widget.head["id"] == head and widget.head["next"] == ["right"]
    assert widget.interrupts == [specs["right"]] and widget.status == "interrupted"
    assert widget.node_status == {"left": "visited", "right": "interrupted"}
    [patch] = browser.events("head")
    assert patch["from"] == patch["to"] == head
    assert patch["ops"] == [{"op": "append", "path": ["log"], "items": ["left=L"]}]
    [restated] = browser.events("history")
    assert restated["added"] == [] and restated["changed"][0]["id"] == head
    assert restated["changed"][0]["next"] == ["right"] and restated["changed"][0]["interrupts"] == 1
    assert browser.query("history", offset=0, limit=1)["result"]["items"][0]["next"] == ["right"]


def test_a_run_overtaken_by_another_kernel_shows_the_thread_moved_on(tmp_path, open_widget):
    """Another kernel writes the thread while a button's run is in its node: the engine's
    ConcurrentUpdateError reaches the widget as "the thread moved on; refresh", nothing of
    the step is written and the widget shows the other kernel's checkpoint."""
    from hitl_notebook import END, START, StateGraph
    from hitl_notebook.checkpoint import SqliteSaver

    path = str(tmp_path / "threads.db")
    config = {"configurable": {"thread_id": "t1"}}
    overtake: list = []

    def build(saver):
        def draft(state):
            if overtake:  # "another kernel" edits the thread while this node runs
                overtake.pop().update_state(config, {"topic": "changed elsewhere"})
            return {"answer": f"draft about {state.get('topic', '')}"}

        return (
            StateGraph(State)
            .add_node("draft", draft)
            .add_edge(START, "draft")
            .add_edge("draft", END)
            .compile(checkpointer=saver)
        )

    graph, other = build(SqliteSaver(path)), build(SqliteSaver(path))
    widget, browser = open_widget(graph)
    widget.run({"topic": "owls"})
    overtake.append(other)
    before = len(history_ids(graph))

    reply = browser.action("run", input={"topic": "bats"})  # (waits for the background run)

    assert reply["ok"] is True and reply["result"]["running"] is True
    assert widget.notice.startswith("the thread moved on; refresh")
    assert widget.error == "", "not shown as a node error"
    head = graph.get_state(config)
    assert head.values["topic"] == "changed elsewhere"
    assert head.values["answer"] == "draft about owls"  # the overtaken step wrote nothing
    history = list(graph.get_state_history(config))
    parents = [s.parent_config["configurable"]["checkpoint_id"] for s in history if s.parent_config]
    assert len(parents) == len(set(parents)) == len(history) - 1  # one line: no fork
    assert history[0].metadata["source"] == "update" and len(history) > before
    assert widget.head["id"] == head.config["configurable"]["checkpoint_id"]


def test_a_node_that_failed_then_finished_is_not_shown_as_failed(engine, open_widget):
    """A branch that raised and then succeeded on the next run keeps its error in the step's
    record (as LangGraph's pending writes do), but the widget shows it visited and the
    thread waiting on its sibling's question, not failed."""
    failures = [RuntimeError("flaky")]

    def flaky(state):
        if failures:
            raise failures.pop()
        return {"log": ["flaky"]}

    b = engine.StateGraph(State)
    b.add_node("flaky", flaky)
    b.add_node("ask", lambda s: {"log": [f"ask={engine.interrupt('value?')}"]})
    b.add_edge(engine.START, "flaky")
    b.add_edge(engine.START, "ask")
    graph = b.compile(checkpointer=engine.InMemorySaver())
    config = {"configurable": {"thread_id": "t1"}}
    with pytest.raises(RuntimeError):
        graph.invoke({"log": []}, config)
    graph.invoke(None, config)
    [flaky_task] = [t for t in graph.get_state(config).tasks if t.name == "flaky"]
    assert flaky_task.error is not None and flaky_task.result == {"log": ["flaky"]}
    widget, _ = open_widget(graph)
    assert widget.status == "interrupted"
    assert widget.node_status["flaky"] == "visited"
