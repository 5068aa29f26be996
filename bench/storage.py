"""``python -m bench.storage``: checkpoint storage of a 1,000-turn loop, per saver.

One node appends a ~200-byte message (varied text, so compression cannot flatter anyone)
through ``add_messages`` and loops back until the thread holds ``--turns`` messages. For
each saver (ours: memory, SQLite, PostgreSQL; LangGraph's InMemorySaver and SqliteSaver),
in the same run, it prints:

- sizes, each also divided by the payload (the message text appended): *stored* = the
  serialised bytes the saver keeps (blobs and metadata: the sum of those columns; for an
  in-memory saver, the bytes of every str/bytes it holds); *file* = what the user's disk
  holds: the SQLite file after a WAL checkpoint, PostgreSQL's ``pg_total_relation_size``
  of the saver's tables (heap, TOAST, indexes, free-space maps); *vacuumed* = the same
  after ``VACUUM`` (SQLite's rewrites the file; PostgreSQL's only gives trailing pages
  back). An in-memory saver has no file: its figure is the bytes it holds;
- saver time per step: time spent inside the saver's write calls (``put`` and outcome /
  pending-write calls, wherever the engine makes them) during the first and the last 100
  steps, and their ratio (1.0 = independent of history length);
- for our savers, the median time of ``get`` on random checkpoints read cold (cache
  cleared before each): of this thread (state up to 1,000 messages), and of a 2,000-checkpoint
  thread whose state is a counter (the cost of finding and rebuilding a checkpoint).

PostgreSQL: ``HITL_POSTGRES_DSN`` if set, else a throwaway local cluster (as in the
tests); skipped with the reason if neither works.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, TypedDict

__all__ = ["main"]

_VOCABULARY = [
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


def _texts(turns: int) -> list[str]:
    rng = random.Random(1)
    return [
        " ".join(rng.choice(_VOCABULARY) + str(rng.randrange(10_000)) for _ in range(30))[:200]
        for _ in range(turns)
    ]


@dataclass
class Sizes:
    """One saver's storage after the run, in bytes (None: not applicable)."""

    #: The serialised bytes it keeps (sum of its data and metadata columns).
    stored: int
    #: File or tables on disk (SQLite file, PostgreSQL relations); None in memory.
    file: int | None = None
    #: The same after ``VACUUM``.
    vacuumed: int | None = None
    #: PostgreSQL: ``file`` by part (``relation_sizes``).
    parts: dict[str, int] | None = None


@dataclass
class Result:
    """One saver's figures."""

    name: str
    sizes: Sizes
    first: float
    last: float
    cold_get: float | None = None
    counter_get: float | None = None


