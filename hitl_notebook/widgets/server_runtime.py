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

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..graph.drawable import DrawableEdge, DrawableGraph, DrawableNode
from ..types import Interrupt, PregelTask, StateSnapshot
from .runtime import TaskEvent, ThreadSummary, task_event

__all__ = ["ServerError", "ServerRuntime", "is_server_target"]

#: Entries asked for per ``threads.get_history`` call (the SDK's default is 10).
HISTORY_PAGE = 100
#: Seconds ``show()`` waits for ``GET /ok`` before saying the server is not there.
CONNECT_TIMEOUT = 5.0
_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)


class ServerError(RuntimeError):
    """The LangGraph API server refused or failed a request; the message says which."""


@dataclass(frozen=True, slots=True)
class _Resume:
    """Run input that resumes pending interrupts (sent as the run's ``command``)."""

    value: Any


def is_server_target(target: Any) -> bool:
    """True for what ``show()`` treats as a LangGraph API server: a URL or an SDK client."""
    return isinstance(target, str) or type(target).__module__.startswith("langgraph_sdk")


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
        self.client, self.url = _connect(target, headers, api_key)
        assistant = _find_assistant(self.client, assistant_id, self.url)
        #: The assistant's id (a UUID) and the graph it runs.
        self.assistant_id: str = assistant["assistant_id"]
        self.graph_id: str = assistant["graph_id"]
        #: Id of the last run this runtime started or joined (``None`` before the first).
        self.run_id: str | None = None
        self._keys: set[str] | None = None

    # ------------------------------------------------------------------ protocol
    def get_graph(self) -> DrawableGraph:
        data = self._call(self.client.assistants.get_graph, self.assistant_id, xray=True)
        graph = DrawableGraph()
        for node in data.get("nodes", []):
            name = (node.get("data") or {}).get("name", node["id"])
            graph.nodes[node["id"]] = DrawableNode(
                node["id"], str(name), None, node.get("metadata")
            )
        for edge in data.get("edges", []):
            label = edge.get("data")
            graph.edges.append(
                DrawableEdge(
                    edge["source"], edge["target"], label, bool(edge.get("conditional", False))
                )
            )
        return graph

    def get_state(self, config: dict, *, subgraphs: bool = False) -> StateSnapshot:
        thread_id, cid = _thread_and_checkpoint(config)
        data = self._call(
            self.client.threads.get_state,
            thread_id,
            checkpoint=_checkpoint_ref(cid),
            subgraphs=subgraphs,
        )
        return _snapshot(data, thread_id)

    def get_state_history(
        self, config: dict, *, limit: int | None = None, before: dict | None = None
    ) -> Iterator[StateSnapshot]:
        """Every checkpoint, newest first, fetched a page at a time as it is consumed."""
        thread_id, _ = _thread_and_checkpoint(config)
        cursor = _thread_and_checkpoint(before)[1] if before else None
        left = limit
        while left is None or left > 0:
            size = HISTORY_PAGE if left is None else min(left, HISTORY_PAGE)
            page = self._call(
                self.client.threads.get_history,
                thread_id,
                limit=size,
                before=_checkpoint_ref(cursor),
            )
            for entry in page:
                yield _snapshot(entry, thread_id)
            if len(page) < size:
                return
            cursor = page[-1]["checkpoint"]["checkpoint_id"]
            left = None if left is None else left - len(page)

    def update_state(self, config: dict, values: Any, as_node: str | None = None) -> dict:
        """Write an edit on the server. Keys outside the graph's state schema are refused
        here: the server, like LangGraph, would drop them without a word."""
        thread_id, cid = _thread_and_checkpoint(config)
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
            checkpoint=_checkpoint_ref(cid),
        )
        return {"configurable": {"thread_id": thread_id, **result["checkpoint"]}}

    def events(
        self,
        input: Any,
        config: dict,
        *,
        interrupt_before: Sequence[str] = (),
        interrupt_after: Sequence[str] = (),
    ) -> Iterator[TaskEvent]:
        """Start a run on the server and yield its task events as it streams them."""
        thread_id, cid = _thread_and_checkpoint(config)
        resume = isinstance(input, _Resume)
        parts = self._call(
            self.client.runs.stream,
            thread_id,
            self.assistant_id,
            input=None if resume else input,
            command={"resume": input.value} if resume else None,
            checkpoint=_checkpoint_ref(cid),
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
        thread_id, _ = _thread_and_checkpoint(config)
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
                raise ServerError(f"the run failed on the server: {_error_message(part.data)}")
            elif kind == "messages":
                event = _token_event(part.data)
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
        found = self._call(
            self.client.threads.search,
            metadata={"graph_id": self.graph_id, **(metadata or {})},
            status=status,
            limit=limit,
            sort_by="updated_at",
            sort_order="desc",
        )
        return [
            ThreadSummary(t["thread_id"], t.get("updated_at") or "", None, t.get("status"))
            for t in found
        ]

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
        thread_id, _ = _thread_and_checkpoint(config)
        return self._call(self.client.threads.get, thread_id).get("status") == "busy"

    def stop(self, config: dict) -> list[str]:
        """Cancel the thread's pending and running runs (whoever started them); returns
        their ids. The server records a cancelled run as interrupted."""
        thread_id, _ = _thread_and_checkpoint(config)
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
                f"(multitask_strategy='reject'): {_error_message(exc)}"
            ) from exc
        except LangGraphError as exc:
            raise ServerError(f"{self.url}: {_error_message(exc)}") from exc


