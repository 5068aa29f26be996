"""Snapshots read their values lazily (issue 16) with eager semantics, on every saver:
values built on first access equal what an eager read gives, and each snapshot's values
are its own objects: mutating them changes no other snapshot and nothing stored."""

from __future__ import annotations

import copy
import pickle
from typing import Annotated, TypedDict

import pytest

from hitl_notebook import END, START, PregelTask, StateGraph, StateSnapshot, add_messages
from hitl_notebook.checkpoint.deferred import DeferredValues
from hitl_notebook.checkpoint.serde import DeserializationError
from hitl_notebook.engine.lazy_snapshot import LazySnapshot
from hitl_notebook.engine.lazy_task import LazyTask

CFG = {"configurable": {"thread_id": "talk"}}


class Talk(TypedDict):
    messages: Annotated[list, add_messages]
    notes: dict
    limit: int


def _talk_graph(saver, turns: int = 150):
    """A conversation of ``turns`` messages: long enough for snapshots and deltas."""

    def talk(state: Talk) -> dict:
        n = len(state["messages"])
        return {
            "messages": [{"role": "assistant", "content": f"turn {n} " + "x" * 150}],
            "notes": {"last": n, "seen": list(range(n % 5))},
        }

    def route(state: Talk) -> str:
        return "talk" if len(state["messages"]) < state["limit"] else END

    graph = (
        StateGraph(Talk)
        .add_node("talk", talk)
        .add_edge(START, "talk")
        .add_conditional_edges("talk", route, ["talk", END])
        .compile(checkpointer=saver)
    )
    graph.invoke(
        {"messages": [], "notes": {}, "limit": turns},
        {**CFG, "recursion_limit": turns + 10},
    )
    return graph


def _eager(graph, snapshot) -> dict:
    """The snapshot's values read the eager way: the saver's fresh copy, as ``get`` gives."""
    conf = snapshot.config["configurable"]
    record = graph.checkpointer.get(conf["thread_id"], "", conf["checkpoint_id"])
    return graph._plan.output_values(record.values, for_state=True)


def test_listing_builds_no_values_until_they_are_read(saver):
    """Listing a history and getting a state leave every snapshot's values unbuilt; the
    first read builds them once and the snapshot then keeps the same dict."""
    graph = _talk_graph(saver)
    history = list(graph.get_state_history(CFG))
    head = graph.get_state(CFG)
    assert all(isinstance(s, LazySnapshot) and not s.is_loaded for s in [*history, head])
    first = history[40].values
    assert history[40].is_loaded and history[40].values is first
    assert type(first) is dict and len(first["messages"]) == 150 - 40
    assert not any(s.is_loaded for s in history[41:])


def test_lazily_read_values_equal_eager_ones(kit):
    """Every snapshot of a long history (snapshots, deltas, read in any order, also after
    the saver's cache is emptied) has exactly the values an eager read gives."""
    graph = _talk_graph(kit.saver)
    expected = {s.config["configurable"]["checkpoint_id"]: s for s in graph.get_state_history(CFG)}
    eager = {cid: _eager(graph, s) for cid, s in expected.items()}
    graph.checkpointer = kit.reopen()  # cold: nothing cached
    listed = list(graph.get_state_history(CFG))
    order = listed[::7] + listed[::-3] + listed  # jump about, oldest first, then all
    for snapshot in order:
        cid = snapshot.config["configurable"]["checkpoint_id"]
        assert snapshot.values == eager[cid], cid
        assert graph.get_state(snapshot.config).values == eager[cid]
    assert [s.values.get("notes") for s in listed] == [v.get("notes") for v in eager.values()]


def test_mutating_one_snapshot_changes_no_other_and_not_history(saver):
    """Mutating a snapshot's values in place (a message, a nested dict, the list itself)
    leaves other snapshots of the same and of other checkpoints, fresh reads, and the
    thread's next run untouched."""
    graph = _talk_graph(saver, turns=100)
    history = list(graph.get_state_history(CFG))
    twice = list(graph.get_state_history(CFG))
    before = [copy.deepcopy(s.values) for s in graph.get_state_history(CFG)]
    for snapshot in (history[0], history[1], history[50], graph.get_state(CFG)):
        values = snapshot.values
        values["messages"][0].content = "CHANGED"
        values["messages"].append("junk")
        values["notes"]["last"] = -1
        values["notes"].setdefault("seen", []).append("junk")
        values["limit"] = 0
    assert [s.values for s in twice] == before
    assert [s.values for s in graph.get_state_history(CFG)] == before
    assert graph.get_state(CFG).values == before[0]
    # The thread goes on from what is stored, not from a mutated snapshot.
    fork = graph.update_state(history[50].config, {"limit": 52}, as_node="talk")
    out = graph.invoke(None, fork)
    assert len(out["messages"]) == 52 and out["messages"][0].content.startswith("turn 0 ")


