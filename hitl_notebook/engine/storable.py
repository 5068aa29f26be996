"""Checking, before a call writes anything, that what it will store can be stored.

A call that fails half-way must leave the thread as it was: an answer saved before the
run's metadata turned out to be unstorable would be consumed by a failed call (the
interrupt no longer pending, a retry refused, ``invoke(None)`` silently using it). So the
run's metadata and what the input itself will store (a ``Command``'s answer, update and
goto) are encoded first; only then does the call write.
"""

from __future__ import annotations

from typing import Any

from ..checkpoint.codec import dump_metadata
from ..checkpoint.serde import SerializationError, check_serialisable
from ..types import Command

__all__ = ["check_call_storable"]


def check_call_storable(thread_id: str | None, metadata: dict, input: Any) -> None:
    """Raise ``SerializationError`` naming the part of the call that cannot be stored."""
    if metadata:  # (empty metadata, the usual, is always storable)
        dump_metadata(metadata, _where(thread_id))
    if not isinstance(input, Command):
        return
    parts = {"update": input.update, "goto": input.goto}
    if input.has_resume:
        parts["resume"] = input.resume
    for name, value in parts.items():
        if value is None or (type(value) is tuple and not value):  # not given
            continue
        try:
            check_serialisable(value, f"Command({name}=...)")
        except SerializationError as exc:
            raise SerializationError(f"cannot store {_where(thread_id)}: {exc}") from None


def _where(thread_id: str | None) -> str:
    return f"a checkpoint of thread {thread_id!r}"
