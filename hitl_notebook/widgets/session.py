"""The Session: everything the thread widget does, in plain Python (no kernel needed).

A Session drives one thread of a compiled graph through a :class:`Runtime`. Its methods
(``run``, ``resume``, ``update_state``, ``fork``, ``replay``, ``step``, ``continue_run``,
breakpoints) are what the widget's buttons call, and what a headless notebook calls
directly. It reports to a *listener* (the widget): small state as trait changes, and
log lines, new history summaries and state patches as messages, so a step sends what
changed rather than the whole state or history.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import threading
import warnings
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from typing import Any, Literal, Protocol

from ..errors import ActionError, ConcurrentUpdateError, StaleWidgetError
from ..render import layout_graph, layout_svg
from .assets import editor_module
from .capture import capture_output
from .diff_view import ITEMS_PAGE, appended_items, diff_page
from .forms import check_answer, interrupt_spec
from .history import FIRST_PAGE, HistoryIndex, checkpoint_id, step_writes
from .jsonable import diff, revive, sendable_text, to_jsonable
from .live import LiveRun, RunStopped, RunTracker, error_detail
from .peers import announce_change, register
from .runtime import as_runtime
from .schema_check import SchemaRefusal, check_edit
from .tool_review import pending_review, plan_review

__all__ = [
    "ACTIONS",
    "QUERIES",
    "ActionError",
    "Listener",
    "NeedsConfirmation",
    "NodeStatus",
    "Session",
    "StaleWidgetError",
    "ThreadStatus",
]

#: How a node is drawn on the diagram (the ``node_status`` traitlet's values).
NodeStatus = Literal["visited", "next", "running", "interrupted", "errored"]
#: The thread as the widget shows it (the ``status`` traitlet).
ThreadStatus = Literal["no_thread", "new", "running", "interrupted", "paused", "done", "error"]

#: Node status priority: a node shown in several roles takes the strongest.
_PRIORITY: dict[NodeStatus, int] = {
    "visited": 0,
    "next": 1,
    "running": 2,
    "interrupted": 3,
    "errored": 4,
}
_NOT_NODES = {"__start__", "__end__", "update_state", "input", "__input__"}


#: Checkpoints whose JSON the session keeps for views and diffs.
JSON_CACHE_SIZE = 8


class NeedsConfirmation(ActionError):
    """Edited values the state schema does not allow: sent back as warnings, saved only
    when the user confirms (LangGraph itself would store them without a word)."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__("values that do not match the state schema:\n" + "\n".join(warnings))
        self.warnings = warnings


class Listener(Protocol):
    """Where a Session reports changes (the widget, or a test double)."""

    def set_traits(self, **changes: Any) -> None:
        """Small synced state changed."""

    def send(self, message: dict) -> None:
        """A message for the browser (log line, history summaries, state patch)."""


class _NullListener:
    def set_traits(self, **changes: Any) -> None:
        pass

    def send(self, message: dict) -> None:
        pass


