"""Durable storage: tampering, pruning, schema versions, several processes, size on disk."""

from __future__ import annotations

import json
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path

import pg_rows
import pytest
from checkpoint_helpers import put_chain, record

from hitl_notebook.checkpoint import bounds, frames
from hitl_notebook.checkpoint.base import Append, InterruptRecord, Replace, TaskOutcome
from hitl_notebook.checkpoint.keys import pack_id
from hitl_notebook.checkpoint.serde import DeserializationError, dumps
from hitl_notebook.checkpoint.sql import SchemaVersionError
from hitl_notebook.checkpoint.sqlite import SqliteSaver

DURABLE = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
ALL = ["memory", *DURABLE]


class _Evil:
    """Pickles to a call of ``os.system``: if anything unpickled it, a marker file appears."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def _set_data(kit, checkpoint_id: str, data: bytes) -> None:
    if kit.kind == "postgres":
        pg_rows.set_row(kit.dsn, checkpoint_id, data=data)
        return
    kit.sql(
        "UPDATE hitl_checkpoints SET data = ? WHERE checkpoint_id = ?",
        [data, pack_id(checkpoint_id)],
    )


def _hostile_payloads(marker: Path) -> list[bytes]:
    """Serde-shaped JSON that names importable callables, and a pickle that runs a command."""
    cmd = f"touch {marker}"
    return [
        json.dumps({"$t": "obj", "n": "os.system", "v": {"command": cmd}}).encode(),
        json.dumps({"$t": "os.system", "v": cmd}).encode(),
        json.dumps(
            {"lc": 1, "type": "constructor", "id": ["os", "system"], "kwargs": {"command": cmd}}
        ).encode(),
        json.dumps(
            {"$t": "dataclass", "n": "subprocess.Popen", "v": {"args": cmd, "shell": True}}
        ).encode(),
        pickle.dumps(_Evil(marker)),
    ]


# -- tampering ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", DURABLE)
def test_hostile_channel_data_is_a_clear_error_and_runs_nothing(make_kit, kind, tmp_path):
    """Hostile bytes in one channel of a stored checkpoint give a DeserializationError that
    names the thread, checkpoint and channel; nothing is executed and nothing else is lost."""
    kit = make_kit(kind)
    recs = put_chain(kit.saver, 5)
    other = put_chain(kit.saver, 2, thread_id="other")
    marker = tmp_path / "pwned"
    for payload in _hostile_payloads(marker):
        sections = [
            frames.Section(b"A", "messages", payload),
            frames.Section(b"R", "count", dumps(5)),
        ]
        sections += [
            s for s in frames.decode_sections(_data(kit, recs[-1].id)) if s.tag not in (b"A", b"R")
        ]
        _set_data(kit, recs[-1].id, frames.join([frames.encode_section(s) for s in sections]))
        cold = kit.reopen()
        with pytest.raises(DeserializationError) as caught:
            cold.get("t")
        message = str(caught.value)
        assert recs[-1].id in message and "'t'" in message and "values['messages']" in message
        assert not marker.exists()
        assert cold.get("t", "", recs[-2].id).values == recs[-2].values
        assert cold.get("other").values == other[-1].values


@pytest.mark.parametrize("kind", DURABLE)
def test_garbage_blob_is_a_clear_error_for_it_and_its_descendants_only(make_kit, kind, tmp_path):
    """A checkpoint whose stored bytes are garbage (here: a pickle) fails to load naming it;
    a descendant reading through it names both; its ancestors still load."""
    kit = make_kit(kind)
    recs = put_chain(kit.saver, 6)
    marker = tmp_path / "pwned"
    _set_data(kit, recs[2].id, pickle.dumps(_Evil(marker)))
    cold = kit.reopen()
    with pytest.raises(DeserializationError, match=recs[2].id):
        cold.get("t", "", recs[2].id)
    if not _is_snapshot(kit, recs[3].id):
        with pytest.raises(
            DeserializationError, match=f"{recs[2].id}.*needed by checkpoint '{recs[3].id}'"
        ):
            cold.get("t", "", recs[3].id)
    assert cold.get("t", "", recs[1].id).values == recs[1].values
    assert not marker.exists()


@pytest.mark.parametrize("kind", DURABLE)
def test_tampered_outcome_and_metadata_are_clear_errors(make_kit, kind, tmp_path):
    """A hostile outcome blob names its task; metadata that is not a JSON object is reported."""
    kit = make_kit(kind)
    rec = record(values={"n": 1})
    kit.saver.put(rec, {})
    kit.saver.put_outcome("t", "", rec.id, TaskOutcome("task-7", "n", writes=[]))
    marker = tmp_path / "pwned"
    for payload in _hostile_payloads(marker):
        kit.sql("UPDATE hitl_outcomes SET data = ? WHERE task_id = ?", [payload, "task-7"])
        with pytest.raises(DeserializationError, match="outcomes\\['task-7'\\]"):
            kit.reopen().get("t")
    assert not marker.exists()
    kit.sql("DELETE FROM hitl_outcomes", [])
    if kind == "postgres":
        pg_rows.set_row(kit.dsn, rec.id, metadata="[1, 2]")
    else:
        kit.sql("UPDATE hitl_checkpoints SET metadata = ?", ["[1, 2]"])
    with pytest.raises(DeserializationError, match="metadata is not a JSON object"):
        kit.reopen().get("t")


def _stored_row(kit, checkpoint_id: str):
    return next(r for r in pg_rows.stored_rows(kit.dsn) if r.id == checkpoint_id)


def _data(kit, checkpoint_id: str) -> bytes:
    if kit.kind == "postgres":
        return _stored_row(kit, checkpoint_id).data
    return bytes(
        kit.sql(
            "SELECT data FROM hitl_checkpoints WHERE checkpoint_id = ?", [pack_id(checkpoint_id)]
        )[0][0]
    )


def _is_snapshot(kit, checkpoint_id: str) -> bool:
    if kit.kind == "postgres":
        return _stored_row(kit, checkpoint_id).chain.is_snapshot
    return bool(
        kit.sql(
            "SELECT is_snapshot FROM hitl_checkpoints WHERE checkpoint_id = ?",
            [pack_id(checkpoint_id)],
        )[0][0]
    )


# -- pruning ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ALL)
def test_prune_keeps_newest_branch_tips_and_pending_interrupts(make_kit, kind):
    """``prune`` removes old checkpoints but keeps the newest N, the tip of every branch and
    every checkpoint waiting on an interrupt; all kept ones read back exactly, re-linked
    to their nearest kept ancestor, and the thread can continue."""
    kit = make_kit(kind)
    saver = kit.saver
    main = put_chain(saver, 40)
    fork = put_chain(saver, 3, parent=main[9])
    waiting = main[20]
    question = InterruptRecord(id="i", value="ok?", index=0)
    saver.put_outcome("t", "", waiting.id, TaskOutcome("task", "review", interrupts=[question]))
    answered = main[25]
    saver.put_outcome(
        "t", "", answered.id, TaskOutcome("task", "review", writes=[], answers=["yes"])
    )
    put_chain(saver, 1, thread_id="bystander")

    removed = saver.prune("t", keep_last=5)

    everything = main + fork
    newest = sorted(everything, key=lambda r: r.id, reverse=True)[:5]
    kept = {r.id for r in newest} | {main[-1].id, fork[-1].id, waiting.id}
    assert removed == len(everything) - len(kept)
    for reader in (saver, kit.reopen()):
        listed = list(reader.list("t"))
        assert [r.id for r in listed] == sorted(kept, reverse=True)
        by_id = {r.id: r for r in everything}
        for got in listed:
            assert got.values == by_id[got.id].values
        assert reader.get("t", "", waiting.id).outcomes["task"].interrupts == [question]
        assert reader.get("t", "", waiting.id).parent_id is None
        assert reader.get("t", "", main[-1].id).parent_id == main[-2].id
        assert reader.get("bystander") is not None
    more = put_chain(saver, 3, parent=main[-1])
    assert kit.reopen().get("t").values == more[-1].values
    assert saver.prune("t", keep_last=100) == 0
    assert saver.prune("nobody", keep_last=1) == 0


def test_prune_rejects_a_bad_keep_last():
    """``keep_last`` must be a non-negative int."""
    from hitl_notebook.checkpoint.memory import InMemorySaver

    with pytest.raises(ValueError, match="keep_last"):
        InMemorySaver().prune("t", keep_last=-1)


# -- schema and files ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", DURABLE)
def test_a_newer_schema_version_is_refused_clearly(make_kit, kind):
    """A database written by a newer release is refused with an upgrade hint, untouched."""
    kit = make_kit(kind)
    put_chain(kit.saver, 1)
    kit.sql("UPDATE hitl_schema_version SET version = 99", [])
    with pytest.raises(SchemaVersionError, match="version 99.*upgrade"):
        again = kit.reopen()
        again.setup()
    table = "hitl_tails" if kind == "postgres" else "hitl_checkpoints"
    assert kit.sql(f"SELECT COUNT(*) FROM {table}", [])[0][0] == 1


def test_sqlite_saver_from_conn_string_works_directly_and_as_context_manager(tmp_path):
    """``from_conn_string`` gives a saver usable as is or in ``with`` (which closes it), and
    the file is in WAL mode."""
    path = tmp_path / "t.db"
    with SqliteSaver.from_conn_string(str(path)) as saver:
        put_chain(saver, 2)
    direct = SqliteSaver.from_conn_string(path)
    assert len(list(direct.list("t"))) == 2
    assert direct._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    direct.close()


def test_sqlite_saver_accepts_an_open_connection(tmp_path):
    """``SqliteSaver(conn)`` uses the caller's connection and leaves it open."""
    import sqlite3

    conn = sqlite3.connect(tmp_path / "t.db", check_same_thread=False)
    saver = SqliteSaver(conn)
    put_chain(saver, 2)
    saver.close()
    assert conn.execute("SELECT COUNT(*) FROM hitl_checkpoints").fetchone()[0] == 2


