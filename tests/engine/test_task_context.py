"""The context a node runs in is built positionally from its run (``Run.context_for``,
for speed): these tests pin that each field holds what its name says."""

from __future__ import annotations

from typing import Any

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.engine.context import TaskContext, current_task

from .helpers import Vals


def _capturing_graph(seen: list[TaskContext], checkpointer: Any = None) -> Any:
    def node(state: Vals) -> dict:
        ctx = current_task()
        assert ctx is not None
        seen.append(ctx)
        return {"vals": [ctx.name]}

    builder = StateGraph(Vals).add_node("a", node).add_node("b", node)
    builder.add_edge(START, "a").add_edge(START, "b").add_edge("a", END).add_edge("b", END)
    return builder.compile(checkpointer=checkpointer) if checkpointer else builder.compile()


def test_a_node_context_holds_its_run_step_and_task() -> None:
    """Each field of a node's context is its own: task, run, step (none shifted)."""
    seen: list[TaskContext] = []
    saver = InMemorySaver()
    graph = _capturing_graph(seen, saver)
    config = {"configurable": {"thread_id": "t1"}}
    graph.invoke({}, config, durability="sync")
    assert len(seen) == 2
    ran_from = next(s for s in graph.get_state_history(config) if s.metadata["step"] == 0)
    for ctx in sorted(seen, key=lambda c: c.name):
        assert ctx.task_id == ctx.plan.id and ctx.name == ctx.plan.name
        assert ctx.answers == [] and ctx.child_answers == {}
        assert ctx.ns == "" and ctx.thread_id == "t1"
        assert ctx.checkpointer is saver and ctx.lent_checkpointer is saver
        assert ctx.config["configurable"]["thread_id"] == "t1"
        assert ctx.writer is None and ctx.forward is None and ctx.emit is None
        assert ctx.durability == "sync"
        assert ctx.owner is graph._plan
        assert ctx.parents == {} and ctx.replay == {}
        assert ctx.run is not None and ctx.run.ns == ctx.ns
        assert ctx.checkpoint_id == ran_from.config["configurable"]["checkpoint_id"]
        assert ctx.solo is False  # two tasks in the step
        assert ctx.task_results == {} and ctx.spare == []
        assert ctx.messages is None and ctx.trace is None
        assert (ctx.calls, ctx.subgraph_calls, ctx.task_calls, ctx.attempt) == (0, 0, 0, 1)
        assert ctx.consumed is False and ctx.is_task_call is False
    assert sorted(graph.get_state(config).values["vals"]) == ["a", "b"]


def test_stream_modes_reach_the_context_as_writer_forward_and_emit() -> None:
    """``custom`` gives tasks a writer, ``subgraphs=True`` a forward, ``tasks`` an emit."""
    seen: list[TaskContext] = []
    graph = _capturing_graph(seen)
    list(graph.stream({}, stream_mode=["custom", "tasks"], subgraphs=True))
    assert len(seen) == 2
    for ctx in seen:
        assert callable(ctx.writer) and callable(ctx.emit)
        assert ctx.forward is not None and set(ctx.forward[0]) == {"custom", "tasks"}
        assert ctx.checkpointer is None and ctx.thread_id is None
        assert ctx.durability == "async"
