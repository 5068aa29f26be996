"""Retrying a failed task within its step, as its node's ``RetryPolicy`` says.

The task runners call in here only after an attempt failed on a node that has a policy,
so a graph without policies pays nothing. A retry runs the node again from its start with
the answers it already had: its ``interrupt()`` calls count from the first again, and a
subgraph it calls continues from where the failed attempt left it. An ``interrupt()`` is a
pause, not a failure, and an answer rejected by ``response_schema`` fails the same way
every time: neither is retried.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from ..errors import is_invalid_resume
from ..types import RetryPolicy

if TYPE_CHECKING:
    from .context import TaskContext
    from .tasks import TaskResult

__all__ = ["policies_of", "retry_async", "retry_sync"]

logger = logging.getLogger("hitl_notebook")


def policies_of(retry_policy: Any, where: str) -> tuple[RetryPolicy, ...] | None:
    """``add_node``'s ``retry_policy`` (one policy or a sequence of them) as a tuple;
    ``None`` when none is given. LangGraph's own ``RetryPolicy`` is accepted too."""
    if retry_policy is None:
        return None
    policies = (
        (retry_policy,)
        if _is_policy(retry_policy)
        else tuple(retry_policy)
        if isinstance(retry_policy, Sequence)
        else ()
    )
    if not policies or not all(_is_policy(p) for p in policies):
        raise TypeError(
            f"{where}: retry_policy must be a RetryPolicy or a list of them, got {retry_policy!r}."
        )
    return policies


def _is_policy(value: Any) -> bool:
    return all(hasattr(value, f) for f in RetryPolicy._fields)


def matching_policy(
    policies: Sequence[RetryPolicy], exc: BaseException | None
) -> RetryPolicy | None:
    """The first policy whose ``retry_on`` accepts ``exc`` (none for no error)."""
    if not isinstance(exc, Exception) or is_invalid_resume(exc):
        return None
    for policy in policies:
        retry_on: Any = policy.retry_on  # as the user gave it: checked below
        if isinstance(retry_on, type) and issubclass(retry_on, BaseException):
            accepted = isinstance(exc, retry_on)
        elif isinstance(retry_on, Sequence):
            accepted = isinstance(exc, tuple(retry_on))
        elif callable(retry_on):
            accepted = bool(retry_on(exc))
        else:
            raise TypeError(
                f"RetryPolicy.retry_on must be an exception class, a sequence of them or a function, got {retry_on!r}."
            )
        if accepted:
            return policy
    return None


def wait_seconds(policy: RetryPolicy, failures: int) -> float:
    """How long to wait after the ``failures``-th failed attempt (1 for the first)."""
    interval = min(
        policy.max_interval, policy.initial_interval * policy.backoff_factor ** (failures - 1)
    )
    return interval + random.uniform(0, 1) if policy.jitter else interval


def _next_wait(policies: Sequence[RetryPolicy], result: TaskResult, failures: int) -> float | None:
    """Seconds to wait before the next attempt, or ``None`` to give up with ``result``."""
    policy = matching_policy(policies, result.error)
    if policy is None or failures >= policy.max_attempts:
        return None
    seconds = wait_seconds(policy, failures)
    logger.info(
        "Retrying node '%s' in %.2f s (attempt %d of %d) after %r",
        result.plan.name,
        seconds,
        failures + 1,
        policy.max_attempts,
        result.error,
    )
    return seconds


def retry_sync(
    attempt: Callable[[], TaskResult],
    failed: TaskResult,
    policies: Sequence[RetryPolicy],
    ctx: TaskContext,
) -> TaskResult:
    """Run ``attempt`` again while its policy allows; ``failed`` is the first attempt's result."""
    result, failures = failed, 1
    while (seconds := _next_wait(policies, result, failures)) is not None:
        if seconds > 0:
            time.sleep(seconds)
        ctx.restart()
        result = attempt()
        if result.error is None:
            return result
        failures += 1
    return result


async def retry_async(
    attempt: Callable[[], Awaitable[TaskResult]],
    failed: TaskResult,
    policies: Sequence[RetryPolicy],
    ctx: TaskContext,
) -> TaskResult:
    """``retry_sync`` on the event loop (the wait does not block other tasks)."""
    result, failures = failed, 1
    while (seconds := _next_wait(policies, result, failures)) is not None:
        await asyncio.sleep(seconds)
        ctx.restart()
        result = await attempt()
        if result.error is None:
            return result
        failures += 1
    return result