class Session:
    """Drives one thread of ``graph`` and keeps a listener in sync with it."""

    def __init__(
        self,
        graph: Any,
        thread_id: str | None = None,
        config: Mapping | None = None,
        listener: Listener | None = None,
        context: Any = None,
    ) -> None:
        self.runtime = as_runtime(graph)
        #: The run ``context`` every run the widget starts gets (``invoke(context=...)``):
        #: a graph whose nodes read ``runtime.context`` needs it on each answer too.
        self.context = context
        base = dict(config or {})
        configurable = dict(base.get("configurable", {}))
        if thread_id is not None:
            configurable["thread_id"] = str(thread_id)
        self._base = {**base, "configurable": configurable}
        self.listener: Listener = listener or _NullListener()
        #: Recent captured output lines ``(stream, text)`` of button-triggered runs.
        self.log: deque[tuple[str, str]] = deque(maxlen=5000)
        #: Invoke-time breakpoints by position ("before"/"after") -> node ids.
        self.breakpoints: dict[str, set[str]] = {"before": set(), "after": set()}
        drawable = self.runtime.get_graph()
        #: Node ids as drawn (subgraph nodes as "parent:child"); start/end pseudo-nodes,
        #: a subgraph's own ("parent:__start__") included, are not nodes.
        self.nodes = [n for n in drawable.nodes if not _is_pseudo_node(n)]
        self._top_nodes = [n for n in self.nodes if ":" not in n]
        #: ``{node: messages key}`` of the tool nodes whose pending calls get a review card.
        self._tool_nodes = self.runtime.tool_nodes()
        self.head: Any = None
        self.history: HistoryIndex | None = None
        #: The latest run (its thread, stop flag); None before the first run.
        self.live: LiveRun | None = None
        self._tracker: RunTracker | None = None
        #: True while a browser action is handled: runs it starts go to the background.
        self._in_background = False
        #: Serialises reads of the thread between the run's thread and the comm handler.
        self._lock = threading.RLock()
        self._head_json: Any = None
        #: JSON of checkpoints recently viewed or diffed, by id (cleared on every refresh:
        #: a paused step's values change as its tasks finish).
        self._json_cache: OrderedDict[str, tuple[Any, Any]] = OrderedDict()
        self._head_summary_id: str | None = None
        #: True while the ``history_page`` trait holds the history's newest rows as they are.
        self._first_page_sent = False
        #: The diagram laid out once (again only when the thread draws its own graph); drawn
        #: again only to colour a static snapshot.
        self.diagram = layout_graph(drawable)
        self._svg = layout_svg(self.diagram)
        #: Status of the nodes drawn for the thread only (an entrypoint's task calls).
        self._thread_status: dict[str, NodeStatus] = {}
        self._base_checked = False
        self.listener.set_traits(
            graph_svg=self._svg,
            nodes=self.nodes,
            breakpoints=self._bp_trait(),
            state_kind="value" if self.runtime.whole_state else "keys",
            thread_search=self.thread_search,
        )
        self.refresh()
        register(self)

    # ----------------------------------------------------------------- config / refresh
    @property
    def thread_search(self) -> bool:
        """True when threads can be searched by metadata and status (a server's threads)."""
        return bool(getattr(self.runtime, "remote", False))

    @property
    def thread_id(self) -> str | None:
        """The thread this session drives (None until one is picked or started)."""
        return self._base["configurable"].get("thread_id")

    @property
    def config(self) -> dict:
        """The run config for the thread's latest checkpoint."""
        if self.thread_id is None:
            raise ActionError("no thread selected: pick a thread or start one with run(input)")
        configurable = {k: v for k, v in self._base["configurable"].items() if k != "checkpoint_id"}
        return {**self._base, "configurable": configurable}

    def _at(self, cid: str) -> dict:
        config = self.config
        configurable = {"checkpoint_ns": "", **config["configurable"], "checkpoint_id": cid}
        return {**config, "configurable": configurable}

    def refresh(self, during_run: bool = False) -> None:
        """Re-read the thread's latest checkpoint and new history; push the changes.

        ``during_run``: a run in progress saved a step; its live status stays as drawn."""
        self._json_cache.clear()
        if self.thread_id is None:
            threads = [_thread_json(t) for t in self.runtime.list_threads()]
            self.listener.set_traits(
                thread_id="", threads=threads, status="no_thread", head={}, interrupts=[]
            )
            return
        head = self.runtime.get_state(self.config, subgraphs=True)
        self._redraw_for_thread()
        first_page = None
        if self.history is None:
            history = HistoryIndex(self.runtime, self.config)
            added = history.page(0, FIRST_PAGE)
            self.history = history
            first_page = {"items": added, "size": len(history), "lanes": history.lanes}
        else:
            added = self.history.sync()
        # Set last: code reading ``head`` outside the lock finds its history built.
        self.head = head
        # A summary is restated in place: a new one goes out with ``added`` anyway.
        head_id = checkpoint_id(self.head)
        restated = self.history.restate(self.head) and all(item["id"] != head_id for item in added)
        changed = [self._history.summary(head_id)] if restated and head_id is not None else []
        if first_page is not None:
            self.listener.set_traits(history_page=first_page)
            self._first_page_sent = True
        elif (added or changed) and self._first_page_sent:
            # The history moved on: a view opened from now on asks for its first page.
            self.listener.set_traits(history_page={})
            self._first_page_sent = False
        if added or changed:
            message = {
                "type": "history",
                "added": added,
                "size": len(self.history),
                "lanes": self.history.lanes,
            }
            self.listener.send({**message, "changed": changed} if changed else message)
        if during_run:
            # The state panel gets one patch when the run ends (a patch per step would
            # resend what every step changed, e.g. a large value written at step 0).
            self.listener.set_traits(head=self._head_summary(), history_size=len(self.history))
            return
        self._push_head_patch()
        self.listener.set_traits(
            thread_id=self.thread_id,
            head=self._head_summary(),
            interrupts=self.pending_interrupts() + self._review_cards(),
            node_status=self._status_from_head(),
            history_size=len(self.history),
            status=self._run_status(),
        )

    def _redraw_for_thread(self) -> None:
        """Draw the thread's own graph when the runtime has one (an entrypoint's task
        calls so far); the SVG is sent only when it changed."""
        drawn = self.runtime.thread_graph(self.config)
        if drawn is None:
            return
        drawable, status = drawn
        self._thread_status = {node: value for node, value in status.items() if value in _PRIORITY}
        diagram = layout_graph(drawable)
        svg = layout_svg(diagram)
        if svg != self._svg:  # ``nodes`` stays the graph's own (what as_node may name)
            self.diagram, self._svg = diagram, svg
            self.listener.set_traits(graph_svg=svg)

    @property
    def _history(self) -> HistoryIndex:
        """The history index, for code that runs after ``refresh()`` has built it."""
        if self.history is None:
            raise RuntimeError("the thread's history is read before Session.refresh() built it")
        return self.history

    def _push_head_patch(self) -> None:
        new_id = checkpoint_id(self.head)
        new_json = to_jsonable(self.head.values)
        old_id = self._head_summary_id
        # The same checkpoint can change too (a partial resume records a branch's writes).
        if old_id != new_id or (old_id is not None and new_json != self._head_json):
            # No previous checkpoint: no patch (the browser fetches the state once).
            ops = diff(self._head_json, new_json) if old_id is not None else None
            self.listener.send({"type": "head", "from": old_id, "to": new_id, "ops": ops})
        self._head_json, self._head_summary_id = new_json, new_id

    def _head_summary(self) -> dict:
        head_id = checkpoint_id(self.head)
        summary = self._history.summary(head_id) if head_id is not None else {}
        if not summary:
            return {}
        return {k: summary.get(k) for k in ("id", "step", "source", "created_at", "next")}

    def pending_interrupts(self) -> list[dict]:
        """Every pending interrupt of the latest checkpoint (all parallel branches and
        subgraphs) with its response form; after an edit, the questions asked before it."""
        if self.head is None:
            return []
        return self._listed_interrupts() or self._edited_over_questions()

    def _listed_interrupts(self) -> list[dict]:
        """The interrupts the back end lists for the latest checkpoint."""
        specs, seen = [], set()
        for task in self.head.tasks:
            for intr in task.interrupts:
                if intr.id not in seen:
                    seen.add(intr.id)
                    specs.append(interrupt_spec(intr, task.name))
        for intr in getattr(self.head, "interrupts", ()):
            if intr.id not in seen:
                seen.add(intr.id)
                specs.append(interrupt_spec(intr, ""))
        return specs

    def pending_tool_review(self) -> dict | None:
        """The tool calls the thread is paused before (at a tool node, no interrupt
        pending), as a review card; None when there are none."""
        if self.head is None or self.pending_interrupts():
            return None
        return pending_review(self.head, self._tool_nodes, checkpoint_id(self.head))

    def _review_cards(self) -> list[dict]:
        card = self.pending_tool_review()
        return [card] if card else []

    def _edited_over_questions(self) -> list[dict]:
        """The questions an edit hid (``carried: true``): asked at the last checkpoint a
        run saved, with state edits on top.

        LangGraph (and a server) stops listing an interrupt once the state is edited over
        it, yet the node is still next and a ``Command(resume=...)`` still answers it (the
        node re-runs on the edited state), so the widget keeps showing such a question and
        ``resume()`` accepts an answer to it; Continue asks it again instead.
        """
        if self.history is None or (self.head.metadata or {}).get("source") != "update":
            return []
        if not self.head.next:
            return []
        for summary in itertools.islice(self.history.ancestry(checkpoint_id(self.head)), 1, None):
            if summary["source"] == "update":
                continue
            if not summary["interrupts"]:
                return []
            asked = self.runtime.get_state(self._at(summary["id"]))
            return [
                {**interrupt_spec(intr, task.name), "carried": True}
                for task in asked.tasks
                if task.name in self.head.next
                for intr in task.interrupts
            ]
        return []

    def _status_from_head(self) -> dict[str, NodeStatus]:
        status: dict[str, NodeStatus] = {}

        def mark(node: str, value: NodeStatus) -> None:
            if node in _NOT_NODES or _is_pseudo_node(node):
                return
            current = status.get(node)
            if current is None or _PRIORITY[value] >= _PRIORITY[current]:
                status[node] = value

        unvisited = set(self._top_nodes)
        for summary in self._history.ancestry(checkpoint_id(self.head)):
            for writer in summary["writers"]:
                mark(writer, "visited")
            unvisited.difference_update(summary["writers"])
            if not unvisited:  # no older step can add a mark: read no further back
                break
        self._mark_tasks(self.head, "", mark)
        for node, value in self._thread_status.items():
            mark(node, value)
        return status

    def _mark_tasks(self, snap: Any, prefix: str, mark: Any) -> None:
        for name in snap.next:
            mark(prefix + name, "next")
        for task in snap.tasks:
            if task.result is not None:  # ran already; its step waits for a sibling
                mark(prefix + task.name, "visited")
            if _failed(task):
                mark(prefix + task.name, "errored")
            if task.interrupts:
                mark(prefix + task.name, "interrupted")
            sub = task.state
            if sub is not None and hasattr(sub, "tasks"):
                self._mark_tasks(sub, f"{prefix}{task.name}:", mark)

    def _run_status(self) -> ThreadStatus:
        busy = getattr(self.runtime, "busy", None)
        if busy is not None and busy(self.config):  # a server run started elsewhere
            return "running"
        if checkpoint_id(self.head) is None:
            return "new"
        # A task cancelled by Stop (LangGraph records the CancelledError) is not a failure.
        if any(_failed(t) for t in self.head.tasks):
            return "error"
        if self.pending_interrupts():
            return "interrupted"
        return "paused" if self.head.next else "done"

    def _bp_trait(self) -> dict:
        return {k: sorted(v) for k, v in self.breakpoints.items()}

    # ------------------------------------------------------------------ actions
    def check_input(self, input: Any) -> None:
        """Refuse an input naming keys the graph's state does not have (both engines would
        silently drop them and run on a state missing what the user meant to give)."""
        keys = getattr(self.runtime, "input_keys", lambda: None)()
        if keys is None or not isinstance(input, Mapping):
            return
        unknown = sorted(str(k) for k in input if k not in keys)
        if unknown:
            raise ActionError(
                f"input key{'s' if len(unknown) > 1 else ''} {', '.join(map(repr, unknown))} "
                f"not in the graph's state; its keys are: {', '.join(sorted(keys))}"
            )

    def run(self, input: Any) -> Any:
        """Start a run with ``input`` (a new thread when none is selected)."""
        self.check_input(input)
        if self.thread_id is None:
            self._switch_thread(self.runtime.new_thread_id())
        else:
            self._check_remote()
        return self._drive(input, self.config)

    def resume(self, answer: Any) -> Any:
        """Answer pending interrupts: one value when one is pending, or ``{id: value}``."""
        self._check_remote()
        pending = {spec["id"]: spec for spec in self.pending_interrupts()}
        if not pending:
            raise ActionError(f"no interrupt is pending on thread {self.thread_id!r}")
        if isinstance(answer, Mapping) and answer and set(answer) <= set(pending):
            checks, resume = [(pending[iid], value) for iid, value in answer.items()], dict(answer)
        elif len(pending) > 1:
            raise ActionError(
                f"{len(pending)} interrupts are pending; answer with a map {{interrupt_id: value}} "
                f"(ids: {', '.join(pending)})"
            )
        else:
            checks, resume = [(next(iter(pending.values())), answer)], answer
        for spec, value in checks:
            try:
                check_answer(spec, value)
            except ValueError as exc:
                raise ActionError(f"answer to interrupt {spec['id']} refused: {exc}") from exc
        if any(spec.get("carried") for spec in pending.values()):
            # The node asks again when it re-runs: its question has a new id by then, so
            # the answer goes as a single value, which answers it whatever its id.
            if len(pending) > 1:
                raise ActionError(
                    "several questions were pending when the state was edited; "
                    "continue the run to have them asked again, then answer them"
                )
            resume = checks[0][1]
        return self._drive(self.runtime.resume_input(resume), self.config)

    def review_tool_calls(self, decisions: list) -> Any:
        """Answer the pending tool calls, one decision each: ``{"type": "approve"}``,
        ``{"type": "edit", "args": {...}}`` or ``{"type": "reject", "message": "why"}``;
        then the run goes on. A refused answer changes nothing."""
        card = self.pending_tool_review()
        if card is None:
            raise ActionError(f"no tool call is waiting for review on thread {self.thread_id!r}")
        try:
            updates = plan_review(self.head, card, self._tool_nodes, {"decisions": decisions})
        except ValueError as exc:
            raise ActionError(f"tool-call review refused: {exc}") from exc
        for values, as_node in updates:
            try:
                self.runtime.update_state(self.config, values, as_node=as_node)
            except Exception as exc:
                self.refresh()
                raise ActionError(f"{type(exc).__name__}: {exc}") from exc
        return self._drive(None, self.config)

    def update_state(
        self, values: Any, as_node: str | None = None, *, confirmed: bool = True
    ) -> Any:
        """Edit the latest checkpoint's state as if ``as_node`` wrote ``values``.

        Editing while a question is pending keeps it answerable (see
        ``_edited_over_questions``): review, edit, then approve."""
        self._check_remote()
        return self._write(self.config, self.head, values, as_node, confirmed)

    def fork(
        self,
        checkpoint_id: str,
        values: Any = None,
        as_node: str | None = None,
        *,
        confirmed: bool = True,
    ) -> Any:
        """Branch from a past checkpoint, optionally with edited values; history is kept."""
        self._require_checkpoint(checkpoint_id)
        target = self.runtime.get_state(self._at(checkpoint_id))
        return self._write(self._at(checkpoint_id), target, values, as_node, confirmed)

    def replay(self, checkpoint_id: str) -> Any:
        """Run again from a past checkpoint (a new branch of the thread)."""
        self._require_checkpoint(checkpoint_id)
        return self._drive(None, self._at(checkpoint_id))

    def step(self) -> Any:
        """Run exactly one super-step from the latest checkpoint, then pause."""
        self._check_remote()
        self._require_runnable()
        return self._drive(None, self.config, pause_after=self._top_nodes)

    def continue_run(self) -> Any:
        """Continue from the latest checkpoint until the end or the next breakpoint."""
        self._check_remote()
        self._require_runnable()
        return self._drive(None, self.config)

    def set_breakpoint(self, node: str, when: str = "before", enabled: bool = True) -> None:
        """Pause ``before`` or ``after`` ``node`` on every later run from this widget."""
        if when not in self.breakpoints:
            raise ActionError(f"when must be 'before' or 'after', not {when!r}")
        if node not in self._top_nodes:
            raise ActionError(f"unknown node {node!r}; nodes: {', '.join(self._top_nodes)}")
        (self.breakpoints[when].add if enabled else self.breakpoints[when].discard)(node)
        self.listener.set_traits(breakpoints=self._bp_trait())

    def clear_breakpoints(self) -> None:
        """Remove every breakpoint."""
        for nodes in self.breakpoints.values():
            nodes.clear()
        self.listener.set_traits(breakpoints=self._bp_trait())

    def search_threads(self, metadata: Mapping | None = None, status: str | None = None) -> list:
        """Fill the thread picker with threads matching ``metadata`` and ``status``
        (server threads; the runtime must support those filters)."""
        filters = {k: v for k, v in (("metadata", metadata), ("status", status)) if v}
        if filters and not self.thread_search:
            raise ActionError("searching threads by metadata or status needs a server")
        try:
            threads = [_thread_json(t) for t in self.runtime.list_threads(**filters)]
        except ValueError as exc:
            raise ActionError(f"thread search refused: {exc}") from exc
        self.listener.set_traits(threads=threads)
        return threads

    def select_thread(self, thread_id: str) -> None:
        """Drive another thread of the same graph."""
        self._switch_thread(str(thread_id))
        self.refresh()

    def _switch_thread(self, thread_id: str) -> None:
        self._base = {
            **self._base,
            "configurable": {**self._base["configurable"], "thread_id": thread_id},
        }
        self.history, self.head, self._head_json, self._head_summary_id = None, None, None, None
        self.listener.send({"type": "reset", "thread_id": thread_id})

    # ---------------------------------------------------------------- internals
    def _check_remote(self) -> None:
        """A thread on a server can move on under the widget (another client answered):
        re-check, unless the browser's action was just checked against its ``base``."""
        if getattr(self.runtime, "remote", False) and not self._base_checked:
            self._check_base(checkpoint_id(self.head) if self.head is not None else None)

    def _require_checkpoint(self, cid: str) -> None:
        if self.history is None or cid not in self.history:
            raise ActionError(f"checkpoint {cid!r} is not in thread {self.thread_id!r}")

    def _require_runnable(self) -> None:
        if self.head is None or checkpoint_id(self.head) is None:
            raise ActionError("the thread has no checkpoint yet: start it with run(input)")
        if self._listed_interrupts():  # (questions carried over an edit may be re-asked)
            raise ActionError("interrupts are pending: answer them with resume(...) first")
        if not self.head.next:
            raise ActionError("the thread has finished: nothing is scheduled to run")

    def _write(
        self, config: dict, target: Any, values: Any, as_node: str | None, confirmed: bool = True
    ) -> Any:
        if as_node is not None and as_node not in self._top_nodes:
            raise ActionError(
                f"as_node {as_node!r} is not a node of this graph; nodes: {', '.join(self._top_nodes)}"
            )
        if self.runtime.whole_state:  # one value: the edit replaces it
            if values is not None and target is not None:
                try:
                    values = revive(target.values, values)
                except (ValueError, TypeError) as exc:
                    raise ActionError(f"cannot use the edited value: {exc}") from exc
            return self._update(config, values, as_node)
        if values is not None and not isinstance(values, Mapping):
            raise ActionError(
                f"state values must be an object mapping keys to values, not {type(values).__name__}"
            )
        if values is not None and target is not None:
            current = target.values if isinstance(target.values, Mapping) else {}
            try:
                values = {
                    k: revive(current[k], v) if k in current else v for k, v in values.items()
                }
            except (ValueError, TypeError) as exc:
                raise ActionError(f"cannot use the edited values: {exc}") from exc
            try:
                schema = getattr(self.runtime, "state_schema", lambda: None)()
                problems = check_edit(schema, current, values)
            except SchemaRefusal as exc:
                raise ActionError(str(exc)) from exc
            if problems and not confirmed:
                raise NeedsConfirmation(problems)
            for problem in [] if self._in_background else problems:
                # The Python API saves them, as LangGraph does, but says so.
                warnings.warn(f"state schema mismatch: {problem}", stacklevel=4)
        return self._update(config, values, as_node)

    def _update(self, config: dict, values: Any, as_node: str | None) -> Any:
        try:
            self.runtime.update_state(config, values, as_node=as_node)
        except ConcurrentUpdateError:
            self.refresh()
            raise
        except Exception as exc:
            self.refresh()
            raise ActionError(f"{type(exc).__name__}: {exc}") from exc
        self.listener.set_traits(error="")
        self.refresh()
        announce_change(self)
        return self.head

    def _drive(self, input: Any, config: dict, pause_after: list[str] | None = None) -> Any:
        """Run the graph: in a background thread when a browser message asked for it
        (returns None at once), else here (returns the latest snapshot)."""
        options = {
            "interrupt_before": sorted(self.breakpoints["before"]),
            "interrupt_after": sorted(set(self.breakpoints["after"]) | set(pause_after or ())),
            "context": self.context,
        }
        starts_from = (config.get("configurable") or {}).get("checkpoint_id") or (
            checkpoint_id(self.head) if self.head is not None else None
        )
        if getattr(self.runtime, "has_async_nodes", lambda: False)():
            aevents = self.runtime.aevents  # type: ignore[attr-defined]  # (optional method)
            return self._watch(lambda: aevents(input, config, **options), True, starts_from)
        return self._watch(
            lambda: self.runtime.events(input, config, **options), False, starts_from
        )

    def _watch(
        self,
        make_events: Callable[[], Any],
        is_async: bool = False,
        starts_from: str | None = None,
    ) -> Any:
        """Show a run's events live (node status, timing, tokens), then the state it left."""
        if self.live is not None and self.live.running:
            raise ActionError(
                "a run is in progress on this widget: wait for it, or stop it (Stop, or w.stop())"
            )
        status = (
            dict(self._status_from_head())
            if self.head is not None and self.history is not None
            else {}
        )
        status = {n: s for n, s in status.items() if s == "visited"}
        tracker = RunTracker(
            status,
            self.listener.set_traits,
            self.listener.send,
            on_step=self._step_saved,
            starts_from=starts_from,
        )
        live = self.live = LiveRun()
        self._tracker = tracker
        tracker.begin()

        def go() -> Any:
            return self._run_live(live, tracker, make_events, is_async)

        if self._in_background:
            live.start_in_background(lambda: self._in_capture(go))
            return None
        return live.run_here(go)

    def _in_capture(self, body: Callable[[], Any]) -> None:
        """``body`` with its output going to the run log; its errors are in the widget."""
        # Errors are already shown by _run_live (error banner and traceback).
        with capture_output(self._log_line), contextlib.suppress(Exception):
            body()

    def _run_live(
        self, live: LiveRun, tracker: RunTracker, make_events: Callable[[], Any], is_async: bool
    ) -> Any:
        stopped = False
        try:
            if is_async:
                live.consume_async(make_events, tracker.on_event)
            else:
                live.consume_sync(make_events(), tracker.on_event)
        except RunStopped:
            stopped = True
        except ConcurrentUpdateError as exc:
            tracker.finish()
            with self._lock:
                self.refresh()  # nothing of this run was written: show where the thread is now
            self.listener.set_traits(
                progress=tracker.trait(), notice=_moved_on(exc), status=self._run_status()
            )
            raise
        except Exception as exc:
            tracker.finish()
            node = tracker.failed.node if tracker.failed is not None else None
            with self._lock:
                self.refresh()
            self.listener.set_traits(
                error=f"{type(exc).__name__}: {exc}",
                error_detail=error_detail(exc, node),
                status="error",
                node_status={**self._status_from_head(), **tracker.status},
                progress=tracker.trait(),
            )
            announce_change(self)
            raise
        with self._lock:
            self.refresh()
        tracker.finish(asked=not stopped and bool(getattr(self.head, "interrupts", ())))
        changes: dict[str, Any] = {"progress": tracker.trait()}
        # A server run cancelled by Stop ends its stream as if it had finished.
        if stopped or (live.stop_requested and self.head.next):
            step = self.head.metadata.get("step") if self.head.metadata else None
            changes["notice"] = (
                f"Stopped at step {step}: no further node was started. "
                "Continue goes on from this checkpoint."
            )
        self.listener.set_traits(**changes)
        announce_change(self)
        return self.head

    def refresh_from_peer(self) -> None:
        """Another widget changed this thread: show it (unless a run of ours is going on)."""
        if self.live is not None and self.live.running:
            return
        with self._lock:
            self.refresh()

    def _step_saved(self) -> None:
        """A running graph saved a step: show its state and history as they are now."""
        if not getattr(self.runtime, "reads_during_run", True):
            return
        with self._lock:
            self.refresh(during_run=True)

    def stop(self) -> list[str]:
        """Stop the widget's run in progress at its next safe point (no further node
        starts; a running async node is cancelled) and, on a LangGraph API server thread,
        cancel the runs in flight there. Returns the ids of the runs stopped ([] if none)."""
        stopped = []
        live = self.live
        if live is not None and live.running:
            if not live.stop_requested and self._tracker is not None:
                self._tracker.stopping()
            live.stop()
            stopped.append(live.run_id)
        cancel = getattr(self.runtime, "stop", None)
        if cancel is not None:
            stopped += cancel(self.config)
            if live is None or not live.running:
                self.refresh()
        return stopped

    def follow(self) -> Any:
        """Watch the run in flight on a server thread (started elsewhere) until it ends,
        with live node status and tokens when the run streams them; returns the latest
        snapshot (at once when no run is in flight)."""
        join = getattr(self.runtime, "join_events", None)
        if join is None:
            raise ActionError("follow() joins a run on a LangGraph API server thread")
        return self._watch(lambda: join(self.config))

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the run in progress (if any) has ended; False on timeout."""
        return self.live is None or self.live.wait(timeout)

    # ------------------------------------------------------------ browser messages
    def handle(self, message: Mapping) -> dict:
        """Answer one message from the browser; returns the reply to send back.

        Actions carry ``base``, the checkpoint id the widget showed: an action based on
        a checkpoint that is no longer the latest is refused (and the widget refreshed).
        Output printed during an action is captured and forwarded as log messages.
        """
        reply = {"type": "reply", "request_id": message.get("request_id")}
        try:
            if message.get("type") == "query":
                with self._lock:
                    reply["result"] = self._query(message.get("query"), message.get("args") or {})
            elif message.get("type") == "action":
                self._in_background = True
                try:
                    with capture_output(self._log_line):
                        self._act(
                            message.get("action"), message.get("args") or {}, message.get("base")
                        )
                finally:
                    self._in_background = False
                running = self.live is not None and self.live.running
                with self._lock:  # a background run may be refreshing meanwhile
                    head = self._head_summary() if self.head is not None else {}
                reply["result"] = {"head": head, "running": running}
            else:
                raise ActionError(f"unknown message type {message.get('type')!r}")
            reply["ok"] = True
        except StaleWidgetError as exc:
            reply.update(ok=False, kind="stale", error=str(exc))
        except NeedsConfirmation as exc:
            reply.update(ok=False, kind="confirm", error=str(exc), warnings=exc.warnings)
        except ConcurrentUpdateError as exc:
            notice = _moved_on(exc)
            self.listener.set_traits(notice=notice, error="")
            reply.update(ok=False, kind="stale", error=notice)
        except ActionError as exc:
            self.listener.set_traits(error=str(exc))
            reply.update(ok=False, kind="rejected", error=str(exc))
        except Exception as exc:
            reply.update(ok=False, kind="error", error=f"{type(exc).__name__}: {exc}")
        return reply

    def _log_line(self, stream: str, text: str) -> None:
        text = sendable_text(text)
        self.log.append((stream, text))
        self.listener.send({"type": "log", "stream": stream, "text": text})

    def _check_base(self, base: str | None) -> None:
        if self.thread_id is None:
            return
        latest = self.runtime.get_state(self.config)
        latest_id = checkpoint_id(latest)
        if base != latest_id:
            self.refresh()
            message = (
                f"this widget showed checkpoint {base or '(none)'} but thread {self.thread_id!r} has moved on "
                f"to {latest_id}; nothing was done. The widget now shows the latest state: check it and retry."
            )
            self.listener.set_traits(notice=message)
            raise StaleWidgetError(message)
        self.listener.set_traits(notice="")

    def _act(self, action: Any, args: Mapping, base: str | None) -> None:
        entry = ACTIONS.get(action) if isinstance(action, str) else None
        if entry is None:
            raise ActionError(f"unknown action {action!r}")
        if action == "stop":  # the one action a run in progress does not refuse
            self.stop()
            return
        if self.live is not None and self.live.running:
            raise ActionError(
                f"a run is in progress: {action!r} waits until it ends (or press Stop)"
            )
        checked, perform = entry
        if checked:
            self._check_base(base)
            self._base_checked = True
        try:
            perform(self, args)
        finally:
            self._base_checked = False

    def _new_thread_from_widget(self, args: Mapping) -> None:
        self.check_input(args.get("input"))  # before leaving the picker
        self._switch_thread(self.runtime.new_thread_id())
        self.run(args.get("input"))

    def _resume_from_widget(self, args: Mapping) -> None:
        answers = args.get("answers")
        if not isinstance(answers, Mapping) or not answers:
            raise ActionError("resume needs answers: {interrupt_id: value}")
        card = self.pending_tool_review()
        if card is not None and card["id"] in answers:
            answer = answers[card["id"]]
            decisions = answer.get("decisions") if isinstance(answer, Mapping) else None
            if not isinstance(decisions, list):
                raise ActionError('a tool-call review needs {"decisions": [...]}')
            self.review_tool_calls(decisions)
            return
        unknown = set(answers) - {spec["id"] for spec in self.pending_interrupts()}
        if unknown:
            raise ActionError(f"no pending interrupt has id {', '.join(sorted(unknown))}")
        self.resume(dict(answers))

    def _query(self, query: Any, args: Mapping) -> Any:
        answer = QUERIES.get(query) if isinstance(query, str) else None
        if answer is None:
            raise ActionError(f"unknown query {query!r}")
        needs_thread, read = answer
        if needs_thread and self.history is None:
            raise ActionError("no thread selected")
        return read(self, args)

    def _threads_for_widget(self, args: Mapping) -> list:
        return self.search_threads(args.get("metadata"), args.get("status"))

    def _history_page(self, args: Mapping) -> dict:
        offset, limit = int(args.get("offset", 0)), min(int(args.get("limit", 100)), 1000)
        return {
            "items": self._history.page(offset, limit),
            "size": len(self._history),
            "offset": offset,
            "lanes": self._history.lanes,
        }

    def _snapshot(self, cid: str | None) -> Any:
        if cid is None:
            return self.runtime.get_state(self.config)
        self._require_checkpoint(cid)
        return self.runtime.get_state(self._at(cid))

    def _checkpoint_json(self, cid: str) -> tuple[Any, Any]:
        """``(values, metadata)`` of checkpoint ``cid`` as JSON, kept for the next few views
        and diffs (selecting two rows and diffing them converts each state once)."""
        cached = self._json_cache.get(cid)
        if cached is None:
            snap = self._snapshot(cid)
            values = self._head_json if cid == self._head_summary_id else to_jsonable(snap.values)
            cached = (values, _plain_metadata(snap))
            self._json_cache[cid] = cached
            while len(self._json_cache) > JSON_CACHE_SIZE:
                self._json_cache.popitem(last=False)
        else:
            self._json_cache.move_to_end(cid)
        return cached

    def _checkpoint_view(self, cid: str | None) -> dict:
        sid = checkpoint_id(self._snapshot(None)) if cid is None else cid
        if cid is None and sid is not None and sid not in self._history:
            # Mid-run, a checkpoint the widget has not read yet (LangGraph graphs are not
            # read during a run): the latest the widget knows, rather than an error.
            sid = checkpoint_id(self.head) if self.head is not None else None
        if sid is None:
            return {"id": None, "values": {}, "summary": {}, "is_head": True}
        self._require_checkpoint(sid)
        return {
            "id": sid,
            "values": self._checkpoint_json(sid)[0],
            "summary": self._history.summary(sid),
            # (asked for the latest: it is the head, also mid-run, when the head the
            # state panel was last patched to is older and a reloaded page asks)
            "is_head": cid is None or sid == self._head_summary_id,
        }

    def _diff_ops(self, a: str, b: str | None) -> tuple[str | None, list[dict], list[dict]]:
        """What changed from checkpoint ``b`` (``a``'s parent by default) to ``a``: ``b``
        and the state and metadata operations, which carry the old values too."""
        self._require_checkpoint(a)
        if b is None:
            b = self._history.parents.get(a)
        old_values, old_meta = self._checkpoint_json(b) if b else ({}, {})
        new_values, new_meta = self._checkpoint_json(a)
        return (
            b,
            diff(old_values, new_values, old_values=True),
            diff(old_meta, new_meta, old_values=True),
        )

    def _diff(self, args: Mapping) -> dict:
        """The diff query: a page of each section's operations (long appends cut to a page
        of items), with the totals."""
        a = str(args.get("a"))
        b, ops, metadata_ops = self._diff_ops(a, args.get("b"))
        state, meta = diff_page(ops), diff_page(metadata_ops)
        return {
            "from": b,
            "to": a,
            "ops": state["ops"],
            "ops_total": state["total"],
            "metadata_ops": meta["ops"],
            "metadata_total": meta["total"],
        }

    def _diff_items(self, args: Mapping) -> dict:
        """More of the items a diff's append adds ("Show more")."""
        _, ops, metadata_ops = self._diff_ops(str(args.get("a")), args.get("b"))
        section = metadata_ops if args.get("section") == "metadata" else ops
        return appended_items(
            section, args.get("path"), args.get("offset", 0), args.get("limit", ITEMS_PAGE)
        )

    def _node_writes(self, node: str) -> dict:
        for summary in self._history.ancestry(self._head_summary_id):
            if node in summary["writers"]:
                snap = self._snapshot(summary["id"])
                parent = self._snapshot(summary["parent"]) if summary["parent"] else None
                writes = step_writes(snap, parent)
                return {
                    "node": node,
                    "checkpoint_id": summary["id"],
                    "writes": to_jsonable(writes.get(node)),
                }
        return {"node": node, "checkpoint_id": None, "writes": None}


