"""The row store in SQL, shared by the SQLite and PostgreSQL savers.

Every statement is written once with ``?`` placeholders; a ``Dialect`` adapts placeholders,
types and the JSON metadata filter. Values only ever travel as parameters.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import SchemaVersionError
from . import keys
from .base import CheckpointId, Namespace, ThreadId, ThreadInfo
from .delta import Chain
from .store import COLUMN_KEYS, OutcomeRow, Row

__all__ = [
    "COMPACT",
    "PACKED",
    "SCHEMA_VERSION",
    "TEXT",
    "Dialect",
    "KeyForm",
    "SchemaVersionError",
    "SqlTx",
    "key_form",
    "setup_schema",
]

#: Version of the stored format; a database with a higher one was written by a newer release.
#: 2: writes refer to the values they appended, derived task ids and small sections
#: deflated with a dictionary (version-1 rows read as they are; a database is marked 2 when
#: a release that writes the new form opens it, so an older release refuses it clearly).
#: 3: a plain next task (derived id, no ``Send``) stored as its name alone (rows of
#: versions 1 and 2 read as they are; marked 3 the same way).
#: 4: new tables store checkpoint ids and creation times packed (see ``keys``); tables
#: created by earlier versions keep their text columns, read and written as they are.
#: 5: in those packed tables, a parent id that is the checkpoint just before (the usual
#: case) is stored empty and a creation time relative to the id (``keys``): about 24 bytes
#: less a checkpoint. Rows of version 4 read as they are; marked 5 the same way.
#: 6: small sections deflated with ``frames.DICTIONARY_6``, which also knows LangChain's
#: message form (about 8 bytes less a message); earlier sections read as they are; marked 6
#: the same way.
SCHEMA_VERSION = 6


@dataclass(frozen=True, slots=True)
class KeyForm:
    """How a database's tables hold checkpoint ids and creation times."""

    id_in: Callable[[str], Any]
    id_out: Callable[[Any], str]
    #: Creation time in (given the checkpoint's id) and out (given its stored id).
    time_in: Callable[[str, str], Any]
    time_out: Callable[[Any, Any], str]
    #: Ids are bytes, so an empty parent id can mean "the checkpoint just before in this
    #: thread and namespace" (read, and kept meaning that, wherever it is set)...
    implicit_parents: bool = False
    #: ...and this database is marked version 5, so writes may store it (and relative times).
    compact: bool = False


def _same(value: Any) -> Any:
    return value


def _time_text(value: Any, checkpoint_id: Any) -> Any:
    return value


def _absolute_time(created_at: str, checkpoint_id: str) -> bytes:
    return keys.pack_time(created_at)


#: Tables created before schema version 4: text.
TEXT = KeyForm(_same, _same, _time_text, _time_text)
#: Tables created since, in a database of version 4: packed bytes (``keys``).
PACKED = KeyForm(keys.pack_id, keys.unpack_id, _absolute_time, keys.unpack_time, True)
#: The same tables once the database is marked version 5.
COMPACT = KeyForm(keys.pack_id, keys.unpack_id, keys.pack_time, keys.unpack_time, True, True)

_COLUMNS = (
    "thread_id, ns, checkpoint_id, {parent}, step, source, created_at, {meta}, "
    "is_snapshot, chain_len, chain_bytes, base_bytes"
)
#: A row's parent id, with an empty one resolved to the checkpoint just before it.
_RESOLVED_PARENT = (
    "CASE WHEN {a}.parent_id = {empty} THEN (SELECT p.checkpoint_id FROM hitl_checkpoints p "
    "WHERE p.thread_id = {a}.thread_id AND p.ns = {a}.ns AND p.checkpoint_id < {a}.checkpoint_id "
    "ORDER BY p.checkpoint_id DESC LIMIT 1) ELSE {a}.parent_id END"
)
#: The checkpoint just after ``(thread_id, ns, checkpoint_id)`` if its parent id is empty.
_IMPLICIT_SUCCESSOR = (
    "thread_id = ? AND ns = ? AND parent_id = {empty} AND checkpoint_id = (SELECT s.checkpoint_id "
    "FROM hitl_checkpoints s WHERE s.thread_id = ? AND s.ns = ? AND s.checkpoint_id > ? "
    "ORDER BY s.checkpoint_id LIMIT 1)"
)
#: The checkpoint id just before ``?`` in ``(thread_id, ns)`` (placeholders: thread, ns, id).
_PREDECESSOR = (
    "(SELECT p.checkpoint_id FROM hitl_checkpoints p WHERE p.thread_id = ? AND p.ns = ? "
    "AND p.checkpoint_id < ? ORDER BY p.checkpoint_id DESC LIMIT 1)"
)


