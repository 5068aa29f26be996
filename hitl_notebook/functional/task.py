"""``@task``: a function whose calls inside an entrypoint run in parallel, return futures,
and are run once: a resumed entrypoint gets a finished call's result from the checkpoint."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from ..engine.context import current_task, injected_arguments
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
        #: What runs: the function, given the parameters it takes by name (``runtime``).
        self._runs = _filling(fn, _by_name(fn))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        caller = current_caller() or node_caller()
        if caller is None:
            raise RuntimeError(
                f"Task '{self.name}' was called outside a graph: call @task functions from the body of an "
                "@entrypoint function, a graph node or another task, or call the plain function as "
                f"{self.name}.func(...)."
            )
        return caller.call(self._runs, self.name, self.is_async, args, kwargs)

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


#: Parameters a task function gets filled by name unless the call passes them.
_INJECTED = ("runtime", "writer")


def _by_name(fn: Callable[..., Any]) -> tuple[str, ...]:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return ()
    return tuple(p.name for p in params if p.name in _INJECTED and p.kind != p.POSITIONAL_ONLY)


def _filling(fn: Callable[..., Any], names: tuple[str, ...]) -> Callable[..., Any]:
    """``fn``, or a wrapper filling ``names`` from the running task call's context."""
    if not names:
        return fn

    @functools.wraps(fn)
    def call(*args: Any, **kwargs: Any) -> Any:
        missing = tuple(name for name in names if name not in kwargs)
        return fn(*args, **kwargs, **injected_arguments(missing, current_task()))

    return call


def _name_of(fn: Any) -> str:
    """A function's name; a ``functools.partial``'s function's; a callable object's class."""
    while isinstance(fn, functools.partial):
        fn = fn.func
    return getattr(fn, "__name__", None) or type(fn).__name__