def _moved_on(exc: ConcurrentUpdateError) -> str:
    """The notice for a write another kernel or process beat us to."""
    return (
        f"the thread moved on; refresh. Another kernel or process wrote checkpoint "
        f"{exc.actual} while this action ran from {exc.expected}; nothing of this action was "
        "written. The widget now shows the latest state: check it and retry."
    )


def _failed(task: Any) -> bool:
    """True for a task whose last run raised: one cancelled by Stop did not fail, and one
    that raised and then finished keeps its error beside its result (as LangGraph's)."""
    return task.error is not None and not _cancelled(task.error) and task.result is None


def _cancelled(error: Any) -> bool:
    """True for a task error that is a cancellation (LangGraph stores its repr)."""
    return isinstance(error, asyncio.CancelledError) or error == "CancelledError()"


def _is_pseudo_node(node: str) -> bool:
    """True for graph-internal ids such as ``__start__`` or ``parent:__end__``."""
    return node.rpartition(":")[2].startswith("__")


def _plain_metadata(snapshot: Any) -> Any:
    """A snapshot's metadata as JSON, without the writes the runtime adds for the timeline
    (the state diff shows what they changed)."""
    meta = {k: v for k, v in (snapshot.metadata or {}).items() if k != "writes"}
    return to_jsonable(meta)


