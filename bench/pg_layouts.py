"""``python -m bench.pg_layouts``: what PostgreSQL table layouts store for the
``bench.storage`` loop: the row layout of earlier releases, variations of it, and the
tails and segments ``PostgresSaver`` now uses (``hitl_notebook.checkpoint.pg_segments``).

Issue 14 asks for at most 2x the payload on every saver; with one row per checkpoint our
PostgreSQL tables were well above that while the bytes stored were 1.3x. This runs the same
loop once on ``PostgresSaver`` over the row layout (``ROW_TABLES``), then inserts the very same rows, one transaction each (as the
saver writes them), into candidate layouts in fresh schemas, and prints for each what
``pg_total_relation_size`` counts (heap, free-space and visibility maps, indexes, TOAST)
divided by the payload. Each candidate adds one change to the one above it, so a row's
difference from the previous is what that change is worth; the last of those is a floor no
one-row-per-checkpoint design reaches (one integer key, one packed header, no other table).

Two designs with fewer rows than checkpoints follow, fed the same rows in the same
transactions (``Design``): *compacted by delete* keeps rows as shipped and, once a thread
has ``KEEP_PLAIN + SEGMENT_ROWS`` of them, moves its oldest ``SEGMENT_ROWS`` into one row
compressed together, deleting them; *tail + segments* writes each checkpoint into one
"tail" row per thread (updated in place, in a table with free room on its pages) and moves
the tail, compressed together, into a segment row when it passes ``TAIL_BYTES``. Neither is
a saver: they store what such a saver would (every column of every checkpoint), to show
which would reach 2x right after a run, and why (PostgreSQL reuses a deleted row's space
only after a ``VACUUM`` records it, while an update in place on a page with room frees the
old version's space on the page itself). The second is what ``PostgresSaver`` was then built
as: the last line runs the loop on it.

PostgreSQL: ``HITL_POSTGRES_DSN`` if set, else a throwaway local cluster (as in the tests).
"""

from __future__ import annotations

import argparse
import contextlib
import struct
import sys
import uuid
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench.storage import _postgres_dsn, _run_loop, _texts, relation_sizes

__all__ = [
    "DESIGNS",
    "LAYOUTS",
    "ROW_LAYOUT",
    "SEGMENTED",
    "Design",
    "Layout",
    "create",
    "main",
    "measure",
    "saver_rows",
    "schema",
]

#: Columns read from the saver's table, in this order, for every candidate to insert.
_COLUMNS = (
    "thread_id, ns, checkpoint_id, parent_id, step, source, created_at, metadata::text, "
    "is_snapshot, chain_len, chain_bytes, base_bytes, data"
)
_INSERT = (
    f"INSERT INTO hitl_checkpoints ({_COLUMNS.replace('::text', '')}) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s)"
)
ROW_LAYOUT = "row layout (ROW_TABLES, earlier releases)"
SEGMENTED = "PostgresSaver now: tails + segments (run)"
#: Largest piece of ``data`` per row where a layout keeps rows inline itself (a row must
#: fit in an 8 KB page with its header and key).
PART = 8000


@dataclass(frozen=True)
class Layout:
    """One candidate: how to create it and how a stored row is inserted into it."""

    name: str
    ddl: tuple[str, ...]
    insert: str
    #: The parameter tuples one saver row becomes (several when ``data`` is split in parts).
    params: Callable[[tuple], list[tuple]]


def _same(row: tuple) -> list[tuple]:
    return [row]


def _parts(row: tuple) -> list[tuple]:
    """The row once per ``PART`` bytes of its data, with the part's number last."""
    data = row[-1]
    pieces = [data[i : i + PART] for i in range(0, len(data), PART)] or [b""]
    return [(*row[:-1], piece, n) for n, piece in enumerate(pieces)]


def _floor(row: tuple) -> list[tuple]:
    """Lane 1, and a 16-byte header standing for parent, step, source, time, chain sizes
    and metadata (what they take packed, at best)."""
    return [(1, r[-1], r[2], bytes(16), r[-2]) for r in _parts(row)]


_SHIPPED = "SHIPPED"  # ``ROW_TABLES``, then ``PostgresSaver.setup()`` (which keeps them)
_PLAIN = ", ".join(
    f"ALTER {c} SET STORAGE PLAIN"
    for c in ("thread_id", "ns", "checkpoint_id", "parent_id", "source", "created_at", "metadata")
)
_PARTED = """CREATE TABLE hitl_checkpoints (
    {ints}, is_snapshot BOOLEAN NOT NULL, part SMALLINT NOT NULL,
    thread_id TEXT COLLATE "C" NOT NULL, ns TEXT COLLATE "C" NOT NULL, checkpoint_id BYTEA NOT NULL,
    parent_id BYTEA, source TEXT NOT NULL, created_at BYTEA NOT NULL, metadata JSONB NOT NULL,
    PRIMARY KEY (thread_id, ns, checkpoint_id, part) WITH (fillfactor = 100))"""