@dataclass(frozen=True, slots=True)
class Dialect:
    """What differs between SQL engines, as small pieces of SQL text."""

    #: Turns ``?`` placeholders into the driver's.
    placeholders: Callable[[str], str]
    #: How to bind metadata JSON text (``?`` or ``?::jsonb``) and read it back as text.
    metadata_in: str
    metadata_out: str
    #: ``CREATE TABLE`` statements for checkpoints and outcomes.
    tables: tuple[str, ...]
    #: SQL for "metadata key equals value" with its parameters, or None when this engine
    #: cannot match ``value`` exactly (the saver then filters in Python only).
    metadata_equals: Callable[[str, Any], tuple[str, list] | None]
    #: SQL giving the declared type of ``hitl_checkpoints.checkpoint_id`` (text before
    #: schema version 4).
    id_type: str
    #: An empty byte string literal.
    empty_bytes: str


def sqlite_metadata_equals(key: str, value: Any) -> tuple[str, list] | None:
    """SQLite JSON1: exact for strings and numbers (bools are JSON true/false, not 1/0)."""
    path = f'$."{key}"'
    if isinstance(value, str):
        return "json_type(metadata, ?) = 'text' AND json_extract(metadata, ?) = ?", [
            path,
            path,
            value,
        ]
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) < 2**53:
        return "json_type(metadata, ?) IN ('integer', 'real') AND json_extract(metadata, ?) = ?", [
            path,
            path,
            value,
        ]
    return None


def postgres_metadata_equals(key: str, value: Any) -> tuple[str, list] | None:
    """PostgreSQL jsonb equality, exact for every JSON value."""
    try:
        text = json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return None
    if isinstance(value, tuple):  # JSON would make it a list, which Python never equals
        return None
    return "metadata -> (?::text) = ?::jsonb", [key, text]


