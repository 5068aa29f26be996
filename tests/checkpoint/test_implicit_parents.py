"""Schema version 5 (issue 14, storage): in packed SQL tables a parent that is the
checkpoint just before is stored empty and a creation time relative to its id; frames
have varint section headers. Every saver still reports the same parents after out-of-order
inserts, forks and pruning, and a real version-4 file reads back exactly and continues."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Annotated, TypedDict

import pytest
from checkpoint_helpers import record

from hitl_notebook import END, START, StateGraph, add_messages
from hitl_notebook.checkpoint import frames, keys
from hitl_notebook.checkpoint.base import new_checkpoint_id
from hitl_notebook.checkpoint.delta import Replace
from hitl_notebook.checkpoint.serde import DeserializationError
from hitl_notebook.checkpoint.sql import SCHEMA_VERSION
from hitl_notebook.checkpoint.sqlite import SqliteSaver
from hitl_notebook.engine.loop import now_iso

KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
DATA = Path(__file__).parent / "data"


class Loop(TypedDict):
    messages: Annotated[list, add_messages]


def _graph(saver, turns: int):
    return (
        StateGraph(Loop)
        .add_node(
            "talk", lambda s: {"messages": [{"role": "ai", "content": f"m{len(s['messages'])}"}]}
        )
        .add_edge(START, "talk")
        .add_conditional_edges("talk", lambda s: "talk" if len(s["messages"]) < turns else END)
        .compile(checkpointer=saver)
    )


def _history(graph, thread_id: str) -> list[list]:
    """What ``make_v4_thread.py`` recorded, for the same thread."""
    return [
        [
            s.config["configurable"]["checkpoint_id"],
            s.parent_config and s.parent_config["configurable"]["checkpoint_id"],
            [[m.type, m.content, m.id] for m in s.values.get("messages", [])],
            list(s.next),
            s.metadata.get("step"),
            s.metadata.get("source"),
            s.created_at,
        ]
        for s in graph.get_state_history({"configurable": {"thread_id": thread_id}})
    ]


def test_a_time_relative_to_its_id_packs_and_unpacks_exactly():
    """Engine ids and times a few microseconds apart take 2-5 bytes; a time without its id,
    far from it, without microseconds, or of a text id stays absolute."""
    cid = new_checkpoint_id()
    ts = now_iso()
    packed = keys.pack_time(ts, cid)
    assert 2 <= len(packed) <= 5 and packed[:1] == b"\x02"
    assert keys.unpack_time(packed, cid) == ts
    for t, c in [(ts, None), ("2001-01-01T00:00:00.000001+00:00", cid), ("2026-01-02T03:04:05+00:00", cid),
                 (ts, "custom-id"), ("not a time", cid)]:  # fmt: skip
        assert keys.pack_time(t, c) == keys.pack_time(t)
        assert keys.unpack_time(keys.pack_time(t, c), c) == t


@pytest.mark.parametrize("stored", [b"\x02", b"\x02\x00\x00\x00\x00\x00", b"\x02\x80\x00\x00\x00"])
def test_a_malformed_or_orphan_relative_time_is_a_clear_error(stored):
    """Too short, too long, or before 1970 once added to the id: ``DeserializationError``;
    and a relative time read without an id too."""
    with pytest.raises(DeserializationError, match="creation time"):
        keys.unpack_time(stored, "00000000-0000-0000-0000-000000000000")
    with pytest.raises(DeserializationError, match="creation time"):
        keys.unpack_time(b"\x02\x05")


def test_varint_frames_read_back_and_malformed_lengths_are_refused():
    """Sections of every length class round-trip; a truncated or overlong length varint is
    a ``FrameError``, never an exception of another kind or a read past the blob."""
    sections = [
        frames.pack(b"X", "n" * n, b"[" + b"1," * m + b"1]") for n, m in [(0, 0), (200, 70_000)]
    ]
    blob = frames.join(sections)
    assert blob.startswith(b"HNF2")
    got = frames.decode_sections(blob)
    assert [(s.name, len(s.data)) for s in got] == [("", 3), ("n" * 200, 140_003)]
    for bad in [b"HNF2X\x00\x80", b"HNF2X\x00\x00\xff\xff\xff\xff\xff\x01", b"HNF2X\x00\x00\x05ab"]:
        with pytest.raises(frames.FrameError):
            frames.decode_sections(bad)


def test_a_new_sqlite_file_stores_usual_parents_empty_and_times_short(tmp_path):
    """A loop on a new file: every parent id but the root's is empty, every time 2-5 bytes,
    every blob a varint frame; marked the current version (6); the history reads back exactly after reopening."""
    path = tmp_path / "t.db"
    graph = _graph(SqliteSaver(path), 5)
    graph.invoke({"messages": []}, {"configurable": {"thread_id": "t"}})
    expected = _history(graph, "t")
    conn = sqlite3.connect(path)
    shapes = set(
        conn.execute(
            "SELECT length(parent_id), length(created_at) BETWEEN 2 AND 5, substr(data, 1, 4) "
            "FROM hitl_checkpoints"
        )
    )
    assert shapes == {(None, 1, b"HNF2"), (0, 1, b"HNF2")}
    assert conn.execute("SELECT version FROM hitl_schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert SCHEMA_VERSION == 6
    conn.close()
    assert _history(_graph(SqliteSaver(path), 5), "t") == expected
    assert [h[1] for h in expected] == [h[0] for h in expected[1:]] + [None]


@pytest.mark.parametrize("kind", KINDS)
def test_a_checkpoint_inserted_before_or_deleted_after_an_implicit_parent_changes_no_parent(
    make_kit, kind
):
    """Ids "a" < "c" with c a child of a (stored as "the one before"); then "b" (another
    child of a) lands between them, and a prune deletes "a"'s only other descendant: every
    saver reports the same parents and children as the records said, before and after
    reopening."""
    kit = make_kit(kind)
    a = record(id="a", parent=None, values={"n": 1})
    c = record(id="c", parent=a, values={"n": 3})
    b = record(id="b", parent=a, values={"n": 2})
    d = record(id="d", parent=c, values={"n": 4})
    for rec in (a, c, b, d):
        kit.saver.put(rec, {"n": Replace(rec.values["n"])})
    for saver in (kit.saver, kit.reopen()):
        assert {r.id: r.parent_id for r in saver.list("t")} == {
            "a": None,
            "b": "a",
            "c": "a",
            "d": "c",
        }
        assert saver.children("t", "", "a") == ["c", "b"]
        assert saver.children("t", "", "b") == []
        assert saver.children("t", "", "c") == ["d"]
        assert saver.get("t", "", "d").values == {"n": 4}
    saver = kit.reopen()
    assert saver.prune("t", 0) == 2  # a and c go; b and d (branch ends) stay
    again = kit.reopen()
    assert {r.id: r.parent_id for r in again.list("t")} == {"b": None, "d": None}
    assert again.get("t", "", "d").values == {"n": 4}
    assert again.get("t", "", "b").values == {"n": 2}


def test_a_real_version_4_file_reads_the_same_continues_compactly_and_prunes(tmp_path):
    """``data/v4_thread.db`` was written by the schema-version-4 release
    (``data/make_v4_thread.py``: a loop, a fork, a second thread). It reads back exactly
    as that release read it; new checkpoints are stored compactly next to the old rows,
    which stay as they were; the file is marked version 6; pruning keeps every history."""
    path = tmp_path / "v4.db"
    shutil.copy(DATA / "v4_thread.db", path)
    expected = json.loads((DATA / "v4_thread.json").read_text())
    conn = sqlite3.connect(path)
    before = conn.execute(
        "SELECT checkpoint_id, parent_id, created_at, data FROM hitl_checkpoints"
    ).fetchall()
    assert conn.execute("SELECT version FROM hitl_schema_version").fetchall() == [(4,)]
    saver = SqliteSaver(path)
    for thread_id, history in expected.items():
        assert _history(_graph(saver, 6), thread_id) == history
    graph = _graph(saver, 8)
    cfg = {"configurable": {"thread_id": "t"}}
    graph.invoke({"messages": [{"role": "user", "content": "more"}]}, cfg)  # 7 messages, then m7
    grown = _history(graph, "t")
    assert grown[-len(expected["t"]) :] == expected["t"]
    assert [m[1] for m in grown[0][2]][-2:] == ["more", "m7"]
    assert conn.execute("SELECT version FROM hitl_schema_version").fetchall() == [(6,)]
    old_ids = {r[0] for r in before}
    new_rows = [
        r[1:]
        for r in conn.execute(
            "SELECT checkpoint_id, length(parent_id), length(created_at) BETWEEN 2 AND 5, "
            "substr(data, 1, 4) FROM hitl_checkpoints"
        )
        if r[0] not in old_ids
    ]
    assert len(new_rows) == len(grown) - len(expected["t"]) > 0
    assert set(new_rows) == {(0, 1, b"HNF2")}
    unchanged = "SELECT checkpoint_id, parent_id, created_at, data FROM hitl_checkpoints"
    assert set(before) <= set(conn.execute(unchanged))
    reopened = SqliteSaver(path)
    assert _history(_graph(reopened, 8), "t") == grown
    assert reopened.prune("t", 2) > 0
    after = _history(_graph(SqliteSaver(path), 8), "t")
    kept = {h[0]: h for h in grown}
    assert all(h[2:] == kept[h[0]][2:] for h in after)
    assert _history(_graph(SqliteSaver(path), 2), "other thread") == expected["other thread"]
    conn.close()


@pytest.mark.parametrize("kind", KINDS)
def test_chains_through_interleaved_branches_rebuild_every_state(make_kit, kind):
    """A main line, a branch off its middle written after it, then the main line again:
    ids of the two lines interleave, so some parents are "the one before" and some are
    not. Every checkpoint, read cold, has the values its record had."""
    from checkpoint_helpers import put_chain

    kit = make_kit(kind)
    main = put_chain(kit.saver, 5)
    branch = put_chain(kit.saver, 3, parent=main[2])
    more = put_chain(kit.saver, 2, parent=main[-1])
    fork_of_branch = put_chain(kit.saver, 2, parent=branch[0])
    saver = kit.reopen()
    for rec in [*main, *branch, *more, *fork_of_branch]:
        got = saver.get("t", "", rec.id)
        assert (got.values, got.parent_id) == (rec.values, rec.parent_id)
    assert saver.children("t", "", main[2].id) == [branch[0].id, main[3].id]
    assert saver.children("t", "", branch[0].id) == [fork_of_branch[0].id, branch[1].id]
