"""A step's ``writes`` stored as references to its changes, so a message is stored once.

A checkpoint keeps what its step changed (the delta) and what each node wrote (``writes``,
which the history timeline shows). When a single node is the only writer of a channel, its
write is what the delta holds: the items it appended to a list (an ``add_messages`` or
``operator.add`` channel, when it wrote as many items as were appended), or, for a
last-value channel, the very value stored. Such an entry is stored as a reference
``[node, channel, count]`` (``count`` items appended, or -1 for the whole value) and read
back from the checkpoint's values: the write shows the items as the reducer stored them
(a message dict as the message it became, with its id).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from .base import Append, Change, Replace
from .copying import fresh_copy
from .serde import DeserializationError

__all__ = ["join_writes", "split_writes"]

#: References are kept in the writes section's name: at most this many bytes of them.
MAX_REFS_TEXT = 4096
_WHOLE = -1


def split_writes(writes: Any, changes: Mapping[str, Change]) -> tuple[Any, str]:
    """``writes`` with the entries its changes already hold replaced by None, and the
    references to them as JSON text ("" when there are none)."""
    if type(writes) is not dict or not changes:
        return writes, ""
    updates = {n: u for n, u in writes.items() if type(n) is str and type(u) is dict}
    writers = Counter(ch for u in updates.values() for ch in u)
    refs: list[list] = []
    shown = None
    for node, update in updates.items():
        for channel, raw in update.items():
            change = changes.get(channel) if type(channel) is str else None
            if change is None or writers[channel] != 1:
                continue
            if type(change) is Append and type(raw) is list and 0 < len(raw) == len(change.items):
                count = len(raw)
            elif type(change) is Replace and raw is change.value and raw is not None:
                count = _WHOLE
            else:
                continue
            if shown is None:
                shown = {n: dict(u) if n in updates else u for n, u in writes.items()}
            shown[node][channel] = None
            refs.append([node, channel, count])
    if not refs:
        return writes, ""
    text = json.dumps(refs, ensure_ascii=False, separators=(",", ":"))
    if (
        len(text.encode("utf-8", "surrogatepass")) > MAX_REFS_TEXT
        or "\ud800" <= max(text) <= "\udfff"
    ):
        return writes, ""
    return shown, text


def join_writes(writes: Any, refs_text: str, values: Mapping[str, Any], where: object) -> Any:
    """Inverse of ``split_writes``: the references filled in from the checkpoint's values
    (fresh copies)."""
    try:
        refs = json.loads(refs_text)
        filled = {n: dict(u) if type(u) is dict else u for n, u in writes.items()}
        for node, channel, count in refs:
            value = values[channel]
            if count == _WHOLE:
                filled[node][channel] = fresh_copy(value)
            elif type(count) is int and 0 < count <= len(value) and type(value) is list:
                filled[node][channel] = fresh_copy(value[-count:])
            else:
                raise ValueError(f"bad reference {[node, channel, count]!r}")
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise DeserializationError(
            f"{where} is unreadable: writes refer to its values wrongly ({exc!r})"
        ) from None
    return filled
