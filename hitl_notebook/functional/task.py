"""``@task``: a function whose calls inside an entrypoint run in parallel, return futures,
and are run once: a resumed entrypoint gets a finished call's result from the checkpoint."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..graph.validation import refuse_unbuilt
from .calls import current_caller, node_caller

__all__ = ["TaskFunction", "task"]


class TaskFunction:
    """A decorated task. Calling it inside an entrypoint starts it and returns a future
    (``.result()`` in a sync entrypoint, ``await`` in an async one)."""

    def __init__(self, fn: Callable[..., Any], name: str) -> None:
        self.func = fn
        self.name = name
        self.is_async = inspect.iscoroutinefunction(fn) or (
            not inspect.isroutine(fn) and inspect.iscoroutinefunction(type(fn).__call__)
        )
        functools.update_wrapper(self, fn, updated=())

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        caller = current_caller() or node_caller()
        if caller is None:
            raise RuntimeError(
                f"Task '{self.name}' was called outside a graph: call @task functions from the body of an "
                "@entrypoint function, a graph node or another task, or call the plain function as "
                f"{self.name}.func(...)."
            )
        return caller.call(self.func, self.name, self.is_async, args, kwargs)

    def __repr__(self) -> str:
        return f"<task {self.name}>"


def task(
    __func: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    retry_policy: Any = None,
    cache_policy: Any = None,
    timeout: Any = None,
) -> Any:
    """Make ``fn`` a task (``@task`` or ``@task(name="...")``): its result is stored in the
    checkpoint, so it runs once per entrypoint run however often the body re-runs."""
    refuse_unbuilt("@task", retry_policy=retry_policy, cache_policy=cache_policy, timeout=timeout)

    def decorate(fn: Callable[..., Any]) -> TaskFunction:
        if not callable(fn):
            raise TypeError(f"@task decorates a function, got {fn!r}.")
        return TaskFunction(fn, name or _name_of(fn))

    return decorate(__func) if __func is not None else decorate


def _name_of(fn: Any) -> str:
    """A function's name; a ``functools.partial``'s function's; a callable object's class."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return getattr(fn, "__name__", None) or type(fn).__name__
