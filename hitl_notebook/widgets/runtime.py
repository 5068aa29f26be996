"""The small interface the widget Session drives, and the adapters that provide it.

The Session never talks to a graph directly: it asks a :class:`Runtime` for the drawable
graph, snapshots, history and a stream of task events. Our compiled graph and a real
LangGraph compiled graph have the same methods (``get_graph``, ``get_state``,
``get_state_history``, ``update_state``, ``stream``), so each adapter is a thin shim that
adds what the graphs lack: thread listing, the ``Command`` class to resume with, and one
normalised event shape for live node status. LangGraph is imported only when the graph
is a LangGraph graph.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "GraphRuntime",
    "LangGraphRuntime",
    "Runtime",
    "StepEvent",
    "TaskEvent",
    "ThreadSummary",
    "TokenEvent",
    "as_runtime",
    "task_event",
]

#: LangGraph versions the adapter is tested with (lower bound inclusive, upper exclusive).
SUPPORTED_LANGGRAPH = ((1, 0), (1, 3))

#: Checkpoint metadata key where the LangGraph adapter records who an edit was written as.
#: LangGraph 1.x keeps no ``writes`` metadata, but its savers copy string entries of
#: ``config["metadata"]`` into the checkpoint's metadata, so the record survives restarts.
EDIT_RECORD_KEY = "hitl_notebook_writes"


@dataclass(frozen=True, slots=True)
class TaskEvent:
    """A node starting or finishing during a run, as the diagram needs it, or a piece of
    a chat model's answer as it streams."""

    #: ``"start"``, ``"end"`` or ``"token"`` (``result`` holds the text).
    kind: str
    #: Node id as drawn (``"parent:child"`` inside a subgraph).
    node: str
    #: ``"ExcType: message"`` when the task raised.
    error: str | None = None
    #: True when the task stopped on ``interrupt()``.
    interrupted: bool = False
    #: The task's writes (``{channel: value}``) when it finished normally.
    result: Any = None
    #: The exception the task raised (for its traceback), when there is one.
    exception: BaseException | None = None


@dataclass(frozen=True, slots=True)
class StepEvent:
    """The root graph saved a checkpoint: a safe point to stop a run at."""

    #: The checkpoint's step number.
    step: int
    kind: str = "step"
    #: The checkpoint's id (a continuation streams the checkpoint it starts from first).
    checkpoint_id: str = ""


@dataclass(frozen=True, slots=True)
class TokenEvent:
    """A piece of a chat message (``stream_mode="messages"``), for live token display."""

    #: Node id as drawn that called the model.
    node: str
    #: The message's id (pieces of one message share it).
    message_id: str
    #: Text of this piece. Both engines send a message either piece by piece or, when the
    #: model did not stream, whole in one piece, never both: the pieces add up to it.
    text: str
    kind: str = "token"


RunEvent = TaskEvent | StepEvent | TokenEvent


@dataclass(frozen=True, slots=True)
class ThreadSummary:
    """A thread the checkpointer knows, for the thread picker."""

    thread_id: str
    updated_at: str
    #: ``None`` where counting costs a history read (a server thread).
    checkpoint_count: int | None
    #: The server's thread status (``idle``, ``busy``, ``interrupted``, ``error``), if any.
    status: str | None = None
    #: A server thread's own metadata (what the picker's search matches), if any.
    metadata: dict | None = None


@runtime_checkable
class Runtime(Protocol):
    """What the Session needs from a compiled graph."""

    def get_graph(self) -> Any:
        """A drawable graph: ``.nodes`` (id -> node with ``.id/.name/.data``) and
        ``.edges`` (``.source/.target/.data/.conditional``), subgraphs expanded."""

    def get_state(self, config: dict, *, subgraphs: bool = False) -> Any:
        """A LangGraph-style ``StateSnapshot`` for ``config``."""

    def get_state_history(
        self, config: dict, *, limit: int | None = None, before: dict | None = None
    ) -> Iterator[Any]:
        """Snapshots of the thread, newest first."""

    def update_state(self, config: dict, values: Any, as_node: str | None = None) -> dict:
        """Write ``values`` as if ``as_node`` produced them; returns the new config."""

    def events(
        self,
        input: Any,
        config: dict,
        *,
        interrupt_before: Sequence[str] = (),
        interrupt_after: Sequence[str] = (),
        context: Any = None,
    ) -> Iterator[RunEvent]:
        """Run the graph (with the run ``context``, when given), yielding task starts and ends, saved steps and message tokens
        as they happen (closing the iterator at a ``StepEvent`` stops the run there).

        Optional methods, asked for with ``getattr`` (a server runtime has none, and
        they are not part of this protocol so ``isinstance`` checks keep passing):
        ``aevents`` (the same on an event loop, for graphs with async nodes),
        ``has_async_nodes()``, ``input_keys()`` (state keys a run's input may set, None
        when not fixed) and ``state_schema()`` (the class the state is declared with)."""

    def resume_input(self, resume: Any) -> Any:
        """The graph input that resumes pending interrupts with ``resume``."""

    def list_threads(self) -> list[ThreadSummary]:
        """Threads with at least one checkpoint, most recently updated first."""

    def tool_nodes(self) -> dict[str, str]:
        """``{node: messages key}`` for the graph's tool nodes (``ToolNode``), whose pending
        calls the widget shows for review."""

    def new_thread_id(self) -> str:
        """An id for a new thread (a server creates the thread first)."""

    def thread_graph(self, config: dict) -> tuple[Any, dict[str, str]] | None:
        """For a graph drawn per thread (an entrypoint's task calls): the thread's drawable
        graph and its nodes' status; ``None`` when ``get_graph`` is the whole picture."""

    @property
    def whole_state(self) -> bool:
        """True when the state is one value (an entrypoint's return value, a root state
        schema), edited as a whole rather than key by key."""


