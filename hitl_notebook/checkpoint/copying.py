"""Fresh copies of checkpoint values, several times faster than ``copy.deepcopy``.

Savers hand out copies so that mutating a returned state never changes what is stored.
Values are what serde can store: JSON-like containers, immutable scalars, messages,
registered dataclasses and pydantic models such as LangChain's messages (both copied field
by field here: pydantic's own ``__deepcopy__`` costs about three times as much, and copies
are most of what reading a history's values costs) and a few other types (handed to
``deepcopy``). Like a serialise/deserialise round trip, and unlike ``deepcopy``, two
references to one object become two independent copies.
"""

from __future__ import annotations

import copy
import dataclasses
import sys
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache
from typing import Any
from uuid import UUID

__all__ = ["IMMUTABLE", "fresh_copy"]

#: Types whose values are never copied (nothing in them can change).
IMMUTABLE = frozenset(
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


@cache
def _plain_pydantic(cls: type) -> bool:
    """A pydantic v2 model that copies with ``BaseModel.__deepcopy__`` (not overridden)."""
    pydantic = sys.modules.get("pydantic")  # no model can exist before pydantic is imported
    base = getattr(pydantic, "BaseModel", None)
    if base is None or not issubclass(cls, base) or "__slots__" in cls.__dict__:
        return False
    hooks = ("__deepcopy__", "__copy__", "__reduce__", "__reduce_ex__")
    if not all(getattr(cls, h, None) is getattr(base, h, None) for h in hooks):
        return False
    global _model_slots
    _model_slots = tuple(base.__dict__[name].__set__ for name in _MODEL_SLOTS)
    return True


_set = object.__setattr__
_new = object.__new__
#: ``BaseModel``'s slots that a copy sets...
_MODEL_SLOTS = ("__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__")
#: ...and their descriptors' setters, taken when ``_plain_pydantic`` first accepts a model
#: (pydantic is not imported before): cheaper than ``object.__setattr__`` by name.
_model_slots: tuple = ()
#: Types ``_plain_dataclass`` and ``_plain_pydantic`` accepted, checked before the
#: containers in ``fresh_copy``: the items of a long message list are most of what is copied.
_DATACLASSES: set[type] = set()
_MODELS: set[type] = set()


def _copy_fields(fields: dict) -> dict:
    """A copy of an object's ``__dict__`` (empty containers, common in messages, inline)."""
    fields = fields.copy()
    for k, v in fields.items():
        t = type(v)
        if t not in IMMUTABLE:
            fields[k] = t() if not v and (t is dict or t is list) else fresh_copy(v)
    return fields


def _copy_pydantic(value: Any) -> Any:
    """What ``BaseModel.__deepcopy__`` builds, with our copy of each field (``_copy_fields``
    inlined: a long message list is copied one model at a time)."""
    set_dict, set_extra, set_fields_set, set_private = _model_slots
    new: Any = _new(type(value))
    fields = value.__dict__.copy()
    for k, v in fields.items():
        t = type(v)
        if t not in IMMUTABLE:
            fields[k] = t() if not v and (t is dict or t is list) else fresh_copy(v)
    set_dict(new, fields)
    extra = value.__pydantic_extra__  # None, or a dict: empty in most messages, made inline
    set_extra(new, extra if extra is None else fresh_copy(extra) if extra else {})
    set_fields_set(new, value.__pydantic_fields_set__.copy())
    private = getattr(value, "__pydantic_private__", None)
    if private is not None:
        unset = sys.modules["pydantic_core"].PydanticUndefined
        private = fresh_copy({k: v for k, v in private.items() if v is not unset})
    set_private(new, private)
    return new


def fresh_copy(value: Any) -> Any:
    """A copy of ``value`` sharing nothing mutable with it."""
    t: type = type(value)
    if t in IMMUTABLE:
        return value
    if t in _DATACLASSES:
        new: Any = _new(t)
        new.__dict__ = _copy_fields(value.__dict__)
        return new
    if t in _MODELS:
        return _copy_pydantic(value)
    # Items that are immutable (most of them) are kept without a call per item.
    if t is list:
        return [v if type(v) in IMMUTABLE else fresh_copy(v) for v in value]
    if t is dict:
        return {k: v if type(v) in IMMUTABLE else fresh_copy(v) for k, v in value.items()}
    if t is tuple:
        return tuple(v if type(v) in IMMUTABLE else fresh_copy(v) for v in value)
    if _plain_dataclass(t):
        _DATACLASSES.add(t)
        return fresh_copy(value)
    if _plain_pydantic(t):
        _MODELS.add(t)
        return _copy_pydantic(value)
    return copy.deepcopy(value)
