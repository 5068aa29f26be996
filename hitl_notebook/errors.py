"""Exceptions a user can meet: one class per condition, raised at the call that caused it.

Every message is one sentence that names the problem and then the fix, e.g.
``get_state() needs a checkpointer: compile(checkpointer=InMemorySaver()).`` Every class
also keeps the built-in base that LangGraph raises for the same condition, so code written
for LangGraph (``except ValueError``) still catches ours.

    HITLError                                   any error of this package
    ├── GraphValidationError    (ValueError)     the graph definition is inconsistent
    ├── InvalidUpdateError      (ValueError)     a write the state schema cannot take
    │   └── NoParentGraphError  (ParentCommand)  Command.PARENT from a graph with no parent
    ├── GraphRecursionError     (RecursionError) more super-steps than recursion_limit
    ├── GraphDrained                             RunControl.request_drain() stopped the run
    ├── CheckpointerRequiredError (ValueError, RuntimeError)
    │                                           the call needs compile(checkpointer=...)
    ├── ThreadRequiredError     (ValueError)     the config names no thread_id
    ├── CheckpointNotFoundError (ValueError)     the config names a checkpoint the thread lacks
    ├── EmptyInputError         (ValueError)     invoke(None) with nothing to continue from
    ├── ConcurrentUpdateError   (RuntimeError)   another writer moved the thread on meanwhile
    ├── ResumeError             (ValueError, RuntimeError)
    │   │                                       Command(resume=...) matches no pending interrupt
    │   └── UnknownInterruptError                the answers fit no pending interrupt
    ├── OutsideNodeError        (RuntimeError)   interrupt()/get_config() outside a running node
    ├── SerializationError      (TypeError)      a value cannot be stored in a checkpoint
    ├── DeserializationError    (ValueError)     stored data is not valid checkpoint data
    ├── SchemaVersionError      (RuntimeError)   the database was written by a newer release
    └── ActionError                              a widget action refused before touching the graph
        └── StaleWidgetError                     the widget acted on a checkpoint no longer latest
    HITLWarning (UserWarning)                   legal, but probably not what was meant

Errors raised before anything is written leave the thread's history unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .types import ParentCommand

__all__ = [
    "ActionError",
    "CheckpointNotFoundError",
    "CheckpointerRequiredError",
    "ConcurrentUpdateError",
    "DeserializationError",
    "EmptyInputError",
    "GraphDrained",
    "GraphRecursionError",
    "GraphValidationError",
    "HITLError",
    "HITLWarning",
    "InvalidUpdateError",
    "NoParentGraphError",
    "OutsideNodeError",
    "ResumeError",
    "SchemaVersionError",
    "SerializationError",
    "StaleWidgetError",
    "ThreadRequiredError",
    "UnknownInterruptError",
    "is_invalid_resume",
]


class HITLError(Exception):
    """Base of every error this package raises on purpose: ``except HITLError`` catches
    them all and nothing else."""


class GraphValidationError(HITLError, ValueError):
    """The graph definition is inconsistent (unknown node, no entry point, ...)."""


class InvalidUpdateError(HITLError, ValueError):
    """A node (or ``update_state``) wrote something the state schema cannot take."""


class NoParentGraphError(InvalidUpdateError, ParentCommand):
    """A node returned ``Command(graph=Command.PARENT)`` in a graph that has no parent.

    Also the ``ParentCommand`` LangGraph raises there (``args[0]`` is the command), so code
    catching that keeps working; the message says what went wrong."""

    def __init__(self, command: Any) -> None:
        ParentCommand.__init__(self, command)

    def __str__(self) -> str:
        return (
            f"A node returned {self.command!r} with graph=Command.PARENT, but this graph is not "
            "running inside a parent graph."
        )


class GraphDrained(HITLError):
    """The run stopped between two steps because its ``RunControl.request_drain()`` was
    called: what finished is saved, and ``invoke(None, config)`` carries on from there."""

    def __init__(self, reason: str = "shutdown") -> None:
        self.reason = reason
        super().__init__(
            f"Graph drained ({reason}): the run stopped before its next step; the thread's "
            "checkpoint is saved, so invoke(None, config) continues it."
        )


class GraphRecursionError(HITLError, RecursionError):
    """A run took more super-steps than ``config["recursion_limit"]`` allows."""


class CheckpointerRequiredError(HITLError, ValueError, RuntimeError):
    """The call needs a checkpointer (state, history, breakpoints, ``interrupt()``) and the
    graph was compiled without one. A ``ValueError`` for the graph methods and a
    ``RuntimeError`` for ``interrupt()``, as LangGraph raises them."""


class ThreadRequiredError(HITLError, ValueError):
    """The config names no ``thread_id`` and the call needs one."""


class CheckpointNotFoundError(HITLError, ValueError):
    """The config names a ``checkpoint_id`` that the thread does not have."""


class ResumeError(HITLError, ValueError, RuntimeError):
    """A ``Command(resume=...)`` cannot be matched to the thread's pending interrupts.

    Raised before anything is written: the thread's history is unchanged. Also a
    ``RuntimeError``, the type LangGraph raises for an ambiguous resume, so code written
    for LangGraph catches it.
    """


class UnknownInterruptError(ResumeError):
    """The answers fit no pending interrupt: ``reason`` is ``"not_pending"`` (a map names
    ids in ``interrupt_ids`` that are not pending), ``"empty_map"`` or ``"ambiguous"`` (one
    value for several questions). ``pending_ids`` (sorted) can still be answered.

    Same shape as the error LangGraph raises in its opt-in strict resume mode; we are always
    strict, so code written for that mode works unchanged.
    """

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        interrupt_ids: Sequence[str] = (),
        pending_ids: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.reason = reason
        self.interrupt_ids = tuple(interrupt_ids)
        self.pending_ids = tuple(sorted(pending_ids))


class ConcurrentUpdateError(HITLError, RuntimeError):
    """Another writer (a second kernel or process) moved the thread on while this call ran.

    A call that continues a thread writes its next checkpoint only if the checkpoint it
    started from is still the thread's head (compare-and-set), and adds an answer only if
    the question is still unanswered; otherwise nothing is written and this is raised,
    naming both checkpoints. Refresh (``get_state``) and decide again. Explicit forks
    (a config with a past ``checkpoint_id``) are not checked: they branch on purpose.
    """

    def __init__(self, message: str, *, thread_id: str, expected: str | None, actual: str | None):
        super().__init__(message)
        #: The thread, the checkpoint this call continued from, and the head it found.
        self.thread_id, self.expected, self.actual = thread_id, expected, actual


class EmptyInputError(HITLError, ValueError):
    """``invoke(None)`` on a thread that has nothing to continue from."""


class OutsideNodeError(HITLError, RuntimeError):
    """``interrupt()`` or ``get_config()`` was called while no graph node runs."""


class SerializationError(HITLError, TypeError):
    """A value cannot be stored; the message names where it is and what to do."""


class DeserializationError(HITLError, ValueError):
    """Stored data is not valid checkpoint data (corrupt, tampered, or an unknown type)."""


class SchemaVersionError(HITLError, RuntimeError):
    """The database's tables were created by a newer hitl-notebook than this one."""


class ActionError(HITLError):
    """An action the widget's Session refused before touching the graph: history is
    unchanged."""


class StaleWidgetError(ActionError):
    """The widget acted on a checkpoint that is no longer the thread's latest."""


class HITLWarning(UserWarning):
    """Something legal but probably unintended happened (e.g. new input discarded a
    pending interrupt)."""


#: The attribute that marks an invalid resume; LangGraph's name, so LangGraph's own
#: ``is_invalid_resume`` (used by its prebuilt ``ToolNode``) recognises ours too.
_INVALID_RESUME = "_langgraph_invalid_resume"


def mark_invalid_resume(error: BaseException, index: int) -> None:
    """Mark ``error`` as raised by the answer to the task's ``index``-th ``interrupt()``."""
    setattr(error, _INVALID_RESUME, True)
    error._hitl_answer_index = index  # type: ignore[attr-defined]


def is_invalid_resume(error: BaseException) -> bool:
    """True when ``error`` was raised because a resume value did not match the
    ``response_schema`` of its ``interrupt()`` (a ``pydantic.ValidationError``). Nothing of
    that answer is kept: the interrupt is pending again and can be answered anew."""
    return getattr(error, _INVALID_RESUME, False) is True
