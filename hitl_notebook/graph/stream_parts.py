"""LangGraph 1.1's ``version="v2"`` output shapes: ``stream``/``astream`` yield typed parts
(``{"type": mode, "ns": namespace, "data": chunk}``; a ``values`` part carries its
``interrupts`` apart and its ``data`` as the output schema's object, a checkpoint's
``values`` are the state schema's object), and ``invoke`` returns a ``GraphOutput``.
Made from the v1 chunks, so both versions run alike."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any, NamedTuple

from ..constants import INTERRUPT, START
from ..types import GraphOutput
from .schema import StateSchema

__all__ = [
    "VERSIONS",
    "Shapes",
    "apart",
    "aparts",
    "check_version",
    "graph_output",
    "part",
    "parts",
]

VERSIONS = ("v1", "v2")


class Shapes(NamedTuple):
    """The classes v2 output shows values as: ``output`` for ``values`` parts and
    ``invoke``'s value (None: as they are), ``state`` for checkpoints' values."""

    output: StateSchema | None
    state: StateSchema


def check_version(version: str) -> bool:
    """True for ``"v2"``; an unknown version is refused (LangGraph takes it as v1)."""
    if version not in VERSIONS:
        raise ValueError(f"Unknown version {version!r}; choose 'v1' or 'v2'.")
    return version == "v2"


def apart(values: Any, schema: StateSchema | None) -> tuple[Any, tuple]:
    """``values`` without its ``__interrupt__`` key, as ``schema``'s object (None: as it
    is), and the interrupts it carried."""
    interrupts: tuple = ()
    if isinstance(values, dict) and INTERRUPT in values:
        values = dict(values)
        interrupts = tuple(values.pop(INTERRUPT))
    if schema is None or not isinstance(values, dict):
        return values, interrupts
    return schema.typed_view(values), interrupts


def graph_output(values: Any, shapes: Shapes) -> GraphOutput:
    """What ``invoke(version="v2")`` returns for the values ``invoke`` would return."""
    value, interrupts = apart(values, shapes.output)
    return GraphOutput(value=value, interrupts=interrupts)


def part(item: tuple, subgraphs: bool, shapes: Shapes) -> dict:
    """One v2 part from a v1 ``(mode, chunk)`` (or ``(ns, mode, chunk)``) item."""
    ns, mode, data = item if subgraphs else ((), *item)
    if mode == "values":
        value, interrupts = apart(data, shapes.output)
        return {"type": "values", "ns": ns, "data": value, "interrupts": interrupts}
    if mode == "checkpoints":
        data = _typed_checkpoint(data, shapes.state)
    elif mode == "debug" and isinstance(data, dict) and data.get("type") == "checkpoint":
        data = {**data, "payload": _typed_checkpoint(data.get("payload"), shapes.state)}
    return {"type": mode, "ns": ns, "data": data}


def _typed_checkpoint(payload: Any, state: StateSchema) -> Any:
    """A checkpoint payload with its values as the state's object; not the input
    checkpoint's (its state is not whole yet), as LangGraph."""
    if (
        not isinstance(payload, dict)
        or not isinstance(payload.get("values"), dict)
        or START in payload.get("next", ())
    ):
        return payload
    return {**payload, "values": state.typed_view(payload["values"])}


def parts(chunks: Iterator[Any], subgraphs: bool, shapes: Shapes) -> Iterator[dict]:
    try:
        for item in chunks:
            yield part(item, subgraphs, shapes)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()


async def aparts(
    chunks: AsyncIterator[Any], subgraphs: bool, shapes: Shapes
) -> AsyncIterator[dict]:
    try:
        async for item in chunks:
            yield part(item, subgraphs, shapes)
    finally:
        close = getattr(chunks, "aclose", None)
        if close is not None:
            await close()