_WRITER = """
import json, sys
sys.path[:0] = [{tests!r}, {root!r}]
from checkpoint_helpers import put_chain
from hitl_notebook.checkpoint.sqlite import SqliteSaver
saver = SqliteSaver({path!r})
own = put_chain(saver, 60, thread_id=sys.argv[1])
shared = put_chain(saver, 60, thread_id="shared")
print(json.dumps({{"own": [r.id for r in own], "shared": [r.id for r in shared]}}))
"""


def test_two_processes_write_one_sqlite_file_at_once(tmp_path):
    """Two processes writing the same SQLite file (their own threads and a shared one) at
    the same time lose nothing and corrupt nothing."""
    path = str(tmp_path / "shared.db")
    SqliteSaver(path).close()
    script = _WRITER.format(
        tests=str(Path(__file__).parent), root=str(Path(__file__).parents[2]), path=path
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", script, name], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for name in ("p1", "p2")
    ]
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
        outputs.append(json.loads(out))
    saver = SqliteSaver(path)
    for name, out in zip(("p1", "p2"), outputs):
        assert [r.id for r in saver.list(name)] == out["own"][::-1]
        assert len(saver.get(name).values["messages"]) == 60
        assert len(saver.get("shared", "", out["shared"][-1]).values["messages"]) == 60
    assert len(list(saver.list("shared"))) == 120
    saver.close()


