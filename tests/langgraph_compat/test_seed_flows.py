"""The seed samples driven through the widget on real LangGraph (InMemorySaver and
SqliteSaver) and on our engine: every flow must look the same to the user on both."""

from __future__ import annotations

from .frontend import FrontEnd
from .graphs import (
    approval,
    breakpoint_review,
    chain,
    input_pattern,
    parallel_questions,
    subgraph_question,
    tool_review,
    validation_loop,
)


def test_approve_or_reject_with_the_options_form(same_on_both):
    """An approval question with options gets buttons; approving runs the next node live,
    rejecting ends the run without it."""

    def flow(f):
        graph = approval(f)
        seen = {}
        for thread, choice in (("approved", "approve"), ("rejected", "reject")):
            ui = FrontEnd(graph, thread_id=thread)
            ui.act("run", input={"task": "deploy"})
            paused = ui.view()
            ui.status_trace.clear()
            ui.answer(lambda payload, choice=choice: choice)
            seen[thread] = {"paused": paused, "live": ui.status_trace, "done": ui.view()}
        return seen

    seen = same_on_both(flow)
    paused = seen["approved"]["paused"]
    assert paused["status"] == "interrupted"
    assert paused["interrupts"] == [
        {
            "node": "approve",
            "kind": "options",
            "options": ["approve", "reject"],
            "value": {
                "question": "Approve this plan?",
                "plan": "plan for deploy",
                "options": ["approve", "reject"],
            },
        }
    ]
    assert paused["node_status"] == {"plan": "visited", "approve": "interrupted"}
    assert seen["approved"]["done"]["values"]["result"] == "executed plan for deploy"
    assert {"plan": "visited", "approve": "visited", "execute": "running"} in seen["approved"][
        "live"
    ]
    assert seen["approved"]["done"]["node_status"] == {
        "plan": "visited",
        "approve": "visited",
        "execute": "visited",
    }
    assert "result" not in seen["rejected"]["done"]["values"]
    assert seen["rejected"]["done"]["status"] == "done"
    assert "execute" not in seen["rejected"]["done"]["node_status"]


def test_edit_state_at_a_breakpoint_as_a_node(same_on_both):
    """A breakpoint toggled in the widget pauses before human_review; saving an edit as
    human_review skips that node and the tool runs the edited call; Continue alone runs
    the original call."""

    def flow(f):
        graph = breakpoint_review(f)
        edited = FrontEnd(graph, thread_id="edited")
        edited.act("breakpoint", node="human_review", when="before", enabled=True)
        edited.act("run", input={"input": "x"})
        paused = edited.view()
        edited.act(
            "update_state", values={"tool_call": "updated tool call"}, as_node="human_review"
        )
        after_edit = edited.view()
        edited.act("continue")
        approved = FrontEnd(graph, thread_id="approved", breakpoints_before=["human_review"])
        approved.act("run", input={"input": "x"})
        approved.act("continue")
        return {
            "paused": paused,
            "after_edit": after_edit,
            "edited": edited.view(),
            "approved": approved.view(),
        }

    seen = same_on_both(flow)
    assert seen["paused"]["status"] == "paused" and seen["paused"]["head"]["next"] == [
        "human_review"
    ]
    assert seen["paused"]["node_status"] == {"agent": "visited", "human_review": "next"}
    assert seen["after_edit"]["head"] == {"step": 2, "source": "update", "next": ["tool"]}
    assert seen["after_edit"]["history"][0]["writers"] == ["human_review"]
    assert seen["edited"]["values"]["log"] == ["ran updated tool call"]
    assert seen["approved"]["values"]["log"] == ["ran original tool call"]


def test_input_pattern_writes_the_answer_as_the_input_node(same_on_both):
    """The input pattern: pause before human_input, save the user's input as human_input;
    the graph continues with it and human_input itself never runs."""

    def flow(f):
        ran: list[str] = []
        ui = FrontEnd(input_pattern(f, ran), breakpoints_before=["human_input"])
        ui.act("run", input={"input": "x"})
        ui.act("update_state", values={"user_input": "blue"}, as_node="human_input")
        edited = ui.view()
        ui.act("continue")
        return {"edited": edited, "done": ui.view(), "ran": ran}

    seen = same_on_both(flow)
    assert seen["edited"]["head"]["next"] == ["use"]
    assert seen["done"]["values"]["log"] == ["ask", "use blue"]
    assert seen["ran"] == ["ask", "use"]
    assert seen["done"]["status"] == "done"


