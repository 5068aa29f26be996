"""Compile-time checks: each failure names the node or edge at fault."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..constants import normalise_breakpoints
from ..errors import GraphValidationError

if TYPE_CHECKING:
    from .builder import StateGraph

__all__ = ["refuse_unbuilt", "validate"]


def refuse_unbuilt(call: str, **options: object) -> None:
    """A LangGraph option we do not build (``cache_policy``, ``timeout``...) given a value
    is a named ``NotImplementedError``, never silently ignored."""
    for keyword, given in options.items():
        if given is not None:
            raise NotImplementedError(
                f"{call}({keyword}=...) is not supported by hitl_notebook yet."
            )


def validate(
    builder: StateGraph,
    interrupt_before: Sequence[str] | str | None,
    interrupt_after: Sequence[str] | str | None,
) -> None:
    from .builder import END, START

    nodes = builder.nodes
    if not nodes:
        raise GraphValidationError(
            "The graph has no nodes: add_node() at least one before compile()."
        )
    for source, target in builder._edge_order:
        if source != START and source not in nodes:
            raise GraphValidationError(
                f"Found edge starting at unknown node '{source}': edge {source!r} -> {target!r} "
                f"starts at unknown node {_known(source, nodes)}."
            )
        if target != END and target not in nodes:
            raise GraphValidationError(
                f"Found edge ending at unknown node `{target}`: edge {source!r} -> {target!r} "
                f"points to unknown node {_known(target, nodes)}."
            )
    for sources, target in builder.joins:
        for s in sources:
            if s not in nodes:
                raise GraphValidationError(
                    f"Need to add_node `{s}` first: join {list(sources)!r} -> {target!r} "
                    f"waits for unknown node {_known(s, nodes)}."
                )
        if target != END and target not in nodes:
            raise GraphValidationError(
                f"Need to add_node `{target}` first: join {list(sources)!r} -> {target!r} "
                f"points to unknown node {_known(target, nodes)}."
            )
    for source, branches in builder.branches.items():
        if source != START and source not in nodes:
            raise GraphValidationError(
                f"Found edge starting at unknown node '{source}': a conditional edge starts at "
                f"unknown node {_known(source, nodes)}."
            )
        for branch in branches:
            for target in (branch.path_map or {}).values():
                if target != END and target not in nodes:
                    name = getattr(branch.path, "__name__", "condition")
                    raise GraphValidationError(
                        f"At '{source}' node, '{name}' branch found unknown target '{target}': the conditional edge "
                        f"from {source!r} maps to unknown node {_known(target, nodes)}."
                    )
    has_entry = any(s == START for s, _ in builder._edge_order) or START in builder.branches
    if not has_entry:
        first = next(iter(nodes))
        raise GraphValidationError(
            "Graph must have an entrypoint: add at least one edge from START to another node. The graph has no "
            f"entry point: add_edge(START, 'node') or set_entry_point('node') (e.g. set_entry_point({first!r}))."
        )
    for label, names in (
        ("interrupt_before", interrupt_before),
        ("interrupt_after", interrupt_after),
    ):
        for name in normalise_breakpoints(names):
            if name != "*" and name not in nodes:
                raise GraphValidationError(
                    f"Interrupt node `{name}` not found: {label} names unknown node "
                    f"{_known(name, nodes)}."
                )


def _known(name: str, nodes: dict) -> str:
    close = difflib.get_close_matches(name, list(nodes), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{name!r}{hint}; known nodes: {', '.join(map(repr, nodes))}"
