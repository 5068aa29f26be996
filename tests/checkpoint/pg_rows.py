"""What tests read and tamper with in PostgreSQL's tails and segments (``pg_segments``),
where the SQLite tests use one row per checkpoint: a stored checkpoint's columns, found
and changed in place as a damaged or hostile database would hold them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import psycopg

from hitl_notebook.checkpoint import keys, segments
from hitl_notebook.checkpoint.pg_segments import SegmentTx
from hitl_notebook.checkpoint.store import Row

#: Bytes of every stored blob and outcome (what ``SUM(LENGTH(data))`` is in the row layout).
STORED_BYTES = (
    "SELECT (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM hitl_tails)"
    " + (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM hitl_segments)"
    " + (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM hitl_outcomes)"
)


def stored_rows(dsn: str) -> list[Row]:
    """Every stored checkpoint of every thread and namespace, as stored."""
    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        tx = SegmentTx(conn, segments.BlobCache())
        spaces = conn.execute(
            "SELECT thread_id, ns FROM hitl_tails WHERE count > 0 "
            "UNION SELECT thread_id, ns FROM hitl_segments"
        ).fetchall()
        return [row for t, ns in spaces for row in tx.rows(t, ns, None, {}, None)]


def set_row(
    dsn: str, checkpoint_id: str, thread_id: str = "t", ns: str = "", **changes: Any
) -> None:
    """Store ``changes`` (``data``, ``metadata``, ``parent_id``...) in one checkpoint's
    record, its other records and columns untouched; ``data`` is stored as given."""
    with psycopg.connect(dsn, autocommit=True) as conn, conn.transaction():
        tx = SegmentTx(conn, segments.BlobCache())
        key = keys.pack_id(checkpoint_id)
        box = tx._box_for(thread_id, ns, key)
        assert box is not None, checkpoint_id
        blob = tx._open(thread_id, ns, box)
        changed = segments.encode(replace(blob.find(key), **changes))
        tx._replace(thread_id, ns, box, [changed if r.key == key else r for r in blob.records])
