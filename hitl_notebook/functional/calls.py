"""Running ``@task`` calls from an entrypoint's body: call ids, stored results, futures.

Each call gets an id from its caller's task id, its index among the caller's calls and
the task's name, so the body, which re-runs from the top on resume, finds the result of a call that already
finished in the checkpoint (``TaskContext.task_results``) instead of running it again. A
task runs with a ``TaskContext`` of its own: its ``interrupt()`` calls get ids from its
call id, and their answers come back through the entrypoint task's ``child_answers``.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
from concurrent.futures import Future
from typing import Any

from ..checkpoint.base import Namespace
from ..checkpoint.serde import SerializationError, check_serialisable
from ..constants import PULL, PUSH
from ..engine.context import TaskContext, current_task, interrupt_id, task_scope
from ..engine.tracing import node_run, reporting, tagged_manager, task_inputs
from ..engine.workers import start
from ..types import GraphInterrupt, NodeInterrupt

__all__ = [
    "Caller",
    "TaskFuture",
    "call_id",
    "current_caller",
    "node_caller",
    "run_body",
    "run_body_async",
]

_caller: contextvars.ContextVar[Caller | None] = contextvars.ContextVar(
    "hitl_notebook_task_caller", default=None
)


def current_caller() -> Caller | None:
    """The entrypoint or task body running in this thread/task, or None."""
    return _caller.get()


def call_id(task_id: str, index: int, name: str) -> str:
    """Stable per call site: the caller's task id, the call's index in it and the task's
    name (a body that calls another task at that position on resume runs that task)."""
    return hashlib.blake2b(f"{task_id}@call{index}:{name}".encode(), digest_size=16).hexdigest()


class TaskFuture(Future):
    """The future a sync task call returns: ``.result()`` waits for the task (running it
    in this thread if no worker has started it yet)."""

    def __init__(self, work: Any = None) -> None:
        super().__init__()
        # A one-item list: ``pop()`` is atomic, so exactly one thread claims the work.
        self._work = [work] if work is not None else []

    def run_once(self) -> None:
        try:
            work = self._work.pop()
        except IndexError:
            return
        if not self.set_running_or_notify_cancel():
            return
        try:
            self.set_result(work())
        except BaseException as exc:  # the caller sees it from .result()
            self.set_exception(exc)

    def pending(self) -> bool:
        return bool(self._work)

    def result(self, timeout: float | None = None) -> Any:
        self.run_once()
        return super().result(timeout)


class Caller:
    """A running body (the entrypoint's or a task's) and the task calls it made."""

    __slots__ = ("ctx", "futures", "is_async")

    def __init__(self, ctx: TaskContext, is_async: bool) -> None:
        self.ctx = ctx
        self.is_async = is_async
        self.futures: list[Any] = []

    def call(self, fn: Any, name: str, is_async: bool, args: tuple, kwargs: dict) -> Any:
        """Start one task call (or hand back its stored result) and return its future."""
        ctx = self.ctx
        index = ctx.task_calls
        ctx.task_calls += 1
        cid = call_id(ctx.task_id, index, name)
        if ctx.emit is not None:  # announced even when its stored result is reused
            ctx.emit(
                "task", {"id": cid, "name": name, "input": (args, kwargs), "triggers": (PUSH,)}
            )
        stored = ctx.task_results.get(cid)
        if stored is not None:
            return self._done(stored[1])
        child = _child_context(ctx, name, cid, index)
        future: Any
        if self.is_async:
            if is_async:
                future = asyncio.ensure_future(_run_async_task(child, fn, args, kwargs))
            else:
                future = asyncio.get_running_loop().run_in_executor(
                    None, contextvars.copy_context().run, _run_sync_task, child, fn, args, kwargs
                )
        else:
            if is_async:
                raise TypeError(
                    f"Task '{name}' is an async function, so it can only be called from an async entrypoint "
                    f"('{ctx.name}' is sync): make the entrypoint `async def` and `await` the task."
                )
            context = contextvars.copy_context()  # the caller's, wherever the task runs
            future = TaskFuture(lambda: context.run(_run_sync_task, child, fn, args, kwargs))
            start(future)
        self.futures.append(future)
        return future

    def _done(self, result: Any) -> Any:
        if self.is_async:
            waiting: asyncio.Future = asyncio.get_running_loop().create_future()
            waiting.set_result(result)
            return waiting
        done = TaskFuture()
        done.set_result(result)
        return done

    def settle(self) -> None:
        """Wait for every task this body started, so their results are stored with the
        checkpoint whether the body finished, paused or failed."""
        for future in self.futures:
            if isinstance(future, TaskFuture):
                future.run_once()
            future.exception()

    async def asettle(self) -> None:
        if self.futures:
            await asyncio.gather(*self.futures, return_exceptions=True)

    def questions(self, paused: GraphInterrupt) -> GraphInterrupt:
        """The pause of a body, with the questions of every task it started that asked
        one (parallel tasks that each ask all ask at once, answered by interrupt id)."""
        records = list(paused.interrupts)
        known = {r.id for r in records}
        for future in self.futures:
            exc = None if future.cancelled() else future.exception()
            if isinstance(exc, GraphInterrupt) and not isinstance(exc, NodeInterrupt):
                records += [r for r in exc.interrupts if r.id not in known]
                known.update(r.id for r in exc.interrupts)
        if len(records) == len(paused.interrupts):
            return paused
        return GraphInterrupt(records)


def node_caller() -> Caller | None:
    """The caller of a graph node's task calls (one per run of the node; its tasks run as
    an entrypoint's do, and their results are stored with the node's outcome)."""
    ctx = current_task()
    if ctx is None:
        return None
    if ctx.caller is None:
        # Whether the node runs on the event loop: its function is async (a sync node runs
        # in this thread or a worker even when a loop runs here, as in Jupyter).
        spec = ctx.owner.nodes.get(ctx.name) if ctx.owner is not None else None
        ctx.caller = Caller(ctx, is_async=bool(spec is not None and spec.is_async))
    return ctx.caller


def run_body(ctx: TaskContext, fn: Any, args: tuple, kwargs: dict) -> Any:
    """Call a sync body with ``ctx`` current; its task calls settle before it returns."""
    caller = Caller(ctx, is_async=False)
    token = _caller.set(caller)
    try:
        with task_scope(ctx):
            try:
                return fn(*args, **kwargs)
            except GraphInterrupt as paused:
                caller.settle()
                raise caller.questions(paused) from None
            finally:
                caller.settle()
    finally:
        _caller.reset(token)


async def run_body_async(ctx: TaskContext, fn: Any, args: tuple, kwargs: dict) -> Any:
    """``run_body`` for an async body (a sync function's result is returned as it is)."""
    caller = Caller(ctx, is_async=True)
    token = _caller.set(caller)
    try:
        with task_scope(ctx):
            try:
                out = fn(*args, **kwargs)
                return await out if asyncio.iscoroutine(out) else out
            except GraphInterrupt as paused:
                await caller.asettle()
                raise caller.questions(paused) from None
            finally:
                await caller.asettle()
    finally:
        _caller.reset(token)


def _run_sync_task(ctx: TaskContext, fn: Any, args: tuple, kwargs: dict) -> Any:
    try:
        if ctx.trace is None:
            return _finished(ctx, run_body(ctx, fn, args, kwargs))
        with node_run(ctx, ctx.name, task_inputs(fn, args, kwargs)) as traced:
            traced.output = run_body(ctx, reporting(fn, traced), args, kwargs)
        return _finished(ctx, traced.output)
    except Exception as exc:
        _stopped(ctx, exc)
        raise


async def _run_async_task(ctx: TaskContext, fn: Any, args: tuple, kwargs: dict) -> Any:
    try:
        if ctx.trace is None:
            return _finished(ctx, await run_body_async(ctx, fn, args, kwargs))
        with node_run(ctx, ctx.name, task_inputs(fn, args, kwargs)) as traced:
            traced.output = await run_body_async(ctx, reporting(fn, traced), args, kwargs)
        return _finished(ctx, traced.output)
    except Exception as exc:
        _stopped(ctx, exc)
        raise


def _stopped(ctx: TaskContext, exc: Exception) -> None:
    """Report a task call that failed on the ``tasks``/``debug`` streams. One that paused
    has no result yet: its question shows in the entrypoint's result (as LangGraph's)."""
    if ctx.emit is not None and not isinstance(exc, GraphInterrupt):
        ctx.emit("task_result", _result(ctx, exc, {}))


def _result(ctx: TaskContext, error: Any, result: Any) -> dict:
    return {"id": ctx.task_id, "name": ctx.name, "error": error, "result": result, "interrupts": []}


def _finished(ctx: TaskContext, result: Any) -> Any:
    """Store a task's result under its call id and show it on the ``updates`` stream."""
    try:
        check_serialisable(result, f"the result of task '{ctx.name}'")
    except SerializationError as exc:
        raise TypeError(
            f"Task '{ctx.name}' returned a value that cannot be stored in the checkpoint: {exc}. "
            "Return JSON-like data, messages, or a dataclass/pydantic object (register_type)."
        ) from None
    ctx.task_results[ctx.task_id] = [ctx.name, result]
    if ctx.emit is not None:
        ctx.emit("task_result", _result(ctx, None, {"__return__": result}))
        ctx.emit("updates", {ctx.name: result})
    return result


def _child_context(parent: TaskContext, name: str, cid: str, index: int) -> TaskContext:
    """The context a task call runs in: its own id and namespace (so its interrupts are
    its own), the answers already given to them, and the parent's run plumbing."""
    answers: list[Any] = []
    while parent.child_answers and (key := interrupt_id(cid, len(answers))) in parent.child_answers:
        answers.append(parent.child_answers[key])
    segment = f"{name}:{cid}"
    return TaskContext(
        task_id=cid,
        name=name,
        ns=Namespace(f"{parent.ns}|{segment}" if parent.ns else segment),
        thread_id=parent.thread_id,
        checkpointer=parent.checkpointer,
        config=parent.config,
        answers=answers,
        child_answers=parent.child_answers,
        writer=parent.writer,
        forward=parent.forward,
        durability=parent.durability,
        messages=parent.messages,
        owner=parent.owner,
        checkpoint_id=parent.checkpoint_id,
        parents=parent.parents,
        replay=parent.replay,
        task_results=parent.task_results,
        spare=parent.spare,
        is_task_call=True,
        emit=parent.emit,
        trace=None if parent.trace is None else _task_trace(parent.trace, name, segment, index),
        run=parent.run,
    )


def _task_trace(manager: Any, name: str, segment: str, index: int) -> Any:
    """The callback manager a traced task call's run starts from, with the metadata
    LangGraph gives a pushed task: its caller's step, a path through its caller's path
    and the call's index."""
    caller = manager.metadata
    caller_ns = caller.get("langgraph_checkpoint_ns")
    metadata = {
        "langgraph_step": caller.get("langgraph_step"),
        "langgraph_node": name,
        "langgraph_triggers": (PUSH,),
        "langgraph_path": (PUSH, caller.get("langgraph_path", (PULL, name)), index, True),
        "langgraph_checkpoint_ns": f"{caller_ns}|{segment}" if caller_ns else segment,
    }
    return tagged_manager(manager, None, metadata)
