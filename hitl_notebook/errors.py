"""Exceptions a user can meet, each naming the problem at the call that caused it."""

from __future__ import annotations

from typing import Any

from .types import ParentCommand

__all__ = [
    "ConcurrentUpdateError",
    "EmptyInputError",
    "GraphRecursionError",
    "GraphValidationError",
    "HITLWarning",
    "InvalidUpdateError",
    "NoParentGraphError",
    "ResumeError",
    "is_invalid_resume",
]


class GraphValidationError(ValueError):
    """The graph definition is inconsistent (unknown node, no entry point, ...)."""


class InvalidUpdateError(ValueError):
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


class GraphRecursionError(RecursionError):
    """A run took more super-steps than ``config["recursion_limit"]`` allows."""


class ResumeError(ValueError, RuntimeError):
    """A ``Command(resume=...)`` cannot be matched to the thread's pending interrupts.

    Raised before anything is written: the thread's history is unchanged. Also a
    ``RuntimeError``, the type LangGraph raises for an ambiguous resume, so code written
    for LangGraph catches it.
    """


class ConcurrentUpdateError(RuntimeError):
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


class EmptyInputError(ValueError):
    """``invoke(None)`` on a thread that has nothing to continue from."""


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
