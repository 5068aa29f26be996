"""Rebuilding stored LangChain messages without validating each one again.

Reading a long conversation back builds hundreds of LangChain messages, and pydantic's
validation (with LangChain's own ``__init__`` and validators) was most of what reading an
old checkpoint cost. Most stored messages are plain: their stored fields are strings
(``content``, ``id``, ``name``...), every other field at its default. For such a shape,
one validated construction per class and set of fields shows where each given string
lands and what every other field becomes; later messages of that shape are assembled from
it directly, equal to what validation builds (same fields, defaults, fields set, extra and
private parts, same class). Anything else (a non-string value, an unknown field, a shape
whose construction does not pass the strings through unchanged) is validated as before,
so bad data fails exactly as it did.
"""

from __future__ import annotations

import sys
import threading
from typing import Any

__all__ = ["revive_langchain"]

#: Fields that may be assembled from a template, when the class has them and the stored
#: value is a ``str`` (every other field must be at its default, i.e. left out).
_STRING_FIELDS = frozenset({"content", "id", "name", "tool_call_id", "role"})
#: Types of default values a template may share between messages (immutable).
_SHAREABLE = frozenset({str, int, bool, float, type(None)})
#: Templates kept at most (shapes are few: per class, the subsets of ``_STRING_FIELDS``).
_MAX_TEMPLATES = 512

_new = object.__new__
_MODEL_SLOTS = ("__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__")


class _Template:
    """What validating a message of one class with one set of string fields builds."""

    __slots__ = ("empty_dicts", "empty_lists", "extra_is_dict", "fields", "fields_set", "setters")

    def __init__(
        self, fields: dict[str, Any], empties: tuple, fields_set: frozenset, extra: bool
    ) -> None:
        #: The built ``__dict__`` (given fields hold placeholders, replaced on each build).
        self.fields = fields
        #: The fields whose default is an empty ``dict``, or an empty ``list``.
        self.empty_dicts = tuple(name for name, kind in empties if kind is dict)
        self.empty_lists = tuple(name for name, kind in empties if kind is list)
        #: A set, copied for each message (pydantic keeps a mutable set).
        self.fields_set = set(fields_set)
        self.extra_is_dict = extra
        #: Setters of pydantic's ``__dict__``, ``__pydantic_extra__``, ``__pydantic_fields_set__``
        #: and ``__pydantic_private__`` slots (cheaper than ``object.__setattr__`` by name).
        base = sys.modules["pydantic"].BaseModel
        self.setters = tuple(base.__dict__[name].__set__ for name in _MODEL_SLOTS)


#: (class, stored field names in order) -> its template, or None when it has none.
_templates: dict[tuple[type, tuple[str, ...]], _Template | None] = {}
_lock = threading.Lock()


def revive_langchain(cls: type, fields: dict[str, Any]) -> Any:
    """``cls(**fields)``, assembled from a template when ``fields`` are all strings."""
    key = (cls, tuple(fields))
    template = _templates.get(key)
    if template is None and key not in _templates:
        template = _learn(cls, key[1])
    if template is None:
        return cls(**fields)
    for value in fields.values():
        if type(value) is not str:
            return cls(**fields)
    built = template.fields.copy()
    for name in template.empty_dicts:
        built[name] = {}
    for name in template.empty_lists:
        built[name] = []
    built.update(fields)
    set_dict, set_extra, set_fields_set, set_private = template.setters
    message: Any = _new(cls)
    set_dict(message, built)
    set_fields_set(message, template.fields_set.copy())
    set_extra(message, {} if template.extra_is_dict else None)
    set_private(message, None)
    return message


def _learn(cls: type, names: tuple[str, ...]) -> _Template | None:
    """The template of ``cls`` built from the string fields ``names``, found by validating
    two messages with different strings and checking that both came out alike; None when
    the shape does not qualify."""
    template = None
    model_fields = getattr(cls, "model_fields", {})
    if set(names) <= _STRING_FIELDS and all(n in model_fields for n in names):
        template = _compare(
            cls,
            names,
            [_probe(cls, {n: f"probe {i}: {n}" for n in names}) for i in (1, 2)],
        )
    with _lock:
        if len(_templates) >= _MAX_TEMPLATES:
            _templates.clear()
        _templates[(cls, names)] = template
    return template


def _probe(cls: type, given: dict[str, str]) -> tuple[dict[str, str], Any] | None:
    try:
        return given, cls(**given)
    except Exception:  # a required field is missing, or the class refuses these strings
        return None


def _compare(
    cls: type, names: tuple[str, ...], probes: list[tuple[dict[str, str], Any] | None]
) -> _Template | None:
    first, second = probes
    if first is None or second is None:
        return None
    parts = []
    for given, built in (first, second):
        fields = getattr(built, "__dict__", None)
        if (
            type(built) is not cls
            or type(fields) is not dict
            or any(fields.get(n) is not given[n] for n in names)
            or getattr(built, "__pydantic_private__", None) is not None
        ):
            return None
        extra = getattr(built, "__pydantic_extra__", None)
        if extra is not None and extra != {}:
            return None
        fields_set = getattr(built, "__pydantic_fields_set__", None)
        if type(fields_set) is not set:
            return None
        parts.append((fields, fields_set, type(extra)))
    (fields_1, set_1, extra_1), (fields_2, set_2, extra_2) = parts
    others_1 = {k: v for k, v in fields_1.items() if k not in names}
    others_2 = {k: v for k, v in fields_2.items() if k not in names}
    if list(fields_1) != list(fields_2) or set_1 != set_2 or extra_1 is not extra_2:
        return None
    empties = []
    for name, value in others_1.items():
        twin = others_2[name]
        if type(value) is not type(twin) or value != twin:
            return None
        if type(value) in (dict, list) and not value:
            empties.append((name, type(value)))
        elif type(value) not in _SHAREABLE:
            return None
    return _Template(dict(fields_1), tuple(empties), frozenset(set_1), extra_1 is dict)
