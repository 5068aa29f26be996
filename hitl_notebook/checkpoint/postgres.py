"""``PostgresSaver``: checkpoints in PostgreSQL (psycopg 3; ``pip install hitl-notebook[postgres]``).

The shared, production backend: same delta scheme and behaviour as the other savers.
Writers of one thread are serialised by a transaction-scoped advisory lock, so pruning
or deleting a thread never races a checkpoint being written on top of it.

New databases keep checkpoints a few kilobytes at a time (``pg_segments``); a database
created by an earlier release keeps its one row per checkpoint (``ROW_TABLES``), read and
written as it is (``sql.SqlTx``): nothing is migrated behind the user's back.
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import psycopg
from psycopg import errors

from .base import ThreadId
from .langgraph_api import LangGraphSaverAPI
from .pg_segments import LAYOUT_VERSION, OUTCOMES_TABLE, TABLES, SegmentTx
from .segments import BlobCache
from .sql import (
    SCHEMA_VERSION,
    Dialect,
    KeyForm,
    SchemaVersionError,
    SqlTx,
    key_form,
    postgres_metadata_equals,
    setup_schema,
)
from .store import DeltaSaver

__all__ = ["ROW_TABLES", "AsyncPostgresSaver", "PostgresSaver"]

#: The row layout (one row per checkpoint) of databases created before ``pg_segments``:
#: fixed-width columns first (no alignment padding between them); checkpoint ids and
#: creation times packed (``keys``); the key index packed full, since ids grow with time.
#: Databases created before that keep their tables (text ids), read and written as they are.
ROW_TABLES = (
    """CREATE TABLE IF NOT EXISTS hitl_checkpoints (
        step BIGINT NOT NULL,
        chain_bytes BIGINT NOT NULL,
        base_bytes BIGINT NOT NULL,
        chain_len INTEGER NOT NULL,
        is_snapshot BOOLEAN NOT NULL,
        thread_id TEXT COLLATE "C" NOT NULL,
        ns TEXT COLLATE "C" NOT NULL,
        checkpoint_id BYTEA NOT NULL,
        parent_id BYTEA,
        source TEXT NOT NULL,
        created_at BYTEA NOT NULL,
        metadata JSONB NOT NULL,
        data BYTEA NOT NULL,
        PRIMARY KEY (thread_id, ns, checkpoint_id) WITH (fillfactor = 100)
    )""",
    OUTCOMES_TABLE,
)

POSTGRES = Dialect(
    placeholders=lambda sql: sql.replace("?", "%s"),
    metadata_in="?::jsonb",
    metadata_out="metadata::text",
    tables=ROW_TABLES,
    metadata_equals=postgres_metadata_equals,
    id_type="SELECT format_type(atttypid, atttypmod) FROM pg_attribute "
    "WHERE attrelid = 'hitl_checkpoints'::regclass AND attname = 'checkpoint_id'",
    empty_bytes="''::bytea",
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
        #: Row layout: how its tables hold ids; None: segments (``pg_segments``) or not
        #: known yet (``_layout_known``). Found by ``setup`` or by the first transaction.
        self._form: KeyForm | None = None
        self._layout_known = False
        #: Recently read tails and segments, parsed (bounded: see ``BlobCache``).
        self._blobs = BlobCache()

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
            if self._find_layout() == "rows":
                tx = SqlTx(self._conn, POSTGRES)
                setup_schema(tx, POSTGRES)
                self._form = key_form(tx, POSTGRES)
            else:
                self._setup_segments()
                self._form = None
            self._layout_known = True

    def _find_layout(self) -> str | None:
        """``"rows"`` or ``"segments"`` by the tables present; None when there are none."""
        found = self._conn.execute(
            "SELECT to_regclass('hitl_checkpoints') IS NOT NULL, "
            "to_regclass('hitl_segments') IS NOT NULL"
        ).fetchone()
        rows, segments = found if found is not None else (False, False)
        return "rows" if rows else "segments" if segments else None

    def _setup_segments(self) -> None:
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS hitl_schema_version (version INTEGER NOT NULL)"
        )
        (found,) = self._conn.execute(
            "SELECT MAX(version) FROM hitl_schema_version"
        ).fetchone() or (None,)
        newest = max(LAYOUT_VERSION, SCHEMA_VERSION)
        if found is not None and found > newest:
            raise SchemaVersionError(
                f"this database holds hitl-notebook checkpoints in schema version {found}, but "
                f"this hitl-notebook only understands up to version {newest}: upgrade hitl-notebook"
            )
        for statement in TABLES:
            self._conn.execute(statement)
        if found is None:
            self._conn.execute("INSERT INTO hitl_schema_version (version) VALUES (%s)", [newest])
        elif found < newest:
            self._conn.execute("UPDATE hitl_schema_version SET version = %s", [newest])

    def _tables(self) -> tuple[str, ...]:
        if self._form is not None:
            return ("hitl_checkpoints", "hitl_outcomes")
        return ("hitl_tails", "hitl_segments", "hitl_outcomes")

    def vacuum(self) -> None:
        """``VACUUM`` the checkpoint tables, so that space deleted checkpoints left is reused
        (PostgreSQL returns a table's trailing free pages to the file system)."""
        with self._lock:
            for table in self._tables():
                self._conn.execute(f"VACUUM {table}")

    def clear_cache(self) -> None:
        """Forget cached values and parsed blobs (the next reads decode from storage)."""
        super().clear_cache()
        self._blobs.clear()

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
    def _transaction(self, first: str, params: list) -> Iterator[SqlTx | SegmentTx]:
        with self._lock:
            try:
                with self._conn.transaction():
                    self._conn.execute(first, params)
                    if not self._layout_known:
                        layout = self._find_layout()
                        if layout is None:
                            raise errors.UndefinedTable("no hitl_segments or hitl_checkpoints")
                        if layout == "rows":
                            self._form = key_form(SqlTx(self._conn, POSTGRES), POSTGRES)
                        self._layout_known = True
                    if self._form is None:
                        yield SegmentTx(self._conn, self._blobs)
                    else:
                        yield SqlTx(self._conn, POSTGRES, self._form)
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


class AsyncPostgresSaver(PostgresSaver):
    """LangGraph's ``AsyncPostgresSaver`` surface, so async code needs only its imports
    changed: ``async with AsyncPostgresSaver.from_conn_string(dsn) as saver:`` then ``await
    saver.setup()``. The same saver underneath, on a sync psycopg connection (a graph run
    with ``ainvoke``/``astream`` calls it from the event loop)."""

    @classmethod
    @asynccontextmanager
    async def from_conn_string(  # type: ignore[override]  # async, as LangGraph's
        cls, dsn: str, **kwargs: Any
    ) -> AsyncIterator[AsyncPostgresSaver]:
        """Connect to ``dsn`` for an ``async with`` block; the connection closes after it."""
        saver = cls(psycopg.connect(dsn, autocommit=True), **kwargs)
        saver._owned = True
        try:
            yield saver
        finally:
            saver.close()

    async def setup(self) -> None:  # type: ignore[override]  # awaited, as LangGraph's
        """Create the tables if missing; refuse a database written by a newer release."""
        PostgresSaver.setup(self)

    async def __aenter__(self) -> AsyncPostgresSaver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
