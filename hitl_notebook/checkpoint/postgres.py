"""``PostgresSaver``: checkpoints in PostgreSQL (psycopg 3; ``pip install hitl-notebook[postgres]``).

The shared, production backend: same delta scheme and behaviour as the other savers.
Writers of one thread are serialised by a transaction-scoped advisory lock, so pruning
or deleting a thread never races a checkpoint being written on top of it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg import errors

from .base import ThreadId
from .langgraph_api import LangGraphSaverAPI
from .sql import Dialect, SqlTx, postgres_metadata_equals, setup_schema
from .store import DeltaSaver

__all__ = ["PostgresSaver"]

_TABLES = (
    """CREATE TABLE IF NOT EXISTS hitl_checkpoints (
        thread_id TEXT COLLATE "C" NOT NULL,
        ns TEXT COLLATE "C" NOT NULL,
        checkpoint_id TEXT COLLATE "C" NOT NULL,
        parent_id TEXT COLLATE "C",
        step BIGINT NOT NULL,
        source TEXT NOT NULL,
        created_at TEXT NOT NULL,
        metadata JSONB NOT NULL,
        is_snapshot BOOLEAN NOT NULL,
        chain_len INTEGER NOT NULL,
        chain_bytes BIGINT NOT NULL,
        base_bytes BIGINT NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (thread_id, ns, checkpoint_id)
    )""",
    """CREATE TABLE IF NOT EXISTS hitl_outcomes (
        thread_id TEXT COLLATE "C" NOT NULL,
        ns TEXT COLLATE "C" NOT NULL,
        checkpoint_id TEXT COLLATE "C" NOT NULL,
        task_id TEXT COLLATE "C" NOT NULL,
        seq INTEGER NOT NULL,
        interrupted BOOLEAN NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (thread_id, ns, checkpoint_id, task_id)
    )""",
)

POSTGRES = Dialect(
    placeholders=lambda sql: sql.replace("?", "%s"),
    metadata_in="?::jsonb",
    metadata_out="metadata::text",
    tables=_TABLES,
    metadata_equals=postgres_metadata_equals,
)

#: Advisory-lock key under which ``setup`` runs (two processes may set up at once).
_SETUP_LOCK = 0x68_69_74_6C  # "hitl"


class PostgresSaver(LangGraphSaverAPI, DeltaSaver):
    """Checkpoints in a PostgreSQL database.

    ``PostgresSaver(conn)`` uses an open ``psycopg.Connection`` made with
    ``autocommit=True``; ``PostgresSaver.from_conn_string(dsn)`` opens one (use it
    directly, or ``with PostgresSaver.from_conn_string(dsn) as saver:`` to close it).
    Call ``setup()`` once to create the tables (safe to call again).
    """

    def __init__(self, conn: psycopg.Connection, *, cache_size: int = 256) -> None:
        super().__init__(cache_size=cache_size)
        if not isinstance(conn, psycopg.Connection):
            raise TypeError(f"PostgresSaver needs a psycopg.Connection, not {type(conn).__name__}")
        if not conn.autocommit:
            raise ValueError("PostgresSaver needs a connection opened with autocommit=True")
        self._conn = conn
        self._owned = False
        self._lock = threading.RLock()

    @classmethod
    def from_conn_string(cls, dsn: str, **kwargs: Any) -> PostgresSaver:
        """Connect to ``dsn`` (e.g. ``"postgresql://user@localhost:5432/db"``)."""
        saver = cls(psycopg.connect(dsn, autocommit=True), **kwargs)
        saver._owned = True
        return saver

    def setup(self) -> None:
        """Create the tables if missing; refuse a database written by a newer release."""
        with self._lock, self._conn.transaction():
            self._conn.execute("SELECT pg_advisory_xact_lock(%s)", [_SETUP_LOCK])
            setup_schema(SqlTx(self._conn, POSTGRES), POSTGRES)

    def vacuum(self) -> None:
        """``VACUUM`` the checkpoint tables, so that space deleted checkpoints left is reused
        (PostgreSQL returns a table's trailing free pages to the file system)."""
        with self._lock:
            for table in ("hitl_checkpoints", "hitl_outcomes"):
                self._conn.execute(f"VACUUM {table}")

    def close(self) -> None:
        """Close the connection if this saver opened it."""
        if self._owned:
            with self._lock:
                self._conn.close()

    def __enter__(self) -> PostgresSaver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self, first: str, params: list) -> Iterator[SqlTx]:
        with self._lock:
            try:
                with self._conn.transaction():
                    self._conn.execute(first, params)
                    yield SqlTx(self._conn, POSTGRES)
            except errors.UndefinedTable as exc:
                raise RuntimeError(
                    "the checkpoint tables do not exist: call saver.setup() once"
                ) from exc

    def _reading(self) -> Any:
        return self._transaction("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", [])

    def _writing(self, thread_id: ThreadId) -> Any:
        return self._transaction(
            "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", [thread_id]
        )