def test_a_lazy_snapshot_reads_as_the_tuple_it_is(saver):
    """Unpacking, indexing, ``==``, ``repr``, ``_asdict``, ``_replace``, copies and pickles
    of a lazy snapshot all see its values (copies and pickles are plain StateSnapshots)."""
    graph = _talk_graph(saver, turns=20)
    eager = _eager(graph, graph.get_state(CFG))

    def fresh() -> LazySnapshot:
        return graph.get_state(CFG)

    values, *_rest = fresh()
    assert values == eager
    assert fresh()[0] == eager and fresh()._asdict()["values"] == eager
    assert fresh() == fresh() and fresh() == StateSnapshot(*fresh())
    assert StateSnapshot(*fresh()) == fresh()
    assert (fresh() != fresh()) is False
    assert "turn 19" in repr(fresh()) and repr(fresh()).startswith("StateSnapshot(values=")
    assert fresh()._replace(next=("x",)).values == eager
    original = fresh()
    renamed = original._replace(metadata={"edited": True})
    assert not original.is_loaded and not renamed.is_loaded  # still lazy
    assert renamed.metadata == {"edited": True} and renamed.next == original.next
    assert renamed.values == original.values and renamed.values is not original.values
    for twin in (copy.copy(fresh()), copy.deepcopy(fresh()), pickle.loads(pickle.dumps(fresh()))):
        assert type(twin) is StateSnapshot and twin.values == eager


def test_filter_before_and_limit_list_without_building_values(saver):
    """``filter``, ``before`` and ``limit`` pick the same checkpoints as the full listing
    does, and the snapshots they return still build values only when read."""
    graph = _talk_graph(saver, turns=120)
    everything = list(graph.get_state_history(CFG))
    middle = everything[60].config
    page = list(graph.get_state_history(CFG, before=middle, limit=10))
    assert [s.config for s in page] == [s.config for s in everything[61:71]]
    assert not any(s.is_loaded for s in page)
    inputs = list(graph.get_state_history(CFG, filter={"source": "input"}))
    assert [s.config for s in inputs] == [
        s.config for s in everything if s.metadata["source"] == "input"
    ]
    assert [s.values for s in page] == [s.values for s in everything[61:71]]


def test_values_of_a_checkpoint_deleted_after_reading_are_a_clear_error(saver):
    """Reading values of a snapshot whose thread was deleted after ``get_state`` raises an
    error naming the checkpoint, instead of giving empty or wrong values."""
    graph = _talk_graph(saver, turns=30)
    old = list(graph.get_state_history(CFG))[20]
    graph.checkpointer.clear_cache()
    snapshot = graph.get_state(old.config)
    saver.delete_thread("talk")
    cid = old.config["configurable"]["checkpoint_id"]
    with pytest.raises(DeserializationError, match=cid):
        snapshot.values  # noqa: B018


def _extend_in_place(left: list, right: list) -> list:
    left.extend(right)
    return left


class State(TypedDict):
    items: Annotated[list, _extend_in_place]
    other: list
    limit: int


def _in_place_graph(saver, *, route_mutates: bool):
    """A graph whose reducer extends its left operand in place and whose conditional edge
    (when ``route_mutates``) appends to the state it reads: user code an edit may run."""

    def step(state: State) -> dict:
        return {"items": [len(state["items"])], "other": [*state["other"], "o"]}

    def route(state: State) -> str:
        if route_mutates:
            state["items"].append("route")
            state["other"].append("route")
        return "step" if len(state["other"]) < state["limit"] else END

    builder = StateGraph(State).add_node("step", step).add_edge(START, "step")
    if route_mutates:
        builder.add_conditional_edges("step", route, ["step", END])
    else:
        builder.add_edge("step", END)
    graph = builder.compile(checkpointer=saver)
    graph.invoke({"items": [], "other": [], "limit": 1}, CFG)
    return graph


@pytest.mark.parametrize("route_mutates", [False, True])
def test_an_edit_far_back_leaves_history_alone_when_user_code_mutates(saver, route_mutates):
    """update_state on a past checkpoint runs user code on its values (a reducer that
    extends its left operand in place, a conditional edge that appends to the state):
    neither changes that checkpoint nor any other stored one, read eagerly or lazily."""
    graph = _in_place_graph(saver, route_mutates=route_mutates)
    before = [(s.config, copy.deepcopy(s.values)) for s in graph.get_state_history(CFG)]
    target = before[1][0]  # the checkpoint before the head
    forked = graph.update_state(target, {"items": ["edit"], "limit": 9}, as_node="step")
    for config, values in before:
        assert graph.get_state(config).values == values
        assert _eager(graph, graph.get_state(config)) == values
    assert [copy.deepcopy(s.values) for s in graph.get_state_history(CFG)][1:] == [
        v for _, v in before
    ]
    assert graph.get_state(forked).values["items"][-1] == "edit"


