"""PostgreSQL's tails and segments (``pg_segments``): every checkpoint is in exactly one
blob, the one covering its id; tails roll over into segments; a big checkpoint gets parts
of its own; listings, pruning and concurrent writers work across blobs; hostile blobs fail
clearly; databases in the row layout stay in it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import pg_rows
import psycopg
import pytest
from checkpoint_helpers import put_chain, record

from hitl_notebook.checkpoint import bounds, keys, segments
from hitl_notebook.checkpoint.base import Replace
from hitl_notebook.checkpoint.memory import InMemorySaver
from hitl_notebook.checkpoint.pg_segments import LAYOUT_VERSION, PART
from hitl_notebook.checkpoint.postgres import POSTGRES, ROW_TABLES, PostgresSaver
from hitl_notebook.checkpoint.serde import DeserializationError
from hitl_notebook.checkpoint.sql import SchemaVersionError, SqlTx, setup_schema

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[2]


def _blobs(dsn: str, thread_id: str = "t", ns: str = "") -> list[tuple[str, bytes, int, list]]:
    """(kind, first id, count, record keys) of each blob of a thread, oldest first."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        found = conn.execute(
            "SELECT 'segment', first_id, last_id, count, string_agg(data, '' ORDER BY part) "
            "FROM hitl_segments WHERE thread_id = %s AND ns = %s GROUP BY first_id, last_id, count "
            "UNION ALL SELECT 'tail', first_id, last_id, count, data FROM hitl_tails "
            "WHERE thread_id = %s AND ns = %s AND count > 0 ORDER BY 2",
            [thread_id, ns, thread_id, ns],
        ).fetchall()
    out = []
    for kind, first, last, count, data in found:
        records = segments.split(segments.inflate(bytes(data), kind), kind)
        assert all(
            segments.row(r, thread_id, ns, kind).id == keys.unpack_id(r.key) for r in records
        )
        record_keys = [r.key for r in records]
        assert record_keys[0] == bytes(first) and record_keys[-1] == bytes(last)
        assert len(record_keys) == count
        out.append((kind, bytes(first), count, record_keys))
    return out


def _each_in_one_place(dsn: str, ids: list[str], thread_id: str = "t") -> list:
    """Assert every id is stored exactly once, in the blob whose range covers it, with the
    tail (if any) last; return the blobs."""
    blobs = _blobs(dsn, thread_id)
    stored = [k for *_, record_keys in blobs for k in record_keys]
    assert sorted(stored) == sorted(keys.pack_id(i) for i in ids)
    assert len(set(stored)) == len(stored)
    firsts = [b[1] for b in blobs]
    for n, (_, first, _, record_keys) in enumerate(blobs):
        assert all(first <= k for k in record_keys)
        if n + 1 < len(blobs):
            assert all(k < firsts[n + 1] for k in record_keys)
    assert [b[0] for b in blobs[:-1]] == ["segment"] * (len(blobs) - 1)
    return blobs


@pytest.fixture
def pg(make_kit):
    return make_kit("postgres")


def test_each_checkpoint_is_in_exactly_one_blob_and_tails_roll_over(pg):
    """A 150-step chain: the tail rolls over into segments (each within ``TARGET`` bytes
    compressed), every checkpoint is stored once, in the blob covering its id, and every
    one reads back cold as written."""
    recs = put_chain(pg.saver, 150)
    blobs = _each_in_one_place(pg.dsn, [r.id for r in recs])
    assert len(blobs) >= 3 and blobs[-1][0] == "tail"
    with psycopg.connect(pg.dsn) as conn:
        sizes = conn.execute("SELECT length(data) FROM hitl_segments WHERE count > 1").fetchall()
    assert sizes and all(size <= segments.TARGET for (size,) in sizes)
    cold = pg.reopen()
    for rec in recs[::7]:
        assert cold.get("t", "", rec.id).values == rec.values


def test_a_big_checkpoint_goes_alone_into_parts_and_a_new_tail_follows(pg):
    """A checkpoint compressing past ``TARGET`` closes the tail into a segment and gets
    segment rows of its own, in parts of at most ``PART`` bytes (nothing TOASTed); the next
    checkpoint starts a new tail; all read back."""
    recs = put_chain(pg.saver, 3)
    big_value = os.urandom(12_000).hex()  # incompressible beyond hex: ~12 KB compressed
    big = record(parent=recs[-1], values={**recs[-1].values, "blob": big_value})
    pg.saver.put(big, {"blob": Replace(big_value)})
    after = put_chain(pg.saver, 2, parent=big)
    blobs = _each_in_one_place(pg.dsn, [r.id for r in [*recs, big, *after]])
    assert [(kind, count) for kind, _, count, _ in blobs] == [
        ("segment", 3),
        ("segment", 1),
        ("tail", 2),
    ]
    with psycopg.connect(pg.dsn) as conn:
        parts = conn.execute(
            "SELECT part, length(data) FROM hitl_segments WHERE first_id = %s ORDER BY part",
            [keys.pack_id(big.id)],
        ).fetchall()
        toast = conn.execute(
            "SELECT COALESCE(SUM(pg_relation_size(reltoastrelid)), 0) FROM pg_class "
            "WHERE relname IN ('hitl_tails', 'hitl_segments') "
            "AND relnamespace = current_schema()::regnamespace"
        ).fetchone()[0]
    assert [p for p, _ in parts] == list(range(len(parts))) and len(parts) >= 2
    assert all(size <= PART for _, size in parts)
    assert toast == 0
    cold = pg.reopen()
    assert cold.get("t", "", big.id).values["blob"] == big_value
    assert cold.get("t").values == {**after[-1].values, "blob": big_value}