def _connect(target: Any, headers: Mapping | None, api_key: str | None) -> tuple[Any, str]:
    """An SDK sync client for ``target`` (a URL or a client), checked to answer ``/ok``."""
    try:
        import httpx
        from langgraph_sdk import get_sync_client
        from langgraph_sdk.client import SyncLangGraphClient
    except ImportError as exc:
        raise ImportError(
            "showing a thread of a LangGraph API server needs langgraph-sdk: "
            "pip install 'hitl-notebook[server]'"
        ) from exc
    if isinstance(target, str):
        url = target.rstrip("/")
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"not an http(s) URL of a LangGraph API server: {target!r}")
        if api_key is None:  # the SDK then reads LANGGRAPH_API_KEY / LANGSMITH_API_KEY
            client = get_sync_client(url=url, headers=headers)
        else:
            client = get_sync_client(url=url, headers=headers, api_key=api_key)
    elif isinstance(target, SyncLangGraphClient):
        if headers is not None or api_key is not None:
            raise TypeError("headers= and api_key= go with a URL; set them on the client you pass")
        client = target
        url = str(client.http.client.base_url).rstrip("/")
    else:
        raise TypeError(
            f"the widget drives a server through a sync client: pass a URL or "
            f"langgraph_sdk.get_sync_client(...), not {type(target).__name__}"
        )
    try:  # one try, not the SDK's retrying transport: a wrong host must fail fast
        answer = httpx.get(f"{url}/ok", headers=client.http.client.headers, timeout=CONNECT_TIMEOUT)
    except httpx.HTTPError as exc:
        raise ConnectionError(
            f"no LangGraph API server answers at {url}: {type(exc).__name__}: {exc}"
        ) from exc
    if answer.status_code != 200:
        raise ConnectionError(
            f"{url} does not look like a LangGraph API server: GET /ok answered {answer.status_code}"
        )
    return client, url


def _find_assistant(client: Any, assistant_id: str | None, url: str) -> dict:
    """The assistant named by ``assistant_id`` (a graph id, an assistant name or UUID);
    without one, the server's only graph. A miss names what the server has."""
    from langgraph_sdk.errors import LangGraphError

    try:
        assistants = client.assistants.search(limit=1000)
    except LangGraphError as exc:
        raise ServerError(f"{url}: cannot list assistants: {_error_message(exc)}") from exc
    if assistant_id is None:
        graphs = {a["graph_id"] for a in assistants}
        if len(graphs) == 1:
            return _system_first([a for a in assistants])[0]
        raise ValueError(
            f"{url} serves several graphs; pass assistant_id= one of: {_names(assistants)}"
        )
    for field in ("assistant_id", "graph_id", "name"):
        matches = [a for a in assistants if a.get(field) == assistant_id]
        if matches:
            return _system_first(matches)[0]
    if _UUID.match(assistant_id):
        try:
            return client.assistants.get(assistant_id)
        except LangGraphError:
            pass
    raise LookupError(f"no assistant {assistant_id!r} on {url}; it has: {_names(assistants)}")


