"""The review pattern survives a kernel restart: a thread paused before its ``ToolNode`` on
a ``SqliteSaver`` is edited and resumed by a new graph object over the same file, with our
and LangChain's messages (tool calls, tool-call links, status) read back intact."""

from __future__ import annotations

import pytest

from hitl_notebook import (
    START,
    AIMessage,
    MessagesState,
    StateGraph,
    ToolNode,
    tools_condition,
)
from hitl_notebook.checkpoint.sqlite import SqliteSaver


def add(a: int, b: int) -> int:
    """Adds."""
    return a + b


def build(saver, ai_class):
    def agent(state):
        if state["messages"][-1].type == "tool":
            return {"messages": [ai_class("done", id="ai-2")]}
        call = {"name": "add", "args": {"a": 1, "b": 2}, "id": "c1"}
        return {"messages": [ai_class("", id="ai-1", tool_calls=[call])]}

    builder = StateGraph(MessagesState)
    builder.add_node("agent", agent)
    builder.add_node("tools", ToolNode([add]))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=saver, interrupt_before=["tools"])


def langchain_ai():
    return pytest.importorskip("langchain_core.messages").AIMessage


@pytest.mark.parametrize("family", ["ours", "langchain"])
def test_edit_and_resume_after_a_restart(tmp_path, family):
    """Pause, reopen the database with a new graph, edit the call, resume: the edited call
    runs and its answer links to it."""
    ai_class = AIMessage if family == "ours" else langchain_ai()
    path = tmp_path / "threads.db"
    config = {"configurable": {"thread_id": "t"}}
    with SqliteSaver(str(path)) as saver:
        build(saver, ai_class).invoke({"messages": [("user", "1+2?")]}, config)

    with SqliteSaver(str(path)) as saver:  # as after a kernel restart
        graph = build(saver, ai_class)
        pending = graph.get_state(config)
        assert pending.next == ("tools",)
        asked = pending.values["messages"][-1]
        assert isinstance(asked, ai_class) and asked.tool_calls[0]["args"] == {"a": 1, "b": 2}
        call = {**asked.tool_calls[0], "args": {"a": 40, "b": 2}}
        graph.update_state(config, {"messages": [ai_class("", id=asked.id, tool_calls=[call])]})
    with SqliteSaver(str(path)) as saver:
        out = build(saver, ai_class).invoke(None, config)
    answer = out["messages"][2]
    assert (answer.type, answer.content, answer.tool_call_id, answer.name, answer.status) == (
        "tool",
        "42",
        "c1",
        "add",
        "success",
    )
    assert [m.type for m in out["messages"]] == ["human", "ai", "tool", "ai"]
