"""Seed 001 (the older breakpoint-based human-in-the-loop guide): static breakpoints,
NodeInterrupt dynamic breakpoints, editing, input as a node, tool-call review and time
travel, run with only the imports changed."""

from __future__ import annotations

from typing import TypedDict

import pytest

from hitl_notebook import END, START, InMemorySaver, NodeInterrupt, StateGraph


class State(TypedDict, total=False):
    input: str
    state: str
    user_input: str
    tool_call: str
    log: list


def _three_step_builder(middle: str = "node_2"):
    def node_1(s):
        return {"state": "after node_1", "log": [*s.get("log", []), "node_1"]}

    def node_2(s):
        return {"state": s["state"] + " -> node_2", "log": s["log"] + [middle]}

    def node_3(s):
        return {"log": s["log"] + ["node_3"]}

    builder = StateGraph(State)
    builder.add_node("node_1", node_1)
    builder.add_node(middle, node_2)
    builder.add_node("node_3", node_3)
    builder.add_edge(START, "node_1")
    builder.add_edge("node_1", middle)
    builder.add_edge(middle, "node_3")
    builder.add_edge("node_3", END)
    return builder


def test_breakpoint_then_continue_with_none():
    """Run to the breakpoint, then stream(None) continues from the saved checkpoint."""
    checkpointer = InMemorySaver()
    builder = _three_step_builder("step_for_human_in_the_loop")
    graph = builder.compile(
        checkpointer=checkpointer, interrupt_before=["step_for_human_in_the_loop"]
    )
    thread_config = {"configurable": {"thread_id": "1"}}
    inputs = {"input": "hi"}
    events = [event for event in graph.stream(inputs, thread_config, stream_mode="values")]
    assert events[-1]["log"] == ["node_1"]
    assert graph.get_state(thread_config).next == ("step_for_human_in_the_loop",)
    events = [event for event in graph.stream(None, thread_config, stream_mode="values")]
    assert events[-1]["log"] == ["node_1", "step_for_human_in_the_loop", "node_3"]


def test_dynamic_breakpoint_with_node_interrupt():
    """NodeInterrupt pauses; continuing unchanged pauses again; an edit or skipping passes."""

    def step_1(state):
        return {"log": ["step_1"]}

    def my_node(state: State) -> State:
        if len(state["input"]) > 5:
            raise NodeInterrupt(
                f"Received input that is longer than 5 characters: {state['input']}"
            )
        return {"log": state["log"] + ["my_node"]}

    def step_3(state):
        return {"log": state["log"] + ["step_3"]}

    builder = StateGraph(State)
    builder.add_node("step_1", step_1)
    builder.add_node("my_node", my_node)
    builder.add_node("step_3", step_3)
    builder.add_edge(START, "step_1")
    builder.add_edge("step_1", "my_node")
    builder.add_edge("my_node", "step_3")
    builder.add_edge("step_3", END)
    graph = builder.compile(checkpointer=InMemorySaver())
    thread_config = {"configurable": {"thread_id": "1"}}
    with pytest.warns(DeprecationWarning, match="interrupt"):
        list(graph.stream({"input": "hello world"}, thread_config, stream_mode="values"))
    state = graph.get_state(thread_config)
    assert state.next == ("my_node",)
    assert "longer than 5 characters" in state.tasks[0].interrupts[0].value

    # Attempt to continue with no change: it pauses again.
    list(graph.stream(None, thread_config, stream_mode="values"))
    assert graph.get_state(thread_config).next == ("my_node",)

    # Update the state to pass the dynamic breakpoint.
    graph.update_state(config=thread_config, values={"input": "foo"})
    events = list(graph.stream(None, thread_config, stream_mode="values"))
    assert events[-1]["log"] == ["step_1", "my_node", "step_3"]

    # Or keep the input and skip my_node altogether.
    other = {"configurable": {"thread_id": "2"}}
    with pytest.warns(DeprecationWarning):
        list(graph.stream({"input": "hello world"}, other, stream_mode="values"))
    graph.update_state(config=other, values=None, as_node="my_node")
    events = list(graph.stream(None, other, stream_mode="values"))
    assert events[-1]["log"] == ["step_1", "step_3"]


def test_approval_pattern():
    """interrupt_before the step to approve; if approved, continue with None."""
    graph = _three_step_builder().compile(checkpointer=InMemorySaver(), interrupt_before=["node_2"])
    thread = {"configurable": {"thread_id": "1"}}
    for event in graph.stream({"input": "x"}, thread, stream_mode="values"):
        print(event)
    for event in graph.stream(None, thread, stream_mode="values"):
        print(event)
    assert graph.get_state(thread).values["log"] == ["node_1", "node_2", "node_3"]


