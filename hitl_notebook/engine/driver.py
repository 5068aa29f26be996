"""The one step driver: moves a ``Run`` step by step and yields its stream chunks.

``stream`` and ``astream`` are these generators; ``invoke``/``ainvoke`` drain them. The
decisions (what runs next, what is saved, what is emitted) all live in ``Run``; the sync and
async twins differ only in how a step's tasks are run: worker threads or the event loop.
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
import time
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import aclosing
from typing import Any

from ..checkpoint.base import TaskPlan
from ..constants import START
from ..errors import is_invalid_resume
from ..types import GraphInterrupt, ParentCommand
from .loop import Run
from .tasks import TaskResult, call_async, call_sync

__all__ = ["drive_async", "drive_sync"]

#: How often (seconds) the driver passes on chunks that tasks emit while they run.
_TICK = 0.01


def drive_sync(run: Run, input: Any, single: bool) -> Iterator[Any]:
    """Run to the end or the next pause, yielding chunks as they are produced (``invoke``
    without streaming buffers none: the drains are skipped then)."""
    try:
        run.start(input)
        if run.events:
            yield from run.drain(single)
        while (plans := run.plan_step()) is not None:
            if run.events:
                yield from run.drain(single)
            if (
                len(plans) == 1
                and plans[0].name == START
                and (result := run.input_result(plans[0]))
            ):
                results = [result]  # the input step: nothing to run
            elif len(plans) == 1 and not run.live and run.graph.step_timeout is None:
                # The usual step: one task, run in this thread, nothing to pass on meanwhile.
                result = call_sync(run.plan, plans[0], run.step_values, run.context_for(plans[0]))
                run.task_done(result, False)  # not parallel
                results = [result]
                if run.events:
                    yield from run.drain(single)
            else:
                results = []
                for maybe in _tasks_sync(run, plans):
                    if maybe is not None:  # None: a tick while tasks run, to pass on live chunks
                        results.append(maybe)
                    if run.events:
                        yield from run.drain(single)
            run.finish_step(results)
            if run.events:
                yield from run.drain(single)
            if run.error is not None:
                break
    except BaseException:
        run.flush()  # a timeout or a closed stream still saves what was held back
        raise
    if run.events:
        yield from run.drain(single)
    run.close()


async def drive_async(run: Run, input: Any, single: bool) -> AsyncIterator[Any]:
    """``drive_sync`` on the event loop: a step's tasks run concurrently as asyncio tasks,
    and checkpoint I/O runs in a worker thread so it never blocks the loop. Closing the
    generator early (``break`` out of ``astream``) or cancelling the call cancels the
    step's running tasks before it returns."""
    try:
        await asyncio.to_thread(run.start, input)
        for chunk in run.drain(single):
            yield chunk
        while (plans := run.plan_step()) is not None:
            for chunk in run.drain(single):
                yield chunk
            if (
                len(plans) == 1
                and plans[0].name == START
                and (input_result := run.input_result(plans[0]))
            ):
                results = [input_result]  # the input step: nothing to run
            else:
                results = []
                async with aclosing(_tasks_async(run, plans)) as running:
                    async for result in running:
                        if result is not None:  # None: a tick while tasks run, for live streams
                            results.append(result)
                        for chunk in run.drain(single):
                            yield chunk
            await asyncio.to_thread(run.finish_step, results)
            for chunk in run.drain(single):
                yield chunk
            if run.error is not None:
                break
    except BaseException:
        run.flush()  # in this thread: a cancelled call must still save what was held back
        raise
    for chunk in run.drain(single):
        yield chunk
    run.close()


def _tasks_sync(run: Run, plans: list[TaskPlan]) -> Iterator[TaskResult | None]:
    """Run the step's tasks (one thread each, at most ``max_concurrency`` at once; a lone
    task that ``drive_sync`` did not run inline gets a thread too, so that live chunks pass
    and ``step_timeout`` holds), yielding each result as it finishes; while live chunks
    may come, also ``None`` every ``_TICK`` s. Past ``step_timeout``: ``TimeoutError``
    once the running threads are done (a thread cannot be stopped)."""
    if not plans:
        return
    plan_, values = run.plan, run.step_values
    parallel = len(plans) > 1
    timeout = run.graph.step_timeout
    workers = min(len(plans), run.config.get("max_concurrency") or len(plans))
    deadline = None if timeout is None else time.monotonic() + timeout
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hitl-task") as pool:
        futures = [
            pool.submit(
                contextvars.copy_context().run, call_sync, plan_, p, values, run.context_for(p)
            )
            for p in plans
        ]
        pending = set(futures)
        while pending:
            done, pending = wait(
                pending, timeout=_wait_for(run, deadline), return_when=FIRST_COMPLETED
            )
            for future in done:
                result = future.result()
                run.task_done(result, parallel=parallel)
                yield result
            if not done:
                if deadline is not None and time.monotonic() >= deadline:
                    pool.shutdown(wait=False, cancel_futures=True)
                    names = [p.name for p, future in zip(plans, futures) if future in pending]
                    raise TimeoutError(_timed_out(run, timeout, names))
                yield None


