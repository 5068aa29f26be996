"""The one step driver: moves a ``Run`` step by step and yields its stream chunks.

``stream`` and ``astream`` are these generators; ``invoke``/``ainvoke`` drain them. The
decisions (what runs next, what is saved, what is emitted) all live in ``Run``; the sync and
async twins differ only in how a step's tasks are run: worker threads or the event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from typing import Any

from ..checkpoint.base import TaskPlan
from .loop import Run
from .tasks import TaskResult, call_async, call_sync

__all__ = ["drive_async", "drive_sync"]

#: How often (seconds) the driver passes on chunks that tasks emit while they run.
_TICK = 0.01


def drive_sync(run: Run, input: Any, single: bool) -> Iterator[Any]:
    """Run to the end or the next pause, yielding chunks as they are produced."""
    run.start(input)
    yield from run.drain(single)
    while (plans := run.plan_step()) is not None:
        yield from run.drain(single)
        results = []
        for result in _tasks_sync(run, plans):
            if result is not None:  # None: a tick while tasks run, to pass on live chunks
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
            if result is not None:  # None: a tick while tasks run, to pass on live chunks
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


def _tasks_sync(run: Run, plans: list[TaskPlan]) -> Iterator[TaskResult | None]:
    """Run the step's tasks (inline when there is one, else one thread each), yielding each
    result as it finishes; while live chunks may come, also ``None`` every ``_TICK`` s."""
    if not plans:
        return
    plan_, values = run.plan, run.step_values
    parallel = len(plans) > 1
    if not parallel and not run.live:
        result = call_sync(plan_, plans[0], values, run.context_for(plans[0]))
        run.task_done(result, parallel=False)
        yield result
        return
    with ThreadPoolExecutor(max_workers=len(plans), thread_name_prefix="hitl-task") as pool:
        pending = {
            pool.submit(
                contextvars.copy_context().run, call_sync, plan_, p, values, run.context_for(p)
            )
            for p in plans
        }
        while pending:
            done, pending = wait(
                pending, timeout=_TICK if run.live else None, return_when=FIRST_COMPLETED
            )
            for future in done:
                result = future.result()
                run.task_done(result, parallel=parallel)
                yield result
            if not done:
                yield None


async def _tasks_async(run: Run, plans: list[TaskPlan]) -> AsyncIterator[TaskResult | None]:
    """Run the step's tasks concurrently on the event loop, yielding each as it finishes
    (and None on each tick without one, so that live streams are passed on)."""
    plan_, values = run.plan, run.step_values
    parallel = len(plans) > 1
    tasks = [asyncio.ensure_future(call_async(plan_, p, values, run.context_for(p))) for p in plans]
    pending = set(tasks)
    try:
        while pending:
            done, pending = await asyncio.wait(
                pending, timeout=_TICK if run.live else None, return_when=asyncio.FIRST_COMPLETED
            )
            for finished in sorted(done, key=tasks.index):
                result = finished.result()
                run.task_done(result, parallel)
                yield result
            if not done:
                yield None
    finally:
        for task in tasks:
            if not task.done():
                task.cancel()
