"""Schema version 4 (issue 14, storage): new SQL tables store checkpoint ids and creation
times packed (17 and 10 bytes instead of 36 and 32 characters); tables of version 3 keep
their text and still read, write and continue; every saver orders ids the same way."""

from __future__ import annotations

import sqlite3
from typing import Annotated, TypedDict

import pytest
from checkpoint_helpers import HOSTILE_STRINGS, record

from hitl_notebook import END, START, StateGraph, add_messages
from hitl_notebook.checkpoint import keys
from hitl_notebook.checkpoint.base import new_checkpoint_id
from hitl_notebook.checkpoint.serde import DeserializationError
from hitl_notebook.checkpoint.sql import SCHEMA_VERSION
from hitl_notebook.checkpoint.sqlite import SqliteSaver
from hitl_notebook.engine.loop import now_iso

CFG = {"configurable": {"thread_id": "t"}}

#: The tables as version 3 created them in SQLite (text ids and times, WITHOUT ROWID).
_V3_TABLES = (
    """CREATE TABLE hitl_checkpoints (
        thread_id TEXT NOT NULL, ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
        parent_id TEXT, step INTEGER NOT NULL, source TEXT NOT NULL, created_at TEXT NOT NULL,
        metadata TEXT NOT NULL, is_snapshot INTEGER NOT NULL, chain_len INTEGER NOT NULL,
        chain_bytes INTEGER NOT NULL, base_bytes INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (thread_id, ns, checkpoint_id)) WITHOUT ROWID""",
    """CREATE TABLE hitl_outcomes (
        thread_id TEXT NOT NULL, ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
        task_id TEXT NOT NULL, seq INTEGER NOT NULL, interrupted INTEGER NOT NULL,
        data BLOB NOT NULL, PRIMARY KEY (thread_id, ns, checkpoint_id, task_id)) WITHOUT ROWID""",
    "CREATE TABLE hitl_schema_version (version INTEGER NOT NULL)",
    "INSERT INTO hitl_schema_version (version) VALUES (3)",
)

KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


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


def _history(graph) -> list[tuple]:
    return [
        (s.config["configurable"]["checkpoint_id"], s.values, s.next, s.metadata, s.created_at)
        for s in graph.get_state_history(CFG)
    ]


@pytest.mark.parametrize(
    ("cid", "size"),
    [(new_checkpoint_id(), 17), ("1ef4f797-8335-6428-8001-8a1503f9b875", 17), ("c" * 128, 129), ("", 1),
     ("ABCDEF01-0000-0000-0000-000000000000", 37), ("0000000-00000-0000-0000-000000000000", 37),
     *[(h, 1 + len(h.encode())) for h in HOSTILE_STRINGS]],
)  # fmt: skip
def test_a_checkpoint_id_packs_and_unpacks_exactly(cid, size):
    """Every id reads back as written; only the UUID form (lowercase hex) packs to 17 bytes."""
    packed = keys.pack_id(cid)
    assert keys.unpack_id(packed) == cid
    assert len(packed) == size


@pytest.mark.parametrize(
    ("ts", "size"),
    [(now_iso(), 10), ("2026-01-01T00:00:00+00:00", 10), ("2026-01-01T00:00:00.000000+00:00", 10),
     ("1969-12-31T23:59:59+00:00", 26), ("2026-01-01T00:00:00+01:00", 26), ("2026-02-30T00:00:00+00:00", 26),
     ("9999-12-31T23:59:59.999999+00:00", 10), ("x", 2), ("", 1)],
)  # fmt: skip
def test_a_creation_time_packs_and_unpacks_exactly(ts, size):
    """Every creation time reads back as written; a valid UTC time since 1970 packs to 10
    bytes, anything else is kept as text."""
    packed = keys.pack_time(ts)
    assert keys.unpack_time(packed) == ts
    assert len(packed) == size


def test_packed_times_sort_as_their_text():
    """Within the packed form, byte order is text order (with and without microseconds)."""
    times = ["2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00.000000+00:00",
             "2026-01-01T00:00:00.000001+00:00", "2026-01-01T00:00:01+00:00", "2027-01-01T00:00:00+00:00"]  # fmt: skip
    assert sorted(times, key=keys.pack_time) == sorted(times)


@pytest.mark.parametrize("stored", [b"", b"\x02abc", b"\x01\x00", b"\x00\xff\xfe"])
def test_malformed_stored_keys_are_a_clear_error(stored):
    """A tampered id or time is a DeserializationError, never a raw decode error."""
    with pytest.raises(DeserializationError, match="malformed"):
        keys.unpack_id(stored)
    with pytest.raises(DeserializationError, match="malformed"):
        keys.unpack_time(stored)


def test_a_new_sqlite_file_stores_ids_and_times_packed(tmp_path):
    """A run on a new file stores 17-byte ids, says version 6 (parent ids empty, times
    relative to the id: ``test_implicit_parents``), and reads back exactly after reopening."""
    path = tmp_path / "t.db"
    saver = SqliteSaver(path)
    graph = _graph(saver, 5)
    graph.invoke({"messages": []}, CFG)
    expected = _history(graph)
    saver.close()
    conn = sqlite3.connect(path)
    sizes = conn.execute(
        "SELECT DISTINCT length(checkpoint_id), length(coalesce(parent_id, x'00')), "
        "length(created_at), typeof(checkpoint_id) FROM hitl_checkpoints"
    ).fetchall()
    version = conn.execute("SELECT version FROM hitl_schema_version").fetchall()
    conn.close()
    assert {(i, p, 2 <= t <= 5, k) for i, p, t, k in sizes} == {
        (17, 0, True, "blob"),
        (17, 1, True, "blob"),
    }
    assert version == [(SCHEMA_VERSION,)] == [(6,)]
    assert _history(_graph(SqliteSaver(path), 5)) == expected