async def _tasks_async(run: Run, plans: list[TaskPlan]) -> AsyncGenerator[TaskResult | None, None]:
    """Run the step's tasks concurrently on the event loop (at most ``max_concurrency`` at
    once), yielding each as it finishes (and None on each tick without one, so that live
    streams are passed on). A task's error ends the step at once and ``step_timeout``
    raises ``TimeoutError``; either way, and when the generator is closed, the tasks still
    running are cancelled and waited for."""
    plan_, values = run.plan, run.step_values
    parallel = len(plans) > 1
    limit = run.config.get("max_concurrency")
    gate = asyncio.Semaphore(limit) if limit and limit < len(plans) else None
    tasks = [
        asyncio.ensure_future(
            call_async(plan_, p, values, run.context_for(p))
            if gate is None
            else _gated(gate, plan_, p, values, run.context_for(p))
        )
        for p in plans
    ]
    timeout = run.graph.step_timeout
    deadline = None if timeout is None else time.monotonic() + timeout
    pending = set(tasks)
    chunk_came = _ChunkSignal(run) if run.live else None
    try:
        while pending:
            waiting = pending if chunk_came is None else pending | {chunk_came.waiter()}
            done, pending = await asyncio.wait(
                waiting, timeout=_wait_for(run, deadline), return_when=asyncio.FIRST_COMPLETED
            )
            if chunk_came is not None:
                done, pending = chunk_came.taken(done), chunk_came.taken(pending)
            failed = False
            for finished in sorted(done, key=tasks.index):
                result = finished.result()
                run.task_done(result, parallel)
                yield result
                failed = failed or _stops_siblings(result.error)
            if failed:
                return
            if not done:
                if deadline is not None and time.monotonic() >= deadline:
                    names = [p.name for p, task in zip(plans, tasks) if task in pending]
                    raise TimeoutError(_timed_out(run, timeout, names))
                if chunk_came is not None and chunk_came.awaiting_turn:
                    await asyncio.sleep(0)  # see ``_ChunkSignal``
                yield None
    finally:
        if chunk_came is not None:
            chunk_came.close()
        running = [task for task in tasks if not task.done()]
        for task in running:
            task.cancel()
        if running:
            await asyncio.wait(running)


class _ChunkSignal:
    """Ends the driver's wait as soon as a running task emits a chunk (a ``@task`` result,
    a ``tasks`` event), so it is yielded when it is made rather than at the next tick.

    LangGraph's order of ``astream_events``: a ``@task``'s chunk is passed on once the
    code awaiting that task has resumed (it is woken in the loop turn after the task
    emits), before that code's next task starts and before its run ends. A chunk emitted
    on the loop's own thread sets the waiter at once, so the driver drains it two turns
    later; a driver already woken (by a tick) waits one turn while ``awaiting_turn``."""

    __slots__ = ("_loop", "_run", "_thread", "_waiter", "awaiting_turn")

    def __init__(self, run: Run) -> None:
        self._loop = asyncio.get_running_loop()
        self._thread = threading.get_ident()
        self._waiter: asyncio.Future | None = None
        self._run = run
        #: A chunk came in this loop turn: code woken by the task that emitted it runs next turn.
        self.awaiting_turn = False
        run.wake = self._set

    def _set(self) -> None:  # from the loop's thread or a worker thread
        if threading.get_ident() == self._thread:
            self._fire()
        else:
            self._loop.call_soon_threadsafe(self._fire)

    def _fire(self) -> None:
        if not self.awaiting_turn:
            self.awaiting_turn = True
            self._loop.call_soon(self._turned)
        waiter = self.waiter()
        if not waiter.done():
            waiter.set_result(None)

    def _turned(self) -> None:
        self.awaiting_turn = False

    def waiter(self) -> asyncio.Future:
        if self._waiter is None:
            self._waiter = self._loop.create_future()
        return self._waiter

    def taken(self, futures: set) -> set:
        """``futures`` without the waiter (re-armed once it fired)."""
        waiter = self._waiter
        if waiter is not None and waiter in futures:
            futures = futures - {waiter}
            if waiter.done():
                self._waiter = None
        return futures

    def close(self) -> None:
        self._run.wake = None
        if self._waiter is not None:
            self._waiter.cancel()


def _stops_siblings(error: BaseException | None) -> bool:
    """A real failure ends the step (as LangGraph's); a command for the parent graph, a
    pause or a rejected answer lets the siblings finish."""
    return (
        error is not None
        and not isinstance(error, (ParentCommand, GraphInterrupt))
        and not is_invalid_resume(error)
    )


async def _gated(
    gate: asyncio.Semaphore, plan_: Any, plan: TaskPlan, values: dict, ctx: Any
) -> TaskResult:
    async with gate:
        return await call_async(plan_, plan, values, ctx)


def _wait_for(run: Run, deadline: float | None) -> float | None:
    """How long to wait for the next task to finish: until the next tick when chunks may
    come while tasks run, and never past the step's deadline."""
    tick = _TICK if run.live else None
    if deadline is None:
        return tick
    left = max(0.0, deadline - time.monotonic())
    return left if tick is None else min(tick, left)


def _timed_out(run: Run, timeout: float | None, unfinished: list[str]) -> str:
    return (
        f"step {run.cp.step + 1} did not finish within step_timeout={timeout} s "
        f"(still running: {', '.join(unfinished)}); the tasks that finished are saved, the "
        "others run again when the thread continues"
    )