def _system_first(assistants: list[dict]) -> list[dict]:
    """The graph's default assistant (created by the server) before user-made ones."""
    return sorted(assistants, key=lambda a: (a.get("metadata") or {}).get("created_by") != "system")


def _names(assistants: list[dict]) -> str:
    names = sorted({a["graph_id"] for a in assistants} | {a.get("name") or "" for a in assistants})
    return ", ".join(n for n in names if n) or "(none)"


def _thread_and_checkpoint(config: Mapping) -> tuple[str, str | None]:
    configurable = config.get("configurable", {})
    return str(configurable["thread_id"]), configurable.get("checkpoint_id")


def _checkpoint_ref(cid: str | None) -> dict | None:
    return None if cid is None else {"checkpoint_id": cid, "checkpoint_ns": ""}


def _snapshot(data: Mapping, thread_id: str) -> StateSnapshot:
    """A server ``ThreadState`` as the ``StateSnapshot`` the Session reads."""
    values: Any = data.get("values")
    return StateSnapshot(
        values={} if values is None else values,
        next=tuple(data.get("next") or ()),
        config=_config(data.get("checkpoint"), thread_id)
        or {"configurable": {"thread_id": thread_id}},
        metadata=data.get("metadata"),
        created_at=data.get("created_at"),
        parent_config=_config(data.get("parent_checkpoint"), thread_id),
        tasks=tuple(_task(task, thread_id) for task in data.get("tasks") or ()),
        interrupts=tuple(_interrupt(i) for i in data.get("interrupts") or ()),
    )


def _config(checkpoint: Mapping | None, thread_id: str) -> dict | None:
    if not checkpoint or not checkpoint.get("checkpoint_id"):
        return None
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": "", **checkpoint}}


def _task(task: Mapping, thread_id: str) -> PregelTask:
    state = task.get("state")
    return PregelTask(
        id=task.get("id", ""),
        name=task.get("name", ""),
        path=tuple(task.get("path") or ()),
        error=task.get("error"),
        interrupts=tuple(_interrupt(i) for i in task.get("interrupts") or ()),
        state=_snapshot(state, thread_id)
        if isinstance(state, Mapping) and "values" in state
        else None,
        result=task.get("result"),
    )


def _interrupt(data: Mapping) -> Interrupt:
    return Interrupt(data.get("value"), data.get("id", ""))


def _token_event(data: Any) -> TaskEvent | None:
    """A ``messages-tuple`` part (``[message chunk, metadata]``) as a token event; ``None``
    when the chunk carries no text (a tool-call chunk, an empty delta)."""
    if not isinstance(data, (list, tuple)) or len(data) != 2 or not isinstance(data[0], Mapping):
        return None
    chunk, metadata = data
    content = chunk.get("content")
    if isinstance(content, list):  # content blocks: keep their text
        content = "".join(b.get("text", "") for b in content if isinstance(b, Mapping))
    if not isinstance(content, str) or not content:
        return None
    node = (metadata or {}).get("langgraph_node", "") if isinstance(metadata, Mapping) else ""
    return TaskEvent("token", str(node), result=content)


def _error_message(error: Any) -> str:
    """The server's own words for an error (its JSON ``detail``/``message`` when present)."""
    if isinstance(error, Mapping):
        return str(error.get("message") or error.get("detail") or error)
    response = getattr(error, "response", None)
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if isinstance(body, Mapping):
            body = body.get("detail") or body.get("message") or body
        return f"HTTP {response.status_code}: {body}"
    return str(error)
