"""Schema version 6 (issue 14, storage): small sections deflate with ``DICTIONARY_6``, which
knows LangChain's message form (what ``add_messages`` stores whenever LangChain is loaded);
sections and files written with ``DICTIONARY_4`` (version 5) read as before."""

from __future__ import annotations

import json
import shutil
import sqlite3
import zlib
from pathlib import Path

from test_implicit_parents import _graph, _history

from hitl_notebook.checkpoint import frames
from hitl_notebook.checkpoint.sqlite import SqliteSaver

DATA = Path(__file__).parent / "data"
#: A LangChain AI message of ~200 characters as the serialiser writes it (one delta's data).
MESSAGE = (
    b'[{"$t":"lc","n":"ai","v":{"content":"node1980 tool2826 error1519 answer1101 call4745 '
    b"error8912 a7287 a7764 node7794 node9482 a3058 tool4351 state7191 call6634 retry8230 "
    b"answer3736 answer8090 graph9810 state506 the5240 call4309 a9531 retr"
    b'","id":"e67bac63-0b6c-4921-948a-44efc307d7a3"}}]'
)


def _deflated_with_4(data: bytes) -> bytes:
    deflater = zlib.compressobj(6, zlib.DEFLATED, -11, 4, zdict=frames.DICTIONARY_4)
    return deflater.compress(data) + deflater.flush()


def test_a_langchain_message_deflates_smaller_than_with_the_version_4_dictionary():
    """A one-message delta in LangChain's form is stored at least 6 bytes smaller than
    ``DICTIONARY_4`` makes it, and reads back."""
    stored = frames.pack(b"A", "messages", MESSAGE)
    data_bytes = len(stored) - 4 - len(b"messages")  # tag, flags, two one-byte lengths
    assert data_bytes <= len(_deflated_with_4(MESSAGE)) - 6
    assert frames.decode_sections(frames.join([stored]))[0].data == MESSAGE


def test_a_section_deflated_with_the_version_4_dictionary_still_reads():
    """Flag 0x04 (``DICTIONARY_4``, schema versions 4 and 5) decodes as it did."""
    packed = _deflated_with_4(MESSAGE)
    header = b"A\x04\x08" + frames._varint(len(packed))  # tag, flags 0x04, name, data lengths
    blob = frames.MAGIC + header + b"messages" + packed
    assert frames.decode_sections(blob)[0].data == MESSAGE


def test_a_real_version_5_file_reads_the_same_and_continues(tmp_path):
    """``data/v5_thread.db`` was written by the schema-version-5 release with LangChain's
    messages (``data/make_v5_thread.py``). It reads back exactly as that release read it;
    a run continues on it, its new sections deflated with ``DICTIONARY_6`` next to the old
    rows, which stay as they were; the file is marked version 6."""
    path = tmp_path / "v5.db"
    shutil.copy(DATA / "v5_thread.db", path)
    expected = json.loads((DATA / "v5_thread.json").read_text())
    conn = sqlite3.connect(path)
    before = set(conn.execute("SELECT checkpoint_id, data FROM hitl_checkpoints"))
    assert conn.execute("SELECT version FROM hitl_schema_version").fetchall() == [(5,)]
    assert _flags(before) == {0, 0x04}
    saver = SqliteSaver(path)
    for thread_id, history in expected.items():
        assert _history(_graph(saver, 6), thread_id) == history
    graph = _graph(saver, 8)
    graph.invoke(
        {"messages": [{"role": "user", "content": "more"}]}, {"configurable": {"thread_id": "t"}}
    )
    grown = _history(graph, "t")
    assert grown[-len(expected["t"]) :] == expected["t"]
    assert [m[1] for m in grown[0][2]][-2:] == ["more", "m7"]
    after = set(conn.execute("SELECT checkpoint_id, data FROM hitl_checkpoints"))
    assert before <= after
    assert _flags(after - before) == {0, 0x08}
    assert conn.execute("SELECT version FROM hitl_schema_version").fetchall() == [(6,)]
    assert _history(_graph(SqliteSaver(path), 8), "t") == grown
    conn.close()


def _flags(rows: set) -> set[int]:
    """The flags of every section of the rows' blobs."""
    found = set()
    for _, blob in rows:
        pos = len(frames.MAGIC)
        while pos < len(blob):
            _, flags, name_len, data_len, pos = frames._header(blob, pos, False)
            found.add(flags)
            pos += name_len + data_len
    return found