class _CallTimer:
    """Wraps a saver's write methods (on the instance) and splits their time into steps:
    a step starts at each ``put``."""

    def __init__(self, saver: Any, extra: tuple[str, ...]) -> None:
        self.steps: list[float] = []
        self._wrap(saver, "put", new_step=True)
        for name in extra:
            self._wrap(saver, name, new_step=False)

    def _wrap(self, saver: Any, name: str, new_step: bool) -> None:
        inner = getattr(saver, name)

        def timed(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return inner(*args, **kwargs)
            finally:
                spent = time.perf_counter() - start
                if new_step or not self.steps:
                    self.steps.append(spent)
                else:
                    self.steps[-1] += spent

        setattr(saver, name, timed)


def _bytes_in(obj: Any, seen: set[int] | None = None) -> int:
    """Total length of the bytes/str held in nested dicts, lists and tuples (what an
    in-memory saver keeps, serialised). An object held in several places (a checkpoint id
    that is a dict key, a list item and a row field) is counted once, as memory holds it."""
    seen = set() if seen is None else seen
    if id(obj) in seen:
        return 0
    seen.add(id(obj))
    if isinstance(obj, (bytes, bytearray, str)):
        return len(obj)
    if isinstance(obj, dict):
        return sum(_bytes_in(k, seen) + _bytes_in(v, seen) for k, v in obj.items())
    if isinstance(obj, (list, tuple)):
        return sum(_bytes_in(v, seen) for v in obj)
    if hasattr(obj, "__slots__"):
        return sum(_bytes_in(getattr(obj, s), seen) for s in obj.__slots__ if hasattr(obj, s))
    return 0


def _sqlite_sizes(path: str, query: str) -> Sizes:
    """Column bytes, then the file after a WAL checkpoint, then after ``VACUUM`` (run on
    another connection: the saver's stays open for the reads that follow)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stored = conn.execute(query).fetchone()[0] or 0
        file = os.path.getsize(path)
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return Sizes(int(stored), file, os.path.getsize(path))


_OURS_SQL = (
    "SELECT (SELECT COALESCE(SUM(LENGTH(data) + LENGTH(CAST(metadata AS TEXT))), 0) FROM hitl_checkpoints)"
    " + (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM hitl_outcomes)"
)
#: The same on PostgreSQL, whose checkpoints are in tails and segments (``pg_segments``).
_PG_STORED_SQL = (
    "SELECT (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM hitl_tails)"
    " + (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM hitl_segments)"
    " + (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM hitl_outcomes)"
)
#: Everything PostgreSQL keeps for each of our tables, by part (heap, free-space and
#: visibility maps, indexes, TOAST) and in all.
_PG_PARTS_SQL = (
    "SELECT pg_relation_size(c.oid, 'main'), pg_relation_size(c.oid, 'fsm') + "
    "pg_relation_size(c.oid, 'vm') + pg_relation_size(c.oid, 'init'), pg_indexes_size(c.oid), "
    "COALESCE(pg_total_relation_size(NULLIF(c.reltoastrelid, 0)), 0), pg_total_relation_size(c.oid) "
    "FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'hitl\\_%' "
    "AND c.relnamespace = current_schema()::regnamespace"
)
_LANGGRAPH_SQL = (
    "SELECT (SELECT COALESCE(SUM(LENGTH(checkpoint) + LENGTH(metadata)), 0) FROM checkpoints)"
    " + (SELECT COALESCE(SUM(LENGTH(value)), 0) FROM writes)"
)


def relation_sizes(conn: Any) -> dict[str, int]:
    """Bytes of our PostgreSQL tables in the connection's schema, by part: ``heap`` (main
    forks), ``maps`` (free-space, visibility and init forks), ``indexes``, ``toast`` (TOAST
    tables with their maps and indexes), and their ``total`` (``pg_total_relation_size``)."""
    sizes = dict.fromkeys(("heap", "maps", "indexes", "toast", "total"), 0)
    for row in conn.execute(_PG_PARTS_SQL).fetchall():
        for name, size in zip(sizes, row, strict=True):
            sizes[name] += int(size)
    return sizes


def _run_loop(
    engine: str, saver: Any, texts: list[str], extra: tuple[str, ...]
) -> tuple[list[float], str]:
    """Run the loop on a fresh thread; return saver time per step and the thread id."""
    if engine == "ours":
        from hitl_notebook import END, START, StateGraph, add_messages
    else:
        from langgraph.graph import END, START, StateGraph
        from langgraph.graph.message import add_messages

    state = TypedDict("LoopState", {"messages": Annotated[list, add_messages]})

    def talk(s: dict) -> dict:
        return {"messages": [{"role": "assistant", "content": texts[len(s["messages"])]}]}

    def route(s: dict) -> str:
        return "talk" if len(s["messages"]) < len(texts) else END

    builder = StateGraph(state)
    builder.add_node("talk", talk)
    builder.add_edge(START, "talk")
    builder.add_conditional_edges("talk", route, ["talk", END])
    graph = builder.compile(checkpointer=saver)
    timer = _CallTimer(saver, extra)
    thread_id = f"loop-{uuid.uuid4().hex[:8]}"
    out = graph.invoke(
        {"messages": []},
        {"configurable": {"thread_id": thread_id}, "recursion_limit": 10 * len(texts)},
    )
    if len(out["messages"]) != len(texts):
        raise AssertionError(
            f"{engine}: expected {len(texts)} messages, got {len(out['messages'])}"
        )
    return timer.steps, thread_id


def _counter_thread(saver: Any, steps: int) -> str:
    """A thread of ``steps`` checkpoints with a tiny state (a counter), written by our engine."""
    from hitl_notebook import END, START, StateGraph

    state = TypedDict("CounterState", {"n": int})
    builder = StateGraph(state)
    builder.add_node("tick", lambda s: {"n": s["n"] + 1})
    builder.add_edge(START, "tick")
    builder.add_conditional_edges(
        "tick", lambda s: "tick" if s["n"] < steps else END, ["tick", END]
    )
    thread_id = f"counter-{uuid.uuid4().hex[:8]}"
    builder.compile(checkpointer=saver).invoke(
        {"n": 0}, {"configurable": {"thread_id": thread_id}, "recursion_limit": 2 * steps}
    )
    return thread_id


def _cold_get_ms(saver: Any, thread_id: str, samples: int = 50) -> float:
    """Median time of ``get`` on random checkpoints with the cache cleared each time."""
    ids = [r.id for r in saver.list(thread_id)]
    rng = random.Random(2)
    times = []
    for cid in rng.sample(ids, min(samples, len(ids))):
        saver.clear_cache()
        start = time.perf_counter()
        saver.get(thread_id, "", cid)
        times.append(time.perf_counter() - start)
    times.sort()
    return times[len(times) // 2] * 1000


def _windows(steps: list[float], window: int) -> tuple[float, float]:
    return sum(steps[:window]) / window, sum(steps[-window:]) / window


@contextmanager
def _postgres_dsn() -> Iterator[str]:
    if os.environ.get("HITL_POSTGRES_DSN"):
        yield os.environ["HITL_POSTGRES_DSN"]
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "checkpoint"))
    from conftest import _start_cluster

    cluster = _start_cluster()
    try:
        yield cluster.dsn
    finally:
        cluster.stop()


def _savers(
    tmp: str, postgres: str | None
) -> list[tuple[str, str, Callable[[], Any], Callable[[Any], Sizes], tuple[str, ...]]]:
    """(label, engine, make saver, measure stored bytes, extra write methods) per saver."""
    from hitl_notebook.checkpoint.memory import InMemorySaver
    from hitl_notebook.checkpoint.sqlite import SqliteSaver

    ours_db, lg_db = os.path.join(tmp, "ours.db"), os.path.join(tmp, "langgraph.db")
    rows: list = [
        ("ours InMemorySaver", "ours", InMemorySaver, lambda s: Sizes(_bytes_in(s._threads)), ("put_outcome",)),
        ("ours SqliteSaver", "ours", lambda: SqliteSaver(ours_db), lambda s: _sqlite_sizes(ours_db, _OURS_SQL), ("put_outcome",)),
    ]  # fmt: skip
    if postgres:
        from hitl_notebook.checkpoint.postgres import PostgresSaver

        def make_pg() -> Any:
            saver = PostgresSaver.from_conn_string(postgres)
            saver.setup()
            with saver._lock:
                saver._conn.execute(f"TRUNCATE {', '.join(saver._tables())}")
                saver._conn.execute("VACUUM FULL")  # a fresh start: no pages of earlier runs
            return saver

        def pg_sizes(saver: Any) -> Sizes:
            with saver._lock:
                stored = saver._conn.execute(_PG_STORED_SQL).fetchone()[0]
                parts = relation_sizes(saver._conn)
                saver.vacuum()
                vacuumed = relation_sizes(saver._conn)["total"]
                return Sizes(int(stored), parts["total"], vacuumed, parts)

        rows.append(("ours PostgresSaver", "ours", make_pg, pg_sizes, ("put_outcome",)))
    try:
        from langgraph.checkpoint.memory import InMemorySaver as LGMemory
        from langgraph.checkpoint.sqlite import SqliteSaver as LGSqlite
    except ImportError as exc:
        print(f"LangGraph savers skipped: {exc}")
    else:

        def lg_memory_bytes(s: Any) -> Sizes:
            return Sizes(
                _bytes_in(dict(s.storage)) + _bytes_in(dict(s.writes)) + _bytes_in(dict(s.blobs))
            )

        rows += [
            ("LangGraph InMemorySaver", "langgraph", LGMemory, lg_memory_bytes, ("put_writes",)),
            ("LangGraph SqliteSaver", "langgraph",
             lambda: LGSqlite(sqlite3.connect(lg_db, check_same_thread=False)),
             lambda s: _sqlite_sizes(lg_db, _LANGGRAPH_SQL), ("put_writes",)),
        ]  # fmt: skip
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--window", type=int, default=100)
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args(argv)
    texts = _texts(args.turns)
    payload = sum(len(t) for t in texts)
    results: list[Result] = []
    shm = "/dev/shm" if os.path.isdir("/dev/shm") else None  # same RAM disk for every SQLite file
    with (
        tempfile.TemporaryDirectory(prefix="hitl-bench-", dir=shm) as tmp,
        _maybe_postgres(args.no_postgres) as dsn,
    ):
        for label, engine, make, measure, extra in _savers(tmp, dsn):
            saver = make()
            steps, thread_id = _run_loop(engine, saver, texts, extra)
            first, last = _windows(steps, args.window)
            sizes = measure(saver)
            cold = counter = None
            if engine == "ours":
                cold = _cold_get_ms(saver, thread_id)
                counter = _cold_get_ms(saver, _counter_thread(saver, 2000), samples=200)
            results.append(Result(label, sizes, first, last, cold, counter))
            if hasattr(saver, "close"):
                saver.close()
    _print(results, payload, args)
    return 0


@contextmanager
def _maybe_postgres(disabled: bool) -> Iterator[str | None]:
    if disabled:
        yield None
        return
    try:
        with _postgres_dsn() as dsn:
            yield dsn
    except RuntimeError as exc:
        print(f"PostgreSQL skipped: {exc}")
        yield None


def _ratio(size: int | None, payload: int) -> str:
    return "-" if size is None else f"{size / payload:.2f}"


def _print(results: list[Result], payload: int, args: argparse.Namespace) -> None:
    print(
        f"{args.turns}-turn loop, one ~200-byte message appended per turn; payload {payload:,} bytes of text"
    )
    print(
        "stored = serialised bytes kept (data + metadata columns; in memory: bytes held); file = SQLite "
        "file / PostgreSQL tables with indexes and TOAST; vacuumed = file after VACUUM; x = / payload"
    )
    print(
        f"saver time per step = time inside the saver's write calls; window = {args.window} steps"
    )
    print(
        "get ms: cold get of a random checkpoint of this thread; get@2000 ms: of a 2,000-checkpoint counter thread"
    )
    print(
        "(SQLite files on /dev/shm for both: disk sync cost left out; ours uses WAL + synchronous=NORMAL)\n"
    )
    header = (
        f"{'saver':<26}{'stored':>14}{'x':>8}{'file':>14}{'x':>8}{'vacuumed':>14}{'x':>8}"
        f"{'first ms':>10}{'last ms':>9}{'last/first':>11}{'get ms':>8}{'get@2000 ms':>12}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        z = r.sizes
        file = f"{z.file:,}" if z.file is not None else "-"
        vacuumed = f"{z.vacuumed:,}" if z.vacuumed is not None else "-"
        cold = f"{r.cold_get:.2f}" if r.cold_get is not None else "-"
        counter = f"{r.counter_get:.3f}" if r.counter_get is not None else "-"
        print(
            f"{r.name:<26}{z.stored:>14,}{_ratio(z.stored, payload):>8}{file:>14}{_ratio(z.file, payload):>8}"
            f"{vacuumed:>14}{_ratio(z.vacuumed, payload):>8}"
            f"{r.first * 1000:>10.3f}{r.last * 1000:>9.3f}{r.last / r.first:>11.2f}{cold:>8}{counter:>12}"
        )
    print()
    for r in results:
        if r.sizes.parts is not None:
            z = r.sizes.parts
            print(
                f"{r.name} tables, {z['total']:,} bytes: "
                + ", ".join(
                    f"{label} {z[key]:,} ({z[key] / payload:.2f}x)"
                    for key, label in (
                        ("heap", "heap"),
                        ("maps", "free-space/visibility maps"),
                        ("indexes", "indexes"),
                        ("toast", "TOAST"),
                    )
                )
            )
    by_name = {r.name: r for r in results}
    for ours, theirs in (
        ("ours InMemorySaver", "LangGraph InMemorySaver"),
        ("ours SqliteSaver", "LangGraph SqliteSaver"),
    ):
        if ours in by_name and theirs in by_name:
            a, b = by_name[ours], by_name[theirs]
            print(
                f"{theirs} / {ours}: bytes stored {b.sizes.stored / a.sizes.stored:.1f}x, "
                f"saver time in the last {args.window} steps {b.last / a.last:.1f}x"
            )


if __name__ == "__main__":
    sys.exit(main())
