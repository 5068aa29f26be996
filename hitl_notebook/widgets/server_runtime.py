"""The widget runtime for a thread on a LangGraph API server, through ``langgraph_sdk``.

The third :class:`~hitl_notebook.widgets.runtime.Runtime` beside our engine and the
LangGraph-graph adapter: the same Session and panels drive a deployed graph. Each protocol
call is one SDK call (``assistants.get_graph``, ``threads.get_state``, paged
``threads.get_history``, ``threads.update_state``, ``runs.stream``), and the server's JSON
is turned into the snapshot and drawable shapes the Session already reads, so no panel
needs to know where the graph runs. Runs follow the server's concurrency rules: the widget
asks for ``multitask_strategy="reject"`` and shows the server's refusal as it is.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..graph.drawable import DrawableGraph
from ..types import StateSnapshot
from .runtime import TaskEvent, ThreadSummary, task_event
from .server_connect import ServerError, connect, error_message, find_assistant
from .server_shapes import (
    checkpoint_ref,
    context_as_json,
    drawable,
    snapshot,
    thread_and_checkpoint,
    token_event,
)

__all__ = ["ServerRuntime"]

#: Entries asked for per ``threads.get_history`` call (the SDK's default is 10).
HISTORY_PAGE = 100
#: Thread statuses ``threads.search`` takes.
THREAD_STATUSES = ("idle", "busy", "interrupted", "error")
#: Metadata keys the server adds to a thread itself; the picker shows the rest.
_SERVER_KEYS = frozenset({"graph_id", "assistant_id"})


@dataclass(frozen=True, slots=True)
class _Resume:
    """Run input that resumes pending interrupts (sent as the run's ``command``)."""

    value: Any


class ServerRuntime:
    """One assistant of a LangGraph API server, as the widget's runtime."""

    #: The thread lives elsewhere: the Session re-checks its latest checkpoint before acting.
    remote = True

    def __init__(
        self,
        target: Any,
        assistant_id: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        api_key: str | None = None,
    ) -> None:
        self.client, self.url = connect(target, headers, api_key)
        assistant = find_assistant(self.client, assistant_id, self.url)
        #: The assistant's id (a UUID) and the graph it runs.
        self.assistant_id: str = assistant["assistant_id"]
        self.graph_id: str = assistant["graph_id"]
        #: Id of the last run this runtime started or joined (``None`` before the first).
        self.run_id: str | None = None
        self._keys: set[str] | None = None

    # ------------------------------------------------------------------ protocol
    def get_graph(self) -> DrawableGraph:
        return drawable(self._call(self.client.assistants.get_graph, self.assistant_id, xray=True))

    def get_state(self, config: dict, *, subgraphs: bool = False) -> StateSnapshot:
        thread_id, cid = thread_and_checkpoint(config)
        data = self._call(
            self.client.threads.get_state,
            thread_id,
            checkpoint=checkpoint_ref(cid),
            subgraphs=subgraphs,
        )
        return snapshot(data, thread_id)

    def get_state_history(
        self, config: dict, *, limit: int | None = None, before: dict | None = None
    ) -> Iterator[StateSnapshot]:
        """Every checkpoint, newest first, fetched a page at a time as it is consumed."""
        thread_id, _ = thread_and_checkpoint(config)
        cursor = thread_and_checkpoint(before)[1] if before else None
        left = limit
        while left is None or left > 0:
            size = HISTORY_PAGE if left is None else min(left, HISTORY_PAGE)
            page = self._call(
                self.client.threads.get_history,
                thread_id,
                limit=size,
                before=checkpoint_ref(cursor),
            )
            for entry in page:
                yield snapshot(entry, thread_id)
            if len(page) < size:
                return
            cursor = page[-1]["checkpoint"]["checkpoint_id"]
            left = None if left is None else left - len(page)

    def update_state(self, config: dict, values: Any, as_node: str | None = None) -> dict:
        """Write an edit on the server. Keys outside the graph's state schema are refused
        here: the server, like LangGraph, would drop them without a word."""
        thread_id, cid = thread_and_checkpoint(config)
        known = self._state_keys()
        unknown = sorted(set(values or {}) - known) if known else []
        if unknown:
            raise ValueError(
                f"{', '.join(map(repr, unknown))} not in the state of graph {self.graph_id!r} "
                f"(keys: {', '.join(sorted(known))})"
            )
        result = self._call(
            self.client.threads.update_state,
            thread_id,
            values,
            as_node=as_node,
            checkpoint=checkpoint_ref(cid),
        )
        return {"configurable": {"thread_id": thread_id, **result["checkpoint"]}}

    def events(
        self,
        input: Any,
        config: dict,
        *,
        interrupt_before: Sequence[str] = (),
        interrupt_after: Sequence[str] = (),
        context: Any = None,
    ) -> Iterator[TaskEvent]:
        """Start a run on the server and yield its task events as it streams them."""
        thread_id, cid = thread_and_checkpoint(config)
        resume = isinstance(input, _Resume)
        extra = {} if context is None else {"context": context_as_json(context)}
        parts = self._call(
            self.client.runs.stream,
            thread_id,
            self.assistant_id,
            **extra,
            input=None if resume else input,
            command={"resume": input.value} if resume else None,
            checkpoint=checkpoint_ref(cid),
            stream_mode=["tasks", "messages-tuple"],
            stream_subgraphs=True,
            interrupt_before=list(interrupt_before) or None,
            interrupt_after=list(interrupt_after) or None,
            multitask_strategy="reject",
            if_not_exists="create",
        )
        yield from self._task_events(parts)

    def join_events(self, config: dict) -> Iterator[TaskEvent]:
        """Join the run in flight on the thread (``runs.join_stream``) and yield its events
        in the stream modes it was started with (node status needs ``"tasks"``, tokens
        ``"messages-tuple"``: the widget's own runs have both); nothing when idle."""
        thread_id, _ = thread_and_checkpoint(config)
        for status in ("running", "pending"):
            runs = self._call(self.client.runs.list, thread_id, status=status, limit=1)
            if runs:
                self.run_id = runs[0]["run_id"]
                parts = self._call(self.client.runs.join_stream, thread_id, self.run_id)
                yield from self._task_events(parts)
                return

    def _task_events(self, parts: Any) -> Iterator[TaskEvent]:
        """Task and token events of a run's stream; a server-side failure raises."""
        stream = iter(parts)
        while True:
            try:
                part = self._call(next, stream)
            except StopIteration:
                return
            kind = part.event.split("|", 1)[0]
            if kind == "metadata":
                self.run_id = (part.data or {}).get("run_id", self.run_id)
            elif kind == "error":
                raise ServerError(f"the run failed on the server: {error_message(part.data)}")
            elif kind == "messages":
                event = token_event(part.data)
                if event is not None:
                    yield event
            elif kind == "tasks":
                namespace = tuple(part.event.split("|")[1:])
                event = task_event(namespace, part.data or {})
                if event is not None:
                    yield event

    def _state_keys(self) -> set[str]:
        """The state schema's top-level keys (empty when the schema does not list them)."""
        if self._keys is None:
            schemas = self._call(self.client.assistants.get_schemas, self.assistant_id)
            state = (schemas or {}).get("state_schema") or {}
            self._keys = set(state.get("properties") or ())
        return self._keys

    def resume_input(self, resume: Any) -> Any:
        return _Resume(resume)

    def list_threads(
        self, *, metadata: Mapping | None = None, status: str | None = None, limit: int = 100
    ) -> list[ThreadSummary]:
        """The assistant's graph's threads, most recently updated first; ``metadata`` and
        ``status`` (``idle``, ``busy``, ``interrupted``, ``error``) narrow the search."""
        if status is not None and status not in THREAD_STATUSES:
            raise ValueError(
                f"thread status {status!r} is not one of: {', '.join(THREAD_STATUSES)}"
            )
        if metadata is not None and not isinstance(metadata, Mapping):
            raise ValueError(f"metadata must map keys to values, not {type(metadata).__name__}")
        found = self._call(
            self.client.threads.search,
            metadata={"graph_id": self.graph_id, **(metadata or {})},
            status=status,
            limit=limit,
            sort_by="updated_at",
            sort_order="desc",
        )
        return [
            ThreadSummary(
                t["thread_id"],
                t.get("updated_at") or "",
                None,
                t.get("status"),
                {k: v for k, v in (t.get("metadata") or {}).items() if k not in _SERVER_KEYS},
            )
            for t in found
        ]

    def thread_graph(self, config: dict) -> None:
        """A server graph is drawn whole (``get_graph``), not per thread."""
        return None

    @property
    def whole_state(self) -> bool:
        """Server threads' states are edited key by key."""
        return False

    def tool_nodes(self) -> dict[str, str]:
        """No tool nodes: the tool-call card is not offered on server threads yet (their pending
        calls are answered with the state editor or the interrupt form)."""
        return {}

    def new_thread_id(self) -> str:
        """Create a thread on the server for this assistant's graph; returns its id."""
        thread = self._call(self.client.threads.create, graph_id=self.graph_id)
        return thread["thread_id"]

    def busy(self, config: dict) -> bool:
        """True while a run is in flight on the thread (the server's thread status)."""
        thread_id, _ = thread_and_checkpoint(config)
        return self._call(self.client.threads.get, thread_id).get("status") == "busy"

    def stop(self, config: dict) -> list[str]:
        """Cancel the thread's pending and running runs (whoever started them); returns
        their ids. The server records a cancelled run as interrupted."""
        thread_id, _ = thread_and_checkpoint(config)
        stopped = []
        for status in ("running", "pending"):
            for run in self._call(self.client.runs.list, thread_id, status=status, limit=100):
                self._call(self.client.runs.cancel, thread_id, run["run_id"], wait=True)
                stopped.append(run["run_id"])
        return stopped

    # ---------------------------------------------------------------- internals
    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        """Call the SDK, turning HTTP failures into a :class:`ServerError` that says what
        the server answered (a 409 is the server refusing a second run in flight)."""
        from langgraph_sdk.errors import ConflictError, LangGraphError

        try:
            return method(*args, **kwargs)
        except ConflictError as exc:
            raise ServerError(
                "the server refused: a run is already in flight on this thread "
                f"(multitask_strategy='reject'): {error_message(exc)}"
            ) from exc
        except LangGraphError as exc:
            raise ServerError(f"{self.url}: {error_message(exc)}") from exc
