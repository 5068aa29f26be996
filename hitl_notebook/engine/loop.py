"""The super-step loop of one ``invoke``/``stream`` call.

A ``Run`` loads the thread's checkpoint, then repeats: pick the step's tasks
(``plan_step``), run them (the sync or async driver), and ``finish_step``: if every task
finished, apply their writes together in task order, save the next checkpoint and route;
if any paused or failed, save what each task produced so nothing finished runs twice.
"""

from __future__ import annotations

import time
import warnings
from collections import deque
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal

from ..checkpoint.base import (
    Change,
    CheckpointRecord,
    InterruptRecord,
    Namespace,
    Replace,
    TaskOutcome,
    TaskPlan,
    ThreadId,
    new_checkpoint_id,
    write_order,
)
from ..constants import (
    CONFIG_KEY_NODE_FINISHED,
    INTERRUPT,
    NULL_TASK_ID,
    PULL,
    PUSH,
    ROOT,
    START,
    normalise_breakpoints,
)
from ..errors import (
    CheckpointerRequiredError,
    CheckpointNotFoundError,
    EmptyInputError,
    GraphDrained,
    GraphRecursionError,
    HITLWarning,
    NoParentGraphError,
    ResumeError,
    ThreadRequiredError,
    UnknownInterruptError,
)
from ..types import Command, GraphInterrupt, Interrupt, ParentCommand, RunControl
from .commands import (
    given_goto,
    input_outcome,
    merge_changes,
    routes_after_input,
    step_values,
    with_goto_tasks,
)
from .context import TaskContext, coerce_context, running_task
from .events import checkpoint_payload, debug_event, result_payload, task_payload
from .lineage import name_path, state_as_of, stateful_ns
from .messages_stream import MessageEmitter, SilentEmitter, message_ids, messages_in
from .resume import (
    DYNAMIC_INDEX,
    pending_interrupts,
    reject_stale_ids,
    resolve_resume,
    unanswered,
)
from .routing import next_plans, task_id
from .run_metadata import config_metadata
from .storable import check_call_storable
from .tasks import TaskResult, goto_from_json
from .tracing import tagged_manager
from .untracked import outcome_to_store, record_to_store

if TYPE_CHECKING:
    from ..graph.compiled import CompiledStateGraph

__all__ = [
    "DEFAULT_RECURSION_LIMIT",
    "DURABILITY",
    "STREAM_MODES",
    "Run",
    "RunStatus",
    "now_iso",
    "run_observers",
]

#: What ``stream_mode`` accepts.
STREAM_MODES = (
    "values",
    "updates",
    "custom",
    "tasks",
    "checkpoints",
    "debug",
    "messages",
    "tools",
)

#: The stream modes that show what ``@task`` calls emit (see ``_emit_from_task``).
_TASK_MODES = frozenset({"tasks", "debug", "updates"})

#: When checkpoints are written: ``"sync"``/``"async"`` every step (ours are written before
#: the next step starts either way), ``"exit"`` once, when the call returns or pauses.
DURABILITY = ("sync", "async", "exit")

#: Where a call stands: running, finished, paused on an interrupt or a breakpoint, failed.
RunStatus = Literal["running", "done", "interrupted", "breakpoint", "error", "drained"]

#: Super-steps one call may take before ``GraphRecursionError`` (LangGraph 1.x allows ~10,000).
DEFAULT_RECURSION_LIMIT = 10_000

#: Functions ``fn(graph, config)`` told when a top-level run starts (the IPython extension
#: uses it to bind a displayed result to its thread).
run_observers: list = []


#: The last whole second ``now_iso`` formatted, and its text: formatting a datetime
#: costs more than the rest of a small step, and steps come many per second.
_second_text: tuple[int, str] = (-1, "")


#: ``configurable`` keys the ``messages`` stream's metadata repeats (as LangGraph).
_PROPAGATED = (
    "thread_id",
    "checkpoint_id",
    "checkpoint_ns",
    "task_id",
    "run_id",
    "assistant_id",
    "graph_id",
)
#: The metadata LangGraph adds to a message a node returned (not a model's).
_RETURNED = {"ls_integration": "langgraph"}