class GraphRuntime:
    """Adapter for our own compiled graph (hitl_notebook's engine)."""

    def __init__(self, graph: Any) -> None:
        if getattr(graph, "checkpointer", None) is None:
            raise ValueError(
                "the widget needs a graph compiled with a checkpointer, e.g. "
                "builder.compile(checkpointer=InMemorySaver())"
            )
        self.graph = graph

    def get_graph(self) -> Any:
        return self.graph.get_graph(xray=True)

    def get_state(self, config: dict, *, subgraphs: bool = False) -> Any:
        return self._with_writes(self.graph.get_state(config, subgraphs=subgraphs))

    def get_state_history(
        self, config: dict, *, limit: int | None = None, before: dict | None = None
    ) -> Iterator[Any]:
        from ..engine.snapshot import read_history_with_writes

        for snapshot, writes in read_history_with_writes(
            self.graph, config, limit=limit, before=before
        ):
            yield _with_metadata_writes(snapshot, writes)

    def checkpoint_links(self, config: dict) -> list[tuple[str, str | None]]:
        """``(id, parent id)`` of every checkpoint of the thread, newest first, read
        without building snapshots (the timeline lays out a long thread from them)."""
        conf = config.get("configurable", {})
        return self.graph.checkpointer.links(
            str(conf["thread_id"]), conf.get("checkpoint_ns", "") or ""
        )

    def _with_writes(self, snapshot: Any) -> Any:
        """The snapshot with the step's recorded writes as ``metadata["writes"]``, the shape
        the timeline reads (our engine keeps them beside the checkpoint, not in metadata)."""
        from ..engine.snapshot import recorded_writes

        if snapshot.metadata is None:
            return snapshot
        return _with_metadata_writes(snapshot, recorded_writes(self.graph, snapshot))

    def update_state(self, config: dict, values: Any, as_node: str | None = None) -> dict:
        return self.graph.update_state(config, values, as_node=as_node)

    def events(
        self,
        input: Any,
        config: dict,
        *,
        interrupt_before: Sequence[str] = (),
        interrupt_after: Sequence[str] = (),
        context: Any = None,
    ) -> Iterator[RunEvent]:
        chunks = self.graph.stream(
            input, config, **_stream_options(interrupt_before, interrupt_after, context)
        )
        try:
            for item in chunks:
                event = _run_event(item)
                if event is not None:
                    yield event
        finally:
            chunks.close()

    async def aevents(
        self,
        input: Any,
        config: dict,
        *,
        interrupt_before: Sequence[str] = (),
        interrupt_after: Sequence[str] = (),
        context: Any = None,
    ) -> AsyncIterator[RunEvent]:
        chunks = self.graph.astream(
            input, config, **_stream_options(interrupt_before, interrupt_after, context)
        )
        try:
            async for item in chunks:
                event = _run_event(item)
                if event is not None:
                    yield event
        finally:
            await chunks.aclose()

    def has_async_nodes(self) -> bool:
        return any(spec.is_async for spec in self.graph._plan.nodes.values())

    def state_schema(self) -> Any:
        schema = self.graph.builder.schema.schema
        return schema if isinstance(schema, type) and schema is not dict else None

    def input_keys(self) -> frozenset[str] | None:
        plan = self.graph._plan
        if plan.dynamic_keys or "__root__" in plan.channels:
            return None
        return frozenset(k for k in plan.channels if not k.startswith("__"))

    def resume_input(self, resume: Any) -> Any:
        from hitl_notebook import Command

        return Command(resume=resume)

    def tool_nodes(self) -> dict[str, str]:
        """``{node: messages key}`` for the graph's ``ToolNode`` nodes."""
        return {
            name: node.messages_key
            for name, spec in self.graph.builder.nodes.items()
            if _is_tool_node(node := getattr(spec.fn, "runnable", spec.fn))
        }

    def list_threads(self) -> list[ThreadSummary]:
        return [
            ThreadSummary(t.thread_id, t.updated_at, t.checkpoint_count)
            for t in self.graph.checkpointer.list_threads()
        ]

    def new_thread_id(self) -> str:
        return uuid.uuid4().hex

    def thread_graph(self, config: dict) -> tuple[Any, dict[str, str]] | None:
        draw = getattr(self.graph, "thread_drawable", None)
        return draw(config) if draw is not None else None

    @property
    def whole_state(self) -> bool:
        from ..constants import ROOT
        from ..graph.channels import LastValue

        plan = getattr(self.graph, "_plan", None)
        return plan is not None and isinstance(plan.channels.get(ROOT), LastValue)


