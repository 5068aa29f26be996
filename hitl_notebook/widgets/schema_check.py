"""Check edited state values against the graph's state schema before they are written.

LangGraph (and our engine, to match it) stores whatever ``update_state`` is given for a
TypedDict or dataclass state: a string where the schema says ``int`` goes through and
breaks a node later. The widget flags such values first (the user may still save them);
a pydantic state refuses them, with pydantic's own message, as a pydantic model would.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Mapping
from typing import Any

__all__ = ["SchemaRefusal", "check_edit"]

#: Items of a long list checked against its item type (enough to catch a wrong kind).
_SAMPLE = 200


class SchemaRefusal(ValueError):
    """A pydantic state schema refused the edited values."""


def check_edit(schema: Any, current: Mapping, edited: Mapping) -> list[str]:
    """Warnings for ``edited`` values whose type the schema does not allow; raises
    SchemaRefusal when ``schema`` is a pydantic model that rejects the edited state."""
    if schema is None or not isinstance(edited, Mapping):
        return []
    if hasattr(schema, "model_validate") and hasattr(schema, "model_fields"):
        try:
            schema.model_validate({**dict(current), **dict(edited)})
        except Exception as exc:  # pydantic.ValidationError, without importing pydantic
            raise SchemaRefusal(f"{schema.__name__} refused the values: {exc}") from exc
        return []
    try:
        hints = typing.get_type_hints(schema, include_extras=True)
    except Exception:  # forward references we cannot resolve: nothing to check against
        return []
    warnings = []
    for key, value in edited.items():
        if key in hints and not _matches(value, hints[key]):
            shown = repr(value)
            shown = shown if len(shown) <= 60 else shown[:57] + "..."
            warnings.append(
                f"{key}: the schema says {_type_name(hints[key])}, the value is "
                f"{type(value).__name__} {shown}"
            )
    return warnings


def _matches(value: Any, tp: Any) -> bool:
    """Whether ``value`` fits ``tp``; anything we cannot judge counts as fitting."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is typing.Annotated:
        return _matches(value, args[0])
    if tp is Any or isinstance(tp, (typing.TypeVar, typing.ForwardRef, str)):
        return True
    if tp is None or tp is type(None):
        return value is None
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, arg) for arg in args)
    if origin is typing.Literal:
        return value in args
    if origin is not None:
        if not isinstance(origin, type):
            return True
        if not isinstance(value, origin):
            return False
        if isinstance(value, (list, set, frozenset, tuple)) and origin is not tuple and args:
            return all(_matches(item, args[0]) for item in list(value)[:_SAMPLE])
        if isinstance(value, Mapping) and len(args) == 2:
            return all(_matches(v, args[1]) for v in list(value.values())[:_SAMPLE])
        return True
    if not isinstance(tp, type):
        return True
    if typing.is_typeddict(tp) or dataclasses.is_dataclass(tp) or hasattr(tp, "model_fields"):
        return (
            isinstance(value, (tp, dict))
            if not typing.is_typeddict(tp)
            else isinstance(value, dict)
        )
    if tp is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, tp)


def _type_name(tp: Any) -> str:
    if typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return (
        tp.__name__
        if isinstance(tp, type) and not typing.get_args(tp)
        else str(tp).replace("typing.", "")
    )
