"""``python -m bench.pg_layouts``: what other PostgreSQL table layouts would store for the
``bench.storage`` loop, before anyone rewrites the schema for them.

Issue 14 asks for at most 2x the payload on every saver; ``bench.storage`` shows our
PostgreSQL tables well above that while the bytes we store are 1.3x. This runs the same loop
once on ``PostgresSaver``, then inserts the very same rows, one transaction each (as the
saver writes them), into candidate layouts in fresh schemas, and prints for each what
``pg_total_relation_size`` counts (heap, free-space and visibility maps, indexes, TOAST)
divided by the payload. Each candidate adds one change to the one above it, so a row's
difference from the previous is what that change is worth; the last is a floor no real
design reaches (one integer key, one packed header, no other table).

PostgreSQL: ``HITL_POSTGRES_DSN`` if set, else a throwaway local cluster (as in the tests).
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bench.storage import _postgres_dsn, _run_loop, _texts, relation_sizes

__all__ = ["LAYOUTS", "Layout", "main", "measure"]

#: Columns read from the saver's table, in this order, for every candidate to insert.
_COLUMNS = (
    "thread_id, ns, checkpoint_id, parent_id, step, source, created_at, metadata::text, "
    "is_snapshot, chain_len, chain_bytes, base_bytes, data"
)
_INSERT = (
    f"INSERT INTO hitl_checkpoints ({_COLUMNS.replace('::text', '')}) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s::jsonb, %s, %s, %s, %s, %s)"
)
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


_SHIPPED = "SHIPPED"  # created by ``PostgresSaver.setup()``
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
    Layout("shipped (PostgresSaver.setup)", (_SHIPPED,), _INSERT, _same),
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


@contextmanager
def _schema(dsn: str) -> Iterator[Any]:
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


def measure(dsn: str, turns: int) -> tuple[int, dict[str, int], list[tuple[str, dict[str, int]]]]:
    """The payload, the saver's own tables after the loop, and each layout holding its rows
    (sizes by part, as ``relation_sizes`` gives them)."""
    from hitl_notebook.checkpoint.postgres import PostgresSaver

    # bench.storage runs with LangGraph's savers loaded, so its messages are LangChain's.
    with contextlib.suppress(ImportError):
        import langchain_core.messages  # noqa: F401
    texts = _texts(turns)
    with _schema(dsn) as conn:
        saver = PostgresSaver(conn)
        saver.setup()
        _run_loop("ours", saver, texts, ())
        ran = relation_sizes(conn)
        rows = [
            tuple(bytes(v) if isinstance(v, memoryview) else v for v in r)
            for r in conn.execute(
                f"SELECT {_COLUMNS} FROM hitl_checkpoints ORDER BY checkpoint_id"
            ).fetchall()
        ]
    found = []
    for layout in LAYOUTS:
        with _schema(dsn) as conn:
            for statement in layout.ddl:
                if statement == _SHIPPED:
                    PostgresSaver(conn).setup()
                else:
                    conn.execute(statement)
            for row in rows:
                for params in layout.params(row):
                    conn.execute(layout.insert, params)
            found.append((layout.name, relation_sizes(conn)))
    return sum(len(t) for t in texts), ran, found


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
    print(_line("PostgresSaver's own tables after the loop", ran, payload))
    for name, sizes in found:
        print(_line(name, sizes, payload))
    return 0


if __name__ == "__main__":
    sys.exit(main())
