"""Hostile ids, metadata and tampered parent links give one clear library error, the same
on every saver (issue 14, defect 5); nothing is stored by a refused call."""

from __future__ import annotations

from typing import TypedDict

import pg_rows
import pytest
from checkpoint_helpers import put_chain, record

from hitl_notebook import END, START, StateGraph
from hitl_notebook.checkpoint.keys import pack_id
from hitl_notebook.checkpoint.serde import DeserializationError, SerializationError


class State(TypedDict, total=False):
    n: int


def _graph(saver):
    return (
        StateGraph(State)
        .add_node("step", lambda s: {"n": s.get("n", 0) + 1})
        .add_edge(START, "step")
        .add_edge("step", END)
        .compile(checkpointer=saver)
    )


@pytest.mark.parametrize(
    ("thread_id", "message"),
    [
        ("bad\ud800id", "thread_id must be valid Unicode"),
        ("x" * 1_000_000, "thread_id is 1000000 bytes long"),
        ("nul\x00id", "thread_id must not contain NUL"),
    ],
    ids=["lone-surrogate", "one-megabyte", "nul"],
)
def test_hostile_thread_ids_are_a_value_error_on_every_call(saver, thread_id, message):
    """Invoke, read and list with such a thread id: a ValueError naming the problem, never
    a driver's UnicodeEncodeError or index-size error, and nothing stored."""
    graph = _graph(saver)
    config = {"configurable": {"thread_id": thread_id}}
    with pytest.raises(ValueError, match=message):
        graph.invoke({"n": 0}, config)
    with pytest.raises(ValueError, match=message):
        graph.get_state(config)
    with pytest.raises(ValueError, match=message):
        list(graph.get_state_history(config))
    assert saver.list_threads() == []


def test_a_thread_id_at_the_length_limit_works(saver):
    """The limit is generous: a 1,024-byte thread id (multi-byte characters) works."""
    graph = _graph(saver)
    config = {"configurable": {"thread_id": "é" * 512}}
    assert graph.invoke({"n": 0}, config) == {"n": 1}
    assert graph.get_state(config).values == {"n": 1}


def test_a_lone_surrogate_in_a_checkpoint_id_is_a_value_error(saver):
    """The config's checkpoint id goes through the same check."""
    graph = _graph(saver)
    graph.invoke({"n": 0}, {"configurable": {"thread_id": "t"}})
    config = {"configurable": {"thread_id": "t", "checkpoint_id": "\udfff"}}
    with pytest.raises(ValueError, match="checkpoint id must be valid Unicode"):
        graph.get_state(config)


@pytest.mark.parametrize(
    "metadata",
    [{"who": "a\x00b"}, {"nested": {"deep": ["x\x00"]}}, {"k\x00": 1}, {"who": "\ud800"}],
    ids=["value", "nested", "key", "surrogate"],
)
def test_metadata_that_a_backend_cannot_hold_is_refused_everywhere(saver, metadata):
    """NUL and lone surrogates in run metadata: a SerializationError on every saver (the
    in-memory one included, so a filter never finds on one what another cannot store)."""
    graph = _graph(saver)
    config = {"configurable": {"thread_id": "t"}, "metadata": metadata}
    with pytest.raises(SerializationError, match="metadata must"):
        graph.invoke({"n": 0}, config)
    assert saver.list_threads() == []


def test_a_filter_value_no_metadata_can_hold_is_a_value_error(saver):
    """Filtering on a NUL-bearing value is a clear error on every saver, not an empty
    result on one and a driver error on another."""
    put_chain(saver, 2)
    with pytest.raises(ValueError, match="can match nothing"):
        list(saver.list("t", filter={"who": "a\x00b"}))


def test_a_parent_cycle_is_a_deserialization_error_not_an_endless_walk(kit):
    """A tampered parent id that loops makes ``get_state_history`` from a checkpoint id
    raise DeserializationError naming the loop, on every saver."""
    graph = _graph(kit.saver)
    config = {"configurable": {"thread_id": "t"}}
    for _ in range(3):
        graph.invoke({"n": 0}, config)
    ids = [s.config["configurable"]["checkpoint_id"] for s in graph.get_state_history(config)]
    newest, oldest = ids[0], ids[-1]
    if kit.sql is None:  # memory: tamper with the stored row
        with kit.saver._writing("t") as tx:
            row = tx.row("t", "", oldest)
            row.parent_id = newest
    elif kit.kind == "postgres":
        pg_rows.set_row(kit.dsn, oldest, parent_id=newest)
    else:
        kit.sql(
            "UPDATE hitl_checkpoints SET parent_id = ? WHERE checkpoint_id = ?",
            [pack_id(newest), pack_id(oldest)],
        )
    saver = kit.reopen()
    at = {"configurable": {"thread_id": "t", "checkpoint_id": newest}}
    with pytest.raises(DeserializationError, match="loops back to checkpoint"):
        list(_graph(saver).get_state_history(at))


def test_a_record_id_must_be_bounded_too(saver):
    """A checkpoint id longer than 128 bytes is refused at ``put`` (one index entry must
    hold thread, namespace, checkpoint and task ids)."""
    with pytest.raises(ValueError, match="checkpoint id is 200 bytes long"):
        saver.put(record(id="c" * 200), {})
    assert saver.get("t") is None