def test_an_older_id_lands_in_the_blob_covering_it(pg):
    """Custom ids written out of order (text ids sort before engine ids, and among
    themselves as text) are each stored once, in the blob their id falls in."""
    recs = put_chain(pg.saver, 60)  # engine ids: segments and a tail
    parent = recs[-1]
    extra = []
    for cid in ["m", "c", "x", "a"]:  # each older than every engine id, and out of order
        rec = record(id=cid, parent=parent, values=parent.values)
        pg.saver.put(rec, {})
        extra.append(rec)
    _each_in_one_place(pg.dsn, [r.id for r in [*recs, *extra]])
    cold = pg.reopen()
    assert [r.id for r in cold.list("t")][-4:] == ["x", "m", "c", "a"]
    assert cold.get("t", "", "c").values == parent.values
    assert cold.get("t").id == recs[-1].id


def test_listing_with_filters_across_tail_and_segments_matches_memory(pg):
    """Filters, ``before`` and ``limit`` over checkpoints spread across segments and the
    tail give exactly what the in-memory saver gives, newest first."""
    memory = InMemorySaver()
    parent = None
    for n in range(120):
        rec = record(parent=parent, values={"n": n}, metadata={"k": n % 3, "tag": f"t{n % 5}"})
        for saver in (pg.saver, memory):
            saver.put(rec, {"n": Replace(n)} if parent else {})
        parent = rec
    assert {kind for kind, *_ in _blobs(pg.dsn)} == {"segment", "tail"}
    ids = [r.id for r in memory.list("t")]
    cold = pg.reopen()
    for kwargs in (
        {"filter": {"k": 1}},
        {"filter": {"k": 2, "tag": "t4"}, "limit": 3},
        {"filter": {"source": "loop", "k": 0}, "before": ids[50], "limit": 7},
        {"before": ids[100]},
        {"limit": 1},
        {"filter": {"k": "1"}},
    ):
        want = [(r.id, r.values) for r in memory.list("t", **kwargs)]
        assert [(r.id, r.values) for r in cold.list("t", **kwargs)] == want, kwargs


def test_prune_packs_the_kept_checkpoints_into_fewer_blobs(pg):
    """Pruning a chain across many segments stores the kept checkpoints once each, in
    fewer blobs and fewer bytes, reading back exactly as before; the next write starts a
    new tail."""
    recs = put_chain(pg.saver, 200)
    before_blobs = len(_blobs(pg.dsn))
    (before_bytes,) = pg.sql(pg_rows.STORED_BYTES, [])[0]
    assert pg.saver.prune("t", keep_last=20) == 180
    kept = recs[-20:]
    blobs = _each_in_one_place(pg.dsn, [r.id for r in kept])
    assert len(blobs) < before_blobs
    assert pg.sql(pg_rows.STORED_BYTES, [])[0][0] < before_bytes / 4
    cold = pg.reopen()
    assert [r.id for r in cold.list("t")] == [r.id for r in reversed(kept)]
    assert all(cold.get("t", "", r.id).values == r.values for r in kept)
    more = put_chain(pg.saver, 2, parent=kept[-1])
    assert _each_in_one_place(pg.dsn, [r.id for r in [*kept, *more]])[-1][0] == "tail"


def test_reading_a_checkpoint_inflates_one_blob_and_caches_it(pg, monkeypatch):
    """Locating a checkpoint inflates only the blob covering it; reading its neighbours in
    the same blob then inflates nothing (the saver's blob cache)."""
    recs = put_chain(pg.saver, 100)
    cold = pg.reopen()
    inflated = []
    real = segments.inflate
    monkeypatch.setattr(
        segments, "inflate", lambda blob, where: inflated.append(where) or real(blob, where)
    )
    with cold._reading() as tx:
        assert tx.row("t", "", recs[10].id).id == recs[10].id
        assert len(inflated) == 1
        assert tx.row("t", "", recs[11].id).id == recs[11].id
        assert len(inflated) == 1


def test_a_hostile_tail_blob_is_a_clear_error_in_bounded_memory(pg, monkeypatch):
    """A tail whose blob inflates past the bound, or holds a malformed record, is refused
    with a DeserializationError naming the tail and thread; other threads still read."""
    put_chain(pg.saver, 3)
    other = put_chain(pg.saver, 2, thread_id="other")
    monkeypatch.setattr(bounds, "MAX_RECORD_BYTES", 1 << 20)
    bomb = zlib.compress(bytes(64 << 20), 9)  # 64 MiB of zeros in ~65 KB
    for blob, reason in ((bomb, "inflates past"), (zlib.compress(b"\x00" * 10), "malformed")):
        pg.sql("UPDATE hitl_tails SET data = ? WHERE thread_id = 't'", [blob])
        cold = pg.reopen()
        with pytest.raises(DeserializationError, match=f"tail of thread 't'.*{reason}"):
            cold.get("t")
        assert cold.get("other").values == other[-1].values