class SqlTx:
    """``Tx`` (see ``store``) over one open transaction of a DB-API connection."""

    def __init__(self, conn: Any, dialect: Dialect, form: KeyForm = PACKED) -> None:
        self._conn = conn
        self._d = dialect
        self._k = form
        empty = dialect.empty_bytes
        self._empty = empty
        parent = (
            _RESOLVED_PARENT.format(a="c", empty=empty) if form.implicit_parents else "c.parent_id"
        )
        #: Columns of a row read from the table (``c``) with its parent resolved, as stored,
        #: and read from ``chain``.
        self._cols = _COLUMNS.format(parent=parent, meta=dialect.metadata_out)
        self._raw_cols = _COLUMNS.format(parent="c.parent_id", meta=dialect.metadata_out)
        self._chain_cols = _COLUMNS.format(parent="parent_id", meta=dialect.metadata_out)
        self._parent = parent
        #: Stored head ids ``head`` read in this transaction, while no write changed them.
        self._heads: dict[tuple[str, str], bytes | None] = {}

    def _run(self, sql: str, params: list | tuple = ()) -> Any:
        return self._conn.execute(self._d.placeholders(sql), params)

    def _select(
        self,
        where: str,
        params: list,
        *,
        with_data: bool = True,
        tail: str = "",
        contiguous: bool = False,
    ) -> list[Row]:
        """Rows; ``contiguous``: they are every checkpoint of one thread and namespace in an
        id range, newest first, so an empty parent id is the next row's id (no subquery)."""
        data = "data" if with_data else "NULL"
        cols = self._raw_cols if contiguous else self._cols
        sql = f"SELECT {cols}, {data} FROM hitl_checkpoints c WHERE {where} {tail}"
        found = self._run(sql, params).fetchall()
        if contiguous and self._k.implicit_parents:
            for i, r in enumerate(found):
                if r[3] is not None and len(r[3]) == 0:
                    before = (
                        found[i + 1][2] if i + 1 < len(found) else self._before(r[0], r[1], r[2])
                    )
                    found[i] = (*r[:3], before, *r[4:])
        return [_row(r, self._k) for r in found]

    def _before(self, thread_id: ThreadId, ns: Namespace, packed: Any) -> Any:
        """The stored id of the checkpoint just before ``packed`` (None if none)."""
        found = self._run(_PREDECESSOR[1:-1], [thread_id, ns, packed]).fetchone()
        return None if found is None else found[0]

    def row(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        checkpoint_id: CheckpointId,
        *,
        with_data: bool = True,
    ) -> Row | None:
        rows = self._select(
            "thread_id = ? AND ns = ? AND checkpoint_id = ?",
            [thread_id, ns, self._k.id_in(checkpoint_id)],
            with_data=with_data,
        )
        return rows[0] if rows else None

    def latest(self, thread_id: ThreadId, ns: Namespace) -> Row | None:
        rows = self._select(
            "thread_id = ? AND ns = ?", [thread_id, ns], tail="ORDER BY checkpoint_id DESC LIMIT 1"
        )
        return rows[0] if rows else None

    def head(self, thread_id: ThreadId, ns: Namespace) -> CheckpointId | None:
        found = self._run(  # not MAX(): PostgreSQL has none for bytea
            "SELECT checkpoint_id FROM hitl_checkpoints WHERE thread_id = ? AND ns = ? "
            "ORDER BY checkpoint_id DESC LIMIT 1",
            [thread_id, ns],
        ).fetchone()
        if self._k.implicit_parents:
            self._heads[thread_id, ns] = None if found is None else bytes(found[0])
        return None if found is None else CheckpointId(self._k.id_out(found[0]))

    def chain(
        self, thread_id: ThreadId, ns: Namespace, checkpoint_id: CheckpointId, limit: int
    ) -> list[Row]:
        if not self._k.implicit_parents:
            return self._walk(thread_id, ns, checkpoint_id, limit)
        # Usually every link's parent is the checkpoint just before it: the chain is then
        # the ``chain_len + 1`` rows up to this one, read as one range; the walk continues
        # by parent ids where it is not (a fork).
        cid = self._k.id_in(checkpoint_id)
        run = self._select(
            "thread_id = ? AND ns = ? AND checkpoint_id <= ?",
            [thread_id, ns, cid, limit, limit, thread_id, ns, cid],
            tail="ORDER BY checkpoint_id DESC LIMIT COALESCE((SELECT CASE WHEN chain_len < ? "
            "THEN chain_len + 1 ELSE ? END FROM hitl_checkpoints WHERE thread_id = ? AND ns = ? "
            "AND checkpoint_id = ?), 0)",
            contiguous=True,
        )
        out: list[Row] = []
        for row in run:
            if out and out[-1].parent_id != row.id:
                break
            out.append(row)
            if row.chain.is_snapshot or len(out) >= limit:
                return out
        if not out or out[-1].parent_id is None:
            return out
        return out + self._walk(thread_id, ns, out[-1].parent_id, limit - len(out))

    def _walk(
        self, thread_id: ThreadId, ns: Namespace, checkpoint_id: CheckpointId, limit: int
    ) -> list[Row]:
        """``chain`` by joining each link to its parent."""
        cols = _COLUMNS.format(parent="parent_id", meta="metadata")
        prefixed = ", ".join(
            self._parent if c.strip() == "parent_id" else f"c.{c.strip()}" for c in cols.split(",")
        )
        sql = f"""
            WITH RECURSIVE chain(depth, {cols}, data) AS (
                SELECT 1, {prefixed}, c.data FROM hitl_checkpoints c
                WHERE c.thread_id = ? AND c.ns = ? AND c.checkpoint_id = ?
                UNION ALL
                SELECT chain.depth + 1, {prefixed}, c.data
                FROM chain JOIN hitl_checkpoints c
                  ON c.thread_id = chain.thread_id AND c.ns = chain.ns AND c.checkpoint_id = chain.parent_id
                WHERE NOT chain.is_snapshot AND chain.depth < ?
            )
            SELECT {self._chain_cols}, data FROM chain ORDER BY depth"""
        found = self._run(sql, [thread_id, ns, self._k.id_in(checkpoint_id), limit]).fetchall()
        return [_row(r, self._k) for r in found]

    def children(
        self, thread_id: ThreadId, ns: Namespace, parent_id: CheckpointId
    ) -> list[CheckpointId]:
        parent = self._k.id_in(parent_id)
        named, params = "parent_id = ?", [thread_id, ns, parent, parent]
        if self._k.implicit_parents:  # or the next checkpoint, if its parent id is empty
            named = (
                f"({named} OR (c.parent_id = {self._empty} AND NOT EXISTS (SELECT 1 FROM "
                "hitl_checkpoints p WHERE p.thread_id = c.thread_id AND p.ns = c.ns "
                "AND p.checkpoint_id > ? AND p.checkpoint_id < c.checkpoint_id)))"
            )
            params.append(parent)
        return [
            CheckpointId(self._k.id_out(r[0]))
            for r in self._run(
                "SELECT checkpoint_id FROM hitl_checkpoints c WHERE thread_id = ? AND ns = ? "
                f"AND checkpoint_id > ? AND {named} ORDER BY checkpoint_id DESC",
                params,
            ).fetchall()
        ]

    def rows(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        before: CheckpointId | None,
        filter: Mapping[str, Any],
        limit: int | None,
    ) -> list[Row]:
        where = ["thread_id = ?", "ns = ?"]
        params: list[Any] = [thread_id, ns]
        if before is not None:
            where.append("checkpoint_id < ?")
            params.append(self._k.id_in(before))
        exact = True
        for key, value in filter.items():
            clause = (
                _column_equals(key, value)
                if key in COLUMN_KEYS
                else self._d.metadata_equals(key, value)
            )
            if clause is None:
                exact = False
                continue
            where.append(clause[0])
            params.extend(clause[1])
        tail = "ORDER BY checkpoint_id DESC"
        if limit is not None and exact:
            tail += " LIMIT ?"
            params.append(limit)
        contiguous = len(where) == 2 + (before is not None)  # no filter
        return self._select(" AND ".join(where), params, tail=tail, contiguous=contiguous)

    def outcomes(
        self, thread_id: ThreadId, ns: Namespace, low: CheckpointId, high: CheckpointId
    ) -> dict[CheckpointId, list[OutcomeRow]]:
        found: dict[CheckpointId, list[OutcomeRow]] = {}
        for cid, task_id, interrupted, data in self._run(
            "SELECT checkpoint_id, task_id, interrupted, data FROM hitl_outcomes "
            "WHERE thread_id = ? AND ns = ? AND checkpoint_id >= ? AND checkpoint_id <= ? "
            "ORDER BY checkpoint_id, seq",
            [thread_id, ns, self._k.id_in(low), self._k.id_in(high)],
        ).fetchall():
            found.setdefault(CheckpointId(self._k.id_out(cid)), []).append(
                OutcomeRow(task_id, bool(interrupted), bytes(data))
            )
        return found

    def insert(self, row: Row, outcomes: list[OutcomeRow]) -> None:
        c, k = row.chain, self._k
        cid = k.id_in(row.id)
        parent = None if row.parent_id is None else k.id_in(row.parent_id)
        place, parent_params = "?", [parent]
        where = (row.thread_id, row.ns)
        head = self._heads.pop(where, b"")  # b"": not read
        newest = head is None or (bool(head) and cid > head)
        if k.implicit_parents and not newest:  # one after this whose parent was the one before
            self._keep_meaning_of_next(
                row.thread_id, row.ns, cid, _PREDECESSOR, [row.thread_id, row.ns, cid]
            )
        if k.compact and parent is not None:  # the usual parent, the one just before: empty
            if newest:  # known without asking: the head
                parent_params = [b"" if parent == head else parent]
            else:
                place = f"CASE WHEN ? = {_PREDECESSOR} THEN {self._empty} ELSE ? END"
                parent_params = [parent, row.thread_id, row.ns, cid, parent]
        self._run(
            f"INSERT INTO hitl_checkpoints ({_COLUMNS.format(parent='parent_id', meta='metadata')}, data) "
            f"VALUES (?, ?, ?, {place}, ?, ?, ?, {self._d.metadata_in}, ?, ?, ?, ?, ?)",
            [row.thread_id, row.ns, cid, *parent_params,
             row.step, row.source, k.time_in(row.created_at, row.id), row.metadata,
             c.is_snapshot, c.length, c.delta_bytes, c.base_bytes, row.data],
        )  # fmt: skip
        if newest:
            self._heads[where] = cid
        for outcome in outcomes:
            self.upsert_outcome(row.thread_id, row.ns, row.id, outcome)

    def upsert_outcome(
        self, thread_id: ThreadId, ns: Namespace, checkpoint_id: CheckpointId, outcome: OutcomeRow
    ) -> None:
        cid = self._k.id_in(checkpoint_id)
        self._run(
            "INSERT INTO hitl_outcomes (thread_id, ns, checkpoint_id, task_id, seq, interrupted, data) "
            "VALUES (?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM hitl_outcomes "
            "WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?), ?, ?) "
            "ON CONFLICT (thread_id, ns, checkpoint_id, task_id) "
            "DO UPDATE SET interrupted = excluded.interrupted, data = excluded.data",
            [thread_id, ns, cid, outcome.task_id, thread_id, ns, cid, outcome.interrupted, outcome.data],
        )  # fmt: skip

    def threads(self) -> list[ThreadInfo]:
        rows = self._run(
            "SELECT c.thread_id, c.checkpoint_id, c.created_at, (SELECT COUNT(*) FROM hitl_checkpoints n "
            " WHERE n.thread_id = c.thread_id AND n.ns = c.ns) FROM hitl_checkpoints c "
            "WHERE c.ns = ? AND NOT EXISTS (SELECT 1 FROM hitl_checkpoints d WHERE d.thread_id = c.thread_id "
            " AND d.ns = c.ns AND d.checkpoint_id > c.checkpoint_id)",
            [""],
        ).fetchall()
        k = self._k
        found = []
        for t, cid, created, n in rows:
            found.append(
                ThreadInfo(t, CheckpointId(k.id_out(cid)), k.time_out(created, cid), int(n))
            )
        if k.implicit_parents:  # newest first, by time then id, as their absolute bytes sort
            found.sort(
                key=lambda i: (keys.pack_time(i.updated_at), keys.pack_id(i.latest_checkpoint_id)),
                reverse=True,
            )
        else:
            found.sort(key=lambda i: (i.updated_at, i.latest_checkpoint_id), reverse=True)
        return found

    def namespaces(self, thread_id: ThreadId) -> list[Namespace]:
        rows = self._run(
            "SELECT DISTINCT ns FROM hitl_checkpoints WHERE thread_id = ? ORDER BY ns", [thread_id]
        ).fetchall()
        return [r[0] for r in rows]

    def delete_thread(self, thread_id: ThreadId) -> None:
        self._heads.clear()
        self._run("DELETE FROM hitl_outcomes WHERE thread_id = ?", [thread_id])
        self._run("DELETE FROM hitl_checkpoints WHERE thread_id = ?", [thread_id])

    def rewrite(self, row: Row) -> None:
        c = row.chain
        self._run(
            "UPDATE hitl_checkpoints SET parent_id = ?, is_snapshot = ?, chain_len = ?, chain_bytes = ?, "
            "base_bytes = ?, data = ? WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?",
            [None if row.parent_id is None else self._k.id_in(row.parent_id), c.is_snapshot,
             c.length, c.delta_bytes, c.base_bytes, row.data, row.thread_id, row.ns, self._k.id_in(row.id)],
        )  # fmt: skip

    def delete(self, thread_id: ThreadId, ns: Namespace, ids: list[CheckpointId]) -> None:
        self._heads.clear()
        for cid in ids:
            packed = self._k.id_in(cid)
            if self._k.implicit_parents:  # the next checkpoint, if its parent is this one
                self._keep_meaning_of_next(thread_id, ns, packed, "?", [packed])
            for table in ("hitl_outcomes", "hitl_checkpoints"):
                self._run(
                    f"DELETE FROM {table} WHERE thread_id = ? AND ns = ? AND checkpoint_id = ?",
                    [thread_id, ns, packed],
                )

    def _keep_meaning_of_next(
        self, thread_id: ThreadId, ns: Namespace, packed: Any, parent_sql: str, params: list
    ) -> None:
        """Before a checkpoint is inserted or deleted at ``packed``: the checkpoint just after
        it, if its parent id is empty ("the one just before"), gets that parent's id written
        out (``parent_sql``), which the change would otherwise alter."""
        self._run(
            f"UPDATE hitl_checkpoints SET parent_id = {parent_sql} WHERE "
            + _IMPLICIT_SUCCESSOR.format(empty=self._empty),
            [*params, thread_id, ns, thread_id, ns, packed],
        )


