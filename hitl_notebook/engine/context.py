"""The running task's context, and ``interrupt()`` which reads it.

A task's context carries the answers it already received: on resume the node runs again
from its start and its n-th ``interrupt()`` call returns the n-th answer.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from ..checkpoint.base import InterruptRecord, Namespace, ThreadId
from ..checkpoint.serde import SerializationError, check_serialisable
from ..errors import CheckpointerRequiredError, OutsideNodeError
from ..types import ExecutionInfo, GraphInterrupt, Runtime
from .answers import response_json_schema, validated_answer

__all__ = [
    "TaskContext",
    "coerce_context",
    "current_task",
    "get_config",
    "get_runtime",
    "get_stream_writer",
    "injected_arguments",
    "interrupt",
    "interrupt_gate",
    "interrupt_id",
    "node_config",
    "running_task",
    "runtime_of",
    "task_scope",
]


@dataclass(slots=True)
class TaskContext:
    """What a node call can reach while it runs.

    Fields come in the order ``Run.context_for`` passes them (positionally: a context is
    made for every task, and keyword arguments cost more than the rest of the call):
    the task's own, then its run's, then its step's; the rest start at their defaults."""

    task_id: str
    name: str
    #: Answers given to this task's interrupts, in call order.
    answers: list[Any]
    #: Answers for interrupts raised inside subgraphs this task calls, by interrupt id.
    child_answers: dict[str, Any]
    ns: Namespace
    thread_id: ThreadId | None
    checkpointer: Any
    config: dict
    #: Sends a "custom" stream chunk.
    writer: Any = None
    #: When the caller streams with ``subgraphs=True``: the modes it wants and a function
    #: taking ``(mode, ns, chunk)`` that forwards subgraph events to it.
    forward: tuple[tuple[str, ...], Any] | None = None
    #: The run's ``durability``, which subgraphs it calls inherit.
    durability: str = "async"
    #: The plan of the graph running this task (subgraphs the node calls register there).
    owner: Any = None
    #: The enclosing graphs' checkpoints (``{namespace: checkpoint id}``): subgraphs the
    #: task runs record them (and ``checkpoint_id``) as their parents.
    parents: dict = field(default_factory=dict)
    #: Subgraph checkpoints a replay should start from, by namespace (``checkpoint_map``).
    replay: dict = field(default_factory=dict)
    #: ``emit(mode, chunk)``: sends a chunk on the run's stream (``@task`` results).
    emit: Any = None
    #: The graph run (its ``context`` is ``runtime.context``). With ``plan`` (this task's
    #: plan), ``run._task_metadata(plan)`` is what LangGraph's metadata says of the task
    #: (step, node, triggers, path, namespace), for the config the node sees. A ``@task``
    #: call has its caller's run and no plan (nothing to add).
    run: Any = None
    #: The thread's saver when ``checkpointer`` is None because this graph keeps no
    #: checkpoints (``checkpointer=False``): a ``checkpointer=True`` subgraph below still
    #: keeps its history there, as LangGraph lends it the saver through the config.
    lent_checkpointer: Any = None
    #: The checkpoint this task's step runs from.
    checkpoint_id: str | None = None
    #: True when the task is the only one of its step (its routing preview is the commit).
    solo: bool = False
    #: Functional API: results of the ``@task`` calls that finished, by call id, shared by
    #: the entrypoint's task and every task it calls (see ``hitl_notebook.functional``).
    task_results: dict = field(default_factory=dict)
    #: An answer given while nothing waited for one (a task failed after its answers):
    #: the next ``interrupt()`` without an answer takes it, in the node or in a ``@task``
    #: call it made (a one-item list shared with them).
    spare: list = field(default_factory=list)
    #: Where LLM tokens and messages go when the caller streams ``messages`` (else None).
    messages: Any = None
    #: The LangChain callback manager this task's run reports under (only when the call's
    #: config has ``callbacks``; see ``engine.tracing``).
    trace: Any = None
    plan: Any = None
    #: How many ``interrupt()`` calls this run of the node has made.
    calls: int = 0
    #: How many subgraph invocations this run of the node has made (for their namespaces).
    subgraph_calls: int = 0
    #: True once this run of the node took one of its answers (else an answer given to it
    #: went unused, which is warned about).
    consumed: bool = False
    #: How many ``@task`` calls this run of the node has made (for their call ids).
    task_calls: int = 0
    #: State keys of the compiled graphs this task ran: a node returning a subgraph's
    #: output may carry them, and the parent drops those it lacks (LangGraph's rule).
    subgraph_keys: frozenset = frozenset()
    #: A graph node's ``@task`` calls (made on its first call; see ``functional.calls``).
    caller: Any = None
    #: An entrypoint's ``previous`` value, shown as ``runtime.previous``.
    previous: Any = None
    #: 1, then 2 on the first retry, ... (``runtime.execution_info.node_attempt``).
    attempt: int = 1
    #: When the task's runtime was first read (``time.time()``): its first attempt, unless
    #: the node reads it only on a retry. Not taken for every task: most never read it.
    first_attempt: float | None = None
    #: The config the node sees, made on first use (see ``node_config``).
    shown_config: dict | None = None
    #: True for a ``@task`` call's context: an answer it takes from ``spare`` is stored in
    #: its caller's ``child_answers``.
    is_task_call: bool = False

    def restart(self) -> None:
        """Before a retry: the node runs from its start, so its ``interrupt()`` calls take
        the answers from the first again and its subgraph calls reuse their namespaces."""
        self.calls = 0
        self.attempt += 1
        self.subgraph_calls = 0
        self.task_calls = 0
        self.consumed = False