def test_tool_call_review_routed_with_command_goto(same_on_both):
    """A free-form review payload gets the JSON form; "continue", "update" (the AI message
    rewritten in place) and "feedback" (back to the LLM) route as the node decides."""

    def flow(f):
        seen = {}
        answers = {
            "continue": ["continue", None],
            "update": ["update", {"args": {"query": "weather in LA"}}],
            "feedback": ["feedback", "use celsius"],
        }
        for thread, answer in answers.items():
            llm_calls: list[int] = []
            ui = FrontEnd(tool_review(f, llm_calls), thread_id=thread)
            ui.act("run", input={"messages": [{"role": "user", "content": "weather?"}]})
            paused = ui.view()
            ui.answer(lambda payload, answer=answer: answer)
            seen[thread] = {"paused": paused, "after": ui.view(), "llm_calls": len(llm_calls)}
        return seen

    seen = same_on_both(flow)
    [spec] = seen["continue"]["paused"]["interrupts"]
    assert spec["kind"] == "json" and spec["node"] == "human_review_node"
    assert spec["value"]["tool_call"]["args"] == {"query": "weather in SF"}
    assert seen["continue"]["after"]["values"]["messages"][-1] == {
        "type": "tool",
        "content": "ran weather in SF",
        "tool_call_id": "call_1",
    }
    updated = seen["update"]["after"]["values"]["messages"]
    assert [m["type"] for m in updated] == ["human", "ai", "tool"]
    assert updated[1]["tool_calls"] == [{"name": "search", "args": {"query": "weather in LA"}}]
    assert updated[2]["content"] == "ran weather in LA"
    feedback = seen["feedback"]["after"]
    assert feedback["status"] == "interrupted" and seen["feedback"]["llm_calls"] == 2
    assert {"type": "tool", "content": "use celsius", "tool_call_id": "call_1"} in feedback[
        "values"
    ]["messages"]


def test_validation_loop_asks_again_until_the_answer_is_valid(same_on_both):
    """An invalid answer from the text box brings the clearer question back under a new
    interrupt id; a valid one finishes the node."""

    def flow(f):
        ui = FrontEnd(validation_loop(f))
        ui.act("run", input={"age": None})
        first = ui.widget.interrupts[0]
        ui.answer(lambda payload: "thirty")
        retry = ui.widget.interrupts[0]
        retried = ui.view()
        ui.answer(lambda payload: 30)
        return {
            "first": first["value"],
            "new_id": retry["id"] != first["id"],
            "retried": retried,
            "done": ui.view(),
        }

    seen = same_on_both(flow)
    assert seen["first"] == "What is your age?" and seen["new_id"]
    assert seen["retried"]["interrupts"] == [
        {
            "node": "get_age",
            "kind": "text",
            "value": "'thirty' is not a valid age. Please enter a positive number.",
        }
    ]
    assert seen["done"]["values"] == {"age": 30} and seen["done"]["status"] == "done"


def test_parallel_questions_answered_together_with_one_resume_map(same_on_both):
    """Both branches' questions are listed; one submit answers both and the join runs."""

    def flow(f):
        ui = FrontEnd(parallel_questions(f))
        ui.act("run", input={"vals": []})
        paused = ui.view()
        ui.answer(lambda payload: f"answer to {payload}")
        return {"paused": paused, "done": ui.view()}

    seen = same_on_both(flow)
    paused = seen["paused"]
    assert sorted((s["node"], s["value"], s["kind"]) for s in paused["interrupts"]) == [
        ("a", "question_a", "text"),
        ("b", "question_b", "text"),
    ]
    assert paused["node_status"] == {"a": "interrupted", "b": "interrupted"}
    assert seen["done"]["values"]["summary"] == "a:answer to question_a & b:answer to question_b"
    assert seen["done"]["node_status"] == {"a": "visited", "b": "visited", "join": "visited"}


def test_answering_one_of_two_parallel_questions_keeps_the_other_pending(same_on_both):
    """A resume map naming one branch resumes it: its write shows in the state editor and
    the other question stays in the panel."""

    def flow(f):
        ui = FrontEnd(parallel_questions(f))
        ui.act("run", input={"vals": []})
        first = next(spec for spec in ui.widget.interrupts if spec["node"] == "a")
        ui.act("resume", answers={first["id"]: "only a"})
        return ui.view()

    partly = same_on_both(flow)
    assert partly["status"] == "interrupted" and partly["head"]["next"] == ["b"]
    assert partly["interrupts"] == [{"node": "b", "kind": "text", "value": "question_b"}]
    assert partly["values"]["vals"] == ["a:only a"]