def setup_schema(tx: SqlTx, dialect: Dialect) -> None:
    """Create the tables (idempotent) or refuse a database from a newer release."""
    tx._run("CREATE TABLE IF NOT EXISTS hitl_schema_version (version INTEGER NOT NULL)")
    found = tx._run("SELECT MAX(version) FROM hitl_schema_version").fetchone()[0]
    if found is not None and found > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"this database holds hitl-notebook checkpoints in schema version {found}, but this "
            f"hitl-notebook only understands up to version {SCHEMA_VERSION}: upgrade hitl-notebook"
        )
    for statement in dialect.tables:
        tx._run(statement)
    if found is None:
        tx._run("INSERT INTO hitl_schema_version (version) VALUES (?)", [SCHEMA_VERSION])
    elif found < SCHEMA_VERSION:
        tx._run("UPDATE hitl_schema_version SET version = ?", [SCHEMA_VERSION])


def key_form(tx: SqlTx, dialect: Dialect) -> KeyForm:
    """How this database's checkpoint table holds ids (text when an earlier schema
    version created it)."""
    found = tx._run(dialect.id_type).fetchone()
    if found is not None and str(found[0]).lower() == "text":
        return TEXT
    version = tx._run("SELECT MAX(version) FROM hitl_schema_version").fetchone()[0]
    return COMPACT if version is not None and version >= 5 else PACKED


def _column_equals(key: str, value: Any) -> tuple[str, list] | None:
    if key == "source" and isinstance(value, str):
        return "source = ?", [value]
    if key == "step" and isinstance(value, int) and not isinstance(value, bool):
        return "step = ?", [value]
    return None


def _row(r: tuple, k: KeyForm) -> Row:
    (
        thread_id,
        ns,
        cid,
        parent_id,
        step,
        source,
        created_at,
        metadata,
        snap,
        length,
        delta,
        base,
        data,
    ) = r
    return Row(
        thread_id=thread_id,
        ns=ns,
        id=CheckpointId(k.id_out(cid)),
        parent_id=None if parent_id is None else CheckpointId(k.id_out(parent_id)),
        step=step,
        source=source,
        created_at=k.time_out(created_at, cid),
        metadata=metadata,
        chain=Chain(bool(snap), length, delta, base),
        data=b"" if data is None else bytes(data),
    )
