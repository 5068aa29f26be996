"""Turning a checkpoint's pieces into serde bytes and back, with errors that say where.

Every failure names what was being written or read (thread, checkpoint, channel or task),
so a user can find the one damaged value instead of losing the thread.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import orjson

from . import serde
from .base import (
    CheckpointId,
    InterruptRecord,
    Namespace,
    TaskOutcome,
    TaskPlan,
    ThreadId,
    _derived_task_id,
    task_id,
)
from .serde import DeserializationError, SerializationError

__all__ = [
    "CheckpointLocation",
    "Where",
    "dump",
    "dump_metadata",
    "dump_outcome",
    "dump_plain",
    "dump_plans",
    "load",
    "load_metadata",
    "load_outcome",
    "load_plans",
]


class CheckpointLocation:
    """Names a checkpoint in error messages. Every write carries one, but it is formatted
    only when an error message is built."""

    __slots__ = ("checkpoint_id", "needed_by", "ns", "thread_id")

    def __init__(
        self,
        thread_id: ThreadId,
        ns: Namespace,
        checkpoint_id: CheckpointId,
        needed_by: str | None = None,
    ) -> None:
        self.thread_id, self.ns, self.checkpoint_id = thread_id, ns, checkpoint_id
        #: The checkpoint whose reading needed this one (an ancestor replayed for it).
        self.needed_by = needed_by

    def __str__(self) -> str:
        ns_part = f", namespace {self.ns!r}" if self.ns else ""
        needed = f", needed by checkpoint {self.needed_by!r}," if self.needed_by is not None else ""
        return f"checkpoint {self.checkpoint_id!r} (thread {self.thread_id!r}{ns_part}){needed}"


#: What an error message names: a stored checkpoint, or a description of what was being
#: written ("a checkpoint of thread 't'") before it has an id.
Where = CheckpointLocation | str


def dump(value: Any, path: str, where: Where) -> bytes:
    """Serialise ``value``; a failure names the checkpoint (``where``) and the ``path`` in it
    (e.g. ``values['messages'][3]``)."""
    try:  # what ``serde.dumps`` writes, without its error bookkeeping (the usual value)
        return orjson.dumps(serde.json_ready(value))
    except Exception:  # any failure is said, with its path, by ``serde.dumps`` below
        pass
    try:
        return serde.dumps(value, path)
    except SerializationError as exc:
        raise SerializationError(f"cannot store {where}: {exc}") from exc


def dump_plain(value: Any) -> bytes | None:
    """``value``'s serde bytes when it is a str, a bool, None or a 64-bit int, written
    without serde's walk (most changed channels of a step hold one); else None."""
    t = type(value)
    if t is str or t is bool or value is None or (t is int and -(2**63) <= value < 2**63):
        try:
            return orjson.dumps(value)
        except orjson.JSONEncodeError:  # lone surrogates: serde escapes them
            return None
    return None


def load(data: bytes, path: str, where: Where, *, shaped: bool = False) -> Any:
    """Deserialise ``data``; any failure is a ``DeserializationError`` naming ``where`` and
    the path. ``shaped``: already checked against ``bounds`` (see ``serde.loads``)."""
    try:
        return serde.loads(data, path, shaped=shaped)
    except Exception as exc:
        raise DeserializationError(f"{where} is unreadable: {exc}") from exc


def dump_metadata(metadata: Mapping[str, Any], where: Where) -> str:
    """Metadata as JSON text (kept queryable by SQL), or a ``SerializationError``."""
    if not metadata:  # the common case, on every step
        return "{}"
    try:
        text = json.dumps(dict(metadata), ensure_ascii=False, allow_nan=False, sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise SerializationError(f"cannot store {where}: metadata must be JSON ({exc})") from exc
    except RecursionError:
        raise SerializationError(f"cannot store {where}: metadata is nested too deeply") from None
    # PostgreSQL's jsonb cannot hold NUL and no SQL driver takes lone surrogates: refused on
    # every backend alike, so a filter finds on one what it finds on the others.
    if "\\u0000" in text and _has_nul(metadata):
        raise SerializationError(
            f"cannot store {where}: metadata must not contain NUL characters (\\x00)"
        )
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise SerializationError(
                f"cannot store {where}: metadata must be valid Unicode ({exc.reason}: "
                f"{exc.object[exc.start : exc.end]!r})"
            ) from None
    return text


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_nul(v) for v in value)
    return False


def load_metadata(text: str, where: Where) -> dict[str, Any]:
    """Parse stored metadata JSON; anything but a JSON object is a ``DeserializationError``."""
    if text == "{}":  # what ``dump_metadata`` stores on most steps: skip the parser
        return {}
    try:
        value = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise DeserializationError(f"{where} is unreadable: metadata is not JSON ({exc})") from exc
    if not isinstance(value, dict):
        raise DeserializationError(f"{where} is unreadable: metadata is not a JSON object")
    return value