#: The context of the node running in this thread/task. ``task_scope`` sets it; the
#: engine's per-task path sets and resets it directly (a ``with`` costs three calls).
running_task: ContextVar[TaskContext | None] = ContextVar("hitl_notebook_task", default=None)


def current_task() -> TaskContext | None:
    """The context of the node running in this thread/task, or None outside a node."""
    return running_task.get()


class task_scope:
    """``with task_scope(ctx):`` makes ``ctx`` current while a node runs."""

    __slots__ = ("_token", "ctx")

    def __init__(self, ctx: TaskContext) -> None:
        self.ctx = ctx

    def __enter__(self) -> TaskContext:
        self._token = running_task.set(self.ctx)
        return self.ctx

    def __exit__(self, *exc: object) -> None:
        running_task.reset(self._token)


#: Called by ``interrupt()`` before it takes its call index. ``ToolNode`` sets it in each
#: thread running a tool call, so that parallel calls of one node ask their questions in
#: tool-call order (the n-th question of a node must get the n-th answer on every run).
interrupt_gate: ContextVar[Callable[[], None] | None] = ContextVar(
    "hitl_notebook_interrupt_gate", default=None
)


def interrupt_id(task_id: str, index: int) -> str:
    """Stable and distinct per call site: the task's id plus the call's index in the task."""
    return hashlib.blake2b(f"{task_id}#{index}".encode(), digest_size=16).hexdigest()


def interrupt(value: Any, *, response_schema: Any = None) -> Any:
    """Pause the graph and show ``value`` to a human; returns their answer on resume.

    The node re-runs from its start on resume, so code before this call runs again: keep
    it idempotent. ``value`` must be serialisable (it is stored in the checkpoint).

    ``response_schema`` describes the answer for the client (``Interrupt.response_schema``):
    a JSON schema dict is shown as it is and answers are not checked; a pydantic model,
    ``TypedDict`` or dataclass is shown as its JSON schema, and the answer is validated
    against it: ``interrupt`` returns the validated object, and an answer that does not fit
    raises ``pydantic.ValidationError`` (``is_invalid_resume(error)`` is true) with nothing
    of it kept, so the interrupt can be answered again. (To keep the validated object in the
    state, register its class with ``register_type`` as any class stored in a checkpoint.)
    """
    ctx = running_task.get()
    if ctx is None:
        raise OutsideNodeError(
            "interrupt() can only be called inside a graph node while the graph runs: call "
            "it from a node function, not at the top level."
        )
    if ctx.checkpointer is None:
        raise CheckpointerRequiredError(
            f"interrupt() in node '{ctx.name}' needs a checkpointer to store the pause: compile the "
            "graph with compile(checkpointer=InMemorySaver()) (or a SqliteSaver for durable threads) "
            "and pass a config with a thread_id."
        )
    gate = interrupt_gate.get()
    if gate is not None:
        gate()
    index = ctx.calls
    ctx.calls += 1
    if index == len(ctx.answers) and ctx.spare:
        _take_spare(ctx, index)
    if index < len(ctx.answers):
        ctx.consumed = True
        answer = ctx.answers[index]
        if response_schema is None or isinstance(response_schema, dict):
            return answer
        return validated_answer(
            response_schema, answer, ctx.ns, interrupt_id(ctx.task_id, index), index
        )
    _check_payload(value, ctx.name)
    record = InterruptRecord(  # (positional, in field order: keywords cost more)
        interrupt_id(ctx.task_id, index),
        value,
        index,
        ctx.ns,
        None if response_schema is None else response_json_schema(response_schema, ctx.name),
    )
    raise GraphInterrupt([record])


