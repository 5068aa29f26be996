"""Value types shared by the builder, the engine and the widgets (LangGraph's names)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar

__all__ = [
    "Command",
    "GraphInterrupt",
    "Interrupt",
    "NodeInterrupt",
    "ParentCommand",
    "PregelTask",
    "Send",
    "StateSnapshot",
]

N = TypeVar("N")


@dataclass(frozen=True, slots=True)
class Interrupt:
    """A pending ``interrupt()``: the payload shown to the human and the id to answer it by.

    Ids are stable and distinct per call site: two interrupts in one node, or in two
    parallel tasks, never share one.
    """

    value: Any
    id: str = "placeholder-id"
    #: Schema of the expected answer, when the graph gave one (LangGraph 1.2's field).
    response_schema: Any = field(default=None, kw_only=True)
    #: Namespace of the (sub)graph that raised it: ``""`` for the root graph. Not part of
    #: equality or the repr, so an ``Interrupt`` compares and prints as LangGraph's does.
    ns: str = field(default="", kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Send:
    """Run ``node`` in the next step with ``arg`` as its input (map-reduce fan-out)."""

    node: str
    arg: Any


_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class Command(Generic[N]):
    """Returned by a node to update state and route, or passed to ``invoke`` to resume.

    ``Command[Literal["a", "b"]]`` as a node's return annotation tells the diagram where
    the node may go.
    """

    update: Any = None
    goto: Any = ()
    resume: Any = _UNSET
    graph: str | None = None

    PARENT: ClassVar[str] = "__parent__"

    @property
    def has_resume(self) -> bool:
        """True when this command carries an answer (``None`` is a legal answer)."""
        return self.resume is not _UNSET

    def __repr__(self) -> str:
        parts = []
        if self.update is not None:
            parts.append(f"update={self.update!r}")
        if self.goto not in ((), None, []):
            parts.append(f"goto={self.goto!r}")
        if self.has_resume:
            parts.append(f"resume={self.resume!r}")
        if self.graph is not None:
            parts.append(f"graph={self.graph!r}")
        return f"Command({', '.join(parts)})"


class ParentCommand(Exception):
    """Carries a ``Command(graph=Command.PARENT)`` out of a subgraph: the subgraph stops,
    and the parent's task that ran it takes the command as its own output."""

    def __init__(self, command: Command) -> None:
        super().__init__(command)
        self.command = command


class GraphInterrupt(Exception):
    """Raised inside a node by ``interrupt()``; the engine records it and pauses the thread.

    Not for user code to catch: catching it stops the pause from reaching the engine.
    """

    def __init__(self, interrupts: list) -> None:
        super().__init__(interrupts)
        #: ``InterruptRecord`` objects (checkpoint form, with call index and namespace).
        self.interrupts = interrupts


class NodeInterrupt(GraphInterrupt):
    """Deprecated dynamic breakpoint: ``raise NodeInterrupt(msg)`` pauses the thread with
    ``msg`` as the interrupt payload. Use ``interrupt()``, which can also receive an answer.
    """

    def __init__(self, value: Any) -> None:
        warnings.warn(
            "NodeInterrupt is deprecated; call interrupt(value) instead, which pauses the "
            "same way and returns the human's answer on resume.",
            DeprecationWarning,
            stacklevel=2,
        )
        super().__init__([])
        self.value = value


class PregelTask(NamedTuple):
    """A task of a snapshot's next step, with what it is waiting on."""

    id: str
    name: str
    path: tuple = ()
    error: str | None = None
    interrupts: tuple = ()
    state: Any = None
    result: Any = None


class StateSnapshot(NamedTuple):
    """A checkpoint as users see it (``get_state`` / ``get_state_history``)."""

    values: dict
    next: tuple
    config: dict
    metadata: dict | None
    created_at: str | None
    parent_config: dict | None
    tasks: tuple
    interrupts: tuple = ()