_WIDE = "step BIGINT NOT NULL, chain_bytes BIGINT NOT NULL, base_bytes BIGINT NOT NULL, chain_len INTEGER NOT NULL"
_NARROW = "chain_bytes INTEGER NOT NULL, base_bytes INTEGER NOT NULL, step INTEGER NOT NULL, chain_len SMALLINT NOT NULL"
#: ``data`` added after the other columns became PLAIN, in one statement, so that the table
#: never needs a TOAST table for it.
_PLAIN_DATA = f"ALTER TABLE hitl_checkpoints {_PLAIN}, ADD COLUMN data BYTEA NOT NULL, ALTER data SET STORAGE PLAIN"
_PARTED_INSERT = _INSERT.replace("data)", "data, part)").replace("%s)", "%s, %s)")

LAYOUTS = (
    Layout(ROW_LAYOUT, (_SHIPPED,), _INSERT, _same),
    Layout(
        "+ data STORAGE EXTERNAL, toast_tuple_target 8160",
        (
            _SHIPPED,
            "ALTER TABLE hitl_checkpoints ALTER data SET STORAGE EXTERNAL",
            "ALTER TABLE hitl_checkpoints SET (toast_tuple_target = 8160)",
        ),
        _INSERT,
        _same,
    ),
    Layout(
        "+ no outcomes table (folded in)",
        (
            _SHIPPED,
            "ALTER TABLE hitl_checkpoints ALTER data SET STORAGE EXTERNAL",
            "ALTER TABLE hitl_checkpoints SET (toast_tuple_target = 8160)",
            "DROP TABLE hitl_outcomes",
        ),
        _INSERT,
        _same,
    ),
    Layout(
        "+ no TOAST: data in 8,000-byte parts",
        (
            "CREATE TABLE hitl_schema_version (version INTEGER NOT NULL)",
            "INSERT INTO hitl_schema_version VALUES (6)",
            _PARTED.format(ints=_WIDE),
            _PLAIN_DATA,
        ),
        _PARTED_INSERT,
        _parts,
    ),
    Layout(
        "+ 32-bit integers",
        (
            "CREATE TABLE hitl_schema_version (version INTEGER NOT NULL)",
            "INSERT INTO hitl_schema_version VALUES (6)",
            _PARTED.format(ints=_NARROW),
            _PLAIN_DATA,
        ),
        _PARTED_INSERT,
        _parts,
    ),
    Layout(
        "floor: int key, packed header, parts only",
        (
            "CREATE TABLE hitl_checkpoints (lane INTEGER NOT NULL, part SMALLINT NOT NULL, "
            "checkpoint_id BYTEA NOT NULL, head BYTEA NOT NULL, "
            "PRIMARY KEY (lane, checkpoint_id, part) WITH (fillfactor = 100))",
            "ALTER TABLE hitl_checkpoints ALTER checkpoint_id SET STORAGE PLAIN, ALTER head SET "
            "STORAGE PLAIN, ADD COLUMN data BYTEA NOT NULL, ALTER data SET STORAGE PLAIN",
        ),
        "INSERT INTO hitl_checkpoints (lane, part, checkpoint_id, head, data) VALUES (%s, %s, %s, %s, %s)",
        _floor,
    ),
)


#: *compacted by delete*: rows kept as shipped for the newest this many of a thread...
KEEP_PLAIN = 64
#: ...and moved, this many at a time, into one segment row.
SEGMENT_ROWS = 64
#: *tail + segments*: the tail moves to a segment once it compresses past this many bytes
#: (two versions of it must fit in a page's free half for the update to stay on the page;
#: three such segments fill a page). A checkpoint bigger than this alone (a snapshot) goes
#: straight to segment rows of its own, in ``PART``-byte parts (no TOAST).
TAIL_BYTES = 2650


def _record(row: tuple) -> bytes:
    """Every column of a saver row, length-prefixed, with ``data``'s sections inflated (so
    that compressing many records together sees their text)."""
    from hitl_notebook.checkpoint import frames

    # The thread and namespace are the segment row's key, stored once there.
    _thread, _ns, cid, parent, step, source, created, metadata, snap, length, delta, base, data = (
        row
    )
    sections = b"".join(
        s.tag + struct.pack(">BI", len(s.name.encode()), len(s.data)) + s.name.encode() + s.data
        for s in frames.decode_sections(data)
    )
    fields = [cid, parent or b"", source.encode(), created, metadata.encode(), sections]
    head = struct.pack(">q?iqq", step, snap, length, delta, base)
    return head + b"".join(struct.pack(">I", len(f)) + f for f in fields)


