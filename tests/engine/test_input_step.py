"""The input step: its writes are the input, so the engine makes its result without
running a task when START has fixed edges only; what the thread records and streams is
the same as when START's routing runs as a task (a conditional edge from START)."""

from __future__ import annotations

import pytest

from hitl_notebook import END, START, InMemorySaver, MessagesState, StateGraph, get_config


def _graph(routed: bool, seen: list | None = None):
    """START -> a -> END, by a fixed edge or by a conditional edge that always picks a."""

    def route(state):
        if seen is not None:
            seen.append(get_config()["metadata"]["langgraph_node"])
        return "a"

    builder = StateGraph(MessagesState).add_node("a", lambda s: {"messages": [("ai", "hi")]})
    if routed:
        builder.add_conditional_edges(START, route, ["a"])
    else:
        builder.add_edge(START, "a")
    return builder.add_edge("a", END).compile(checkpointer=InMemorySaver())


def _recorded(graph, config: dict) -> list:
    """The thread's history without what differs run to run (ids, times)."""
    return [
        (
            s.metadata["source"],
            s.metadata["step"],
            s.next,
            [m.content for m in s.values.get("messages", [])],
            s.metadata.get("writes"),
        )
        for s in graph.get_state_history(config)
    ]


def test_the_input_step_records_and_streams_what_its_task_would():
    """Fixed edge (no task run) and conditional edge (run as a task): same history and
    the same stream, input message ids kept from the input step on."""
    outcomes = []
    for routed in (False, True):
        graph, config = _graph(routed), {"configurable": {"thread_id": "t"}}
        chunks = list(
            graph.stream(
                {"messages": [("human", "hello")]},
                config,
                stream_mode=["updates", "values", "tasks", "checkpoints"],
            )
        )
        shapes = [
            (mode, sorted(chunk) if isinstance(chunk, dict) else chunk)
            for mode, chunk in chunks
            if mode != "checkpoints"
        ]
        checkpoints = [c["metadata"]["step"] for mode, c in chunks if mode == "checkpoints"]
        first_id = graph.get_state(config).values["messages"][0].id
        assert first_id and all(
            s.values["messages"][0].id == first_id
            for s in graph.get_state_history(config)
            if s.values.get("messages")
        )
        outcomes.append((shapes, checkpoints, _recorded(graph, config)))
    assert outcomes[0] == outcomes[1]


def test_a_conditional_edge_from_start_still_runs_in_the_input_task():
    """Routing from START is user code: it sees the input task's config."""
    seen: list = []
    _graph(True, seen).invoke({"messages": []}, {"configurable": {"thread_id": "t"}})
    assert seen == ["__start__"]


@pytest.mark.parametrize("routed", [False, True])
def test_an_input_its_reducer_rejects_fails_as_the_input_task(routed):
    """The input step's failure is stored on its task, the thread left before it."""
    graph, config = _graph(routed), {"configurable": {"thread_id": "t"}}
    with pytest.raises(TypeError, match="cannot convert int to a message"):
        graph.invoke({"messages": [123]}, config)
    state = graph.get_state(config)
    assert state.next == (START,) and state.metadata["step"] == -1
    assert [t.name for t in state.tasks] == [START] and state.tasks[0].error is not None