class LangGraphRuntime(GraphRuntime):
    """Adapter for a real LangGraph compiled graph (``CompiledStateGraph``/``Pregel``)."""

    #: LangGraph saves a step's checkpoint from a background thread ("async" durability):
    #: read during the run, the thread's state and history can be a step behind (and are
    #: then kept stale), so the widget reads them when the run has ended.
    reads_during_run = False

    def __init__(self, graph: Any) -> None:
        _check_langgraph_version()
        super().__init__(graph)

    def get_state(self, config: dict, *, subgraphs: bool = False) -> Any:
        return _with_recorded_writes(self.graph.get_state(config, subgraphs=subgraphs))

    def get_state_history(
        self, config: dict, *, limit: int | None = None, before: dict | None = None
    ) -> Iterator[Any]:
        for snapshot in self.graph.get_state_history(config, limit=limit, before=before):
            yield _with_recorded_writes(snapshot)

    def checkpoint_links(self, config: dict) -> list[tuple[str, str | None]]:
        """LangGraph savers have no links query: read them from the history."""
        return [
            (
                s.config["configurable"]["checkpoint_id"],
                (s.parent_config or {}).get("configurable", {}).get("checkpoint_id"),
            )
            for s in self.graph.get_state_history(config)
        ]

    def update_state(self, config: dict, values: Any, as_node: str | None = None) -> dict:
        if as_node is not None:
            # So the timeline shows the edit as written by ``as_node``, as on our engine.
            from .jsonable import to_jsonable

            record = json.dumps({as_node: to_jsonable(values)}, ensure_ascii=False)
            config = {**config, "metadata": {**config.get("metadata", {}), EDIT_RECORD_KEY: record}}
        return self.graph.update_state(config, values, as_node=as_node)

    def state_schema(self) -> Any:
        schema = getattr(getattr(self.graph, "builder", None), "state_schema", None)
        return schema if isinstance(schema, type) and schema is not dict else None

    def input_keys(self) -> frozenset[str] | None:
        channels = getattr(getattr(self.graph, "builder", None), "channels", None)
        if not channels or "__root__" in channels:
            return None
        return frozenset(k for k in channels if not k.startswith("__"))

    def has_async_nodes(self) -> bool:
        # LangGraph wraps an async node in a RunnableCallable without a sync ``func``.
        return any(
            hasattr(spec.runnable, "afunc") and getattr(spec.runnable, "func", None) is None
            for spec in self.graph.builder.nodes.values()
        )

    def resume_input(self, resume: Any) -> Any:
        from langgraph.types import Command

        return Command(resume=resume)

    @property
    def whole_state(self) -> bool:
        return False

    def tool_nodes(self) -> dict[str, str]:
        nodes = getattr(getattr(self.graph, "builder", None), "nodes", {})
        return {
            name: getattr(spec.runnable, "_messages_key", "messages")
            for name, spec in nodes.items()
            if _is_tool_node(spec.runnable)
        }

    def list_threads(self) -> list[ThreadSummary]:
        # LangGraph savers have no thread listing: scan root-namespace checkpoints.
        threads: dict[str, list] = {}
        for item in self.graph.checkpointer.list(None):
            conf = item.config["configurable"]
            if conf.get("checkpoint_ns", ""):
                continue
            entry = threads.setdefault(conf["thread_id"], ["", 0])
            entry[0] = max(entry[0], item.checkpoint.get("ts", ""))
            entry[1] += 1
        summaries = [ThreadSummary(tid, ts, n) for tid, (ts, n) in threads.items()]
        return sorted(summaries, key=lambda t: t.updated_at, reverse=True)


def as_runtime(graph: Any) -> Runtime:
    """The runtime adapter for ``graph``: LangGraph's when it is a LangGraph graph; a
    runtime (e.g. a ``ServerRuntime``) is used as it is."""
    if isinstance(graph, Runtime):
        return graph
    if type(graph).__module__.startswith("langgraph"):
        return LangGraphRuntime(graph)
    return GraphRuntime(graph)