# -- size ---------------------------------------------------------------------------------


def _words(rng: random.Random, n: int) -> str:
    vocabulary = [
        "the",
        "a",
        "tool",
        "call",
        "user",
        "agent",
        "plan",
        "step",
        "result",
        "error",
        "retry",
        "answer",
        "graph",
        "node",
        "state",
    ]
    return " ".join(rng.choice(vocabulary) + str(rng.randrange(1000)) for _ in range(n))


@pytest.mark.parametrize("kind", DURABLE)
def test_storage_of_a_1000_turn_append_loop_is_linear(make_kit, kind):
    """1,000 steps each appending a ~200-byte message store at most 10x the payload
    (whole-state checkpoints would store ~500x)."""
    kit = make_kit(kind)
    rng = random.Random(7)
    parent, messages, payload = None, [], 0
    for i in range(1000):
        text = _words(rng, 25)[:200]
        payload += len(text)
        message = {"role": "ai", "content": text}
        messages = [*messages, message]
        rec = record(
            parent=parent,
            values={"messages": messages, "turn": i},
            writes={"agent": {"messages": [message]}},
        )
        kit.saver.put(rec, {"messages": Append([message]), "turn": Replace(i)})
        parent = rec
    if kind == "postgres":
        stored = kit.sql(pg_rows.STORED_BYTES, [])[0][0]
    else:
        stored = kit.sql(
            "SELECT SUM(LENGTH(data)) + SUM(LENGTH(CAST(metadata AS TEXT))) FROM hitl_checkpoints",
            [],
        )[0][0]
    assert stored <= 10 * payload, (stored, payload)
    assert kit.reopen().get("t").values["messages"] == messages


def test_zip_bomb_section_is_refused_with_a_clear_error(monkeypatch):
    """A compressed section that would inflate past the record's limit fails clearly,
    without inflating it whole; so does a record whose sections add up past it."""
    monkeypatch.setattr(bounds, "MAX_RECORD_BYTES", 1024)
    bomb = frames.encode_section(frames.Section(b"v", "messages", b"1" * 100_000))
    with pytest.raises(frames.FrameError, match="past 1,024 bytes"):
        frames.decode_sections(frames.join([bomb]))
    ok = frames.encode_section(frames.Section(b"v", "small", b"2" * 600))
    assert frames.decode_sections(frames.join([ok]))[0].data == b"2" * 600
    with pytest.raises(frames.FrameError, match="'second' takes the record past 1,024 bytes"):
        frames.decode_sections(
            frames.join([ok, frames.encode_section(frames.Section(b"v", "second", b"3" * 600))])
        )


def test_task_ids_derived_from_the_checkpoint_are_not_stored_but_read_back():
    """A plan whose id is the one ``task_id`` derives is stored without it; any other id
    (a Send's, or one chosen elsewhere) is stored as it is. Both read back exactly."""
    from hitl_notebook.checkpoint import codec
    from hitl_notebook.checkpoint.base import TaskPlan, task_id

    where = codec.CheckpointLocation("t", "ns", "cp-1")
    plans = [
        TaskPlan(task_id("cp-1", "ns", "talk"), "talk"),
        TaskPlan(task_id("cp-1", "ns", "fan", 1), "fan", {"n": 1}, True),
        TaskPlan("chosen-elsewhere", "other"),
    ]
    data = codec.dump_plans(plans, where)
    assert task_id("cp-1", "ns", "talk").encode() not in data
    assert b"chosen-elsewhere" in data
    assert codec.load_plans(data, where) == plans
