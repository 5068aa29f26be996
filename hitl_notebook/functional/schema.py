"""JSON schemas of an entrypoint's input and output, from its annotations (LangGraph's
``get_input_jsonschema``/``get_output_jsonschema``): the first parameter's type, and the
return type (``V`` of ``entrypoint.final[V, S]``)."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable
from typing import Any

from .plan import Final

__all__ = ["input_jsonschema", "output_jsonschema", "type_hints"]


def type_hints(func: Callable) -> dict[str, Any]:
    """The function's resolved annotations. A malformed ``entrypoint.final[...]`` raises
    ``TypeError`` here, when the entrypoint is defined; names that cannot be resolved yet
    are left out."""
    try:
        return typing.get_type_hints(func)
    except NameError:
        return {}


def input_jsonschema(func: Callable) -> dict:
    params = [
        p
        for p in inspect.signature(func).parameters.values()
        if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    hint = type_hints(func).get(params[0].name, Any) if params else Any
    return _schema(hint, "LangGraphInput")


def output_jsonschema(func: Callable) -> dict:
    hint = type_hints(func).get("return", Any)
    if hint is Final:
        hint = Any
    elif typing.get_origin(hint) is Final:
        hint = typing.get_args(hint)[0]
    return _schema(hint, "LangGraphOutput")


def _schema(hint: Any, title: str) -> dict:
    if hint is Any or hint is inspect.Parameter.empty:
        return {"title": title}
    from pydantic import TypeAdapter

    return {**TypeAdapter(hint).json_schema(), "title": title}
