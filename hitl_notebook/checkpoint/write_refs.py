"""A step's ``writes`` stored as references to its changes, so a message is stored once.

A checkpoint keeps what its step changed (the delta) and what each node wrote (``writes``,
which the history timeline shows, exactly as the node returned it). When a single node is
the only writer of a channel, the delta holds its write, or the bulk of it: for a
last-value channel the very value stored (a reference ``[node, channel, -1]``, unless the
value is a number, a bool or a short string: no longer than the reference); for a list
it appended to as many items as it wrote, each long string of an item dict that the stored
item holds under the same key (a message dict's ``content``, in the message it became):
``[node, channel, count, index, key]``. Reading fills them back in from the checkpoint's
values, so the writes read back exactly as written.

Schema version 2 kept the references as JSON text in the writes section's name; version 3
stores ``[references, writes]`` as the section's data (one deflate stream: the node and
channel names are written once), and reads both.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .base import Append, Change, Replace
from .copying import fresh_copy
from .serde import DeserializationError

__all__ = ["join_writes", "split_writes"]

_WHOLE = -1
#: Strings shorter than this are stored twice: a reference would not be shorter.
MIN_SHARED = 24


def split_writes(writes: Any, changes: Mapping[str, Change]) -> tuple[Any, list[list]]:
    """``writes`` with what its changes already hold replaced by None, and the references
    to it (none: ``writes`` itself and ``[]``)."""
    if type(writes) is not dict:
        return writes, []
    for changed in changes.values():  # most steps change only short strings and numbers
        value = getattr(changed, "value", None)
        if (type(value) is not str or len(value) >= MIN_SHARED) and _may_refer(changed):
            break
    else:
        return writes, []
    updates = {n: u for n, u in writes.items() if type(n) is str and type(u) is dict}
    shared = _shared_channels(updates)
    refs: list[list] = []
    shown: dict | None = None
    for node, update in updates.items():
        for channel, raw in update.items():
            change = changes.get(channel) if type(channel) is str else None
            if change is None or channel in shared:
                continue
            if type(change) is Replace and raw is change.value and _worth_a_reference(raw):
                kept: Any = None
                refs.append([node, channel, _WHOLE])
            elif type(change) is Append and type(raw) is list and 0 < len(raw) == len(change.items):
                found = len(refs)
                kept = _split_items(raw, change.items, node, channel, refs)
                if len(refs) == found:
                    continue
            else:
                continue
            if shown is None:
                shown = {n: dict(u) if n in updates else u for n, u in writes.items()}
            shown[node][channel] = kept
    if shown is None:
        return writes, []
    return shown, refs


def _may_refer(change: Change) -> bool:
    """Whether a write could be stored as a reference to ``change`` (most steps change
    only short strings and numbers: their writes are kept whole, without a walk)."""
    return type(change) is Append or (type(change) is Replace and _worth_a_reference(change.value))


def _shared_channels(updates: dict[str, dict]) -> set:
    """Channels more than one node wrote in the step (the delta cannot say whose is whose)."""
    if len(updates) < 2:
        return set()
    seen: set = set()
    shared: set = set()
    for update in updates.values():
        for channel in update:
            (shared if channel in seen else seen).add(channel)
    return shared


def _worth_a_reference(value: Any) -> bool:
    """A reference (``[node, channel, -1]``) is longer than a number, a flag or a short
    string: those are stored twice, and read back without the checkpoint's values (a
    timeline page of counters then rebuilds no state)."""
    if value is None or type(value) in (bool, int, float):
        return False
    return type(value) is not str or len(value) >= MIN_SHARED


def _split_items(raw: list, stored: list, node: str, channel: str, refs: list) -> list:
    """The node's items with each long string that its stored item holds under the same
    key (a message dict's ``content`` in the message it became) replaced by None."""
    out = list(raw)
    count = len(raw)
    for i, (item, kept) in enumerate(zip(raw, stored)):
        if type(item) is not dict:
            continue
        copy = None
        for key, text in item.items():
            if (
                type(key) is str
                and type(text) is str
                and len(text) >= MIN_SHARED
                and _field(kept, key) == text
            ):
                copy = dict(item) if copy is None else copy
                copy[key] = None
                refs.append([node, channel, count, i, key])
        if copy is not None:
            out[i] = copy
    return out


def _field(item: Any, key: str) -> Any:
    return item.get(key) if type(item) is dict else getattr(item, key, None)


def join_writes(writes: Any, refs: Any, values: Mapping[str, Any], where: object) -> Any:
    """Inverse of ``split_writes``: the references (a list, or version 2's JSON text)
    filled in from the checkpoint's values (fresh copies)."""
    try:
        found: list = json.loads(refs) if type(refs) is str else refs
        filled = {n: dict(u) if type(u) is dict else u for n, u in writes.items()}
        for node, channel, count, *at in found:
            value = values[channel]
            if count == _WHOLE and not at:
                filled[node][channel] = fresh_copy(value)
                continue
            index, key = at
            if not (
                type(value) is list and type(count) is int and 0 <= index < count <= len(value)
            ):
                raise ValueError(f"bad reference {[node, channel, count, *at]!r}")
            text = _field(value[len(value) - count + index], key)
            if type(text) is not str:
                raise ValueError(f"reference {[node, channel, count, *at]!r} finds no text")
            items = filled[node][channel] = list(filled[node][channel])
            items[index] = {**items[index], key: text}
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise DeserializationError(
            f"{where} is unreadable: writes refer to its values wrongly ({exc!r})"
        ) from None
    return filled