_SEGMENTS = (
    "CREATE TABLE hitl_segments (count INTEGER NOT NULL, part SMALLINT NOT NULL, "
    'thread_id TEXT COLLATE "C" NOT NULL, ns TEXT COLLATE "C" NOT NULL, '
    "first_id BYTEA NOT NULL, last_id BYTEA NOT NULL, data BYTEA NOT NULL, "
    "PRIMARY KEY (thread_id, ns, first_id, part) WITH (fillfactor = 100)) "
    "WITH (fillfactor = 100, toast_tuple_target = 8160)",
    "ALTER TABLE hitl_segments ALTER data SET STORAGE MAIN",
)
_SEGMENT_INSERT = (
    "INSERT INTO hitl_segments (count, part, thread_id, ns, first_id, last_id, data) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s)"
)


def _insert_segment(conn: Any, group: list[tuple], packed: bytes) -> None:
    """One segment row per ``PART`` bytes of ``packed``."""
    first, last = group[0], group[-1]
    for n in range(0, max(len(packed), 1), PART):
        conn.execute(
            _SEGMENT_INSERT,
            (len(group), n // PART, first[0], first[1], first[2], last[2], packed[n : n + PART]),
        )


def _compact_by_delete(conn: Any, rows: list[tuple]) -> None:
    """Each row inserted as shipped; then, in the same transaction, the oldest
    ``SEGMENT_ROWS`` of the thread packed into a segment and deleted once it has
    ``KEEP_PLAIN`` more."""
    plain: list[tuple] = []
    for row in rows:
        with conn.transaction():
            conn.execute(_INSERT, row)
            plain.append(row)
            if len(plain) >= KEEP_PLAIN + SEGMENT_ROWS:
                group, plain = plain[:SEGMENT_ROWS], plain[SEGMENT_ROWS:]
                _insert_segment(conn, group, zlib.compress(b"".join(_record(r) for r in group), 6))
                conn.execute(
                    "DELETE FROM hitl_checkpoints WHERE thread_id = %s AND ns = %s "
                    "AND checkpoint_id >= %s AND checkpoint_id <= %s",
                    (row[0], row[1], group[0][2], group[-1][2]),
                )


def _tail_and_segments(conn: Any, rows: list[tuple]) -> None:
    """Each row added to its thread's tail row (rewritten in place, compressed together);
    a tail past ``TAIL_BYTES`` becomes a segment row and the tail starts again. A row past
    it alone becomes segment rows of its own."""
    conn.execute(
        'CREATE TABLE hitl_tails (count INTEGER NOT NULL, thread_id TEXT COLLATE "C" NOT NULL, '
        'ns TEXT COLLATE "C" NOT NULL, first_id BYTEA NOT NULL, last_id BYTEA NOT NULL, '
        "data BYTEA NOT NULL, PRIMARY KEY (thread_id, ns)) "
        "WITH (fillfactor = 50, toast_tuple_target = 8160)"
    )
    conn.execute("ALTER TABLE hitl_tails ALTER data SET STORAGE MAIN")
    tail: list[tuple] = []
    for row in rows:
        with conn.transaction():
            alone = zlib.compress(_record(row), 6)
            if len(alone) > TAIL_BYTES:
                _insert_segment(conn, [row], alone)
                continue
            packed = zlib.compress(b"".join(_record(r) for r in [*tail, row]), 6)
            if tail and len(packed) > TAIL_BYTES:
                previous = zlib.compress(b"".join(_record(r) for r in tail), 6)
                _insert_segment(conn, tail, previous)
                tail, packed = [], alone
            tail.append(row)
            conn.execute(
                "INSERT INTO hitl_tails (count, thread_id, ns, first_id, last_id, data) "
                "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (thread_id, ns) DO UPDATE SET "
                "count = excluded.count, first_id = excluded.first_id, "
                "last_id = excluded.last_id, data = excluded.data",
                (len(tail), row[0], row[1], tail[0][2], row[2], packed),
            )


@dataclass(frozen=True)
class Design:
    """A candidate with fewer rows than checkpoints: its tables, and how it stores rows."""

    name: str
    ddl: tuple[str, ...]
    write: Callable[[Any, list[tuple]], None]


DESIGNS = (
    Design(
        f"compacted by delete ({SEGMENT_ROWS} a segment, newest {KEEP_PLAIN} kept)",
        (_SHIPPED, *_SEGMENTS),
        _compact_by_delete,
    ),
    Design(
        f"tail + segments (tail up to {TAIL_BYTES:,} B compressed)",
        (_SHIPPED, "DROP TABLE hitl_checkpoints", *_SEGMENTS),
        _tail_and_segments,
    ),
)


@contextmanager
def schema(dsn: str) -> Iterator[Any]:
    """An autocommit connection whose ``search_path`` is a fresh schema, dropped after."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    name = f"hitl_layout_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{name}"')
        try:
            with psycopg.connect(
                make_conninfo(dsn, options=f"-c search_path={name}"), autocommit=True
            ) as conn:
                yield conn
        finally:
            admin.execute(f'DROP SCHEMA "{name}" CASCADE')


def saver_rows(conn: Any, turns: int) -> list[tuple]:
    """Run the loop of ``turns`` turns on a ``PostgresSaver`` over the row layout in
    ``conn``'s (empty) schema and return its rows as ``_INSERT`` takes them, oldest first."""
    from hitl_notebook.checkpoint.postgres import PostgresSaver

    create(conn, LAYOUTS[0])
    saver = PostgresSaver(conn)
    _run_loop("ours", saver, _texts(turns), ())
    return [
        tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
        for r in conn.execute(
            f"SELECT {_COLUMNS} FROM hitl_checkpoints ORDER BY checkpoint_id"
        ).fetchall()
    ]


def create(conn: Any, layout: Layout | Design) -> None:
    """The tables of ``layout`` in the connection's (empty) schema."""
    from hitl_notebook.checkpoint.postgres import PostgresSaver

    for statement in layout.ddl:
        if statement == _SHIPPED:
            from hitl_notebook.checkpoint.postgres import ROW_TABLES

            conn.execute("CREATE TABLE hitl_schema_version (version INTEGER NOT NULL)")
            conn.execute("INSERT INTO hitl_schema_version VALUES (6)")
            for table in ROW_TABLES:
                conn.execute(table)
            PostgresSaver(conn).setup()
        else:
            conn.execute(statement)


def measure(dsn: str, turns: int) -> tuple[int, dict[str, int], list[tuple[str, dict[str, int]]]]:
    """The payload, the saver's own tables after the loop, and each layout then each design
    holding its rows (sizes by part, as ``relation_sizes`` gives them)."""
    # bench.storage runs with LangGraph's savers loaded, so its messages are LangChain's.
    with contextlib.suppress(ImportError):
        import langchain_core.messages  # noqa: F401
    with schema(dsn) as conn:
        rows = saver_rows(conn, turns)
        ran = relation_sizes(conn)
    found = []
    for layout in (*LAYOUTS, *DESIGNS):
        with schema(dsn) as conn:
            create(conn, layout)
            if isinstance(layout, Design):
                layout.write(conn, rows)
            else:
                for row in rows:
                    for params in layout.params(row):
                        conn.execute(layout.insert, params)
            found.append((layout.name, relation_sizes(conn)))
    with schema(dsn) as conn:
        from hitl_notebook.checkpoint.postgres import PostgresSaver

        saver = PostgresSaver(conn)
        saver.setup()
        _run_loop("ours", saver, _texts(turns), ())
        found.append((SEGMENTED, relation_sizes(conn)))
    return sum(len(t) for t in _texts(turns)), ran, found


def _line(name: str, sizes: dict[str, int], payload: int) -> str:
    cells = "".join(f"{sizes[k]:>12,}" for k in ("heap", "maps", "indexes", "toast"))
    return f"{name:<50}{sizes['total']:>12,}{sizes['total'] / payload:>7.2f}{cells}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000)
    args = parser.parse_args(argv)
    with _postgres_dsn() as dsn:
        payload, ran, found = measure(dsn, args.turns)
    print(f"{args.turns}-turn loop of bench.storage; payload {payload:,} bytes of text")
    print("bytes = pg_total_relation_size of every table = heap + maps (free space, visibility)")
    print("+ indexes + TOAST (its heap, maps and index); x = bytes / payload\n")
    header = (
        f"{'layout':<50}{'bytes':>12}{'x':>7}{'heap':>12}{'maps':>12}{'indexes':>12}{'TOAST':>12}"
    )
    print(header)
    print("-" * len(header))
    print(_line("PostgresSaver on the row layout after the loop", ran, payload))
    for name, sizes in found:
        print(_line(name, sizes, payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