def _take_spare(ctx: TaskContext, index: int) -> None:
    """Make the spare answer (if no parallel call took it first) the answer of this call."""
    try:
        answer = ctx.spare.pop()
    except IndexError:
        return
    ctx.answers.append(answer)
    if ctx.is_task_call:
        ctx.child_answers[interrupt_id(ctx.task_id, index)] = answer


def _check_payload(value: Any, node: str) -> None:
    try:
        check_serialisable(value, "interrupt value")
    except SerializationError as exc:
        raise TypeError(
            f"interrupt() in node '{node}': the payload must be serialisable: {exc}"
        ) from None


def get_config() -> dict:
    """The config the running node sees (``node_config``)."""
    return node_config(_running("get_config()"))


def _running(call: str) -> TaskContext:
    """The running task's context; ``call`` outside a node is an ``OutsideNodeError``."""
    ctx = running_task.get()
    if ctx is None:
        raise OutsideNodeError(
            f"{call} can only be called inside a graph node: call it from a node function."
        )
    return ctx


def node_config(ctx: TaskContext) -> dict:
    """The config a node (or its conditional edge, or ``get_config()``) sees, LangGraph's
    shape: the call's config, with ``configurable`` always there and ``metadata`` telling
    the task's step, node, triggers, path and namespace. Made once per task, on first use."""
    if ctx.shown_config is None:
        given = ctx.config
        ctx.shown_config = {
            **given,
            "configurable": dict(given.get("configurable") or {}),
            "metadata": {
                **(given.get("metadata") or {}),
                **(ctx.run._task_metadata(ctx.plan) if ctx.plan is not None else {}),
            },
        }
    return ctx.shown_config


def get_runtime(context_schema: Any = None) -> Runtime:
    """The running node's ``Runtime`` (its call's ``context``, stream writer, where it
    runs); ``context_schema`` only types the result, as in LangGraph."""
    return runtime_of(_running("get_runtime()"))


def runtime_of(ctx: TaskContext) -> Runtime:
    """The ``Runtime`` a task's ``runtime`` parameter receives."""
    if ctx.first_attempt is None:
        ctx.first_attempt = time.time()
    run_id = ctx.config.get("run_id")
    segment = f"{ctx.name}:{ctx.task_id}"
    # A ``@task`` call's namespace is already its own; a node's is its graph's.
    own_ns = ctx.ns.endswith(segment)
    return Runtime(
        context=ctx.run.context if ctx.run is not None else None,
        stream_writer=ctx.writer or _no_chunks,
        previous=ctx.previous,
        execution_info=ExecutionInfo(
            checkpoint_id=ctx.checkpoint_id or "",
            checkpoint_ns=ctx.ns if own_ns else f"{ctx.ns}|{segment}" if ctx.ns else segment,
            task_id=ctx.task_id,
            thread_id=ctx.thread_id,
            run_id=None if run_id is None else str(run_id),
            node_attempt=ctx.attempt,
            node_first_attempt_time=ctx.first_attempt,
        ),
    )


def coerce_context(schema: Any, context: Any) -> Any:
    """``context=`` given as a dict becomes the graph's ``context_schema`` when that is a
    dataclass or a pydantic model (LangGraph's rule); anything else is used as given."""
    if (
        isinstance(context, dict)
        and isinstance(schema, type)
        and (dataclasses.is_dataclass(schema) or hasattr(schema, "model_validate"))
    ):
        try:
            return schema(**context)
        except TypeError as exc:
            raise TypeError(
                f"context={_clip_repr(context)} does not fit the graph's context_schema "
                f"{schema.__name__}: {exc}"
            ) from exc
    return context


def _clip_repr(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 200 else text[:197] + "..."


def injected_arguments(names: tuple[str, ...], ctx: TaskContext | None) -> dict:
    """The values of the parameters a node or conditional edge takes by name: ``runtime``
    and ``writer`` (the ``custom`` stream's writer). Outside a task (the routing of an
    ``update_state``) the runtime is empty, as LangGraph's."""
    if ctx is None:
        return {name: Runtime() if name == "runtime" else _no_chunks for name in names}
    return {
        name: runtime_of(ctx) if name == "runtime" else ctx.writer or _no_chunks for name in names
    }


def _no_chunks(chunk: Any) -> None:
    """The stream writer when nobody streams ``custom``."""


def get_stream_writer():
    """A function that emits a chunk on the ``"custom"`` stream mode (no-op when nobody
    streams it)."""
    ctx = running_task.get()
    if ctx is None or ctx.writer is None:
        return lambda chunk: None
    return ctx.writer
