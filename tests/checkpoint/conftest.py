"""Fixtures for the saver tests: every saver (memory, SQLite, PostgreSQL) behind one face.

PostgreSQL: ``HITL_POSTGRES_DSN`` when set, otherwise a throwaway cluster started here
(``initdb`` + ``pg_ctl`` from Debian's ``postgresql`` package, as the ``postgres`` user
when running as root). When no server can be had, the PostgreSQL tests skip locally and
FAIL when the ``CI`` environment variable is set.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hitl_notebook.checkpoint.memory import InMemorySaver
from hitl_notebook.checkpoint.sqlite import SqliteSaver
from hitl_notebook.checkpoint.store import DeltaSaver

SAVER_KINDS = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


# -- a throwaway PostgreSQL cluster ---------------------------------------------------------


@dataclass
class _Cluster:
    root: str
    data: str
    bin: str
    as_user: list[str]
    dsn: str

    def stop(self) -> None:
        subprocess.run(
            [*self.as_user, f"{self.bin}/pg_ctl", "-D", self.data, "-m", "immediate", "stop"],
            capture_output=True,
            check=False,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_cluster() -> _Cluster:
    """initdb + pg_ctl start on a free localhost port; raises RuntimeError saying why not."""
    bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not bins:
        raise RuntimeError("no /usr/lib/postgresql/*/bin/initdb (apt-get install postgresql)")
    bin_dir = os.path.dirname(bins[-1])
    root = tempfile.mkdtemp(prefix="hitl-pg-")
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        shutil.chown(root, user="postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    data, port = os.path.join(root, "data"), _free_port()
    steps = [
        [f"{bin_dir}/initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C", "--no-sync"],
        [
            f"{bin_dir}/pg_ctl", "-D", data, "-l", os.path.join(root, "log"), "-w", "-t", "60", "start",
            "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50",
        ],
    ]  # fmt: skip
    for cmd in steps:
        proc = subprocess.run([*as_user, *cmd], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            log = Path(root, "log")
            detail = proc.stderr + (log.read_text() if log.exists() else "")
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"{os.path.basename(cmd[0])} failed: {detail.strip()}")
    return _Cluster(
        root, data, bin_dir, as_user, f"postgresql://postgres@127.0.0.1:{port}/postgres"
    )


@pytest.fixture(scope="session")
def postgres_dsn() -> Iterator[str]:
    """A DSN of a running PostgreSQL server for the whole test session."""
    if os.environ.get("HITL_POSTGRES_DSN"):
        yield os.environ["HITL_POSTGRES_DSN"]
        return
    try:
        cluster = _start_cluster()
    except RuntimeError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is required in CI but could not start: {exc}")
        pytest.skip(f"no PostgreSQL server: {exc}")
    try:
        yield cluster.dsn
    finally:
        cluster.stop()


@pytest.fixture
def postgres_schema(postgres_dsn: str) -> Iterator[str]:
    """A DSN whose ``search_path`` is a fresh schema, dropped after the test (so a test never
    touches tables it did not create, even on a shared server)."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    schema = f"hitl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_dsn, autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield make_conninfo(postgres_dsn, options=f"-c search_path={schema}")
    finally:
        with psycopg.connect(postgres_dsn, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


# -- one face for every saver ---------------------------------------------------------------


@dataclass
class SaverKit:
    """A saver under test plus what tests need around it."""

    kind: str
    saver: DeltaSaver
    #: Opens another saver on the same storage with an empty cache (a new kernel, for the
    #: durable ones; for memory, the same saver with its cache emptied).
    reopen: Callable[[], DeltaSaver]
    #: Runs one SQL statement with parameters on the storage (memory: None).
    sql: Callable[[str, list], list] | None
    #: PostgreSQL: its DSN (for ``pg_rows``, which reads and tampers with tails and segments).
    dsn: str | None = None


def _sqlite_sql(path: str) -> Callable[[str, list], list]:
    import sqlite3

    def run(statement: str, params: list) -> list:
        conn = sqlite3.connect(path, timeout=30)
        try:
            with conn:
                return conn.execute(statement, params).fetchall()
        finally:
            conn.close()

    return run


def _postgres_sql(dsn: str) -> Callable[[str, list], list]:
    import psycopg

    def run(statement: str, params: list) -> list:
        with psycopg.connect(dsn, autocommit=True) as conn:
            cur = conn.execute(statement.replace("?", "%s"), params)
            return cur.fetchall() if cur.description else []

    return run


@pytest.fixture
def make_kit(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], SaverKit]]:
    """Build a ``SaverKit`` of a given kind (closing what it opened afterwards)."""
    opened: list = []

    def make(kind: str, cache_size: int = 256) -> SaverKit:
        if kind == "memory":
            saver = InMemorySaver(cache_size=cache_size)

            def reopen() -> DeltaSaver:
                saver.clear_cache()
                return saver

            return SaverKit(kind, saver, reopen, None)
        if kind == "sqlite":
            path = str(tmp_path / f"threads-{len(opened)}.db")
            saver = SqliteSaver(path, cache_size=cache_size)
            opened.append(saver)

            def reopen() -> DeltaSaver:
                again = SqliteSaver(path)
                opened.append(again)
                return again

            return SaverKit(kind, saver, reopen, _sqlite_sql(path))
        if kind == "postgres":
            from hitl_notebook.checkpoint.postgres import PostgresSaver

            dsn = request.getfixturevalue("postgres_schema")
            saver = PostgresSaver.from_conn_string(dsn, cache_size=cache_size)
            saver.setup()
            opened.append(saver)

            def reopen() -> DeltaSaver:
                again = PostgresSaver.from_conn_string(dsn)
                opened.append(again)
                return again

            return SaverKit(kind, saver, reopen, _postgres_sql(dsn), dsn)
        raise ValueError(kind)

    yield make
    for saver in opened:
        saver.close()


@pytest.fixture(params=SAVER_KINDS)
def kit(request: pytest.FixtureRequest, make_kit: Callable[[str], SaverKit]) -> SaverKit:
    """Each saver kind in turn."""
    return make_kit(request.param)


@pytest.fixture
def saver(kit: SaverKit) -> DeltaSaver:
    """Each saver kind in turn (when the test needs nothing else)."""
    return kit.saver
