"""State schema -> channels: reads a TypedDict, dataclass or pydantic model's annotations."""

from __future__ import annotations

import dataclasses
import inspect
import typing
from collections.abc import Callable
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from ..checkpoint.serde import register_schema_types
from ..constants import ROOT
from ..errors import GraphValidationError
from .channels import Channel, LastValue, ReducerChannel, UntrackedChannel, UntrackedValue

__all__ = ["StateSchema"]


class StateSchema:
    """What a graph's state looks like: its keys, their channels, and how a node sees it."""

    def __init__(self, schema: type) -> None:
        self.schema = schema
        #: True when the state is one value rather than keys (see ``ROOT``).
        self.is_root = _is_root_schema(schema)
        #: The type of the one value of a root state (the schema, or its ``__root__`` key's).
        self.root_type: Any = schema
        if self.is_root:
            self.channels: dict[str, Channel] = {ROOT: _channel_for(ROOT, schema)}
        else:
            hints = _type_hints(schema)
            self.channels = {key: _channel_for(key, hint) for key, hint in hints.items()}
            if list(hints) == [ROOT]:  # a class whose only key is ``__root__``, as LangGraph
                self.is_root, self.root_type = True, hints[ROOT]
        self._builds_object = _is_dataclass_or_pydantic(schema)
        #: True when ``node_view`` is the values dict itself (keys, not one value or an object).
        self.views_as_dict = not self.is_root and not self._builds_object
        # The classes the annotations name, so that checkpoints holding them can be read back
        # by a process that builds this graph (see hitl_notebook.checkpoint.serde).
        register_schema_types(schema)

    @property
    def keys(self) -> list[str]:
        return list(self.channels)

    def coerce_input(self, value: Any) -> dict[str, Any]:
        """A dict of key -> value from a dict or a schema object given as input/update."""
        if self.is_root:
            return {ROOT: value}
        if value is None:
            return {}
        if isinstance(value, dict):
            return value
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
        if hasattr(value, "model_dump") and hasattr(type(value), "model_fields"):
            # LangGraph's rule: every field but a ``None`` that was neither set nor differs
            # from its default (so a nested object mutated in place is kept).
            fields, given = type(value).model_fields, value.model_fields_set
            return {
                k: v
                for k, field in fields.items()
                if (v := getattr(value, k)) is not None or field.default is not None or k in given
            }
        raise TypeError(
            f"Expected a dict (or a {getattr(self.schema, '__name__', 'state')} object) as state input "
            f"or update, got {type(value).__name__}: {value!r:.80}"
        )

    def node_view(self, values: dict[str, Any]) -> Any:
        """The state as a node receives it: a dict, or the schema object for
        dataclass/pydantic schemas."""
        if self.is_root:
            return values.get(ROOT)
        if self._builds_object:
            return self.schema(**{k: v for k, v in values.items() if k in self.channels})
        return values

    def typed_view(self, values: Any) -> Any:
        """Output values (as ``output_view`` made them) as ``version="v2"`` shows them:
        the schema object for dataclass/pydantic schemas, else as they are."""
        return self.node_view(values) if self._builds_object else values

    def output_view(self, values: dict[str, Any]) -> Any:
        """The state as ``invoke`` returns it and snapshots show it: a dict of keys, or the
        value itself for a root schema."""
        return values.get(ROOT) if self.is_root else values


def _is_root_schema(schema: Any) -> bool:
    """Not a class with keys: ``Annotated[list, reducer]``, ``list``, ``int``, ``str``..."""
    if schema is dict or schema is Any:
        return False
    if get_origin(schema) is Annotated:
        return True
    if not isinstance(schema, type):
        return get_origin(schema) is not None  # list[str] and the like
    if issubclass(schema, dict) and schema is not dict:  # TypedDict, dict subclasses
        return False
    if _is_dataclass_or_pydantic(schema) or getattr(schema, "__annotations__", None):
        return False
    return schema in (list, int, float, str, bool, tuple, set, bytes) or not _type_hints_safe(
        schema
    )


def _type_hints_safe(schema: type) -> dict:
    try:
        return get_type_hints(schema)
    except Exception:
        return {}


def _type_hints(schema: type) -> dict[str, Any]:
    if schema is dict or schema is Any:
        return {}
    try:
        hints = get_type_hints(schema, include_extras=True)
    except Exception as exc:  # unresolvable forward refs: plain keys are fine, reducers are not
        hints = dict(getattr(schema, "__annotations__", {}))
        lost = [k for k, v in hints.items() if "Annotated" in str(getattr(v, "__forward_arg__", v))]
        if lost:
            raise GraphValidationError(
                f"Cannot resolve the annotations of {getattr(schema, '__name__', schema)!r} ({exc}), so the "
                f"reducers of {lost!r} would be lost. Define the schema at module level, or import what "
                "its annotations name where it is defined."
            ) from exc
    if hasattr(schema, "model_fields"):  # pydantic: only declared fields, not ClassVars
        return {k: hints.get(k, Any) for k in schema.model_fields}
    return {k: v for k, v in hints.items() if get_origin(v) is not typing.ClassVar}


def _channel_for(key: str, hint: Any) -> Channel:
    if get_origin(hint) is Annotated:
        base, *extras = get_args(hint)
        for extra in extras:
            if extra is UntrackedValue:
                return UntrackedChannel(key)
            if isinstance(extra, UntrackedValue):
                return UntrackedChannel(key, extra.guard)
        reducers = [x for x in extras if callable(x) and not isinstance(x, type)]
        if reducers:
            _check_reducer(key, reducers[-1])
            return ReducerChannel(key, reducers[-1], _default_factory(base))
    return LastValue(key)


def _check_reducer(key: str, reducer: Callable) -> None:
    """A reducer is called as ``reducer(current, update)``: it must take two positional
    arguments (a function that cannot is refused when the schema is read)."""
    try:
        signature = inspect.signature(reducer)
    except (TypeError, ValueError):  # builtins without a signature: trust them
        return
    params = list(signature.parameters.values())
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    required = [p for p in positional if p.default is p.empty]
    varargs = any(p.kind is p.VAR_POSITIONAL for p in params)
    if len(required) > 2 or (len(positional) < 2 and not varargs):
        raise GraphValidationError(
            f"Invalid reducer signature. Expected (a, b) -> c. Got {signature}: the reducer of key {key!r} is "
            "called with the current value and an update."
        )


def _default_factory(base: Any) -> Callable[[], Any] | None:
    """Reducer keys start from their type's empty value (``list`` -> ``[]``), as in
    LangGraph, so the first write can be reduced into it."""
    origin = get_origin(base) or base
    if origin in (list, dict, set, tuple, int, float, str):
        return origin
    return None


def _is_dataclass_or_pydantic(schema: type) -> bool:
    return isinstance(schema, type) and (
        dataclasses.is_dataclass(schema) or hasattr(schema, "model_fields")
    )
