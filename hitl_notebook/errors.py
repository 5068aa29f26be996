"""Exceptions a user can meet, each naming the problem at the call that caused it."""

from __future__ import annotations

__all__ = [
    "EmptyInputError",
    "GraphRecursionError",
    "GraphValidationError",
    "HITLWarning",
    "InvalidUpdateError",
    "ResumeError",
]


class GraphValidationError(ValueError):
    """The graph definition is inconsistent (unknown node, no entry point, ...)."""


class InvalidUpdateError(ValueError):
    """A node (or ``update_state``) wrote something the state schema cannot take."""


class GraphRecursionError(RecursionError):
    """A run took more super-steps than ``config["recursion_limit"]`` allows."""


class ResumeError(ValueError, RuntimeError):
    """A ``Command(resume=...)`` cannot be matched to the thread's pending interrupts.

    Raised before anything is written: the thread's history is unchanged. Also a
    ``RuntimeError``, the type LangGraph raises for an ambiguous resume, so code written
    for LangGraph catches it.
    """


class EmptyInputError(ValueError):
    """``invoke(None)`` on a thread that has nothing to continue from."""


class HITLWarning(UserWarning):
    """Something legal but probably unintended happened (e.g. new input discarded a
    pending interrupt)."""
