"""Widgets showing the same thread keep each other up to date.

Two widgets on one thread (the same checkpointer and thread id, e.g. ``show()`` called in
two cells) each hold their own view; when one of them changes the thread (a run ended,
state edited, a fork) the others re-read it, so answering in one updates the other.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any

__all__ = ["announce_change", "register"]

_sessions: weakref.WeakSet = weakref.WeakSet()
_lock = threading.Lock()


def register(session: Any) -> None:
    """Track ``session`` (weakly: a widget that is gone is forgotten)."""
    with _lock:
        _sessions.add(session)


def _key(session: Any) -> tuple[int, str] | None:
    checkpointer = getattr(getattr(session.runtime, "graph", None), "checkpointer", None)
    if checkpointer is None or session.thread_id is None:
        return None
    return id(checkpointer), session.thread_id


def announce_change(source: Any) -> None:
    """``source`` changed its thread: every other session on that thread refreshes (one
    with a run of its own in progress catches up when that run ends)."""
    key = _key(source)
    if key is None:
        return
    with _lock:
        peers = [s for s in _sessions if s is not source and _key(s) == key]
    for peer in peers:
        peer.refresh_from_peer()