def test_langchain_message_values_are_independent_per_snapshot(saver):
    """With LangChain's message classes stored (tool calls, kwargs, metadata), each
    snapshot's messages are its own: mutating them changes no other snapshot, no fresh
    read and not what a fork runs from; lazily read values equal eager ones."""
    messages = pytest.importorskip("langchain_core.messages")

    def talk(state: Talk) -> dict:
        n = len(state["messages"])
        call = {"name": "look", "args": {"n": [n]}, "id": f"c{n}"}
        return {
            "messages": [
                messages.AIMessage(
                    content=f"turn {n}",
                    tool_calls=[call],
                    additional_kwargs={"seen": [n]},
                    response_metadata={"model": "m"},
                )
            ]
        }

    def route(state: Talk) -> str:
        return "talk" if len(state["messages"]) < state["limit"] else END

    graph = (
        StateGraph(Talk)
        .add_node("talk", talk)
        .add_edge(START, "talk")
        .add_conditional_edges("talk", route, ["talk", END])
        .compile(checkpointer=saver)
    )
    graph.invoke({"messages": [], "notes": {}, "limit": 30}, {**CFG, "recursion_limit": 40})
    history = list(graph.get_state_history(CFG))
    before = [copy.deepcopy(s.values) for s in graph.get_state_history(CFG)]
    assert type(before[0]["messages"][0]) is messages.AIMessage
    assert [s.values for s in history] == [_eager(graph, s) for s in history]
    for snapshot in (history[0], history[10], graph.get_state(CFG)):
        first = snapshot.values["messages"][0]
        first.tool_calls[0]["args"]["n"].append("junk")
        first.additional_kwargs["seen"].append("junk")
        first.response_metadata["model"] = "junk"
        first.content = "CHANGED"
    assert [s.values for s in graph.get_state_history(CFG)] == before
    assert [s.values for s in history[1:10]] == before[1:10]
    fork = graph.update_state(history[10].config, {"limit": 22}, as_node="talk")
    out = graph.invoke(None, fork)
    assert out["messages"][0].content == "turn 0"
    assert out["messages"][0].tool_calls[0]["args"] == {"n": [0]}


def _talk_write(n: int) -> dict:
    """What ``_talk_graph``'s node writes from a state of ``n`` messages."""
    return {
        "messages": [{"role": "assistant", "content": f"turn {n} " + "x" * 150}],
        "notes": {"last": n, "seen": list(range(n % 5))},
    }


def test_listing_finds_no_task_result_until_it_is_read(saver):
    """A listed step's task result (what its node wrote, recorded by the next checkpoint as
    references into that checkpoint's values) is found only when read, then equals what
    the node wrote, also read as a tuple, compared, copied or pickled."""
    graph = _talk_graph(saver, turns=60)
    graph.checkpointer.clear_cache()
    history = list(graph.get_state_history(CFG))
    steps = [s for s in history if s.next == ("talk",)]
    assert len(steps) == 60
    tasks = [s.tasks[0] for s in steps]
    assert all(isinstance(t, LazyTask) and not t.is_loaded for t in tasks)
    n = len(steps[20].values["messages"])
    assert tasks[20].result == _talk_write(n) and tasks[20].is_loaded
    assert not any(t.is_loaded for t in tasks[21:])
    twin = tasks[30]
    plain = PregelTask(*twin)
    assert plain.result == _talk_write(len(steps[30].values["messages"]))
    assert twin == plain and plain == twin and (twin != plain) is False
    for task in (twin, plain):  # a dict result makes either unhashable, alike
        with pytest.raises(TypeError, match="unhashable"):
            hash(task)
    assert twin._asdict() == plain._asdict() and repr(twin) == repr(plain)
    assert twin._replace(error="e") == plain._replace(error="e")
    for other in (copy.copy(twin), copy.deepcopy(twin), pickle.loads(pickle.dumps(twin))):
        assert type(other) is PregelTask and other == plain
    fresh = [s.tasks[0] for s in graph.get_state_history(CFG) if s.next == ("talk",)]
    assert [t.result for t in fresh] == [_talk_write(len(s.values["messages"])) for s in steps]


def test_short_writes_read_back_without_rebuilding_state(saver):
    """A step that writes numbers, bools and short strings keeps them in its writes, not as
    references into the state: reading those writes (the timeline's summaries of a counting
    loop) rebuilds no checkpoint's values, and they read exactly as written."""

    class Count(TypedDict):
        n: int
        ok: bool
        tag: str

    def tick(state: Count) -> dict:
        return {"n": state["n"] + 1, "ok": True, "tag": f"t{state['n']}"}

    graph = (
        StateGraph(Count)
        .add_node("tick", tick)
        .add_edge(START, "tick")
        .add_edge("tick", END)
        .compile(checkpointer=saver)
    )
    graph.invoke({"n": 0, "ok": False, "tag": ""}, CFG)
    graph.checkpointer.clear_cache()
    head = next(iter(graph.checkpointer.list("talk", "", shared=True)))
    assert dict(head.writes) == {"tick": {"n": 1, "ok": True, "tag": "t0"}}
    assert isinstance(head.values, DeferredValues) and not head.values.is_loaded
