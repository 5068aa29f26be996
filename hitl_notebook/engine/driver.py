"""The one step driver: moves a ``Run`` step by step and yields its stream chunks.

``stream`` and ``astream`` are these generators; ``invoke``/``ainvoke`` drain them. The
decisions (what runs next, what is saved, what is emitted) all live in ``Run``; the sync and
async twins differ only in how a step's tasks are run: worker threads or the event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from ..checkpoint.base import TaskPlan
from .loop import Run
from .tasks import TaskResult, call_async, call_sync

__all__ = ["drive_async", "drive_sync"]


def drive_sync(run: Run, input: Any, single: bool) -> Iterator[Any]:
    """Run to the end or the next pause, yielding chunks as they are produced."""
    run.start(input)
    yield from run.drain(single)
    while (plans := run.plan_step()) is not None:
        yield from run.drain(single)
        results = []
        for result in _tasks_sync(run, plans):
            results.append(result)
            yield from run.drain(single)
        run.finish_step(results)
        yield from run.drain(single)
        if run.error is not None:
            break
    yield from run.drain(single)
    run.close()


async def drive_async(run: Run, input: Any, single: bool) -> AsyncIterator[Any]:
    """``drive_sync`` on the event loop: a step's tasks run concurrently as asyncio tasks,
    and checkpoint I/O runs in a worker thread so it never blocks the loop. Closing the
    generator early (``break`` out of ``astream``) cancels the step's running tasks."""
    await asyncio.to_thread(run.start, input)
    for chunk in run.drain(single):
        yield chunk
    while (plans := run.plan_step()) is not None:
        for chunk in run.drain(single):
            yield chunk
        results = []
        async for result in _tasks_async(run, plans):
            results.append(result)
            for chunk in run.drain(single):
                yield chunk
        await asyncio.to_thread(run.finish_step, results)
        for chunk in run.drain(single):
            yield chunk
        if run.error is not None:
            break
    for chunk in run.drain(single):
        yield chunk
    run.close()


def _tasks_sync(run: Run, plans: list[TaskPlan]) -> Iterator[TaskResult]:
    """Run the step's tasks (inline when there is one, else one thread each), yielding each
    result as it finishes."""
    if not plans:
        return
    plan_, values = run.plan, run.step_values
    if len(plans) == 1:
        result = call_sync(plan_, plans[0], values, run.context_for(plans[0]))
        run.task_done(result, parallel=False)
        yield result
        return
    with ThreadPoolExecutor(max_workers=len(plans), thread_name_prefix="hitl-task") as pool:
        futures = [pool.submit(contextvars.copy_context().run, call_sync, plan_, p, values, run.context_for(p))
                   for p in plans]
        for future in as_completed(futures):
            result = future.result()
            run.task_done(result, parallel=True)
            yield result


async def _tasks_async(run: Run, plans: list[TaskPlan]) -> AsyncIterator[TaskResult]:
    """Run the step's tasks concurrently on the event loop, yielding each as it finishes."""
    plan_, values = run.plan, run.step_values
    parallel = len(plans) > 1
    pending = [asyncio.ensure_future(call_async(plan_, p, values, run.context_for(p))) for p in plans]
    try:
        for next_done in asyncio.as_completed(pending):
            result = await next_done
            run.task_done(result, parallel)
            yield result
    finally:
        for task in pending:
            if not task.done():
                task.cancel()
