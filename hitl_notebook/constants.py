"""Names shared by the builder, the engine and the widgets, kept apart so that ``graph``
and ``engine`` import them without importing each other."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["COPY", "END", "INTERRUPT", "START", "normalise_breakpoints"]

#: The entry point: ``add_edge(START, "first_node")``.
START = "__start__"
#: The exit: ``add_edge("last_node", END)``.
END = "__end__"
#: The key under which a paused run reports its interrupts (``result["__interrupt__"]``).
INTERRUPT = "__interrupt__"
#: ``update_state(config, None, as_node="__copy__")``: a sibling copy of a checkpoint.
COPY = "__copy__"


def normalise_breakpoints(names: Sequence[str] | str | None) -> tuple[str, ...]:
    """``None`` -> ``()``, ``"*"`` or ``"node"`` -> a tuple."""
    if names is None:
        return ()
    if isinstance(names, str):
        return (names,)
    return tuple(names)
