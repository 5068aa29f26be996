"""Running one task: call the node, turn its return value into writes and routing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..checkpoint.base import InterruptRecord, TaskOutcome, TaskPlan
from ..constants import START
from ..errors import InvalidUpdateError
from ..types import Command, GraphInterrupt, NodeInterrupt, ParentCommand, Send
from .answers import forget_invalid_answer, kept_answers
from .context import (
    TaskContext,
    injected_arguments,
    interrupt_id,
    node_config,
    running_task,
    task_scope,
)
from .messages_stream import langchain_callbacks
from .resume import DYNAMIC_INDEX
from .retry import retry_async, retry_sync
from .routing import aroute, goto_list, route
from .tracing import node_run

if TYPE_CHECKING:
    from ..graph.plan import GraphPlan

__all__ = [
    "TaskResult",
    "call_async",
    "call_sync",
    "goto_from_json",
    "goto_to_json",
    "writes_from_output",
]


@dataclass(slots=True)
class TaskResult:
    """What one run of a task produced."""

    plan: TaskPlan
    #: The ``(channel, value)`` writes the step applies (message ids already assigned).
    writes: list[tuple[str, Any]] | None = None
    goto: list[Any] = field(default_factory=list)
    interrupts: list[InterruptRecord] = field(default_factory=list)
    error: BaseException | None = None
    answers: list[Any] = field(default_factory=list)
    #: Index of a pre-supplied answer (resume at a static breakpoint) the node never used.
    unused_answer: bool = False
    #: The writes as the node returned them, which streams and ``metadata["writes"]`` show
    #: (``None``: same as ``writes``).
    returned: list[tuple[str, Any]] | None = None
    #: The step's values and changes with these writes applied, when the task ran alone in
    #: its step and routing already folded them (see ``route``).
    applied: tuple[dict, dict] | None = None
    #: Functional API: the results of the ``@task`` calls that finished (see ``TaskOutcome``).
    task_results: dict = field(default_factory=dict)
    #: Answers of the ``@task`` calls' interrupts, with any a call took from ``spare``.
    child_answers: dict = field(default_factory=dict)
    #: The writes of a node whose routing asked a question: the paused step's values show
    #: them (as LangGraph's do), but they are not stored, since the node runs again once
    #: the question is answered.
    unrouted: list[tuple[str, Any]] | None = None

    @property
    def shown(self) -> list[tuple[str, Any]] | None:
        """The writes as users see them in streams and history."""
        return self.writes if self.returned is None else self.returned

    def to_outcome(self, previous: TaskOutcome | None = None) -> TaskOutcome:
        """The stored form; keeps the questions and subgraph answers of earlier attempts,
        and the error of an earlier run when this one finished or asked (LangGraph's
        pending writes keep both, and history shows both)."""
        if previous is None:  # its first run at this step
            interrupts = list(self.interrupts)
            given = self.child_answers
        else:
            interrupts = list(previous.interrupts)
            if self.interrupts:
                known = {r.id for r in interrupts}
                interrupts += [r for r in self.interrupts if r.id not in known]
            given = {**previous.child_answers, **self.child_answers}
        if self.error is None:
            error, child_answers = None, dict(given)
        else:
            error, child_answers = forget_invalid_answer(self.error, dict(given))
        if error is None and previous is not None:
            error = previous.error
        # Positional, in field order (keywords cost more than the rest of the call).
        return TaskOutcome(
            self.plan.id,
            self.plan.name,
            self.writes,
            list(self.answers),
            interrupts,
            error,
            [goto_to_json(g) for g in self.goto] if self.goto else [],
            child_answers,
            dict(self.task_results),
        )


def call_sync(structure: GraphPlan, plan: TaskPlan, values: dict, ctx: TaskContext) -> TaskResult:
    """Run the task in this thread (retried as its node's ``RetryPolicy`` says). ``values``
    are the step's (read-only) values."""
    result = _attempt_sync(structure, plan, values, ctx)
    if result.error is None or (policies := structure.retry_policies.get(plan.name)) is None:
        return result
    return retry_sync(lambda: _attempt_sync(structure, plan, values, ctx), result, policies, ctx)


def _attempt_sync(
    structure: GraphPlan, plan: TaskPlan, values: dict, ctx: TaskContext
) -> TaskResult:
    try:
        token = running_task.set(ctx)  # as ``task_scope``, without a ``with``'s calls
        try:
            if plan.name == START:
                out = plan.send_arg
            else:
                spec = structure.nodes[plan.name]
                if spec.is_async:
                    raise TypeError(
                        f"Node '{plan.name}' is an async function, so this graph must run on an event loop: "
                        "use `await graph.ainvoke(...)` or `async for chunk in graph.astream(...)` "
                        "(in Jupyter, top-level await works in a cell)."
                    )
                node_input = (
                    plan.send_arg if plan.is_send else structure.node_input(plan.name, values)
                )
                try:
                    if ctx.messages is not None or ctx.trace is not None:
                        out = _call_observed(ctx, spec.fn, node_input, spec)
                    elif spec.injected or spec.accepts_config:
                        out = _call_node(spec, spec.fn, node_input, ctx)
                    else:
                        out = spec.fn(node_input)
                except ParentCommand as bubbled:  # a subgraph this node ran handed us a command
                    out = _as_own(bubbled.command)
            returned, writes, goto = _writes(structure, plan, out, ctx.subgraph_keys)
            try:
                targets, applied = route(structure, plan.name, values, writes, ctx.config, ctx.solo)
            except GraphInterrupt as asked:  # its routing asked: the writes show, unstored
                return _interrupted(plan, ctx, asked, unrouted=writes)
            return _finished(plan, ctx, returned, writes, goto + targets, applied)
        finally:
            running_task.reset(token)
    except GraphInterrupt as exc:
        return _interrupted(plan, ctx, exc)
    except Exception as exc:
        return TaskResult(
            plan,
            error=exc,
            answers=kept_answers(ctx.answers, ctx.ns, exc),
            task_results=ctx.task_results,
            child_answers=ctx.child_answers,
        )


async def call_async(
    structure: GraphPlan, plan: TaskPlan, values: dict, ctx: TaskContext
) -> TaskResult:
    """Run the task on the event loop (sync nodes and their routing go to a worker thread)."""
    spec = structure.nodes.get(plan.name)
    fn = spec.afn or spec.fn if spec is not None else None
    if (
        spec is not None
        and plan.name != START
        and fn is spec.fn
        and not spec.is_async
        and not structure.async_branches(plan.name)
    ):
        return await asyncio.to_thread(call_sync, structure, plan, values, ctx)
    result = await _attempt_async(structure, plan, values, ctx, spec, fn)
    if result.error is None or (policies := structure.retry_policies.get(plan.name)) is None:
        return result
    return await retry_async(
        lambda: _attempt_async(structure, plan, values, ctx, spec, fn), result, policies, ctx
    )


async def _attempt_async(
    structure: GraphPlan, plan: TaskPlan, values: dict, ctx: TaskContext, spec: Any, fn: Any
) -> TaskResult:
    try:
        with task_scope(ctx):
            if plan.name == START:
                out = plan.send_arg
            else:
                try:
                    if fn is spec.fn and not spec.is_async:
                        out = await asyncio.to_thread(
                            _call_in_scope, ctx, spec.fn, _node_input(structure, plan, values), spec
                        )
                    else:
                        node_input = _node_input(structure, plan, values)
                        with langchain_callbacks(ctx.messages):
                            if ctx.trace is None or _traces_itself(fn):
                                out = await _call_node(spec, fn, node_input, ctx)
                            else:
                                with node_run(ctx, ctx.name, node_input) as traced:
                                    out = traced.output = await _call_node(
                                        spec, fn, node_input, ctx
                                    )
                except ParentCommand as bubbled:  # a subgraph this node ran handed us a command
                    out = _as_own(bubbled.command)
            returned, writes, goto = _writes(structure, plan, out, ctx.subgraph_keys)
            try:
                targets, applied = await aroute(
                    structure, plan.name, values, writes, ctx.config, solo=ctx.solo
                )
            except GraphInterrupt as asked:  # its routing asked: the writes show, unstored
                return _interrupted(plan, ctx, asked, unrouted=writes)
            return _finished(plan, ctx, returned, writes, goto + targets, applied)
    except GraphInterrupt as exc:
        return _interrupted(plan, ctx, exc)
    except Exception as exc:
        return TaskResult(
            plan,
            error=exc,
            answers=kept_answers(ctx.answers, ctx.ns, exc),
            task_results=ctx.task_results,
            child_answers=ctx.child_answers,
        )


def _as_own(command: Command) -> Command:
    return Command(update=command.update, goto=command.goto)


def _call_in_scope(ctx: TaskContext, fn: Callable, node_input: Any, spec: Any) -> Any:
    with task_scope(ctx):
        return _call_observed(ctx, fn, node_input, spec)


def _call_observed(ctx: TaskContext, fn: Callable, node_input: Any, spec: Any) -> Any:
    """``_call_node`` with the ``messages`` stream's handler and the tracer's run around it."""
    with langchain_callbacks(ctx.messages):
        if ctx.trace is None or _traces_itself(fn):
            return _call_node(spec, fn, node_input, ctx)
        with node_run(ctx, ctx.name, node_input) as traced:
            traced.output = _call_node(spec, fn, node_input, ctx)
        return traced.output


def _traces_itself(fn: Callable) -> bool:
    """A LangChain runnable node (``graph.tracing.call_traced``) and an entrypoint's body
    (``functional.entrypoint``) report their own runs."""
    return hasattr(fn, "runnable") or hasattr(fn, "traces_itself")


def _call_node(spec: Any, fn: Callable, node_input: Any, ctx: TaskContext) -> Any:
    """``fn(state)``, ``fn(state, config)``, plus the parameters filled by name."""
    if not spec.injected:
        return fn(node_input, node_config(ctx)) if spec.accepts_config else fn(node_input)
    extra = injected_arguments(spec.injected, ctx)
    if spec.accepts_config:
        return fn(node_input, node_config(ctx), **extra)
    return fn(node_input, **extra)


def _node_input(structure: GraphPlan, plan: TaskPlan, values: dict) -> Any:
    return plan.send_arg if plan.is_send else structure.node_input(plan.name, values)


def _interrupted(
    plan: TaskPlan, ctx: TaskContext, exc: GraphInterrupt, *, unrouted: list | None = None
) -> TaskResult:
    records = list(exc.interrupts)
    if isinstance(exc, NodeInterrupt):  # never counts as answered: the node runs again instead
        records = [
            InterruptRecord(
                id=interrupt_id(ctx.task_id, DYNAMIC_INDEX),
                value=exc.value,
                index=DYNAMIC_INDEX,
                ns=ctx.ns,
            )
        ]
    # Positional, in field order (made at every pause; keywords cost more than the rest).
    return TaskResult(
        plan,
        None,  # writes
        [],  # goto
        records,  # interrupts
        None,  # error
        ctx.answers,
        False,  # unused_answer
        None,  # returned
        None,  # applied
        ctx.task_results,
        ctx.child_answers,
        unrouted,
    )


def _writes(
    structure: GraphPlan, plan: TaskPlan, out: Any, subgraph_keys: frozenset
) -> tuple[list, list, list]:
    """What the node returned as writes, the same writes prepared for folding (message ids
    assigned before routing, so routing and the commit agree), and its ``goto`` targets."""
    returned, goto = writes_from_output(structure, plan.name, out, subgraph_keys)
    if not structure.prepares_writes:
        return returned, returned, goto
    return returned, structure.prepare_writes(returned), goto


def _finished(
    plan: TaskPlan,
    ctx: TaskContext,
    returned: list,
    writes: list,
    goto: list,
    applied: tuple[dict, dict] | None,
) -> TaskResult:
    # Positional, in field order (made for every task; keywords cost more than the rest).
    return TaskResult(
        plan,
        writes,
        goto,
        [],  # interrupts
        None,  # error
        ctx.answers,
        bool(ctx.answers) and not ctx.consumed,  # unused_answer
        None if writes is returned else returned,
        applied,
        ctx.task_results,
        ctx.child_answers,
    )


def writes_from_output(
    structure: GraphPlan, node: str, out: Any, subgraph_keys: frozenset = frozenset()
) -> tuple[list[tuple[str, Any]], list[Any]]:
    """A node's return value -> ``(channel, value)`` writes and explicit ``goto`` targets.
    Keys in ``subgraph_keys`` (the state keys of subgraphs the node ran) that the graph
    lacks are dropped: the node is passing on a subgraph's output."""
    if type(out) is dict and structure.dict_writes and node != START:  # the usual return
        items = list(out.items())
        if subgraph_keys:
            channels = structure.channels
            items = [(k, v) for k, v in items if k in channels or k not in subgraph_keys]
        if not structure.channels.keys() >= out.keys():  # else every key is known
            structure.check_keys(items, f"Node '{node}'")
        return items, []
    goto: list[Any] = []
    if isinstance(out, Command):
        if out.graph == Command.PARENT:
            raise ParentCommand(out)  # the subgraph stops; its parent's task applies the command
        if out.graph is not None:
            raise InvalidUpdateError(
                f"Node '{node}' returned Command(graph={out.graph!r}); the only graph a node can address is "
                "Command.PARENT."
            )
        goto = goto_list(structure, node, out.goto)
        out = out.update
    elif isinstance(out, (list, tuple)) and out and any(isinstance(c, Command) for c in out):
        # A list holding Commands: each item is a Command or an update of its own.
        writes: list[tuple[str, Any]] = []
        for command in out:
            w, g = writes_from_output(structure, node, command, subgraph_keys)
            writes.extend(w)
            goto.extend(g)
        return writes, goto
    if out is None:
        return [], goto
    if node == START:  # the input, already one value per channel
        items = list(out.items())
        structure.check_keys(items, "The input")
        return items, goto
    if isinstance(out, (list, tuple)) and all(
        isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in out
    ):
        items = list(out)
    else:
        try:
            items = list(structure.schema.coerce_input(out).items())
        except TypeError:
            raise InvalidUpdateError(
                f"Node '{node}' returned {type(out).__name__} {out!r:.80}; a node must return a dict of "
                "state updates, a Command, or None."
            ) from None
    if subgraph_keys:
        channels = structure.channels
        items = [(k, v) for k, v in items if k in channels or k not in subgraph_keys]
    structure.check_keys(items, f"Node '{node}'")
    return items, goto


def goto_to_json(g: Any) -> Any:
    return {"send": g.node, "arg": g.arg} if isinstance(g, Send) else g


def goto_from_json(g: Any) -> Any:
    """Inverse of the stored form of a routing target."""
    return Send(g["send"], g["arg"]) if isinstance(g, dict) else g