def now_iso() -> str:
    """The current UTC time as ISO-8601 with microseconds, e.g. ``2026-01-02T03:04:05.000006+00:00``."""
    global _second_text
    second, nanos = divmod(time.time_ns(), 1_000_000_000)
    cached, text = _second_text
    if second != cached:
        text = datetime.fromtimestamp(second, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.")
        _second_text = (second, text)
    # %-formatting: an f-string's format spec costs more here, and this runs every step.
    return text + "%06d+00:00" % (nanos // 1000)  # noqa: UP031


#: Steps a continued run (``None`` or a ``Command`` as input) may take beyond
#: ``recursion_limit``: LangGraph counts its budget from the checkpoint it continues, which
#: saves no input step, so such a run stops two steps later than one given new input.
CONTINUED_SPARE_STEPS = 2


class Run:
    """State of one graph call; the drivers below move it step by step."""

    # Slots: a run has more attributes than an instance dict keeps fast, and its steps
    # read them all the time.
    __slots__ = (
        "_adopt",
        "_asked_early",
        "_emits_task_chunks",
        "_emitters",
        "_finished_unshown",
        "_forward",
        "_given_changes",
        "_held",
        "_node_finished",
        "_reported",
        "_seen_messages",
        "_shows_checkpoints",
        "_shows_tasks",
        "_shows_updates",
        "_sink",
        "_streams_messages",
        "_task_shared",
        "_writer",
        "addressed",
        "after",
        "before",
        "checkpoint_id",
        "config",
        "context",
        "continuation",
        "control",
        "copied",
        "cp",
        "durability",
        "error",
        "events",
        "first_step",
        "graph",
        "latest",
        "lent_saver",
        "limit",
        "live",
        "metadata",
        "modes",
        "ns",
        "output_keys",
        "parent",
        "parents",
        "plan",
        "preanswers",
        "printed",
        "replay",
        "reported",
        "saver",
        "shown",
        "spare",
        "status",
        "step_values",
        "steps",
        "stop_requested",
        "subgraphs",
        "thread_id",
        "trace",
        "wake",
    )

    def __init__(
        self,
        graph: CompiledStateGraph,
        config: dict | None,
        *,
        modes: tuple[str, ...] = (),
        printed: tuple[str, ...] = (),
        interrupt_before: Any = None,
        interrupt_after: Any = None,
        subgraphs: bool = False,
        durability: str | None = None,
        output_keys: Any = None,
        control: RunControl | None = None,
        context: Any = None,
    ) -> None:
        self.graph = graph
        self.plan = graph._plan
        self.config = dict(config or {})
        conf = self.config.get("configurable") or {}
        # Inside a node this runs as a subgraph, and ``checkpointer=False`` makes it one that
        # keeps no checkpoints at all. Compiled with the parent's own saver it is a subgraph
        # too (as in LangGraph), else parallel calls would share one history, unless the call
        # names a thread of its own; with another saver it is a graph of its own.
        task = running_task.get()
        if task is not None:  # the node may return our output: its graph drops our own keys
            task.subgraph_keys = task.subgraph_keys.union(self.plan.channels)
        #: ``runtime.context`` of this call's tasks: the one given, else (inside a node) the
        #: enclosing call's, as LangGraph merges runtimes.
        self.context = (
            coerce_context(self.plan.context_schema, context) if context is not None else None
        ) or (task.run.context if task is not None and task.run is not None else None)
        if task is not None and graph.checkpointer not in (None, True, False):
            thread = conf.get("thread_id")
            own_thread = thread is not None and str(thread) != task.thread_id
            if own_thread or task.checkpointer is not graph.checkpointer:
                task = None
        self.parent = task
        if self.parent is not None:
            outer_saver = self.parent.checkpointer or self.parent.lent_checkpointer
            self.saver = (
                outer_saver
                if graph.checkpointer is True
                else self.parent.checkpointer
                if graph.checkpointer is not False
                else None
            )
            #: The thread's saver, for ``checkpointer=True`` subgraphs below this one.
            self.lent_saver = outer_saver
            self.thread_id = self.parent.thread_id
            self.ns = _child_ns(self.parent, stable=graph.checkpointer is True)
            if self.parent.owner is not None:  # so get_state(subgraphs=True) can read its state
                self.parent.owner.called_subgraphs.setdefault(self.parent.name, graph)
            self.parents = {**self.parent.parents, self.parent.ns: self.parent.checkpoint_id}
            self.addressed = self.parent.run is None or self.parent.run.addressed
            self.replay = self.parent.replay
            self.checkpoint_id = self.replay.get(self.ns)
            #: A replay target of this subgraph under another task id (the parent step was
            #: copied for the replay, so its tasks got new ids): started from a copy of it.
            self._adopt = (
                None
                if self.checkpoint_id is not None
                else next(
                    (
                        (other, cid)
                        for other, cid in self.replay.items()
                        if other and name_path(other) == name_path(self.ns)
                    ),
                    None,
                )
            )
            outer = self.parent.config
            self.config = {
                **outer,
                **{k: v for k, v in self.config.items() if k != "configurable"},
                "configurable": {**(outer.get("configurable") or {}), "checkpoint_ns": self.ns},
            }
        else:
            self.saver = (
                graph.checkpointer if graph.checkpointer not in (None, True, False) else None
            )
            self.thread_id = conf.get("thread_id")
            self.ns = Namespace(conf.get("checkpoint_ns", "") or "")
            self.checkpoint_id = conf.get("checkpoint_id")
            self.parents, self.replay, self._adopt = {}, {}, None
            self.lent_saver = self.saver
            if self.ns:  # a subgraph's checkpoint: replay the root graph towards it
                self.replay = _replay_map(
                    self.saver,
                    str(self.thread_id),
                    self.ns,
                    self.checkpoint_id,
                    conf.get("checkpoint_map"),
                )
                self.ns, self.checkpoint_id = Namespace(""), self.replay.pop("", None)
            #: Whether the call names a checkpoint (time travel): its stateful subgraphs then
            #: start from their state as of that point in the parent's history.
            self.addressed = self.checkpoint_id is not None or bool(self.replay)
            if self.saver is not None and self.thread_id is None:
                raise ThreadRequiredError(
                    "This graph has a checkpointer, so every call needs a thread: pass "
                    'config={"configurable": {"thread_id": "some-id"}}.'
                )
        self.thread_id = None if self.thread_id is None else ThreadId(str(self.thread_id))
        #: Chunks waiting to be yielded; tasks in worker threads append while the driver drains.
        self.events: deque[tuple[str, str, Any]] = deque()
        #: Modes the caller reads, and modes only printed (``print_mode``/``debug=True``).
        self.shown, self.printed = modes, printed
        self.modes = tuple(dict.fromkeys((*modes, *printed))) if printed else modes
        self.subgraphs = subgraphs
        #: Chunks can appear while a task runs (custom writes, LLM tokens, a subgraph's
        #: steps): the driver then runs even a lone task in a worker and yields as they come.
        self.live = (
            subgraphs
            or "custom" in modes
            or "messages" in modes
            or (self.plan.streams_while_running and bool(modes))
        )
        #: Where events go: our own buffer, or (inside a parent streaming subgraphs) the parent's.
        self._sink = self.events.append
        if self.parent is not None and self.parent.forward is not None:
            self.modes, self._sink = self.parent.forward
        # (Breakpoints given to compile() were checked there, but the attributes can change.)
        self.before = (
            _breakpoints(graph, interrupt_before, "before")
            if interrupt_before is not None or graph.interrupt_before_nodes
            else ()
        )
        self.after = (
            _breakpoints(graph, interrupt_after, "after")
            if interrupt_after is not None or graph.interrupt_after_nodes
            else ()
        )
        if durability is None and self.parent is not None:
            durability = self.parent.durability
        self.durability = durability or "async"
        #: Writes held back until the call ends (``durability="exit"``): records and outcomes.
        self._held: list[tuple[str, Any, Any]] = []
        self.output_keys = output_keys
        #: Asked between steps whether to stop (``GraphDrained``); None: never.
        self.control = control
        #: The state the ``values`` stream last showed (raw), and the interrupts reported.
        self.latest: dict | None = None
        self.reported: list[Interrupt] = []
        #: Tasks of a parallel step whose questions went out on ``updates`` as they asked.
        self._asked_early: set[str] = set()
        hook = (self.config.get("configurable") or {}).get(CONFIG_KEY_NODE_FINISHED)
        self._node_finished = hook if callable(hook) else None
        self._seen_messages: set | None = None
        #: The LangChain callback manager of this call's run (set by ``engine.tracing``).
        self.trace: Any = None
        #: Wakes the async driver when a task emits a chunk (set while it waits on tasks).
        self.wake: Any = None
        #: Each running task's ``messages`` emitter (only while streaming ``messages``).
        self._emitters: dict[str, MessageEmitter] = {}
        if (self.before or self.after) and self.saver is None:
            raise CheckpointerRequiredError(
                "interrupt_before/interrupt_after need a checkpointer to pause the thread: compile(checkpointer=...)."
            )
        self.limit = int(self.config.get("recursion_limit", DEFAULT_RECURSION_LIMIT))
        if self.parent is None:
            for observe in run_observers:
                observe(graph, config)
        self.metadata = config_metadata(self.config)
        if self.parents:
            self.metadata["parents"] = self.parents
        self.status: RunStatus = "running"
        self.error: BaseException | None = None
        self.preanswers: dict[str, list[Any]] = {}
        #: An answer for a task's next question, by task id (see ``_answer_again``).
        self.spare: dict[str, list[Any]] = {}
        self.continuation = False
        self._reported = False  # whether a checkpoints/debug chunk went out yet
        self._finished_unshown = False  # see ``_emit_finished``
        self.first_step = True
        self.stop_requested = False
        self.steps = 0
        #: Whether the run started from a fresh copy of a past checkpoint (a replay): the
        #: copy takes one step of the recursion budget, as LangGraph's fork checkpoint does.
        self.copied = False
        self.cp: CheckpointRecord
        #: What the step's tasks read: the checkpoint's values with a given ``Command``'s
        #: update folded in, and the changes that update made (see ``commands``).
        self.step_values: dict = {}
        self._given_changes: dict = {}
        # What every task context of this run carries: the "custom" stream writer, and the
        # (modes, sink) pair subgraphs forward their events to.
        self._writer = (
            (lambda chunk: self._sink(("custom", self.ns, chunk)))
            if "custom" in self.modes
            else None
        )
        forwarding = self.subgraphs or (self.parent is not None and self.parent.forward)
        self._forward = (self.modes, self._sink) if forwarding else None
        self._streams_messages = "messages" in self.modes
        self._shows_tasks = "tasks" in self.modes or "debug" in self.modes
        self._shows_updates = "updates" in self.modes
        #: Whether saved checkpoints are streamed (see ``_report_saved``).
        self._shows_checkpoints = self.saver is not None and (
            "checkpoints" in self.modes or "debug" in self.modes
        )
        # What every task context of this run holds, in ``TaskContext``'s field order
        # (``context_for`` runs per task: the tuple is made once). The run itself and its
        # bound methods are added per task: held here, they would make the run a reference
        # cycle that only the garbage collector frees, with all it holds.
        self._task_shared = (
            self.ns,
            self.thread_id,
            self.saver,
            self.config,
            self._writer,
            self._forward,
            self.durability,
            self.plan,
            self.parents,
            self.replay,
        )
        #: Whether a mode shows ``@task`` calls (else tasks skip building their chunks).
        self._emits_task_chunks = not _TASK_MODES.isdisjoint(self.modes)

    # -- starting --------------------------------------------------------------------
    def start(self, input: Any) -> None:
        if self.saver is not None and self.parent is None:
            check_call_storable(self.thread_id, self.metadata, input)
        if self.parent is not None and self._adopt is not None:
            base = self._adopted(*self._adopt)
        elif (
            self.parent is not None
            and self.checkpoint_id is None
            and self.graph.checkpointer is True
            and self.saver is not None  # under a checkpointer=False graph it keeps nothing
            and self.thread_id is not None
            and self.addressed  # else (as LangGraph) its latest state, even after an edit above
        ):
            # Its own history: the state it had when the parent was where the parent is now.
            base = state_as_of(
                self.saver, self.thread_id, self.ns, self.parent.ns, self.parent.checkpoint_id
            )
        elif self.parent is not None and self.checkpoint_id is None:
            base = self.saver.get(self.thread_id, self.ns) if self.saver is not None else None
        else:
            base = (
                self.saver.get(self.thread_id, self.ns, self.checkpoint_id)
                if self.saver is not None
                else None
            )
        if self.checkpoint_id is not None and base is None:
            raise CheckpointNotFoundError(
                f"Thread '{self.thread_id}' has no checkpoint '{self.checkpoint_id}': pass an id "
                "from get_state_history(config), or leave checkpoint_id out for the latest."
            )
        replaying_answers = False  # answers to a past checkpoint's questions, replayed
        stored = base
        if (
            self.checkpoint_id is not None
            and base is not None  # (a missing checkpoint raised above)
            and (input is None or isinstance(input, Command) or self.parent is not None)
        ):
            answering = (isinstance(input, Command) and input.has_resume) or bool(
                self.parent and self.parent.child_answers
            )
            carried = (
                self._answers_for_replay(base, input.resume)
                if isinstance(input, Command) and input.has_resume
                else None
            )  # checked before the replay point is saved, so a refused map stores nothing
            replayed = base
            base = self._replay_point(
                base, answering
            )  # a replay (of this graph, or of a subgraph a replay aims at)
            stored = replayed if base.id == replayed.id else base
            self.copied = base.id != replayed.id
            if carried is not None and base.id != replayed.id and not pending_interrupts(base):
                self.preanswers = {
                    again.id: carried[i] for i, again in enumerate(base.next) if i in carried
                }
                replaying_answers = True
        if base is not None:
            base = with_goto_tasks(base)
        # What the starting checkpoint had asked, before answers are added (a head re-run
        # from scratch still shows its questions there, as stored).
        asked = dict(stored.outcomes) if stored is not None else {}
        if isinstance(input, Command):
            if input.graph is not None:
                raise ValueError(
                    f"Command(graph={input.graph!r}) can only be returned by a node, not given as input."
                )
            if base is None and not input.has_resume:  # a fresh thread: the update is the input
                self._start_new(None, input.update if input.update is not None else {})
                if input.goto not in ((), None, []):
                    self._put_outcome(input_outcome(self.plan, self.cp, Command(goto=input.goto)))
                    self.cp = with_goto_tasks(self.cp)
                return
            if input.has_resume and replaying_answers and base is not None:
                self.cp, self.continuation = base, True  # answers carried to a replay
            elif input.has_resume:
                self._resume(base, input.resume)
            else:
                assert base is not None  # a fresh thread returned above
                self.cp, self.continuation = base, True
            if input.update is not None or input.goto not in ((), None, []):
                self._put_outcome(input_outcome(self.plan, self.cp, input))
                self.cp = with_goto_tasks(self.cp)
        elif (
            self.parent is not None
            and base is not None
            and (base.next or self.graph.checkpointer is not True or self._ran_in_this_step(base))
            and self._resuming()
        ):
            # A re-run parent task calls its subgraph again: continue the paused subgraph
            # (a per-task one found finished, e.g. edited as its last node, runs nothing).
            answered = {
                rec.id: self.parent.child_answers[rec.id]
                for _, rec in pending_interrupts(base)
                if rec.id in self.parent.child_answers
            }
            if answered:
                self._resume(base, answered)
            else:
                self.cp, self.continuation = base, True
        elif input is None:
            if base is None:
                where = (
                    f"thread '{self.thread_id}'"
                    if self.thread_id is not None
                    else "this graph (no checkpointer)"
                )
                raise EmptyInputError(
                    f"Nothing to continue on {where}: it has no checkpoint. Pass an input, e.g. invoke({{...}}, config)."
                )
            self.cp, self.continuation = base, True
        else:
            self._start_new(base, input)
            return
        self.latest = self.cp.values
        if "values" in self.modes:  # a continuation first shows the state it starts from,
            # with the updates given by Commands (this call's or an earlier answer's) in it
            self._emit(
                "values", self._output(streamed=True, values=step_values(self.plan, self.cp)[0])
            )
        # what the tasks that already finished wrote follows the step's task chunks
        self._finished_unshown = "updates" in self.modes
        if not self._reported:  # and the checkpoint it starts from (with its questions as
            # they were asked), unless it just made it
            if "checkpoints" in self.modes or "debug" in self.modes:
                self._report_saved(
                    replace(self.cp, outcomes={**self.cp.outcomes, **asked}), as_stored=True
                )
            self._reported = True

    def _resuming(self) -> bool:
        """Whether a subgraph picks up where its last run stopped: when the graph calling it
        is itself continuing and still in the first step of this call, or the calling task
        is retried; otherwise (fresh input above, or a later step) it starts anew from its
        state, as LangGraph's subgraphs do."""
        task = self.parent
        if task is None or task.run is None:
            return True
        return task.attempt > 1 or (task.run.continuation and task.run.steps <= 1)

    def _ran_in_this_step(self, base: CheckpointRecord) -> bool:
        """Whether the subgraph's checkpoint was written under the parent step running now:
        the parent task runs again (it paused after the call), so the call continues."""
        assert self.parent is not None
        seen_at = (base.metadata.get("parents") or {}).get(self.parent.ns)
        return seen_at is not None and seen_at == self.parent.checkpoint_id

    def _replay_point(self, base: CheckpointRecord, answering: bool = False) -> CheckpointRecord:
        """Replaying or resuming a past checkpoint runs from a fresh copy of it (source
        "fork"), so the past checkpoint's own record is never changed. The copy's step
        re-runs from scratch: its nodes run again and ask their questions again. An answer
        aimed at a checkpoint that the last replay copied goes to that copy, which is
        waiting for it."""
        assert self.saver is not None  # base was read from it
        # Only the latest's coordinates are read here: its values are not copied.
        latest = self.saver.get(self.thread_id, self.ns, shared=True)
        below = f"{self.ns}|" if self.ns else ""
        aimed_below = not answering and any(ns.startswith(below) and ns for ns in self.replay)
        if (
            latest is not None
            and latest.id == base.id
            and not aimed_below
            and (answering or self.parent is not None or base.source in ("update", "fork"))
        ):
            # Answering the head continues it; so does replaying an edit or a fork, which
            # is already a branch of its own, though its step re-runs from scratch (its
            # answers and finished tasks dropped, as LangGraph's time travel drops them).
            # Replaying any other head starts a branch, as in LangGraph. (A replay aimed at
            # a subgraph's checkpoint re-runs the step.)
            if answering or self.parent is not None:
                return base
            return replace(base, outcomes=_from_scratch(base.outcomes))
        if (
            answering
            and latest is not None
            and latest.source == "fork"
            and latest.parent_id == base.id
        ):
            return self.saver.get(self.thread_id, self.ns, latest.id)  # ours to run from
        new_id = new_checkpoint_id()
        plans = [
            TaskPlan(
                task_id(new_id, self.ns, p.name, i if p.is_send else None),
                p.name,
                p.send_arg,
                p.is_send,
            )
            for i, p in enumerate(base.next)
        ]
        record = CheckpointRecord(
            thread_id=self.thread_id or ThreadId(""),
            ns=self.ns,
            id=new_id,
            parent_id=base.id,
            step=base.step + 1,
            source="fork",
            writes=None,
            values=base.values,
            next=plans,
            created_at=now_iso(),
            metadata=self.metadata,
        )
        self._put(record, {}, fork=True)
        self._report_saved(record)
        return record

    def _answers_for_replay(self, past: CheckpointRecord, value: Any) -> dict[int, list] | None:
        """Answers keyed by the ids a past checkpoint's tasks asked, by task position, for
        its replay (LangGraph's replay takes them too); an id-shaped key it never asked is
        refused. None when the value answers nothing it asked (the usual resume checks run).
        A question asked inside a subgraph is known but not carried (the replayed subgraph
        asks it again), so an answer to it alone replays with nothing carried."""
        asked = [
            (pos, outcome, rec)
            for pos, plan in enumerate(past.next)
            if (outcome := past.outcomes.get(plan.id)) is not None
            for rec in outcome.interrupts
            if rec.index < DYNAMIC_INDEX or rec.ns != self.ns
        ]
        if not asked:
            return None
        try:
            answers = resolve_resume(
                value, [(outcome, rec) for _, outcome, rec in asked], self.thread_id or ""
            )
        except UnknownInterruptError as refused:
            if refused.reason == "not_pending":
                raise
            return None
        carried: dict[int, list] = {}
        own = [item for item in asked if item[2].ns == self.ns]
        for pos, _, rec in sorted(own, key=lambda item: (item[0], item[2].index)):
            given = carried.setdefault(pos, [])
            if rec.id in answers and len(given) == rec.index:
                given.append(answers[rec.id])
        return {pos: given for pos, given in carried.items() if given}

    def _adopted(self, other_ns: str, checkpoint_id: str) -> CheckpointRecord | None:
        """A copy, in this run's namespace, of a subgraph checkpoint a replay points at."""
        assert self.saver is not None  # a replay points at a saved checkpoint
        source = self.saver.get(self.thread_id, other_ns, checkpoint_id)
        if source is None:
            return None
        new_id = new_checkpoint_id()
        plans = [
            TaskPlan(
                task_id(new_id, self.ns, p.name, i if p.is_send else None),
                p.name,
                p.send_arg,
                p.is_send,
            )
            for i, p in enumerate(source.next)
        ]
        record = CheckpointRecord(
            thread_id=self.thread_id or ThreadId(""),
            ns=self.ns,
            id=new_id,
            parent_id=None,
            step=source.step + 1,
            source="fork",
            writes=None,
            values=source.values,
            next=plans,
            created_at=now_iso(),
            metadata=self.metadata,
        )
        self._put(record, {k: Replace(v) for k, v in source.values.items()}, fork=True)
        return record

    def _start_new(self, base: CheckpointRecord | None, input: Any) -> None:
        plan = self.plan
        data = plan.input_dict(input)
        if base is not None:
            pending = pending_interrupts(base)
            if pending:
                warnings.warn(
                    f"Thread '{self.thread_id}' has {len(pending)} pending interrupt(s) "
                    f"({', '.join(rec.id for _, rec in pending)}); new input starts a new run from the latest "
                    "checkpoint and leaves them unanswered. To answer, invoke(Command(resume=...), config).",
                    HITLWarning,
                    stacklevel=4,
                )
        values = dict(step_values(plan, base)[0]) if base is not None else plan.initial_values()
        new_id = new_checkpoint_id()
        changes: dict[str, Change] = (
            {} if base is not None else {k: Replace(v) for k, v in values.items()}
        )
        if plan.input_is_state:  # the input checkpoint holds the input and runs the nodes
            values, written = plan.apply_writes(values, list(data.items()))
            changes.update(written)
            first = [TaskPlan(task_id(new_id, self.ns, n), n) for n in plan.static_targets[START]]
        else:
            first = [TaskPlan(task_id(new_id, self.ns, START), START, send_arg=data)]
        record = CheckpointRecord(
            thread_id=self.thread_id or ThreadId(""),
            ns=self.ns,
            id=new_id,
            parent_id=base.id if base else None,
            step=base.step + 1 if base else -1,
            source="input",
            writes={START: data},
            values=values,
            next=first,
            created_at=now_iso(),
            metadata=self.metadata,
        )
        self._put(record, changes, fork=self.checkpoint_id is not None)
        self.cp = record
        if self._shows_checkpoints:  # (checked here: this runs every step)
            self._report_saved(record)
        else:
            self._reported = True

    def _resume(self, base: CheckpointRecord | None, value: Any) -> None:
        if base is None:
            raise ResumeError(
                f"Thread '{self.thread_id}' has no checkpoint, so there is nothing to resume. "
                "Start it with invoke(input, config) first (is the thread_id right?)."
            )
        pending = pending_interrupts(base)
        self.cp, self.continuation = base, True
        if not pending:
            waiting = [p for p in base.next if _unfinished(base.outcomes.get(p.id))]
            if not waiting:
                raise ResumeError(
                    f"Thread '{self.thread_id}' has no pending interrupt to resume: its last run finished. "
                    "Start a new run with invoke(input, config)."
                )
            if len(waiting) > 1:
                raise ResumeError(
                    f"Thread '{self.thread_id}' is paused before {len(waiting)} tasks "
                    f"({', '.join(p.name for p in waiting)}) and none asked a question: continue with "
                    "invoke(None, config), or update_state first."
                )
            answered = base.outcomes.get(waiting[0].id)
            if answered is not None and answered.error is not None and answered.interrupts:
                self._answer_again(answered, value)  # it raised after its answer
                return
            reject_stale_ids(value, self.thread_id or "", f"paused before node '{waiting[0].name}'")
            if answered is not None and answered.interrupts:
                raise ResumeError(
                    f"Thread '{self.thread_id}' has no pending interrupt to resume: the question of node "
                    f"'{waiting[0].name}' was already answered (by another call or process, whose run is "
                    "still going or stopped before the node finished). Refresh the thread's state; "
                    "continue with invoke(None, config) if that run stopped."
                )
            # Paused at a static breakpoint: the answer goes to that node's first interrupt().
            self.preanswers[waiting[0].id] = [value]
            return
        answers = resolve_resume(value, pending, self.thread_id or "")
        changed: dict[str, TaskOutcome] = {}
        for outcome, rec in pending:
            if rec.id not in answers:
                continue
            updated = changed.setdefault(outcome.task_id, _copy_outcome(outcome))
            if rec.ns == self.ns:
                updated.answers.append(answers[rec.id])
            else:
                updated.child_answers[rec.id] = answers[rec.id]
        read = {}
        for outcome, _ in pending:
            read[outcome.task_id] = outcome
        for outcome in changed.values():
            self._put_outcome(outcome, answered=read[outcome.task_id])

    def _answer_again(self, failed: TaskOutcome, value: Any) -> None:
        """A task that raised after it got its answers can be answered again: the new
        answer replaces the one its last question had (the one its snapshot shows). When
        that question was a ``@task`` call's, the answer goes to the next question the task
        or a call it makes asks when it runs again, as LangGraph gives an answer nobody
        waits for to the next ``interrupt()``."""
        last = failed.interrupts[-1]
        if last.ns != self.ns or last.index >= DYNAMIC_INDEX:
            reject_stale_ids(value, self.thread_id or "", f"node '{failed.name}' failed")
            self.spare[failed.task_id] = [value]
            return
        updated = _copy_outcome(failed)
        answers = resolve_resume(value, [(failed, last)], self.thread_id or "")
        if last.index < len(updated.answers):
            updated.answers[last.index] = answers[last.id]
        else:
            updated.answers.append(answers[last.id])
        self._put_outcome(updated, answered=failed)

    # -- stepping --------------------------------------------------------------------
    def plan_step(self) -> list[TaskPlan] | None:
        """The tasks to run now; ``None`` when the run stops here."""
        cp = self.cp
        first, self.first_step = self.first_step, False
        if cp.outcomes:  # a Command given as input may have updated the step's values
            self.step_values, self._given_changes = step_values(self.plan, cp)
        else:
            self.step_values, self._given_changes = cp.values, {}
        if self.status != "running":  # the previous step paused: this call ends here
            return None
        if self.stop_requested:
            self.status = "breakpoint"
            return None
        if not cp.next:
            self.status = "done"
            return None
        outcomes = cp.outcomes
        # A dynamic breakpoint (NodeInterrupt) holds its task until the next call continues
        # the thread; then the node runs again, as LangGraph re-runs it.
        rerun_dynamic = first and self.continuation
        if outcomes:
            runnable = []
            for p in cp.next:
                if _runnable(outcomes.get(p.id), cp.ns, rerun_dynamic):
                    runnable.append(p)
        else:
            runnable = cp.next
        if not runnable:
            if any(_unfinished(cp.outcomes.get(p.id)) for p in cp.next):
                self.status = "interrupted" if pending_interrupts(cp) else "breakpoint"
                if first:  # nothing ran in this call: say why it stops (else finish_step did)
                    self._emit_finished()
                    self._emit_interrupts()
                return None
            self._emit_finished()
            return []  # every task already finished: only the commit is missing
        if self.before and not (first and self.continuation) and _hits(self.before, runnable):
            self.status = "breakpoint"
            self._emit_breakpoint()
            return None
        # The input step (START alone) is not a node step; the first task usually decides.
        if runnable[0].name != START or (
            len(runnable) > 1 and any(p.name != START for p in runnable)
        ):
            if self.control is not None and self.control.drain_requested:
                self.status = "drained"
                return None
            spare = CONTINUED_SPARE_STEPS - self.copied if self.continuation else 0
            if self.steps >= self.limit + spare:
                raise GraphRecursionError(
                    f"Recursion limit of {self.limit} steps reached without hitting a stop condition "
                    f"(next: {', '.join(p.name for p in runnable)}). Raise it with config "
                    '{"recursion_limit": N} if the loop is intended.'
                )
            self.steps += 1
        if self._shows_tasks:
            # A resumed step lists its tasks that finished before the pause too (their
            # results are not recomputed); Send tasks in order, then node tasks by name, as
            # LangGraph starts them.
            started = (
                runnable
                if runnable is cp.next
                else [p for p in cp.next if p in runnable or _has_writes(outcomes.get(p.id))]
            )
            for p in sorted(started, key=_start_order):
                if p.name == START:  # the input is applied, not run: no task events (as LangGraph)
                    continue
                node_input = (
                    p.send_arg if p.is_send else self.plan.shown_input(p.name, self.step_values)
                )
                payload = task_payload(
                    p, node_input, started=self.plan.input_is_state, joins=self.plan.join_triggers
                )
                self._emit("tasks", payload)
                self._emit("debug", debug_event("task", cp.step + 1, now_iso(), payload))
        if self._finished_unshown:  # (checked here: this runs every step)
            self._emit_finished()
        return runnable

    def input_result(self, plan: TaskPlan) -> TaskResult | None:
        """The input step's result, made without running it as a task: its writes are the
        input (checked as the task would check them) and it goes where START's edges lead.
        None when it must run as a task: a conditional edge from START (user code, which
        may read its config or ask), a ``messages`` stream (which notes the input's
        message ids), or anything already recorded for it; or when its writes fail (the
        task then fails the same way, and the failure is stored as usual)."""
        data, structure = plan.send_arg, self.plan
        if (
            type(data) is not dict
            or START in structure.branches
            or self._streams_messages
            or self.cp.outcomes
            or self.preanswers
            or self.spare
        ):
            return None
        returned = list(data.items())
        try:
            structure.check_keys(returned, "The input")
            writes = structure.prepare_writes(returned) if structure.prepares_writes else returned
        except Exception:
            return None
        # Positional, in field order, as a finished task's (see ``tasks._finished``).
        return TaskResult(
            plan,
            writes,
            list(structure.static_targets.get(START, ())),
            [],  # interrupts
            None,  # error
            [],  # answers
            False,  # unused_answer
            None if writes is returned else returned,
        )

    def _emit_finished(self) -> None:
        """Once per continued call: the updates of the step's tasks that finished before it
        paused, marked cached, after the step's task chunks (as LangGraph shows them)."""
        if not self._finished_unshown:
            return
        self._finished_unshown = False
        for plan in self.cp.next:
            outcome = self.cp.outcomes.get(plan.id)
            if outcome is not None and outcome.writes is not None and plan.name != START:
                self._emit(
                    "updates",
                    {plan.name: _update_view(outcome.writes), "__metadata__": {"cached": True}},
                )

    def context_for(self, plan: TaskPlan) -> TaskContext:
        outcome = self.cp.outcomes.get(plan.id) if self.cp.outcomes else None
        if outcome is not None:
            answers, child_answers = list(outcome.answers), dict(outcome.child_answers)
            task_results = dict(outcome.task_results)
        else:
            answers = list(self.preanswers.get(plan.id, ())) if self.preanswers else []
            child_answers, task_results = {}, {}
        if self._streams_messages:
            emitter: MessageEmitter | None = self._message_emitter(plan)
        elif self.parent is not None and self.parent.messages is not None:
            emitter = SilentEmitter()  # streamed without subgraphs: not shown
        else:
            emitter = None
        return TaskContext(
            plan.id,
            plan.name,
            answers,
            child_answers,
            *self._task_shared,
            self._emit_from_task if self._emits_task_chunks else None,
            self,
            self.lent_saver,
            self.cp.id,
            len(self.cp.next) == 1,  # solo
            task_results,
            self.spare.pop(plan.id, []) if self.spare else [],
            emitter,
            None if self.trace is None else self._node_trace(plan),
            plan,
        )

    def _node_trace(self, plan: TaskPlan) -> Any:
        """The callback manager a traced task's run starts from: the graph run's, tagged
        with the step and carrying the task's metadata, as LangGraph's node runs are."""
        return tagged_manager(
            self.trace, f"graph:step:{self.cp.step + 1}", self._task_metadata(plan)
        )

    def _task_metadata(self, plan: TaskPlan) -> dict:
        """What LangGraph tells callbacks about a task (``messages`` chunks, traced runs)."""
        task_ns = f"{plan.name}:{plan.id}"
        conf = self.config.get("configurable") or {}
        ours = ("checkpoint_ns", "checkpoint_id") if self.parent is not None else ()
        return {
            **{k: conf[k] for k in _PROPAGATED if k in conf and k not in ours},
            **({"thread_id": self.thread_id} if self.thread_id is not None else {}),
            "langgraph_step": self.cp.step + 1,
            "langgraph_node": plan.name,
            "langgraph_triggers": task_payload(
                plan, None, started=self.plan.input_is_state, joins=self.plan.join_triggers
            )["triggers"],
            "langgraph_path": (PUSH, 0) if plan.is_send else (PULL, plan.name),
            "langgraph_checkpoint_ns": f"{self.ns}|{task_ns}" if self.ns else task_ns,
        }

    def _message_emitter(self, plan: TaskPlan) -> MessageEmitter:
        metadata = self._task_metadata(plan)
        if self._seen_messages is None:
            # A resumed subgraph starts from its own state: what it holds was sent before.
            outer = self.parent.messages if self.parent is not None else None
            self._seen_messages = outer.seen if outer is not None else set()
            self._seen_messages.update(message_ids(self.step_values))
        emitter = MessageEmitter(
            lambda pair: self._sink(("messages", self.ns, pair)), metadata, self._seen_messages
        )
        self._emitters[plan.id] = emitter
        return emitter

    def finish_step(self, results: list[TaskResult]) -> None:
        cp = self.cp
        if len(results) == 1 == len(cp.next) and not cp.outcomes:  # one task, first run
            only = results[0]
            if only.writes is not None and only.error is None and not only.unused_answer:
                self._commit(results)  # the usual step: it finished, nothing to warn about
                return
            everything: list[TaskResult | None] = list(results)
        else:
            fresh = {}
            for r in results:
                fresh[r.plan.id] = r
            everything = []
            for p in cp.next:
                everything.append(fresh.get(p.id) or _from_outcome(p, cp.outcomes.get(p.id)))
        # (Loops, not comprehensions: each of those is a call of its own, every step.)
        failed = []
        for r in results:
            if r.unused_answer:
                warnings.warn(
                    f"The resume value was not used: node '{r.plan.name}' finished without calling interrupt().",
                    HITLWarning,
                    stacklevel=2,
                )
            if r.error is not None:
                failed.append(r)
        complete = []
        for maybe in everything:
            if maybe is not None and maybe.writes is not None:
                complete.append(maybe)
        if failed or len(complete) < len(everything):
            for r in results:
                # a command for the parent is not this graph's failure: nothing is recorded
                if not isinstance(r.error, ParentCommand):
                    self._put_outcome(r.to_outcome(cp.outcomes.get(r.plan.id)))
            if failed:
                self.status, self.error = "error", failed[0].error
                return
            pending = pending_interrupts(cp)
            self.status = "interrupted" if pending else "breakpoint"
            unrouted = {}
            for r in results:
                if r.unrouted:
                    unrouted[r.plan.id] = r.unrouted
            self._emit_interrupts(unrouted, pending)
            return
        self._commit(complete)

    def task_done(self, result: TaskResult, parallel: bool) -> None:
        """Report a task as soon as it finishes; in a parallel step also save what it
        produced, so a crash before the step ends does not run it again."""
        plan = result.plan
        emitter = self._emitters.pop(plan.id, None) if self._emitters else None
        if emitter is not None:
            if plan.name == START:  # the input's messages are not streamed back
                emitter.seen.update(
                    m.id for m in messages_in(result.writes) if getattr(m, "id", None)
                )
            else:
                for message in messages_in(result.writes):  # with the ids they are stored with
                    emitter.finished(message, _RETURNED)
        if result.writes is not None:
            if self._node_finished is not None and plan.name != START:
                self._node_finished(plan.name)
            if self._shows_updates and plan.name != START:
                self._emit("updates", {plan.name: _update_view(result.shown)})
        elif (
            result.error is None
            and result.interrupts
            and (parallel or self._shows_updates or "values" in self.modes)
        ):
            # A task's questions go out when it asks (a parallel one's among its siblings'
            # updates in the order they finish) and before its ``tasks`` result, as
            # LangGraph's do.
            outcome = result.to_outcome(self.cp.outcomes.get(plan.id))
            asked = [_as_interrupt(r) for r in unanswered(outcome, self.cp.ns)]
            if asked:
                self._asked_early.add(plan.id)
                self._emit_questions(asked)
        if (
            self._shows_tasks
            and plan.name != START
            and not isinstance(result.error, ParentCommand)  # the parent's step runs it on
            # paused at a breakpoint inside its subgraph: nothing to report yet
            and (result.writes is not None or result.error is not None or result.interrupts)
        ):
            view = self.plan.result_view(result.shown or [])
            payload = result_payload(plan, view, result.error, result.interrupts)
            self._emit("tasks", payload)
            self._emit("debug", debug_event("task_result", self.cp.step + 1, now_iso(), payload))
        if result.writes is not None and parallel:
            self._put_outcome(result.to_outcome(self.cp.outcomes.get(plan.id)))

    def _commit(self, results: list[TaskResult]) -> None:
        cp, plan = self.cp, self.plan
        # Close the records of a step that paused or failed before, and keep what the
        # ``@task`` calls of an entrypoint returned (its history shows them): stored with
        # the new checkpoint.
        if len(results) == 1:  # the usual step
            only = results[0]
            closed = self._closed(results) if cp.outcomes or only.task_results else []
            writes = only.writes or []
            if only.applied is not None:
                values, changes = only.applied  # its routing already folded them in
            else:
                values, changes = plan.apply_writes(self.step_values, writes)
            routing = [(only.plan.name, only.goto)]
            step_writes = (
                {only.plan.name: _update_view(only.shown)} if only.plan.name != START else None
            )
        else:
            closed = self._closed(results)
            in_order = sorted(results, key=lambda r: write_order(r.plan))
            writes = [w for r in in_order for w in r.writes or ()]
            values, changes = plan.apply_writes(self.step_values, writes)
            routing = [(r.plan.name, r.goto) for r in results]
            step_writes = _step_writes(results)
        if self._given_changes:
            changes = merge_changes(self._given_changes, changes, values)
        new_id = new_checkpoint_id()
        if cp.outcomes and routes_after_input(cp):
            routing.append((START, given_goto(cp)))
        next_tasks = next_plans(plan, self.ns, new_id, routing, values, changes)
        # Positional, in field order (made every step; keywords cost more than the rest).
        record = CheckpointRecord(
            self.thread_id or ThreadId(""),
            self.ns,
            new_id,
            cp.id,  # parent_id
            cp.step + 1,
            "loop",
            step_writes,
            values,
            next_tasks,
            # Formatting a time costs as much as a small step: a record nothing saves
            # (no checkpointer) is never shown, so it goes without.
            now_iso() if self.saver is not None else "",
            self.metadata,
        )
        if self.saver is not None:
            self._put(record, changes, closed=closed)
        self.cp = record
        self.latest = values
        wrote = (
            bool(writes) or bool(self._given_changes) or any(r.plan.name != START for r in results)
        )
        if (
            "values" in self.modes and wrote
        ):  # an input that wrote nothing shows nothing (as LangGraph)
            self._emit("values", self._output(streamed=True, values=values))
        if self._shows_checkpoints:  # (checked here: this runs every step)
            self._report_saved(record)
        else:
            self._reported = True
        if self.after and _hits(self.after, [r.plan for r in results]):
            # a subgraph pauses even after its last node: its parent waits on the task
            self.stop_requested = bool(next_tasks) or self.parent is not None
            self._emit_breakpoint()

    def _closed(self, results: list[TaskResult]) -> list[TaskOutcome]:
        """The outcomes ``_commit`` stores with the new checkpoint (see there)."""
        cp, closed = self.cp, []
        for r in results:
            previous = cp.outcomes.get(r.plan.id) if cp.outcomes else None
            if (previous is not None and previous.writes is None) or (
                previous is None and r.task_results
            ):
                outcome = r.to_outcome(previous)
                cp.outcomes[outcome.task_id] = outcome
                closed.append(outcome)
        return closed

    # -- output ----------------------------------------------------------------------
    def invoke_result(self) -> Any:
        """What ``invoke`` returns: the last values the ``values`` stream would have shown,
        plus the interrupts the ``updates`` stream reported (LangGraph's rule), without
        building a chunk per step."""
        out = self._output(self.latest) if self.latest is not None else None
        if not self.reported:
            return out
        return (
            {**out, INTERRUPT: list(self.reported)}
            if isinstance(out, dict)
            else {INTERRUPT: list(self.reported)}
        )

    def output(self) -> Any:
        """The values a subgraph call returns to its parent node."""
        return self.plan.output_values(self.plan.values_with_finished_tasks(self.cp))

    def close(self) -> None:
        """Write what ``durability="exit"`` held back, then raise what the caller must see:
        a node's error, or (inside a parent graph) the pause."""
        self.flush()
        if isinstance(self.error, ParentCommand) and self.parent is None:
            raise NoParentGraphError(self.error.command) from self.error
        if self.error is not None:
            raise self.error
        if self.status == "drained":
            raise GraphDrained((self.control and self.control.drain_reason) or "shutdown")
        if self.parent is not None and self.status in ("interrupted", "breakpoint"):
            raise GraphInterrupt([rec for _, rec in pending_interrupts(self.cp)])

    def drain(self, single: bool) -> list[Any]:
        """Buffered events as the caller asked for them: ``chunk`` or ``(mode, chunk)``, and
        with ``subgraphs=True`` prefixed by the namespace tuple (``()`` for this graph)."""
        events = self.events
        out = []
        while events:
            mode, ns, chunk = events.popleft()
            if mode in self.printed:
                print(f"[{mode}]", chunk if not ns else (tuple(ns.split("|")), chunk))
                if mode not in self.shown:
                    continue
            if not self.subgraphs:
                out.append(chunk if single else (mode, chunk))
            else:
                path = tuple(ns.split("|")) if ns else ()
                out.append((path, chunk) if single else (path, mode, chunk))
        return out

    # -- helpers ---------------------------------------------------------------------
    def _emit(self, mode: str, chunk: Any) -> None:
        if mode in self.modes:
            self._sink((mode, self.ns, chunk))

    def emit_at(self, mode: str, ns: str, chunk: Any) -> None:
        """A chunk made in namespace ``ns`` (this graph's or a subgraph's)."""
        if mode in self.modes:
            self._sink((mode, ns, chunk))

    def _emit_from_task(self, mode: str, chunk: Any) -> None:
        """A chunk from inside a running task: a stream mode's, or a ``@task`` call that
        starts (``"task"``) or ends (``"task_result"``), shown on ``tasks`` and ``debug``."""
        if mode not in ("task", "task_result"):
            if mode not in self.modes:
                return
            self._emit(mode, chunk)
        elif "tasks" in self.modes or "debug" in self.modes:
            self._emit("tasks", chunk)
            self._emit("debug", debug_event(mode, self.cp.step + 1, now_iso(), chunk))
        else:
            return  # nothing queued: the driver need not wake (see ``_ChunkSignal``)
        if self.wake is not None:
            self.wake()

    def _emit_breakpoint(self) -> None:
        """The empty ``__interrupt__`` chunk of a breakpoint pause: the top-level run's only
        (a subgraph's pause shows once, where its parent pauses)."""
        if self.parent is None:
            self._emit("updates", {INTERRUPT: ()})

    def _emit_interrupts(
        self, unrouted: dict[str, list] | None = None, pending: list | None = None
    ) -> None:
        """One ``__interrupt__`` chunk per paused task, on the updates and values streams
        (``unrouted``: see ``values_with_finished_tasks``; ``pending``: the step's
        ``pending_interrupts``, when the caller has them)."""
        by_task: dict[str, list] = {}
        for outcome, rec in pending_interrupts(self.cp) if pending is None else pending:
            by_task.setdefault(outcome.task_id, []).append(_as_interrupt(rec))
        if not by_task:  # paused at a breakpoint: no question, but finished tasks' writes show
            self._emit_breakpoint()
            self.latest = self.plan.values_with_finished_tasks(self.cp)
            if "values" in self.modes and self.latest is not self.cp.values:
                self._emit("values", self._output(streamed=True, values=self.latest))
            return
        for asker, interrupts in by_task.items():
            self.reported.extend(interrupts)
            if asker not in self._asked_early:
                self._emit_questions(interrupts)
        # then the state with what the finished tasks wrote, as LangGraph shows it where the
        # pause ends the call (a subgraph's pause goes on up: its last state is not shown)
        self.latest = self.plan.values_with_finished_tasks(self.cp, unrouted)
        if "values" in self.modes and self.latest is not self.cp.values and self.parent is None:
            self._emit("values", self._output(streamed=True, values=self.latest))

    def _emit_questions(self, interrupts: list[Interrupt]) -> None:
        """One task's questions, on the updates and values streams."""
        self._emit("updates", {INTERRUPT: tuple(interrupts)})
        if "values" in self.modes:  # a root state's value is not shown beside them
            values = self._output(self.cp.values, streamed=True)
            shown = values if isinstance(values, dict) else {}
            self._emit("values", {**shown, INTERRUPT: tuple(interrupts)})

    def _output(self, values: dict, *, streamed: bool = False) -> Any:
        """Values as the caller sees them: ``output_keys`` if given, else the output
        schema's keys for ``invoke``'s result, the state's for the ``values`` stream (as
        LangGraph streams its state channels and returns its output channels)."""
        out = self.plan.output_values(values, streamed=streamed)
        keys = self.output_keys
        if keys is None or not isinstance(out, dict):
            return out
        return out.get(keys) if isinstance(keys, str) else {k: out[k] for k in keys if k in out}

    def _report_saved(self, record: CheckpointRecord, *, as_stored: bool = False) -> None:
        """The ``checkpoints``/``debug`` chunk of a checkpoint this run created or starts
        from (a continuation streams its starting point first, as LangGraph's does)."""
        self._reported = True
        # Without a saver nothing is a checkpoint one could return to: no events (as LangGraph).
        if self.saver is not None and ("checkpoints" in self.modes or "debug" in self.modes):
            held = [r for kind, r, _ in self._held if kind == "record"]
            if held and held[0].parent_id != record.parent_id:
                # durability="exit": the parent is the last checkpoint really saved, as the
                # one flush() writes will say (and as LangGraph reports it)
                record = replace(record, parent_id=held[0].parent_id)
            payload = checkpoint_payload(self.graph, record, live=not as_stored)
            self._emit("checkpoints", payload)
            self._emit("debug", debug_event("checkpoint", record.step, record.created_at, payload))

    def _put(
        self,
        record: CheckpointRecord,
        changes: dict,
        *,
        fork: bool = False,
        closed: list[TaskOutcome] | None = None,
    ) -> None:
        """Save a checkpoint: a compare-and-set on the thread's head (a top-level run moves
        the thread on only from where it is), unless it is a ``fork`` on purpose; with the
        outcomes of its parent's tasks the step ``closed``."""
        if self.saver is None:
            return
        if self.plan.untracked:
            record, changes = record_to_store(self.plan.untracked, record, changes)
            closed = [outcome_to_store(self.plan.untracked, o) for o in closed or ()]
        advance = self.parent is None and not fork
        if self.durability == "exit":
            parent_id = record.parent_id
            self._held.extend(("outcome", parent_id, (o, None)) for o in closed or ())
            self._held.append(("record", record, (changes, advance)))
        elif closed:
            self.saver.put_step(record, changes, closed, advance=advance)
        else:
            self.saver.put(record, changes, advance=advance)

    def _put_outcome(self, outcome: TaskOutcome, answered: TaskOutcome | None = None) -> None:
        """Save a task outcome of the current checkpoint while it is the head; with
        ``answered`` (the outcome as read before answers were added), only if nobody else
        answered meanwhile."""
        self.cp.outcomes[outcome.task_id] = outcome
        if self.saver is None:
            return
        if self.plan.untracked:
            outcome = outcome_to_store(self.plan.untracked, outcome)
        if self.durability == "exit":
            self._held.append(("outcome", self.cp.id, (outcome, answered)))
        else:
            self.saver.put_outcome(
                self.thread_id,
                self.ns,
                self.cp.id,
                outcome,
                advance=self.parent is None,
                answered=answered,
            )

    def flush(self) -> None:
        """``durability="exit"``: write only the last checkpoint of this call (with the
        outcomes of its tasks), as a child of the last one already saved. A subgraph called
        per task writes only when it paused or failed."""
        if self.saver is None:  # nothing was held back
            return
        held, self._held = self._held, []
        if not held:  # (the usual: durability="exit" holds writes back, others write at once)
            return
        if (
            self.parent is not None
            and self.status == "done"
            and self.graph.checkpointer is not True
        ):
            return  # a per-task subgraph that finished leaves nothing to resume (as LangGraph)
        records = [(r, c) for kind, r, c in held if kind == "record"]
        advance = self.parent is None
        if records:
            last = records[-1][0]
            first_parent = records[0][0].parent_id
            changed: dict[str, Any] = {}
            for _, (changes, _) in records:
                changed.update(changes)
            changes = {key: Replace(last.values[key]) for key in changed if key in last.values}
            last.parent_id = first_parent
            self.saver.put(last, changes, advance=records[0][1][1])
        for kind, checkpoint_id, (outcome, answered) in held:
            if kind == "outcome" and (not records or checkpoint_id == last.id):
                self.saver.put_outcome(
                    self.thread_id,
                    self.ns,
                    checkpoint_id,
                    outcome,
                    advance=advance,
                    answered=answered,
                )


def _child_ns(parent: TaskContext, *, stable: bool) -> Namespace:
    """The namespace of a subgraph the running task calls: per task (a fresh history each
    call), or, for a subgraph compiled with ``checkpointer=True``, per node, so its state
    carries over from one parent step or run to the next. The task's n-th call (n > 0)
    adds a segment ``n``, as LangGraph does."""
    index = parent.subgraph_calls
    parent.subgraph_calls += 1
    suffix = f"|{index}" if index else ""
    if stable:
        return Namespace(stateful_ns(parent.ns, parent.name) + suffix)
    segment = f"{parent.name}:{parent.task_id}{suffix}"
    return Namespace(f"{parent.ns}|{segment}" if parent.ns else segment)


def _from_scratch(outcomes: dict[str, TaskOutcome]) -> dict[str, TaskOutcome]:
    """The outcomes a step re-run from scratch starts from: a ``Command`` given as input,
    and each task's error (LangGraph's replay keeps both); answers and results go."""
    kept = {}
    for key, outcome in outcomes.items():
        if key == NULL_TASK_ID:
            kept[key] = outcome
        elif outcome.error is not None:
            kept[key] = TaskOutcome(outcome.task_id, outcome.name, error=outcome.error)
    return kept


def _runnable(outcome: TaskOutcome | None, ns: str, rerun_dynamic: bool) -> bool:
    """Not started, failed, or every question it asked now has an answer."""
    if outcome is None:
        return True
    if outcome.writes is not None:
        return False
    for r in outcome.interrupts:  # ``unanswered``, inline: this runs on every resume
        waiting = (
            r.index >= len(outcome.answers) if r.ns == ns else r.id not in outcome.child_answers
        )
        if waiting and not (rerun_dynamic and r.index == DYNAMIC_INDEX):
            return False
    return True


def _unfinished(outcome: TaskOutcome | None) -> bool:
    return outcome is None or outcome.writes is None


def _replay_map(
    saver: Any, thread_id: str, ns: str, checkpoint_id: str | None, given: dict | None
) -> dict:
    """``{namespace: checkpoint id}`` for a replay aimed at a subgraph's checkpoint: the
    config's ``checkpoint_map``, or the one its ``parents`` metadata records."""
    if given:
        return {**given, ns: checkpoint_id} if checkpoint_id is not None else dict(given)
    if checkpoint_id is None or saver is None:
        return {}
    record = saver.get(thread_id, ns, checkpoint_id)
    if record is None:
        raise ValueError(
            f"Thread '{thread_id}' has no checkpoint '{checkpoint_id}' in namespace '{ns}'."
        )
    return {**(record.metadata.get("parents") or {}), ns: checkpoint_id}


def _breakpoints(graph: CompiledStateGraph, invoke_time: Any, which: str) -> tuple[str, ...]:
    """The run's breakpoints: given to invoke/stream, else those given at compile time."""
    names = (
        normalise_breakpoints(invoke_time)
        if invoke_time is not None
        else (graph.interrupt_before_nodes if which == "before" else graph.interrupt_after_nodes)
    )
    nodes = graph._plan.nodes
    unknown = [n for n in names if n != "*" and n not in nodes]
    if unknown:
        raise ValueError(
            f"interrupt_{which} names unknown node(s) {unknown!r}; known: {list(nodes)!r}."
        )
    return names


def _hits(breakpoints: tuple[str, ...], plans: list[TaskPlan]) -> bool:
    """True when a breakpoint names one of the tasks ("*": any node, never the input step)."""
    if not breakpoints:
        return False
    return any(p.name != START and ("*" in breakpoints or p.name in breakpoints) for p in plans)


def _from_outcome(plan: TaskPlan, outcome: TaskOutcome | None) -> TaskResult | None:
    if outcome is None:
        return None
    return TaskResult(
        plan,
        writes=outcome.writes,
        goto=[goto_from_json(g) for g in outcome.goto],
        interrupts=list(outcome.interrupts),
        answers=list(outcome.answers),
        task_results=dict(outcome.task_results),
    )


def _copy_outcome(o: TaskOutcome) -> TaskOutcome:
    return TaskOutcome(
        o.task_id,
        o.name,
        o.writes,
        list(o.answers),
        list(o.interrupts),
        o.error,
        list(o.goto),
        dict(o.child_answers),
        dict(o.task_results),
    )


def _update_view(writes: list[tuple[str, Any]] | None) -> Any:
    """A task's writes as the ``updates`` stream shows them: ``{key: value}``, the value
    itself for a root state schema, or (a key written more than once, as by a list of
    Commands) one ``{key: value}`` per write, in order, as LangGraph shows them."""
    if not writes:
        return None
    if len(writes) == 1:  # the usual update: one key
        key, value = writes[0]
        return value if key == ROOT else {key: value}
    roots = [value for key, value in writes if key == ROOT]
    if roots:  # a root state schema (or an entrypoint, which also saves ``previous``)
        return roots[0] if len(roots) == 1 else roots
    view = dict(writes)
    if len(view) < len(writes):
        return [{key: value} for key, value in writes]
    return view


def _step_writes(results: list[TaskResult]) -> dict[str, Any] | None:
    """A step's writes as its checkpoint's metadata shows them: ``{node: update}``, a list
    of updates for a node several ``Send`` tasks ran; None when only the input step ran."""
    step_writes: dict[str, Any] = {}
    for r in results:
        if r.plan.name == START:
            continue
        view = _update_view(r.shown)
        if r.plan.name in step_writes:  # several Send tasks of one node
            prior = step_writes[r.plan.name]
            step_writes[r.plan.name] = [*prior, view] if isinstance(prior, list) else [prior, view]
        else:
            step_writes[r.plan.name] = view
    return step_writes or None


def _has_writes(outcome: TaskOutcome | None) -> bool:
    return outcome is not None and outcome.writes is not None


def _start_order(plan: TaskPlan) -> tuple[bool, str]:
    """Sort key of a step's tasks as LangGraph starts them (its tasks stream): ``Send``
    tasks in the order they were sent, then edge-triggered tasks by node name (writes apply
    in another order: see ``write_order``)."""
    return (not plan.is_send, "" if plan.is_send else plan.name)


def _as_interrupt(rec: InterruptRecord) -> Interrupt:
    return Interrupt(rec.value, rec.id, response_schema=rec.response_schema, ns=rec.ns)