def test_a_version_3_file_keeps_text_reads_the_same_and_continues(tmp_path):
    """A file whose tables version 3 made (text ids and times) reads back exactly, takes
    new checkpoints as text, lists threads and prunes; it is marked version 6."""
    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path)
    for statement in _V3_TABLES:
        conn.execute(statement)
    conn.commit()
    saver = SqliteSaver(path)
    graph = _graph(saver, 4)
    graph.invoke({"messages": []}, CFG)
    expected = _history(graph)
    saver.close()
    reopened = SqliteSaver(path)
    graph = _graph(reopened, 6)
    assert _history(graph) == expected
    graph.invoke({"messages": []}, CFG)
    assert len(graph.get_state(CFG).values["messages"]) == 6
    [info] = reopened.list_threads()
    assert info.latest_checkpoint_id == graph.get_state(CFG).config["configurable"]["checkpoint_id"]
    assert reopened.prune("t", 2) > 0
    assert graph.get_state(CFG).values["messages"][-1].content == "m5"
    types = set(
        conn.execute("SELECT typeof(checkpoint_id), typeof(created_at) FROM hitl_checkpoints")
    )
    assert types == {("text", "text")}
    assert conn.execute("SELECT version FROM hitl_schema_version").fetchall() == [(6,)]
    reopened.close()
    conn.close()


@pytest.mark.parametrize("kind", KINDS)
def test_every_saver_orders_text_ids_before_uuid_form_ones(make_kit, kind):
    """A thread mixing custom ids with engine ids: every saver calls the newest engine id
    the latest and lists the custom ones after (older) than the engine ones, in text
    order within each form."""
    kit = make_kit(kind)
    ids = ["zzz", new_checkpoint_id(), "aaa", new_checkpoint_id()]
    parent = None
    for cid in ids:
        rec = record(id=cid, parent=parent, values={"n": 1})
        kit.saver.put(rec, {})
        parent = rec
    saver = kit.reopen()
    assert saver.get("t").id == ids[3]
    assert [r.id for r in saver.list("t")] == [ids[3], ids[1], "zzz", "aaa"]
    assert [r.id for r in saver.list("t", before=ids[1])] == ["zzz", "aaa"]
    assert saver.children("t", "", "zzz") == [ids[1]]


#: The tables as version 3 created them in PostgreSQL (text ids and times).
_V3_POSTGRES = (
    """CREATE TABLE hitl_checkpoints (
        thread_id TEXT COLLATE "C" NOT NULL, ns TEXT COLLATE "C" NOT NULL,
        checkpoint_id TEXT COLLATE "C" NOT NULL, parent_id TEXT COLLATE "C", step BIGINT NOT NULL,
        source TEXT NOT NULL, created_at TEXT NOT NULL, metadata JSONB NOT NULL,
        is_snapshot BOOLEAN NOT NULL, chain_len INTEGER NOT NULL, chain_bytes BIGINT NOT NULL,
        base_bytes BIGINT NOT NULL, data BYTEA NOT NULL, PRIMARY KEY (thread_id, ns, checkpoint_id))""",
    """CREATE TABLE hitl_outcomes (
        thread_id TEXT COLLATE "C" NOT NULL, ns TEXT COLLATE "C" NOT NULL,
        checkpoint_id TEXT COLLATE "C" NOT NULL, task_id TEXT COLLATE "C" NOT NULL,
        seq INTEGER NOT NULL, interrupted BOOLEAN NOT NULL, data BYTEA NOT NULL,
        PRIMARY KEY (thread_id, ns, checkpoint_id, task_id))""",
    "CREATE TABLE hitl_schema_version (version INTEGER NOT NULL)",
    "INSERT INTO hitl_schema_version (version) VALUES (3)",
)


@pytest.mark.postgres
def test_postgres_tables_of_version_3_keep_text_and_continue(postgres_schema):
    """PostgreSQL tables made by version 3 (text ids) are found to be text, whether or not
    ``setup`` runs first: a run writes text ids there, reads back, lists and continues."""
    import psycopg

    from hitl_notebook.checkpoint.postgres import PostgresSaver

    with psycopg.connect(postgres_schema, autocommit=True) as conn:
        for statement in _V3_POSTGRES:
            conn.execute(statement)
    saver = PostgresSaver.from_conn_string(postgres_schema)  # no setup(): found on first use
    graph = _graph(saver, 3)
    graph.invoke({"messages": []}, CFG)
    expected = _history(graph)
    saver.close()
    again = PostgresSaver.from_conn_string(postgres_schema)
    again.setup()
    graph = _graph(again, 5)
    assert _history(graph) == expected
    graph.invoke({"messages": []}, CFG)
    assert [m.content for m in graph.get_state(CFG).values["messages"]][-1] == "m4"
    assert again.list_threads()[0].checkpoint_count == len(_history(graph))
    again.close()
    with psycopg.connect(postgres_schema, autocommit=True) as conn:
        [(kind,)] = conn.execute(
            "SELECT DISTINCT pg_typeof(checkpoint_id)::text FROM hitl_checkpoints"
        ).fetchall()
        [(version,)] = conn.execute("SELECT version FROM hitl_schema_version").fetchall()
    assert (kind, version) == ("text", 6)
