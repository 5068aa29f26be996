"""``python -m bench.prune``: what ``prune`` and ``vacuum`` give back on a long chat thread.

A chat loop (``human`` asks through ``interrupt()``, ``ai`` appends a ~200-byte reply, both
via ``add_messages``) runs ``--turns`` turns on a ``SqliteSaver`` file, every turn answered
by ``Command(resume=...)``. Printed per size: checkpoints, stored bytes (data + metadata +
outcomes) and the file size (after a WAL checkpoint), before pruning, after
``prune(keep_last=10)`` and after ``vacuum()``; and the time each call took.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import tempfile
import time
from typing import Annotated, TypedDict

__all__ = ["main"]

_STORED = (
    "SELECT (SELECT COALESCE(SUM(LENGTH(data) + LENGTH(metadata)), 0) FROM hitl_checkpoints)"
    " + (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM hitl_outcomes),"
    " (SELECT COUNT(*) FROM hitl_checkpoints)"
)


def _figures(path: str) -> tuple[int, int, int]:
    """(checkpoints, stored bytes, file bytes)."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        stored, count = conn.execute(_STORED).fetchone()
    finally:
        conn.close()
    return int(count), int(stored), os.path.getsize(path)


def _chat(path: str, turns: int) -> None:
    from hitl_notebook import START, Command, StateGraph, add_messages, interrupt
    from hitl_notebook.checkpoint import SqliteSaver

    state = TypedDict("Chat", {"messages": Annotated[list, add_messages]})
    rng = random.Random(1)

    def human(s: dict) -> dict:
        return {"messages": [{"role": "user", "content": interrupt("your turn?")}]}

    def ai(s: dict) -> dict:
        words = " ".join(f"word{rng.randrange(10_000)}" for _ in range(30))[:200]
        return {"messages": [{"role": "assistant", "content": words}]}

    graph = (
        StateGraph(state)
        .add_node("human", human)
        .add_node("ai", ai)
        .add_edge(START, "human")
        .add_edge("human", "ai")
        .add_edge("ai", "human")
        .compile(checkpointer=SqliteSaver(path))
    )
    config = {"configurable": {"thread_id": "chat"}, "recursion_limit": 10}
    graph.invoke({"messages": []}, config)
    for turn in range(turns):
        graph.invoke(Command(resume=f"question {turn}"), config)


def measure(turns: int, keep_last: int = 10) -> list[str]:
    from hitl_notebook.checkpoint import SqliteSaver

    with tempfile.TemporaryDirectory(dir="/dev/shm" if os.path.isdir("/dev/shm") else None) as d:
        path = os.path.join(d, "chat.db")
        _chat(path, turns)
        rows = [("before", *_figures(path), 0.0)]
        saver = SqliteSaver(path)
        started = time.perf_counter()
        removed = saver.prune("chat", keep_last)
        rows.append(
            (f"prune(keep_last={keep_last})", *_figures(path), time.perf_counter() - started)
        )
        started = time.perf_counter()
        saver.vacuum()
        rows.append(("vacuum()", *_figures(path), time.perf_counter() - started))
        kept = saver.get("chat")
        saver.close()
    lines = [f"{turns:,}-turn chat thread on SQLite: prune removed {removed:,} checkpoints"]
    lines.append(
        f"{'':24} {'checkpoints':>12} {'stored bytes':>14} {'file bytes':>12} {'seconds':>8}"
    )
    for name, count, stored, size, seconds in rows:
        lines.append(f"{name:24} {count:>12,} {stored:>14,} {size:>12,} {seconds:>8.2f}")
    lines.append(f"latest checkpoint still reads: {len(kept.values['messages']):,} messages")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args(argv)
    for turns in args.turns:
        print("\n".join(measure(turns)), end="\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