def test_two_processes_writing_their_own_threads_and_forking_a_shared_one(pg):
    """Two processes at once, each writing 60 checkpoints to its own thread and 30 forks of
    a shared one: nothing is lost or stored twice, and every blob covers its ids."""
    shared = put_chain(pg.saver, 1, thread_id="shared")[0]
    child = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, sys.argv[3])
        from checkpoint_helpers import put_chain, record
        from hitl_notebook.checkpoint.postgres import PostgresSaver
        saver = PostgresSaver.from_conn_string(sys.argv[1])
        mine = put_chain(saver, 60, thread_id=sys.argv[2])
        base = saver.get("shared", "", sys.argv[4])
        forks = []
        for _ in range(30):
            rec = record("shared", parent=base, values=base.values)
            saver.put(rec, {})
            forks.append(rec.id)
        print(" ".join(r.id for r in mine) + "|" + " ".join(forks))
        """
    )
    here = str(Path(__file__).resolve().parent)
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", child, pg.dsn, name, here, shared.id],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for name in ("one", "two")
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in outs]
    forks = [shared.id]
    for (out, _), name in zip(outs, ("one", "two"), strict=True):
        mine, theirs = out.strip().split("|")
        _each_in_one_place(pg.dsn, mine.split(), name)
        forks += theirs.split()
    _each_in_one_place(pg.dsn, forks, "shared")
    assert sorted(pg.reopen().children("shared", "", shared.id)) == sorted(forks[1:])


def test_a_new_database_is_marked_so_that_row_layout_releases_refuse_it(pg):
    """``setup()`` on an empty schema creates tails and segments, no row table, and marks
    the database with ``LAYOUT_VERSION``, which a release that knows only the row layout
    refuses (as its ``setup_schema`` does)."""
    with psycopg.connect(pg.dsn, autocommit=True) as conn:
        tables = {r[0] for r in conn.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = current_schema()::regnamespace"
        )}  # fmt: skip
        assert tables == {"hitl_tails", "hitl_segments", "hitl_outcomes", "hitl_schema_version"}
        assert conn.execute("SELECT version FROM hitl_schema_version").fetchall() == [
            (LAYOUT_VERSION,)
        ]
        with (
            pytest.raises(SchemaVersionError, match=f"version {LAYOUT_VERSION}"),
            conn.transaction(),
        ):
            setup_schema(SqlTx(conn, POSTGRES), POSTGRES)


def test_a_row_layout_database_is_read_and_written_as_rows(postgres_schema):
    """A database an earlier release created (one row per checkpoint) keeps that layout:
    ``setup()`` adds no segment tables, old checkpoints read back, new ones are rows."""
    with psycopg.connect(postgres_schema, autocommit=True) as conn:
        conn.execute("CREATE TABLE hitl_schema_version (version INTEGER NOT NULL)")
        conn.execute("INSERT INTO hitl_schema_version VALUES (6)")
        for table in ROW_TABLES:
            conn.execute(table)
    with PostgresSaver.from_conn_string(postgres_schema) as saver:
        saver.setup()
        old = put_chain(saver, 5)
    with PostgresSaver.from_conn_string(postgres_schema) as saver:
        saver.setup()
        assert saver.get("t").values == old[-1].values
        new = put_chain(saver, 3, parent=old[-1])
        assert [r.id for r in saver.list("t")] == [r.id for r in reversed([*old, *new])]
    with psycopg.connect(postgres_schema, autocommit=True) as conn:
        assert conn.execute("SELECT COUNT(*) FROM hitl_checkpoints").fetchone()[0] == 8
        assert conn.execute("SELECT to_regclass('hitl_segments')").fetchone()[0] is None
        assert conn.execute("SELECT version FROM hitl_schema_version").fetchall() == [(6,)]


def test_the_blob_cache_is_bounded_in_entries_and_bytes():
    """The cache of parsed blobs keeps at most its entries and bytes, newest kept, and
    never holds one blob bigger than a quarter of its bytes."""
    cache = segments.BlobCache(entries=3, size=1000)
    blob = segments.Blob([], "t", "", "nowhere")
    for n in range(5):
        cache.put(("t", "", bytes([n])), blob, 100)
    assert [cache.get(("t", "", bytes([n]))) is not None for n in range(5)] == [
        False, False, True, True, True,
    ]  # fmt: skip
    cache.put(("t", "", b"big"), blob, 251)
    assert cache.get(("t", "", b"big")) is None
    by_bytes = segments.BlobCache(entries=10, size=1000)
    for n in range(5):  # 1,200 bytes offered: the oldest goes
        by_bytes.put(("t", "", bytes([n])), blob, 240)
    assert [by_bytes.get(("t", "", bytes([n]))) is not None for n in range(5)] == [
        False, True, True, True, True,
    ]  # fmt: skip