def test_editing_pattern():
    """update_state at the breakpoint, then continue from the edited checkpoint."""
    graph = _three_step_builder().compile(checkpointer=InMemorySaver(), interrupt_before=["node_2"])
    thread = {"configurable": {"thread_id": "1"}}
    list(graph.stream({"input": "x"}, thread, stream_mode="values"))
    graph.update_state(thread, {"state": "new state"})
    last = list(graph.stream(None, thread, stream_mode="values"))[-1]
    assert last["state"] == "new state -> node_2"


def test_input_pattern_as_node():
    """update_state(..., as_node="human_input") acts as that node: it does not run itself."""
    ran = []

    def ask(state):
        return {"log": ["ask"]}

    def human_input(state):
        ran.append("human_input")
        return {}

    def use(state):
        return {"log": state["log"] + [f"use {state['user_input']}"]}

    builder = StateGraph(State)
    builder.add_node("ask", ask)
    builder.add_node("human_input", human_input)
    builder.add_node("use", use)
    builder.add_edge(START, "ask")
    builder.add_edge("ask", "human_input")
    builder.add_edge("human_input", "use")
    graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["human_input"])
    thread = {"configurable": {"thread_id": "1"}}
    list(graph.stream({"input": "x"}, thread, stream_mode="values"))
    user_input = "blue"
    graph.update_state(thread, {"user_input": user_input}, as_node="human_input")
    assert graph.get_state(thread).next == ("use",)
    last = list(graph.stream(None, thread, stream_mode="values"))[-1]
    assert last["log"] == ["ask", "use blue"]
    assert ran == []


def test_reviewing_tool_calls_pattern():
    """Update the tool call as human_review, or approve by continuing unchanged."""

    def agent(state):
        return {"tool_call": "original tool call"}

    def human_review(state):
        return {}

    def tool(state):
        return {"log": [f"ran {state['tool_call']}"]}

    builder = StateGraph(State)
    builder.add_node("agent", agent)
    builder.add_node("human_review", human_review)
    builder.add_node("tool", tool)
    builder.add_edge(START, "agent")
    builder.add_edge("agent", "human_review")
    builder.add_edge("human_review", "tool")
    graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["human_review"])

    edited = {"configurable": {"thread_id": "edit"}}
    list(graph.stream({"input": "x"}, edited, stream_mode="values"))
    graph.update_state(edited, {"tool_call": "updated tool call"}, as_node="human_review")
    assert list(graph.stream(None, edited, stream_mode="values"))[-1]["log"] == [
        "ran updated tool call"
    ]

    approved = {"configurable": {"thread_id": "ok"}}
    list(graph.stream({"input": "x"}, approved, stream_mode="values"))
    assert list(graph.stream(None, approved, stream_mode="values"))[-1]["log"] == [
        "ran original tool call"
    ]


def test_time_travel_replay_and_fork():
    """Replay from a past checkpoint id, and fork it with update_state using the seed's
    exact {"thread_id", "checkpoint_id"} config (LangGraph 1.2.22 raises KeyError here)."""
    graph = _three_step_builder().compile(checkpointer=InMemorySaver())
    thread = {"configurable": {"thread_id": "1"}}
    for event in graph.stream({"input": "x"}, thread, stream_mode="values"):
        print(event)
    all_checkpoints = []
    for state in graph.get_state_history(thread):
        all_checkpoints.append(state)
    before_node_2 = next(s for s in all_checkpoints if s.next == ("node_2",))
    xxx = before_node_2.config["configurable"]["checkpoint_id"]

    config = {"configurable": {"thread_id": "1", "checkpoint_id": xxx}}
    replayed = list(graph.stream(None, config, stream_mode="values"))
    assert replayed[-1]["log"] == ["node_1", "node_2", "node_3"]

    config = {"configurable": {"thread_id": "1", "checkpoint_id": xxx}}
    fork_config = graph.update_state(config, {"state": "updated state"})
    xxx_fork = fork_config["configurable"]["checkpoint_id"]
    config = {"configurable": {"thread_id": "1", "checkpoint_id": xxx_fork}}
    forked = list(graph.stream(None, config, stream_mode="values"))
    assert forked[-1]["state"] == "updated state -> node_2"
    # History is a tree: the original branch is still there, untouched.
    ids = [s.config["configurable"]["checkpoint_id"] for s in graph.get_state_history(thread)]
    assert xxx in ids and xxx_fork in ids
    assert graph.get_state(before_node_2.config).values == before_node_2.values
