"""Names shared by the builder, the engine and the widgets, kept apart so that ``graph``
and ``engine`` import them without importing each other."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "CONFIG_KEY_NODE_FINISHED",
    "COPY",
    "DEFER_KEY",
    "END",
    "ERROR",
    "INTERRUPT",
    "NULL_TASK_ID",
    "PULL",
    "PUSH",
    "RESUME",
    "ROOT",
    "START",
    "normalise_breakpoints",
]

#: The entry point: ``add_edge(START, "first_node")``.
START = "__start__"
#: The exit: ``add_edge("last_node", END)``.
END = "__end__"
#: The key under which a paused run reports its interrupts (``result["__interrupt__"]``).
INTERRUPT = "__interrupt__"
#: Channels of a task's pending writes in LangGraph's saver API: its error, its answers.
ERROR = "__error__"
RESUME = "__resume__"
#: ``update_state(config, None, as_node="__copy__")``: a sibling copy of a checkpoint.
COPY = "__copy__"
#: First item of a task's ``path``: a node triggered by edges (``PULL``) or by a ``Send`` (``PUSH``).
PULL = "__pregel_pull"
PUSH = "__pregel_push"
#: ``config["configurable"][CONFIG_KEY_NODE_FINISHED]``: a function told the name of each
#: node (subgraph nodes included) as it finishes (LangGraph's key, for tracing).
CONFIG_KEY_NODE_FINISHED = "__pregel_node_finished"
#: The hidden key holding the deferred nodes that were triggered and wait for their turn.
DEFER_KEY = "__defer__"
#: The one channel of a graph whose state is not a dict of keys (``StateGraph(int)``,
#: ``StateGraph(Annotated[list, operator.add])``): nodes read and return the value itself.
ROOT = "__root__"
#: The task id under which a checkpoint keeps writes that belong to no task (the update
#: of a ``Command`` given as input), as LangGraph's null task.
NULL_TASK_ID = "00000000-0000-0000-0000-000000000000"


def normalise_breakpoints(names: Sequence[str] | str | None) -> tuple[str, ...]:
    """``None`` -> ``()``, ``"*"`` or ``"node"`` -> a tuple."""
    if names is None:
        return ()
    if isinstance(names, str):
        return (names,)
    return tuple(names)
