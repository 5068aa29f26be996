"""Fresh copies of checkpoint values, several times faster than ``copy.deepcopy``.

Savers hand out copies so that mutating a returned state never changes what is stored.
Values are what serde can store: JSON-like containers, immutable scalars, messages and
registered dataclasses (copied field by field here) and a few other types (handed to
``deepcopy``). Like a serialise/deserialise round trip, and unlike ``deepcopy``, two
references to one object become two independent copies.
"""

from __future__ import annotations

import copy
import dataclasses
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

__all__ = ["fresh_copy"]

_IMMUTABLE = frozenset(
    {
        str,
        int,
        float,
        bool,
        type(None),
        bytes,
        complex,
        Decimal,
        UUID,
        date,
        datetime,
        time,
        timedelta,
        timezone,
    }
)


@cache
def _plain_dataclass(cls: type) -> bool:
    """A dataclass with an instance ``__dict__`` and no custom copy/pickle hooks."""
    if not dataclasses.is_dataclass(cls) or "__slots__" in cls.__dict__:
        return False
    hooks = (
        "__deepcopy__",
        "__copy__",
        "__reduce__",
        "__reduce_ex__",
        "__getstate__",
        "__setstate__",
    )
    return not any(getattr(cls, h, None) is not getattr(object, h, None) for h in hooks)


def fresh_copy(value: Any) -> Any:
    """A copy of ``value`` sharing nothing mutable with it."""
    t: type = type(value)
    if t in _IMMUTABLE:
        return value
    # Items that are immutable (most of them) are kept without a call per item.
    if t is list:
        return [v if type(v) in _IMMUTABLE else fresh_copy(v) for v in value]
    if t is dict:
        return {k: v if type(v) in _IMMUTABLE else fresh_copy(v) for k, v in value.items()}
    if t is tuple:
        return tuple(v if type(v) in _IMMUTABLE else fresh_copy(v) for v in value)
    if _plain_dataclass(t):
        fields = value.__dict__.copy()
        for k, v in fields.items():
            if type(v) not in _IMMUTABLE:
                fields[k] = fresh_copy(v)
        new: Any = object.__new__(t)
        new.__dict__ = fields
        return new
    return copy.deepcopy(value)