def test_subgraph_interrupt_in_the_diagram_panel_and_resume(same_on_both):
    """A subgraph is drawn as a cluster; its interrupt marks the subgraph node and the
    inner node, shows in the panel, and the answer finishes both graphs."""

    def flow(f):
        ui = FrontEnd(subgraph_question(f))
        # Our get_graph(xray=True) also draws the subgraph's own start/end nodes (reported).
        nodes = [n for n in ui.widget.nodes if not n.split(":")[-1].startswith("__")]
        drawn = {"nodes": nodes, "cluster": 'data-cluster="research"' in ui.widget.graph_svg}
        ui.act("run", input={"topic": "  owls "})
        paused = ui.view()
        ui.answer(lambda payload: "they hoot")
        return {"drawn": drawn, "paused": paused, "done": ui.view()}

    seen = same_on_both(flow)
    assert seen["drawn"] == {
        "nodes": ["prepare", "research:ask", "research:finish"],
        "cluster": True,
    }
    paused = seen["paused"]
    assert paused["interrupts"] == [
        {"node": "research", "kind": "text", "value": "What about owls?"}
    ]
    assert (
        paused["node_status"]["research"] == "interrupted"
        and paused["node_status"]["research:ask"] == "interrupted"
    )
    assert seen["done"]["values"] == {"topic": "owls", "answer": "THEY HOOT"}
    assert seen["done"]["status"] == "done"


def test_time_travel_history_and_fork(same_on_both):
    """The timeline lists every checkpoint with its step, source and writer; a fork of a past
    checkpoint with edited values (saved as a node) opens a branch, continues from the edit,
    and leaves the original branch readable and intact."""

    def flow(f):
        ui = FrontEnd(chain(f))
        ui.act("run", input={"state": "start"})
        live = list(ui.status_trace)
        first_run = ui.view()
        finished = ui.widget.head["id"]
        before_node_2 = ui.checkpoint_id(lambda item: item["next"] == ["node_2"])
        ui.act(
            "fork", checkpoint_id=before_node_2, values={"state": "updated state"}, as_node="node_1"
        )
        forked = ui.view()
        ui.act("continue")
        return {
            "live": live,
            "first_run": first_run,
            "forked": forked,
            "done": ui.view(),
            "original": ui.query("checkpoint", id=finished)["values"],
            # Sorted: key order follows the engine's state order (schema vs. first write).
            "last_diff": sorted(
                ui.query("diff", a=ui.widget.head["id"])["ops"], key=lambda op: op["path"]
            ),
        }

    seen = same_on_both(flow)
    assert seen["live"][-1] == {"node_1": "visited", "node_2": "visited", "node_3": "visited"}
    assert {"node_1": "visited", "node_2": "running"} in seen["live"]
    history = seen["first_run"]["history"]
    assert [(h["step"], h["source"], h["writers"]) for h in history] == [
        (3, "loop", ["node_3"]),
        (2, "loop", ["node_2"]),
        (1, "loop", ["node_1"]),
        (0, "loop", []),
        (-1, "input", []),
    ]
    fork = seen["forked"]["history"][0]
    assert (fork["source"], fork["writers"], fork["fork"], fork["parent"]) == (
        "update",
        ["node_1"],
        True,
        3,
    )
    assert seen["forked"]["head"]["next"] == ["node_2"]
    assert seen["done"]["values"]["state"] == "updated state -> node_2 -> node_3"
    assert seen["original"]["state"] == "start -> node_1 -> node_2 -> node_3"
    assert seen["last_diff"] == [
        {"op": "append", "path": ["log"], "items": ["node_3"]},
        {
            "op": "set",
            "path": ["state"],
            "value": "updated state -> node_2 -> node_3",
            "old": "updated state -> node_2",  # the structural diff shows what was replaced
        },
    ]


def test_replay_from_a_past_checkpoint_runs_again_on_a_new_branch(same_on_both):
    """Replay re-runs the nodes after the chosen checkpoint on a new timeline branch and
    ends in the same state; the original branch keeps its checkpoints."""

    def flow(f):
        ui = FrontEnd(chain(f))
        ui.act("run", input={"state": "start"})
        original = [item["id"] for item in ui.history()]
        before_node_2 = ui.checkpoint_id(lambda item: item["next"] == ["node_2"])
        ui.status_trace.clear()
        ui.act("replay", checkpoint_id=before_node_2)
        view = ui.view()
        history = ui.history()
        new = [item for item in history if item["id"] not in original]
        # The rows a replay adds differ by engine (LangGraph 1.2 first writes a "fork"
        # checkpoint; ours does not): compare what they wrote, not how many rows.
        return {
            "values": view["values"],
            "status": view["status"],
            "live": ui.status_trace[-1],
            "kept": [item["id"] for item in history if item["id"] in original] == original,
            "writers": [w for item in reversed(new) for w in item["writers"]],
            "on_a_branch": all(item["lane"] > 0 for item in new),
        }

    seen = same_on_both(flow)
    assert seen == {
        "values": {
            "state": "start -> node_1 -> node_2 -> node_3",
            "log": ["node_1", "node_2", "node_3"],
        },
        "status": "done",
        "live": {"node_1": "visited", "node_2": "visited", "node_3": "visited"},
        "kept": True,
        "writers": ["node_2", "node_3"],
        "on_a_branch": True,
    }