def _thread_json(thread: Any) -> dict:
    """A ThreadSummary as JSON."""
    summary = {
        "thread_id": thread.thread_id,
        "updated_at": thread.updated_at,
        "checkpoint_count": thread.checkpoint_count,
    }
    if thread.status:
        summary["status"] = thread.status
    if thread.metadata:
        summary["metadata"] = to_jsonable(thread.metadata)
    return summary


_Handler = Callable[[Session, Mapping], Any]

#: Every action the widget sends: name -> (refused when the widget showed a checkpoint that
#: is no longer the latest, what it does). js/src/protocol.js lists the same names.
ACTIONS: dict[str, tuple[bool, _Handler]] = {
    "run": (True, lambda s, a: s.run(a.get("input"))),
    "new_thread": (False, Session._new_thread_from_widget),
    "resume": (True, Session._resume_from_widget),
    "update_state": (
        True,
        lambda s, a: s.update_state(
            a.get("values"), a.get("as_node"), confirmed=bool(a.get("confirm"))
        ),
    ),
    "fork": (
        False,
        lambda s, a: s.fork(
            str(a.get("checkpoint_id")),
            a.get("values"),
            a.get("as_node"),
            confirmed=bool(a.get("confirm")),
        ),
    ),
    "replay": (False, lambda s, a: s.replay(str(a.get("checkpoint_id")))),
    "step": (True, lambda s, a: s.step()),
    "continue": (True, lambda s, a: s.continue_run()),
    "breakpoint": (
        False,
        lambda s, a: s.set_breakpoint(
            str(a.get("node")), str(a.get("when", "before")), bool(a.get("enabled", True))
        ),
    ),
    "select_thread": (False, lambda s, a: s.select_thread(str(a.get("thread_id")))),
    "refresh": (False, lambda s, a: s.refresh()),
    "stop": (False, lambda s, a: s.stop()),
}

#: Every query the widget sends: name -> (needs a selected thread, what it answers).
QUERIES: dict[str, tuple[bool, _Handler]] = {
    # the browser checks the kernel side is still there (a restored widget: is one at all)
    "ping": (False, lambda s, a: {"thread_id": s.thread_id}),
    # the run panel's durations as of now (a page opened mid-run holds older ones)
    "progress": (False, lambda s, a: s._tracker.trait() if s._tracker is not None else {}),
    "threads": (False, Session._threads_for_widget),
    "history": (True, Session._history_page),
    "checkpoint": (True, lambda s, a: s._checkpoint_view(a.get("id"))),
    "diff": (True, Session._diff),
    # more of a long append's items in a diff (the diff sends a page of them)
    "diff_items": (True, Session._diff_items),
    "node_writes": (True, lambda s, a: s._node_writes(str(a.get("node")))),
    # the code editor bundle, asked for once per page when a state editor needs it
    "editor_module": (False, lambda s, a: editor_module()),
}
