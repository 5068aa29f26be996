"""A message is stored once per step, not once in the delta and again in the step's
``writes``: a message loop stays within 2x its payload on every saver (issue 14, storage)."""

from __future__ import annotations

import operator
import random
from typing import Annotated, TypedDict

import pg_rows

from hitl_notebook import END, START, StateGraph, add_messages
from hitl_notebook.checkpoint import frames

CFG = {"configurable": {"thread_id": "t"}, "recursion_limit": 10_000}
_WORDS = ["tool", "call", "user", "agent", "plan", "step", "result", "error", "graph", "node"]


def _texts(turns: int) -> list[str]:
    rng = random.Random(3)
    return [
        " ".join(rng.choice(_WORDS) + str(rng.randrange(10_000)) for _ in range(30))[:200]
        for _ in range(turns)
    ]


def _loop(saver, texts: list[str]):
    """One node appends the next text as an assistant message until all are there."""
    state = TypedDict("Loop", {"messages": Annotated[list, add_messages]})
    graph = (
        StateGraph(state)
        .add_node(
            "talk",
            lambda s: {"messages": [{"role": "assistant", "content": texts[len(s["messages"])]}]},
        )
        .add_edge(START, "talk")
        .add_conditional_edges("talk", lambda s: "talk" if len(s["messages"]) < len(texts) else END)
        .compile(checkpointer=saver)
    )
    graph.invoke({"messages": []}, CFG)
    return graph


def _rows(kit) -> list[tuple[bytes, str]]:
    """(data, metadata) of every stored checkpoint, and outcome data with empty metadata."""
    if kit.sql is None:
        with kit.saver._reading() as tx:
            spaces = [s for t in tx._threads.values() for s in t.values()]
            return [(r.data, r.metadata) for s in spaces for r in s.rows.values()] + [
                (o.data, "") for s in spaces for outs in s.outcomes.values() for o in outs.values()
            ]
    if kit.kind == "postgres":
        rows = [(r.data, r.metadata) for r in pg_rows.stored_rows(kit.dsn)]
    else:
        rows = kit.sql("SELECT data, CAST(metadata AS TEXT) FROM hitl_checkpoints", [])
    outcomes = kit.sql("SELECT data FROM hitl_outcomes", [])
    return [(bytes(d), m) for d, m in rows] + [(bytes(d), "") for (d,) in outcomes]


def test_each_message_is_stored_once(kit):
    """In a delta checkpoint the appended message's text appears once (in the values),
    and the step's writes still read back exactly as the node returned them."""
    texts = _texts(40)
    graph = _loop(kit.saver, texts)
    deltas = 0
    for data, _ in _rows(kit):
        sections = frames.decode_sections(data) if data.startswith(frames.MAGIC) else []
        if any(s.tag == b"R" and s.name == "messages" for s in sections):
            continue  # a snapshot: every message, once
        for text in texts:
            found = sum(s.data.count(text.encode()) for s in sections)
            assert found <= 1, (text, found)
        deltas += bool(sections)
    assert deltas > 30
    history = list(graph.get_state_history(CFG))
    saver = kit.reopen()
    for snap in history[:-2]:
        record = saver.get("t", "", snap.config["configurable"]["checkpoint_id"])
        if record.writes and "talk" in record.writes:
            [message] = record.writes["talk"]["messages"]
            text = texts[len(record.values["messages"]) - 1]
            assert message == {"role": "assistant", "content": text}  # as the node returned it


def test_a_message_loop_stays_within_twice_its_payload(kit):
    """1,000 turns of ~200-byte messages (the issue's size: snapshots of the long list
    count): checkpoints (data and metadata) and outcomes add up to at most twice the
    message text, on every saver."""
    texts = _texts(1000)
    _loop(kit.saver, texts)
    payload = sum(len(t.encode()) for t in texts)
    if kit.kind == "postgres":  # checkpoints compressed together: what the tables hold
        stored = kit.sql(pg_rows.STORED_BYTES, [])[0][0]
    else:
        stored = sum(len(d) + len(m.encode()) for d, m in _rows(kit))
    assert stored <= 2 * payload, (stored, payload, stored / payload)


class Fan(TypedDict, total=False):
    items: Annotated[list, operator.add]


def test_two_writers_of_one_channel_keep_their_own_writes(kit):
    """When two parallel nodes append to one list in a step, each node's write is stored as
    it wrote it (the delta alone cannot say which item came from which node)."""
    graph = (
        StateGraph(Fan)
        .add_node("a", lambda s: {"items": ["from a"]})
        .add_node("b", lambda s: {"items": ["from b", "again b"]})
        .add_edge(START, "a")
        .add_edge(START, "b")
        .add_edge("a", END)
        .add_edge("b", END)
        .compile(checkpointer=kit.saver)
    )
    graph.invoke({"items": []}, CFG)
    head = kit.reopen().get("t")
    assert head.writes == {"a": {"items": ["from a"]}, "b": {"items": ["from b", "again b"]}}
    assert sorted(head.values["items"]) == ["again b", "from a", "from b"]


def test_a_last_value_write_refers_to_the_stored_value(kit):
    """A node that alone wrote a last-value channel: its write reads back equal to the
    stored value, and a fresh copy (changing it changes neither)."""

    class Doc(TypedDict, total=False):
        doc: dict

    graph = (
        StateGraph(Doc)
        .add_node("edit", lambda s: {"doc": {"title": "x" * 300, "tags": ["a", "b"]}})
        .add_edge(START, "edit")
        .add_edge("edit", END)
        .compile(checkpointer=kit.saver)
    )
    graph.invoke({"doc": {}}, CFG)
    head = kit.reopen().get("t")
    assert head.writes == {"edit": {"doc": {"title": "x" * 300, "tags": ["a", "b"]}}}
    head.writes["edit"]["doc"]["tags"].append("c")
    assert head.values["doc"]["tags"] == ["a", "b"]


def test_small_scalars_are_stored_in_the_writes_not_referred_to():
    """A reference is longer than a number, a flag or a short string: those writes are
    kept as written; a long string or a container is referred to."""
    from hitl_notebook.checkpoint.base import Replace
    from hitl_notebook.checkpoint.write_refs import join_writes, split_writes

    writes = {"n": {"count": 3, "done": True, "note": "ok", "ratio": 0.5, "none": None}}
    changes = {k: Replace(v) for k, v in writes["n"].items()}
    assert split_writes(writes, changes) == (writes, [])

    long_text, doc = "y" * 40, {"a": [1, 2]}
    writes = {"n": {"text": long_text, "doc": doc, "count": 3}}
    changes = {k: Replace(v) for k, v in writes["n"].items()}
    shown, refs = split_writes(writes, changes)
    assert shown == {"n": {"text": None, "doc": None, "count": 3}}
    assert sorted(refs) == [["n", "doc", -1], ["n", "text", -1]]
    values = {"text": long_text, "doc": doc, "count": 3}
    assert join_writes(shown, refs, values, "here") == writes