def dump_plans(plans: list[TaskPlan], where: CheckpointLocation) -> bytes:
    """The ``next`` tasks as plain data (the saver does not depend on serde knowing TaskPlan).
    A plan whose id ``task_id`` derives from the checkpoint (the usual case) and that is no
    ``Send`` is stored as its name alone; others as ``[id or null, name, send_arg, is_send]``."""
    cid, ns = where.checkpoint_id, where.ns
    rows: list[Any] = []
    try:  # the usual plans, written without serde's walk (but for a Send's argument)
        for i, p in enumerate(plans):
            name, arg, is_send, pid = p.name, p.send_arg, p.is_send, p.id
            if type(name) is not str or type(is_send) is not bool or type(pid) is not str:
                break
            derived = pid == _derived_task_id(cid, ns, name, i if is_send else None)
            if derived and not is_send and arg is None:
                rows.append(name)
            else:
                value = arg if arg is None or type(arg) is str else serde.json_ready(arg)
                rows.append([None if derived else pid, name, value, is_send])
        else:
            return orjson.dumps(rows)
    except Exception:  # lone surrogates, or an argument serde refuses: said below
        pass
    rows = [
        p.name
        if not p.is_send and p.send_arg is None and p.id == _derived_id(where, p.name, i, False)
        else [
            None if p.id == _derived_id(where, p.name, i, p.is_send) else p.id,
            p.name,
            p.send_arg,
            p.is_send,
        ]
        for i, p in enumerate(plans)
    ]
    return dump(rows, "next", where)


def load_plans(data: bytes, where: CheckpointLocation) -> list[TaskPlan]:
    """Inverse of ``dump_plans`` (schema versions before 3 stored every plan as a list)."""
    raw = load(data, "next", where)
    cid, ns = where.checkpoint_id, where.ns
    try:  # a name alone (the usual plan) is rebuilt inline
        return [
            TaskPlan(_derived_task_id(cid, ns, item, None), item, None, False)
            if type(item) is str
            else _plan(where, k, item)
            for k, item in enumerate(raw)
        ]
    except (TypeError, ValueError) as exc:
        raise DeserializationError(
            f"{where} is unreadable: next tasks are malformed ({exc})"
        ) from exc


def _plan(where: CheckpointLocation, index: int, item: Any) -> TaskPlan:
    if type(item) is str:
        return TaskPlan(_derived_id(where, item, index, False), item, None, False)
    i, n, a, s = item
    return TaskPlan(_derived_id(where, n, index, bool(s)) if i is None else str(i), n, a, bool(s))


def _derived_id(where: CheckpointLocation, name: Any, index: int, is_send: bool) -> str:
    if type(name) is not str:
        raise TypeError(f"task name must be a str, not {type(name).__name__}")
    return task_id(where.checkpoint_id, where.ns, name, index if is_send else None)


def dump_outcome(outcome: TaskOutcome, where: Where) -> bytes:
    """A task outcome as plain data.

    Only the values a node or a user gave (writes, answers, interrupt values...) go through
    serde's walk; the frame around them is plain JSON, written as it is. Anything the writer
    refuses there is said, with its path, by a walk of the whole outcome."""
    try:
        return orjson.dumps(_outcome_tree(outcome, serde.json_ready))
    except Exception:  # any failure is said, with its path, by the walk below
        pass
    return dump(_outcome_tree(outcome, _as_is), f"outcomes[{outcome.task_id!r}]", where)


def _as_is(value: Any) -> Any:
    return value


def _outcome_tree(outcome: TaskOutcome, enc: Callable[[Any], Any]) -> dict[str, Any]:
    """``outcome`` as the dict stored, with ``enc`` applied to each value given by a node or
    a user (a str or None needs none)."""
    writes, error, answers = outcome.writes, outcome.error, outcome.answers
    asked = []
    for i in outcome.interrupts:  # (loops and no call for an empty list: cheaper in 3.11)
        if i.response_schema is None:
            asked.append([i.id, enc(i.value), i.index, i.ns])
        else:
            asked.append([i.id, enc(i.value), i.index, i.ns, enc(i.response_schema)])
    tree = {
        "task_id": outcome.task_id,
        "name": outcome.name,
        "writes": None
        if writes is None
        else [[c, v if type(v) is str else enc(v)] for c, v in writes],
        "answers": [] if type(answers) is list and not answers else enc(list(answers)),
        "interrupts": asked,
        "error": error if error is None or type(error) is str else enc(error),
        "goto": enc(list(outcome.goto)) if outcome.goto else [],
        "child_answers": enc(dict(outcome.child_answers)) if outcome.child_answers else {},
    }
    if outcome.task_results:
        tree["task_results"] = enc(dict(outcome.task_results))
    return tree


def load_outcome(data: bytes, task_id: str, where: Where) -> TaskOutcome:
    """Inverse of ``dump_outcome``."""
    try:
        raw = serde.loads(data, "outcome")
    except Exception:  # said again with the outcome's path (the path is built only then)
        raw = load(data, f"outcomes[{task_id!r}]", where)
    try:
        writes = raw["writes"]
        return TaskOutcome(
            raw["task_id"],
            raw["name"],
            None if writes is None else [(c, v) for c, v in writes],
            list(raw["answers"]),
            [InterruptRecord(i, v, n, s, *schema) for i, v, n, s, *schema in raw["interrupts"]],
            raw["error"],
            list(raw["goto"]),
            dict(raw.get("child_answers", ())),
            dict(raw.get("task_results", ())),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise DeserializationError(
            f"{where} is unreadable: outcomes[{task_id!r}] is malformed ({exc!r})"
        ) from exc
