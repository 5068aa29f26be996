"""add_messages keys: appends stay cheap, and replacement by id stays exact across steps,
runs and forks (the engine keeps an id index between steps)."""

from __future__ import annotations

from typing import Literal

from hitl_notebook import START, AIMessage, InMemorySaver, MessagesState, StateGraph


def _turns_graph(script):
    """A node that writes script[turn] each turn until the script ends."""

    class S(MessagesState):
        turn: int

    def talk(state):
        turn = state.get("turn", 0)
        return {"messages": script[turn], "turn": turn + 1}

    def again(state) -> Literal["talk", "__end__"]:
        return "talk" if state["turn"] < len(script) else "__end__"

    return (
        StateGraph(S)
        .add_node("talk", talk)
        .add_edge(START, "talk")
        .add_conditional_edges("talk", again)
        .compile(checkpointer=InMemorySaver())
    )


def test_replacement_by_id_after_many_appends():
    """After appends, a message with an existing id replaces it in place, not appended."""
    script = [
        [AIMessage("one", id="m1")],
        [AIMessage("two", id="m2")],
        [AIMessage("ONE!", id="m1")],
        [{"role": "user", "content": "no id"}],
    ]
    out = _turns_graph(script).invoke({"messages": []}, {"configurable": {"thread_id": "t"}})
    assert [m.content for m in out["messages"]] == ["ONE!", "two", "no id"]
    assert len({m.id for m in out["messages"]}) == 3


def test_duplicate_id_within_one_write_is_merged_like_add_messages():
    """Two messages with one id in a single write: the later one wins, once."""
    out = _turns_graph([[AIMessage("a", id="x"), AIMessage("b", id="x")]]).invoke(
        {"messages": []}, {"configurable": {"thread_id": "t"}}
    )
    assert [m.content for m in out["messages"]] == ["b"]


def test_fork_does_not_see_ids_from_the_other_branch():
    """Forking an early checkpoint and appending an id used only by the later branch appends."""
    graph = _turns_graph([[AIMessage("one", id="m1")], [AIMessage("two", id="m2")]])
    cfg = {"configurable": {"thread_id": "t"}}
    graph.invoke({"messages": []}, cfg)
    early = next(
        s
        for s in graph.get_state_history(cfg)
        if [m.id for m in s.values.get("messages", [])] == ["m1"]
    )
    fork = graph.update_state(
        early.config, {"messages": [AIMessage("fork two", id="m2")]}, as_node="talk"
    )
    assert [m.content for m in graph.get_state(fork).values["messages"]] == ["one", "fork two"]
