"""State values <-> the JSON the browser shows and edits, and JSON diffs between them.

Values that are not plain JSON (our messages, LangChain messages and other pydantic
models, dataclasses) are shown through their JSON form; an edited JSON form is turned back
into the original value's own class, or for messages into one of the fixed message
classes of the same library chosen by ``type`` (never a class named by the data).
Anything else is shown as a read-only ``{"__repr__": ...}`` so the editor never silently
corrupts it.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping
from typing import Any

from .. import messages as our_messages

__all__ = ["apply_ops", "diff", "preview", "revive", "sendable_text", "to_jsonable"]

_SCALARS = (str, int, float, bool, type(None))
_EXACT_SCALARS = frozenset(_SCALARS)


def to_jsonable(value: Any) -> Any:
    """A JSON-compatible copy of ``value`` for display and editing."""
    kind = type(value)  # the common exact types first: a 1,000-message state is converted per view
    if kind is str:
        return sendable_text(value)
    if kind in _EXACT_SCALARS:
        return value
    if kind is dict:
        return {
            sendable_text(k if type(k) is str else str(k)): to_jsonable(v) for k, v in value.items()
        }
    if kind is list:
        return [to_jsonable(v) for v in value]
    if isinstance(value, str):
        return sendable_text(value)
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, Mapping):
        return {sendable_text(str(k)): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((to_jsonable(v) for v in value), key=repr)
    if isinstance(value, our_messages.BaseMessage):
        # Our messages are dataclasses whose ``type`` is a class attribute: the dataclass
        # fields alone would not say whether a message is human, ai, system or tool.
        return to_jsonable(our_messages.message_to_dict(value))
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        return to_jsonable(dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return {"__repr__": repr(value)}


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def sendable_text(text: str) -> str:
    """``text`` with lone surrogates (not encodable as UTF-8, so no kernel message could
    carry them) written as visible ``\\udXXX`` escapes; any other text is unchanged."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text


def revive(original: Any, edited: Any) -> Any:
    """``edited`` (JSON from the editor) as values of the same kind as ``original``.

    Message lists keep message objects: an item matching an original message by ``id``
    is revived from that message; a new ``{"type"|"role": ...}`` item becomes a message of
    the library the list's messages come from (ours, or LangChain's). Unchanged JSON forms
    give back the original object untouched.
    """
    if to_jsonable(original) == edited:
        return original
    if isinstance(edited, dict) and "__repr__" in edited and len(edited) == 1:
        raise ValueError("a value shown as __repr__ cannot be edited through JSON")
    if isinstance(original, (list, tuple)) and isinstance(edited, list):
        return _revive_list(list(original), edited)
    if isinstance(original, Mapping) and isinstance(edited, dict):
        return {k: revive(original[k], v) if k in original else v for k, v in edited.items()}
    if isinstance(original, our_messages.BaseMessage) and isinstance(edited, dict):
        return our_messages.message_from_dict(edited)
    validate = getattr(type(original), "model_validate", None)
    if callable(validate) and isinstance(edited, dict):
        return validate(edited)
    if dataclasses.is_dataclass(original) and isinstance(edited, dict):
        cls: Any = type(original)
        return cls(**{k: revive(getattr(original, k, None), v) for k, v in edited.items()})
    return edited


def _revive_list(original: list, edited: list) -> list:
    by_id = {getattr(item, "id", None): item for item in original if getattr(item, "id", None)}
    new_message = _message_builder(original)
    out = []
    for position, item in enumerate(edited):
        match = by_id.get(item.get("id")) if isinstance(item, dict) else None
        if match is None and position < len(original) and not by_id:
            match = original[position]
        if match is not None:
            out.append(revive(match, item))
        elif (
            new_message is not None
            and isinstance(item, dict)
            and ("type" in item or "role" in item)
        ):
            out.append(new_message(item))
        else:
            out.append(item)
    return out


def _message_builder(original: list) -> Any:
    """How to build a new message for a list holding ``original``: ours when the list
    holds our messages (LangChain is then never imported), LangChain's when it holds
    LangChain's, ``None`` when it holds no messages."""
    if any(isinstance(item, our_messages.BaseMessage) for item in original):
        return our_messages.build_our_message
    if any(_is_langchain_message(item) for item in original):
        from langchain_core.messages import convert_to_messages

        return lambda item: convert_to_messages([item])[0]
    return None


def _is_langchain_message(value: Any) -> bool:
    return any(cls.__name__ == "BaseMessage" for cls in type(value).__mro__)


def diff(old: Any, new: Any, path: tuple = (), *, old_values: bool = False) -> list[dict]:
    """Operations turning JSON ``old`` into ``new``: ``set``, ``delete`` and ``append``
    (a list grown at its end sends only the new items). With ``old_values``, ``set`` and
    ``delete`` also carry the value they replace or remove as ``old`` (a diff to show;
    patches sent to the browser leave it out)."""
    if old == new:
        return []
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict] = []
        for key in old:
            if key not in new:
                ops.append(_op("delete", [*path, key], old_values, old=old[key]))
        for key, value in new.items():
            if key in old:
                ops.extend(diff(old[key], value, (*path, key), old_values=old_values))
            else:
                ops.append({"op": "set", "path": [*path, key], "value": value})
        return ops
    if (
        isinstance(old, list)
        and isinstance(new, list)
        and len(new) > len(old)
        and new[: len(old)] == old
    ):
        return [{"op": "append", "path": list(path), "items": new[len(old) :]}]
    if isinstance(old, list) and isinstance(new, list) and (old_values or len(new) == len(old)):
        # Item by item where both have items; to show, what is left is appended or deleted.
        ops = []
        for index, (a, b) in enumerate(zip(old, new)):
            ops.extend(diff(a, b, (*path, index), old_values=old_values))
        if len(new) > len(old):
            ops.append({"op": "append", "path": list(path), "items": new[len(old) :]})
        for index in range(len(old) - 1, len(new) - 1, -1):
            ops.append(_op("delete", [*path, index], old_values, old=old[index]))
        return ops
    return [_op("set", list(path), old_values, old=old, value=new)]


def _op(kind: str, path: list, old_values: bool, *, old: Any, **fields: Any) -> dict:
    op = {"op": kind, "path": path, **fields}
    if old_values:
        op["old"] = old
    return op


def apply_ops(value: Any, ops: list[dict]) -> Any:
    """Apply :func:`diff` operations to a JSON value (a copy is returned)."""
    result = json.loads(json.dumps(value))
    for op in ops:
        path = op["path"]
        if not path:
            result = op["value"] if op["op"] == "set" else result + op["items"]
            continue
        parent = result
        for key in path[:-1]:
            parent = parent[key]
        last = path[-1]
        if op["op"] == "set":
            parent[last] = op["value"]
        elif op["op"] == "delete":
            del parent[last]
        else:
            parent[last].extend(op["items"])
    return result


def preview(value: Any, limit: int = 160) -> str:
    """Compact one-line JSON of ``value``, cut to ``limit`` characters."""
    text = json.dumps(to_jsonable(value), ensure_ascii=False, separators=(",", ":"))
    return text if len(text) <= limit else text[: limit - 1] + "…"
