"""Schema version 3 (issue 14, storage): plain next tasks stored as their names, writes'
references to the values stored in the writes data, SQLite rows kept in their key's
B-tree; files of version 2 still open, read the same and take new checkpoints."""

from __future__ import annotations

import json
import sqlite3
from typing import Annotated, TypedDict

from hitl_notebook import END, START, StateGraph, add_messages
from hitl_notebook.checkpoint import frames, serde
from hitl_notebook.checkpoint.sql import SCHEMA_VERSION
from hitl_notebook.checkpoint.sqlite import SqliteSaver

CFG = {"configurable": {"thread_id": "t"}}

#: The tables as version 2 created them (rowid tables with a separate key index).
_V2_TABLES = (
    """CREATE TABLE hitl_checkpoints (
        thread_id TEXT NOT NULL, ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
        parent_id TEXT, step INTEGER NOT NULL, source TEXT NOT NULL, created_at TEXT NOT NULL,
        metadata TEXT NOT NULL, is_snapshot INTEGER NOT NULL, chain_len INTEGER NOT NULL,
        chain_bytes INTEGER NOT NULL, base_bytes INTEGER NOT NULL, data BLOB NOT NULL,
        PRIMARY KEY (thread_id, ns, checkpoint_id))""",
    """CREATE TABLE hitl_outcomes (
        thread_id TEXT NOT NULL, ns TEXT NOT NULL, checkpoint_id TEXT NOT NULL,
        task_id TEXT NOT NULL, seq INTEGER NOT NULL, interrupted INTEGER NOT NULL,
        data BLOB NOT NULL, PRIMARY KEY (thread_id, ns, checkpoint_id, task_id))""",
    "CREATE TABLE hitl_schema_version (version INTEGER NOT NULL)",
    "INSERT INTO hitl_schema_version (version) VALUES (2)",
)


class Loop(TypedDict):
    messages: Annotated[list, add_messages]


def _message(n: int) -> dict:
    return {"role": "assistant", "content": f"message {n} of the loop, stored once"}


def _graph(saver, turns: int):
    return (
        StateGraph(Loop)
        .add_node("talk", lambda s: {"messages": [_message(len(s["messages"]))]})
        .add_edge(START, "talk")
        .add_conditional_edges("talk", lambda s: "talk" if len(s["messages"]) < turns else END)
        .compile(checkpointer=saver)
    )


def _history(graph) -> list[tuple]:
    return [
        (s.config["configurable"]["checkpoint_id"], s.values, s.next, s.metadata)
        for s in graph.get_state_history(CFG)
    ]


def _next_sections(path) -> list[bytes]:
    conn = sqlite3.connect(path)
    try:
        blobs = [bytes(d) for (d,) in conn.execute("SELECT data FROM hitl_checkpoints")]
    finally:
        conn.close()
    return [s.data for b in blobs for s in frames.decode_sections(b) if s.tag == b"N"]


def test_a_plain_next_task_is_stored_as_its_name(tmp_path):
    """A step's next task with a derived id and no Send is stored as its name alone."""
    path = tmp_path / "t.db"
    saver = SqliteSaver(path)
    _graph(saver, 3).invoke({"messages": []}, CFG)
    saver.close()
    stored = _next_sections(path)
    assert stored.count(b'["talk"]') == 3
    assert not any(b'"talk",null' in data for data in stored)


def test_a_new_sqlite_file_keeps_rows_in_their_key_btree(tmp_path):
    """A new file's checkpoint and outcome tables have no index beside their rows (the
    primary key is the table), and the file says version 4."""
    path = tmp_path / "t.db"
    SqliteSaver(path).close()
    conn = sqlite3.connect(path)
    indexes = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'hitl_%'"
    ).fetchall()
    version = conn.execute("SELECT version FROM hitl_schema_version").fetchall()
    conn.close()
    assert indexes == []
    assert version == [(SCHEMA_VERSION,)] == [(6,)]


def test_a_version_2_file_opens_reads_the_same_and_takes_new_checkpoints(tmp_path):
    """A file made by the previous release (rowid tables, every next task as
    ``[id, name, arg, is_send]``) reads back exactly as written, is marked version 4, and
    a run continues on it."""
    path = tmp_path / "v2.db"
    conn = sqlite3.connect(path)
    for statement in _V2_TABLES:
        conn.execute(statement)
    conn.commit()
    saver = SqliteSaver(path)
    graph = _graph(saver, 4)
    graph.invoke({"messages": []}, CFG)
    expected = _history(graph)
    writes = [r.writes for r in saver.list("t")]
    assert {"talk": {"messages": [_message(2)]}} in writes
    saver.close()
    rows = conn.execute("SELECT checkpoint_id, data FROM hitl_checkpoints").fetchall()
    referring = 0
    for cid, data in rows:  # back to version 2's form of the next tasks and the writes
        sections = frames.decode_sections(data)
        for n, s in enumerate(sections):
            if s.tag == b"N" and s.data.startswith(b'["'):
                s.data = s.data.replace(b'["talk"]', b'[[null,"talk",null,false]]')
            if s.tag == b"X":  # version 2: the references as JSON text in the name
                refs, shown = serde.loads(s.data, "writes")
                name = json.dumps(refs, separators=(",", ":"))
                sections[n] = frames.Section(b"W", name, serde.dumps(shown, "writes"))
                referring += 1
        conn.execute(
            "UPDATE hitl_checkpoints SET data = ? WHERE checkpoint_id = ?",
            [frames.join([frames.encode_section(s) for s in sections]), cid],
        )
    conn.execute("UPDATE hitl_schema_version SET version = 2")
    conn.commit()
    assert any(b"[[null" in d for d in _next_sections(path)) and referring >= 3

    reopened = SqliteSaver(path)
    graph = _graph(reopened, 6)
    assert _history(graph) == expected
    assert [r.writes for r in reopened.list("t")] == writes
    assert conn.execute("SELECT version FROM hitl_schema_version").fetchall() == [(6,)]
    graph.invoke({"messages": []}, CFG)  # a run continues on the old file
    assert len(graph.get_state(CFG).values["messages"]) == 6
    [(ddl,)] = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'hitl_checkpoints'")
    assert "WITHOUT ROWID" not in ddl  # the old table is kept as it was
    reopened.close()
    conn.close()


def test_small_sections_of_every_size_read_back_as_written():
    """Small sections are deflated with the shared dictionary from a primed, small-window
    deflater: every size up to the zlib threshold must round-trip, text or random bytes."""
    import random

    assert len(frames.DICTIONARY_6) + frames.COMPRESS_FROM <= 2**11  # the primed window
    rng = random.Random(7)
    text = b"".join(frames.DICTIONARY_6[i::7] for i in range(7))
    for size in range(frames.DICTIONARY_FROM, frames.COMPRESS_FROM):
        for data in (text[:size], rng.randbytes(size)):
            blob = frames.join([frames.pack(b"V", "messages", data)])
            assert frames.decode_sections(blob)[0].data == data


def test_a_section_deflated_with_the_full_window_still_reads():
    """Sections stored before the primed deflater (a 32 KB window) read the same."""
    import struct
    import zlib

    data = b'[{"$t":"msg","v":{"type":"ai","content":"a message stored by an older version"}}]'
    deflater = zlib.compressobj(6, zlib.DEFLATED, -15, zdict=frames.DICTIONARY)
    packed = deflater.compress(data) + deflater.flush()
    header = struct.pack(">cBHI", b"V", 0x02, len(b"messages"), len(packed))
    blob = frames.MAGIC_1 + header + b"messages" + packed  # the fixed headers of then
    assert frames.decode_sections(blob)[0].data == data
