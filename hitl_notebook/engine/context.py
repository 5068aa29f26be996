"""The running task's context, and ``interrupt()`` which reads it.

A task's context carries the answers it already received: on resume the node runs again
from its start and its n-th ``interrupt()`` call returns the n-th answer.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from ..checkpoint.base import InterruptRecord, Namespace, ThreadId
from ..checkpoint.serde import SerializationError, check_serialisable
from ..errors import CheckpointerRequiredError, OutsideNodeError
from ..types import GraphInterrupt
from .answers import response_json_schema, validated_answer

__all__ = [
    "TaskContext",
    "current_task",
    "get_config",
    "get_stream_writer",
    "interrupt",
    "interrupt_gate",
    "interrupt_id",
    "task_scope",
]


@dataclass(slots=True)
class TaskContext:
    """What a node call can reach while it runs."""

    task_id: str
    name: str
    ns: Namespace
    thread_id: ThreadId | None
    checkpointer: Any
    config: dict
    #: Answers given to this task's interrupts, in call order.
    answers: list[Any]
    #: Answers for interrupts raised inside subgraphs this task calls, by interrupt id.
    child_answers: dict[str, Any]
    #: Sends a "custom" stream chunk.
    writer: Any = None
    #: When the caller streams with ``subgraphs=True``: the modes it wants and a function
    #: taking ``(mode, ns, chunk)`` that forwards subgraph events to it.
    forward: tuple[tuple[str, ...], Any] | None = None
    #: How many ``interrupt()`` calls this run of the node has made.
    calls: int = 0
    #: How many subgraph invocations this run of the node has made (for their namespaces).
    subgraph_calls: int = 0
    #: Indexes of answers the node actually consumed (to warn about an unused answer).
    consumed: set[int] = field(default_factory=set)
    #: True when the task is the only one of its step (its routing preview is the commit).
    solo: bool = False
    #: The run's ``durability``, which subgraphs it calls inherit.
    durability: str = "async"
    #: Where LLM tokens and messages go when the caller streams ``messages`` (else None).
    messages: Any = None
    #: The plan of the graph running this task (subgraphs the node calls register there).
    owner: Any = None
    #: The checkpoint this task's step runs from, and the enclosing graphs' checkpoints
    #: (``{namespace: checkpoint id}``): subgraphs the task runs record both as their parents.
    checkpoint_id: str | None = None
    parents: dict = field(default_factory=dict)
    #: Subgraph checkpoints a replay should start from, by namespace (``checkpoint_map``).
    replay: dict = field(default_factory=dict)
    #: Functional API: results of the ``@task`` calls that finished, by call id, shared by
    #: the entrypoint's task and every task it calls (see ``hitl_notebook.functional``).
    task_results: dict = field(default_factory=dict)
    #: How many ``@task`` calls this run of the node has made (for their call ids).
    task_calls: int = 0
    #: ``emit(mode, chunk)``: sends a chunk on the run's stream (``@task`` results).
    emit: Any = None
    #: State keys of the compiled graphs this task ran: a node returning a subgraph's
    #: output may carry them, and the parent drops those it lacks (LangGraph's rule).
    subgraph_keys: frozenset = frozenset()
    #: The LangChain callback manager this task's run reports under (only when the call's
    #: config has ``callbacks``; see ``engine.tracing``).
    trace: Any = None
    #: A graph node's ``@task`` calls (made on its first call; see ``functional.calls``).
    caller: Any = None
    #: An answer given while nothing waited for one (a task failed after its answers):
    #: the next ``interrupt()`` without an answer takes it, in the node or in a ``@task``
    #: call it made (a one-item list shared with them).
    spare: list = field(default_factory=list)
    #: True for a ``@task`` call's context: an answer it takes from ``spare`` is stored in
    #: its caller's ``child_answers``.
    is_task_call: bool = False

    def restart(self) -> None:
        """Before a retry: the node runs from its start, so its ``interrupt()`` calls take
        the answers from the first again and its subgraph calls reuse their namespaces."""
        self.calls = 0
        self.subgraph_calls = 0
        self.task_calls = 0
        self.consumed.clear()


_current: ContextVar[TaskContext | None] = ContextVar("hitl_notebook_task", default=None)


def current_task() -> TaskContext | None:
    """The context of the node running in this thread/task, or None outside a node."""
    return _current.get()


class task_scope:
    """``with task_scope(ctx):`` makes ``ctx`` current while a node runs."""

    __slots__ = ("_token", "ctx")

    def __init__(self, ctx: TaskContext) -> None:
        self.ctx = ctx

    def __enter__(self) -> TaskContext:
        self._token = _current.set(self.ctx)
        return self.ctx

    def __exit__(self, *exc: object) -> None:
        _current.reset(self._token)


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
    ctx = _current.get()
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
        ctx.consumed.add(index)
        answer = ctx.answers[index]
        if response_schema is None or isinstance(response_schema, dict):
            return answer
        return validated_answer(
            response_schema, answer, ctx.ns, interrupt_id(ctx.task_id, index), index
        )
    _check_payload(value, ctx.name)
    record = InterruptRecord(
        id=interrupt_id(ctx.task_id, index),
        value=value,
        index=index,
        ns=ctx.ns,
        response_schema=response_json_schema(response_schema, ctx.name),
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
    """The config of the running node's graph call."""
    ctx = _current.get()
    if ctx is None:
        raise OutsideNodeError(
            "get_config() can only be called inside a graph node: call it from a node function."
        )
    return ctx.config


def get_stream_writer():
    """A function that emits a chunk on the ``"custom"`` stream mode (no-op when nobody
    streams it)."""
    ctx = _current.get()
    if ctx is None or ctx.writer is None:
        return lambda chunk: None
    return ctx.writer
