"""``SqliteSaver``: durable checkpoints in one SQLite file (stdlib ``sqlite3``).

WAL mode lets several kernels read while one writes; every write is a ``BEGIN IMMEDIATE``
transaction (with a busy timeout), so a checkpoint and its outcomes land together or not
at all, even under ``kill -9``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from .base import ThreadId
from .langgraph_api import LangGraphSaverAPI
from .sql import PACKED, Dialect, SqlTx, key_form, setup_schema, sqlite_metadata_equals
from .store import DeltaSaver

__all__ = ["AsyncSqliteSaver", "SqliteSaver"]

#: ``WITHOUT ROWID``: rows live in their primary key's B-tree instead of a table plus an
#: index repeating the key (about 70 bytes a checkpoint). Checkpoint ids and creation times
#: are packed bytes (``keys``: about 60 bytes less a checkpoint). Files created before keep
#: their tables (rowid, text), which every statement here reads and writes the same way.
_TABLES = (
    """CREATE TABLE IF NOT EXISTS hitl_checkpoints (
        thread_id TEXT NOT NULL,
        ns TEXT NOT NULL,
        checkpoint_id BLOB NOT NULL,
        parent_id BLOB,
        step INTEGER NOT NULL,
        source TEXT NOT NULL,
        created_at BLOB NOT NULL,
        metadata TEXT NOT NULL,
        is_snapshot INTEGER NOT NULL,
        chain_len INTEGER NOT NULL,
        chain_bytes INTEGER NOT NULL,
        base_bytes INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (thread_id, ns, checkpoint_id)
    ) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS hitl_outcomes (
        thread_id TEXT NOT NULL,
        ns TEXT NOT NULL,
        checkpoint_id BLOB NOT NULL,
        task_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        interrupted INTEGER NOT NULL,
        data BLOB NOT NULL,
        PRIMARY KEY (thread_id, ns, checkpoint_id, task_id)
    ) WITHOUT ROWID""",
)

SQLITE = Dialect(
    placeholders=lambda sql: sql,
    metadata_in="?",
    metadata_out="metadata",
    tables=_TABLES,
    metadata_equals=sqlite_metadata_equals,
    id_type="SELECT type FROM pragma_table_info('hitl_checkpoints') WHERE name = 'checkpoint_id'",
    empty_bytes="X''",
)


class SqliteSaver(LangGraphSaverAPI, DeltaSaver):
    """Checkpoints in a SQLite database file, safe to share between kernels on one machine.

    ``SqliteSaver("threads.db")`` opens (and creates) the file; ``SqliteSaver(conn)`` uses
    an open ``sqlite3.Connection`` (made with ``check_same_thread=False`` if graphs run in
    worker threads) and takes over its transaction handling. Use it directly, or as a
    context manager that closes it. ``busy_timeout`` (seconds) is how long a write waits for
    another process's write to finish.
    """

    def __init__(
        self,
        conn: sqlite3.Connection | str | os.PathLike,
        *,
        busy_timeout: float = 30.0,
        cache_size: int = 256,
    ) -> None:
        super().__init__(cache_size=cache_size)
        if isinstance(conn, sqlite3.Connection):
            self._conn, self._owned = conn, False
        elif isinstance(conn, (str, os.PathLike)):
            self._conn = sqlite3.connect(conn, timeout=busy_timeout, check_same_thread=False)
            self._owned = True
        else:
            raise TypeError(
                f"SqliteSaver needs a path or a sqlite3.Connection, not {type(conn).__name__}"
            )
        if self._conn.in_transaction:
            raise ValueError(
                "SqliteSaver needs a connection with no open transaction: commit it first"
            )
        self._conn.isolation_level = None  # we issue BEGIN/COMMIT ourselves
        self._lock = threading.RLock()
        self._form = PACKED
        self._conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout * 1000)}")
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = NORMAL")
        self._create_tables()

    def setup(self) -> None:
        """Create the tables if missing (done on opening; safe to call again); refuse a
        database written by a newer release."""
        self._create_tables()

    def _create_tables(self) -> None:
        with self._writing(ThreadId("")) as tx:
            setup_schema(tx, SQLITE)
            self._form = key_form(tx, SQLITE)

    @classmethod
    def from_conn_string(cls, path: str | os.PathLike, **kwargs: Any) -> SqliteSaver:
        """Open the database at ``path`` (``":memory:"`` for a private in-memory one).

        The saver works as it is, or as ``with SqliteSaver.from_conn_string(p) as saver:``.
        """
        return cls(path, **kwargs)

    def vacuum(self) -> None:
        """Rewrite the file without the space deleted checkpoints left (``VACUUM``), and
        truncate the write-ahead log. Takes the database's write lock while it runs."""
        with self._lock:
            self._conn.execute("VACUUM")
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        """Close the connection if this saver opened it."""
        if self._owned:
            with self._lock:
                self._conn.close()

    def __enter__(self) -> SqliteSaver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self, begin: str) -> Iterator[SqlTx]:
        with self._lock:
            if begin == "BEGIN" and self._conn.in_transaction:  # a read inside this thread's
                yield SqlTx(self._conn, SQLITE, self._form)  # own transaction reuses it
                return
            self._conn.execute(begin)
            try:
                yield SqlTx(self._conn, SQLITE, self._form)
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _reading(self) -> Any:
        return self._transaction("BEGIN")

    def _writing(self, thread_id: ThreadId) -> Any:
        return self._transaction("BEGIN IMMEDIATE")


class AsyncSqliteSaver(SqliteSaver):
    """LangGraph's ``AsyncSqliteSaver`` surface, so async code needs only its imports
    changed: ``async with AsyncSqliteSaver.from_conn_string(path) as saver:`` and ``await
    saver.setup()``. The same saver underneath (sqlite3 calls are short and local; a graph
    run with ``ainvoke``/``astream`` makes them from the event loop), also usable from
    sync code."""

    @classmethod
    @asynccontextmanager
    async def from_conn_string(  # type: ignore[override]  # async, as LangGraph's
        cls, path: str | os.PathLike, **kwargs: Any
    ) -> AsyncIterator[AsyncSqliteSaver]:
        """Open the database at ``path`` for an ``async with`` block, closed after it."""
        saver = cls(path, **kwargs)
        try:
            yield saver
        finally:
            saver.close()

    async def setup(self) -> None:  # type: ignore[override]  # awaited, as LangGraph's
        """Create the tables if missing (done on opening; safe to await again)."""
        self._create_tables()

    async def __aenter__(self) -> AsyncSqliteSaver:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()