def _with_recorded_writes(snapshot: Any) -> Any:
    """``snapshot`` with an edit record (see ``EDIT_RECORD_KEY``) turned into ``writes``
    metadata, the shape our engine records and the timeline reads."""
    metadata = snapshot.metadata or {}
    record = metadata.get(EDIT_RECORD_KEY)
    if not isinstance(record, str):
        return snapshot
    try:
        writes = json.loads(record)
    except ValueError:
        return snapshot
    rest = {k: v for k, v in metadata.items() if k != EDIT_RECORD_KEY}
    return snapshot._replace(metadata={**rest, "writes": writes})


def _is_tool_node(node: Any) -> bool:
    """Ours or LangGraph's ``ToolNode`` (by class, so LangGraph is never imported here)."""
    return any(
        cls.__name__ == "ToolNode"
        and cls.__module__.split(".")[0] in ("hitl_notebook", "langgraph")
        for cls in type(node).__mro__
    )


def _check_langgraph_version() -> None:
    """Refuse, with the supported range in the message, a LangGraph the adapter is not
    tested with (its snapshot and stream shapes change between minor versions)."""
    from importlib.metadata import version

    text = version("langgraph")
    match = re.match(r"(\d+)\.(\d+)", text)
    parsed = (int(match[1]), int(match[2])) if match else None
    low, high = SUPPORTED_LANGGRAPH
    if parsed is None or not (low <= parsed < high):
        raise RuntimeError(
            f"hitl_notebook widgets support langgraph >={low[0]}.{low[1]},<{high[0]}.{high[1]}; "
            f"langgraph {text} is installed (pip install 'hitl-notebook[langgraph]')"
        )


def _stream_options(
    interrupt_before: Sequence[str], interrupt_after: Sequence[str], context: Any
) -> dict:
    options = {
        "stream_mode": ["tasks", "checkpoints", "messages"],
        "subgraphs": True,
        "interrupt_before": list(interrupt_before) or None,
        "interrupt_after": list(interrupt_after) or None,
    }
    return options if context is None else {**options, "context": context}


def _run_event(item: tuple) -> RunEvent | None:
    """Normalise one ``(namespace, mode, chunk)`` stream item; ``None`` when the widget
    has no use for it (internal nodes, subgraph checkpoints)."""
    namespace, mode, chunk = item
    if mode == "tasks":
        return task_event(namespace, chunk)
    if mode == "checkpoints":
        if namespace:
            return None
        configurable = (chunk.get("config") or {}).get("configurable") or {}
        return StepEvent(
            int((chunk.get("metadata") or {}).get("step", -1)),
            checkpoint_id=str(configurable.get("checkpoint_id") or ""),
        )
    if mode == "messages":
        return _token_event(namespace, chunk)
    return None


def _token_event(namespace: tuple, pair: Any) -> TokenEvent | None:
    message, metadata = pair
    if getattr(message, "type", "") not in ("ai", "AIMessageChunk"):
        return None
    node = (metadata or {}).get("langgraph_node", "")
    prefix = [part.split(":", 1)[0] for part in namespace if not part.isdigit()]
    return TokenEvent(
        node=":".join([*prefix, node]) if node else ":".join(prefix),
        message_id=str(getattr(message, "id", "") or ""),
        text=_message_text(getattr(message, "content", "")),
    )


def _message_text(content: Any) -> str:
    """The text of a message's content (a string, or a list of content blocks)."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and isinstance(block.get("text"), str):
            parts.append(block["text"])
    return "".join(parts)


def task_event(namespace: tuple, chunk: dict) -> TaskEvent | None:
    """Normalise one ``stream_mode="tasks"`` chunk (local or from a server's stream);
    ``None`` for internal nodes."""
    name = chunk.get("name", "")
    if name.startswith("__"):
        return None
    # A subgraph task's namespace is ("parent:<task id>", ...): keep the node names.
    prefix = [part.split(":", 1)[0] for part in namespace if not part.isdigit()]
    node = ":".join([*prefix, name])
    if "input" in chunk:
        return TaskEvent("start", node)
    error = chunk.get("error")
    return TaskEvent(
        "end",
        node,
        error=None if error is None else _error_text(error),
        interrupted=bool(chunk.get("interrupts")),
        result=chunk.get("result"),
        exception=error if isinstance(error, BaseException) else None,
    )


def _error_text(error: Any) -> str:
    if isinstance(error, BaseException):
        return f"{type(error).__name__}: {error}"
    return str(error)


def _with_metadata_writes(snapshot: Any, writes: dict | None) -> Any:
    """``snapshot`` with ``writes`` as ``metadata["writes"]`` (values stay unread)."""
    if snapshot.metadata is None:
        return snapshot
    return snapshot._replace(metadata={**snapshot.metadata, "writes": writes})
