"""Running one task: call the node, turn its return value into writes and routing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..checkpoint.base import InterruptRecord, TaskOutcome, TaskPlan
from ..errors import InvalidUpdateError
from ..graph.builder import START
from ..types import Command, GraphInterrupt, NodeInterrupt, Send
from .context import TaskContext, interrupt_id, task_scope
from .routing import goto_list, route

if TYPE_CHECKING:
    from ..graph.compiled import CompiledStateGraph

__all__ = ["TaskResult", "call_async", "call_sync", "goto_from_json", "writes_from_output"]


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

    @property
    def shown(self) -> list[tuple[str, Any]] | None:
        """The writes as users see them in streams and history."""
        return self.writes if self.returned is None else self.returned

    def to_outcome(self, previous: TaskOutcome | None = None) -> TaskOutcome:
        """The stored form; keeps the questions and subgraph answers of earlier attempts."""
        interrupts = list(previous.interrupts) if previous is not None else []
        known = {r.id for r in interrupts}
        interrupts += [r for r in self.interrupts if r.id not in known]
        return TaskOutcome(
            task_id=self.plan.id,
            name=self.plan.name,
            writes=self.writes,
            answers=list(self.answers),
            interrupts=interrupts,
            error=None if self.error is None else f"{type(self.error).__name__}: {self.error}",
            goto=[_goto_to_json(g) for g in self.goto],
            child_answers=dict(previous.child_answers) if previous is not None else {},
        )


def call_sync(graph: CompiledStateGraph, plan: TaskPlan, values: dict, ctx: TaskContext) -> TaskResult:
    """Run the task in this thread. ``values`` are the step's (read-only) values."""
    if plan.name == START:
        return _finish(graph, plan, values, ctx, plan.send_arg)
    spec = graph.builder.nodes[plan.name]
    node_input = plan.send_arg if plan.is_send else graph.builder.schema.node_view(graph.visible_values(values))
    try:
        with task_scope(ctx):
            if spec.is_async:
                out = asyncio.run(_call_async_fn(spec.fn, node_input, ctx, spec.accepts_config))
            else:
                out = spec.fn(node_input, ctx.config) if spec.accepts_config else spec.fn(node_input)
            return _finish(graph, plan, values, ctx, out)
    except GraphInterrupt as exc:
        return _interrupted(plan, ctx, exc)
    except Exception as exc:
        return TaskResult(plan, error=exc, answers=ctx.answers)


async def call_async(graph: CompiledStateGraph, plan: TaskPlan, values: dict, ctx: TaskContext) -> TaskResult:
    """Run the task on the event loop (sync nodes go to a worker thread)."""
    if plan.name == START:
        return _finish(graph, plan, values, ctx, plan.send_arg)
    spec = graph.builder.nodes[plan.name]
    if not spec.is_async:
        return await asyncio.to_thread(call_sync, graph, plan, values, ctx)
    node_input = plan.send_arg if plan.is_send else graph.builder.schema.node_view(graph.visible_values(values))
    try:
        with task_scope(ctx):
            out = await _call_async_fn(spec.fn, node_input, ctx, spec.accepts_config)
            return _finish(graph, plan, values, ctx, out)
    except GraphInterrupt as exc:
        return _interrupted(plan, ctx, exc)
    except Exception as exc:
        return TaskResult(plan, error=exc, answers=ctx.answers)


async def _call_async_fn(fn: Callable, node_input: Any, ctx: TaskContext, accepts_config: bool) -> Any:
    return await (fn(node_input, ctx.config) if accepts_config else fn(node_input))


def _interrupted(plan: TaskPlan, ctx: TaskContext, exc: GraphInterrupt) -> TaskResult:
    records = list(exc.interrupts)
    if isinstance(exc, NodeInterrupt):
        index = max(ctx.calls, len(ctx.answers))  # never counts as answered: it re-asks
        records = [InterruptRecord(id=interrupt_id(ctx.task_id, index), value=exc.value, index=index, ns=ctx.ns)]
    return TaskResult(plan, interrupts=records, answers=ctx.answers)


def _finish(graph: CompiledStateGraph, plan: TaskPlan, values: dict, ctx: TaskContext, out: Any) -> TaskResult:
    returned, goto = writes_from_output(graph, plan.name, out)
    writes = graph.prepare_writes(returned)  # before routing, so routing and the commit agree
    targets, applied = route(graph, plan.name, values, writes, ctx.config, solo=ctx.solo)
    goto.extend(targets)
    unused = bool(ctx.answers) and not ctx.consumed
    return TaskResult(plan, writes=writes, goto=goto, answers=ctx.answers, unused_answer=unused,
                      returned=None if writes is returned else returned, applied=applied)


def writes_from_output(graph: CompiledStateGraph, node: str, out: Any) -> tuple[list[tuple[str, Any]], list[Any]]:
    """A node's return value -> ``(channel, value)`` writes and explicit ``goto`` targets."""
    goto: list[Any] = []
    if isinstance(out, Command):
        if out.graph is not None:
            raise InvalidUpdateError(f"Node '{node}' returned Command(graph={out.graph!r}): routing to a parent graph is not supported.")
        goto = goto_list(graph, node, out.goto)
        out = out.update
    elif isinstance(out, (list, tuple)) and out and all(isinstance(c, Command) for c in out):
        writes: list[tuple[str, Any]] = []
        for command in out:
            w, g = writes_from_output(graph, node, command)
            writes.extend(w)
            goto.extend(g)
        return writes, goto
    if out is None:
        return [], goto
    if isinstance(out, (list, tuple)) and all(isinstance(p, tuple) and len(p) == 2 and isinstance(p[0], str) for p in out):
        items = list(out)
    else:
        try:
            items = list(graph.builder.schema.coerce_input(out).items())
        except TypeError:
            raise InvalidUpdateError(
                f"Node '{node}' returned {type(out).__name__} {out!r:.80}; a node must return a dict of "
                "state updates, a Command, or None."
            ) from None
    graph.check_keys(items, f"Node '{node}'")
    return items, goto


def _goto_to_json(g: Any) -> Any:
    return {"send": g.node, "arg": g.arg} if isinstance(g, Send) else g


def goto_from_json(g: Any) -> Any:
    """Inverse of the stored form of a routing target."""
    return Send(g["send"], g["arg"]) if isinstance(g, dict) else g
