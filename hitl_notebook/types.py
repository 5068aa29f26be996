"""Value types shared by the builder, the engine and the widgets (LangGraph's names)."""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Generic, Literal, NamedTuple, TypeVar

__all__ = [
    "Command",
    "Durability",
    "ExecutionInfo",
    "GraphInterrupt",
    "GraphOutput",
    "Interrupt",
    "NodeInterrupt",
    "Overwrite",
    "ParentCommand",
    "PregelTask",
    "RetryPolicy",
    "RunControl",
    "Runtime",
    "Send",
    "StateSnapshot",
    "StateUpdate",
    "StreamMode",
    "StreamWriter",
    "default_retry_on",
]

N = TypeVar("N")
ContextT = TypeVar("ContextT")

#: What a node's ``writer`` parameter is (for annotations): sends one ``custom`` chunk.
StreamWriter = Callable[[Any], None]
#: The ``stream_mode`` names (for annotations).
StreamMode = Literal[
    "values", "updates", "custom", "tasks", "checkpoints", "debug", "messages", "tools"
]
#: The ``durability=`` names (for annotations).
Durability = Literal["sync", "async", "exit"]


@dataclass(frozen=True, slots=True)
class Interrupt:
    """A pending ``interrupt()``: the payload shown to the human and the id to answer it by.

    Ids are stable and distinct per call site: two interrupts in one node, or in two
    parallel tasks, never share one.
    """

    value: Any
    id: str = "placeholder-id"
    #: Schema of the expected answer, when the graph gave one (LangGraph 1.2's field).
    response_schema: Any = field(default=None, kw_only=True)
    #: Namespace of the (sub)graph that raised it: ``""`` for the root graph. Not part of
    #: equality or the repr, so an ``Interrupt`` compares and prints as LangGraph's does.
    ns: str = field(default="", kw_only=True, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class Send:
    """Run ``node`` in the next step with ``arg`` as its input (map-reduce fan-out)."""

    node: str
    arg: Any


_UNSET: Any = object()


@dataclass(frozen=True, slots=True)
class Command(Generic[N]):
    """Returned by a node to update state and route, or passed to ``invoke`` to resume.

    ``Command[Literal["a", "b"]]`` as a node's return annotation tells the diagram where
    the node may go.
    """

    update: Any = None
    goto: Any = ()
    resume: Any = _UNSET
    graph: str | None = None

    PARENT: ClassVar[str] = "__parent__"

    @property
    def has_resume(self) -> bool:
        """True when this command carries an answer (``None`` is a legal answer)."""
        return self.resume is not _UNSET

    def __repr__(self) -> str:
        parts = []
        if self.update is not None:
            parts.append(f"update={self.update!r}")
        if self.goto not in ((), None, []):
            parts.append(f"goto={self.goto!r}")
        if self.has_resume:
            parts.append(f"resume={self.resume!r}")
        if self.graph is not None:
            parts.append(f"graph={self.graph!r}")
        return f"Command({', '.join(parts)})"


class ParentCommand(Exception):
    """Carries a ``Command(graph=Command.PARENT)`` out of a subgraph: the subgraph stops,
    and the parent's task that ran it takes the command as its own output."""

    def __init__(self, command: Command) -> None:
        super().__init__(command)
        self.command = command


class GraphInterrupt(Exception):
    """Raised inside a node by ``interrupt()``; the engine records it and pauses the thread.

    Not for user code to catch: catching it stops the pause from reaching the engine.
    """

    def __init__(self, interrupts: list) -> None:
        super().__init__(interrupts)
        #: ``InterruptRecord`` objects (checkpoint form, with call index and namespace).
        self.interrupts = interrupts


class NodeInterrupt(GraphInterrupt):
    """Deprecated dynamic breakpoint: ``raise NodeInterrupt(msg)`` pauses the thread with
    ``msg`` as the interrupt payload. Use ``interrupt()``, which can also receive an answer.
    """

    def __init__(self, value: Any) -> None:
        warnings.warn(
            "NodeInterrupt is deprecated; call interrupt(value) instead, which pauses the "
            "same way and returns the human's answer on resume.",
            DeprecationWarning,
            stacklevel=2,
        )
        super().__init__([])
        self.value = value


class PregelTask(NamedTuple):
    """A task of a snapshot's next step, with what it is waiting on."""

    id: str
    name: str
    path: tuple = ()
    error: str | None = None
    interrupts: tuple = ()
    state: Any = None
    result: Any = None


class StateSnapshot(NamedTuple):
    """A checkpoint as users see it (``get_state`` / ``get_state_history``)."""

    values: dict
    next: tuple
    config: dict
    metadata: dict | None
    created_at: str | None
    parent_config: dict | None
    tasks: tuple
    interrupts: tuple = ()


#: Exceptions that say the node's own code or input is wrong: running it again gives the
#: same result, so ``default_retry_on`` does not retry them (LangGraph's list).
_NOT_TRANSIENT = (
    ValueError,
    TypeError,
    ArithmeticError,
    ImportError,
    LookupError,
    NameError,
    SyntaxError,
    RuntimeError,
    ReferenceError,
    StopIteration,
    StopAsyncIteration,
    OSError,
)


def default_retry_on(exc: Exception) -> bool:
    """``RetryPolicy``'s default test: retry connection errors and HTTP 5xx responses
    (httpx/requests, when loaded), never programming errors (``ValueError``, ``KeyError``,
    ``TypeError``, ...); anything else (a library's own exception types) is retried."""
    if isinstance(exc, ConnectionError):
        return True
    status = _http_status(exc)
    if status is not _NO_STATUS:
        return status is None or 500 <= status < 600
    return not isinstance(exc, _NOT_TRANSIENT)


_NO_STATUS: Any = object()


def _http_status(exc: Exception) -> Any:
    """The status code of an httpx/requests HTTP error (``None`` when it has no response),
    else ``_NO_STATUS``. Only looks at libraries already imported: never imports them."""
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.HTTPStatusError):
        return exc.response.status_code
    requests = sys.modules.get("requests")
    if requests is not None and isinstance(exc, requests.HTTPError):
        response = exc.response
        return response.status_code if response is not None else None
    return _NO_STATUS


class RetryPolicy(NamedTuple):
    """How a failing node is retried within its step (``add_node(..., retry_policy=...)``).

    The k-th retry waits ``min(max_interval, initial_interval * backoff_factor ** (k - 1))``
    seconds, plus up to one second of random jitter. An ``interrupt()`` is never retried.
    """

    #: Seconds to wait before the first retry.
    initial_interval: float = 0.5
    #: Multiplier of the wait after each retry.
    backoff_factor: float = 2.0
    #: Longest wait between two attempts, in seconds.
    max_interval: float = 128.0
    #: Attempts in all, the first included.
    max_attempts: int = 3
    #: Add a random 0-1 s to each wait (so parallel retries do not stampede).
    jitter: bool = True
    #: Which errors are retried: an exception class, a sequence of them, or a predicate.
    retry_on: type[Exception] | Sequence[type[Exception]] | Callable[[Exception], bool] = (
        default_retry_on
    )


class StateUpdate(NamedTuple):
    """One update of a ``bulk_update_state`` superstep: ``values`` written as ``as_node``."""

    values: Any
    #: The node the update acts as (``None``: the node that wrote last); ``"__input__"``
    #: makes it the thread's input, ``END`` with ``values=None`` clears the next tasks.
    as_node: str | None = None
    #: The id of the waiting task the update stands for (default: the node's next task).
    task_id: str | None = None


@dataclass(slots=True)
class Overwrite:
    """Write ``value`` to a key as it is, bypassing the key's reducer:
    ``return {"messages": Overwrite([...])}`` replaces the list instead of appending.

    Writes to the key after it in the same step are ignored; two ``Overwrite`` values for
    one key in one step are an error. ``{"__overwrite__": value}`` means the same (the form
    a JSON client can send).
    """

    #: The key's new value.
    value: Any
    #: Lets the JSON form ``{"type": "__overwrite__", "value": ...}`` be recognised too.
    type: Literal["__overwrite__"] = "__overwrite__"


class RunControl:
    """Lets other code (a signal handler, another thread) stop one run cleanly: after
    ``request_drain()`` the run finishes the step it is in, saves, and raises
    ``GraphDrained`` instead of starting the next step. One per run (``invoke(...,
    control=RunControl())``); once drained it stays drained."""

    __slots__ = ("drain_reason",)

    def __init__(self) -> None:
        #: Why the drain was requested (None: it was not).
        self.drain_reason: str | None = None

    def request_drain(self, reason: str = "shutdown") -> None:
        """Ask the run to stop before its next step (safe from any thread)."""
        self.drain_reason = reason

    @property
    def drain_requested(self) -> bool:
        return self.drain_reason is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExecutionInfo:
    """Where the running node or task is (``runtime.execution_info``): for logging, or for
    keys that must be unique per task."""

    #: The checkpoint the task's step started from.
    checkpoint_id: str
    #: The task's own namespace (``node:task_id``, under its subgraph's).
    checkpoint_ns: str
    task_id: str
    #: None when the graph keeps no checkpoints.
    thread_id: str | None = None
    #: The config's ``run_id``, when the call gave one.
    run_id: str | None = None
    #: 1 on the first attempt, 2 on the first retry (``RetryPolicy``), and so on.
    node_attempt: int = 1
    #: When the first attempt started (seconds since the epoch).
    node_first_attempt_time: float | None = None

    def patch(self, **overrides: Any) -> ExecutionInfo:
        """A copy with ``overrides`` replaced."""
        return replace(self, **overrides)


def _no_op_writer(chunk: Any) -> None:
    """The ``custom`` stream writer when nobody streams ``custom``."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Runtime(Generic[ContextT]):
    """What a node, conditional edge, entrypoint or ``@task`` declaring a ``runtime``
    parameter receives (``get_runtime()`` returns the same): the call's ``context``
    (``invoke(..., context=...)``, which subgraphs inherit), the ``custom`` stream writer,
    an entrypoint's ``previous`` value and where the task runs. ``store`` is always None:
    hitl_notebook has no long-term store."""

    context: ContextT = None  # type: ignore[assignment]
    store: Any = None
    stream_writer: Callable[[Any], None] = _no_op_writer
    previous: Any = None
    execution_info: ExecutionInfo | None = None
    #: LangGraph Server's assistant/graph/user; always None here (no server runs the graph).
    server_info: Any = None

    def override(self, **overrides: Any) -> Runtime[ContextT]:
        """A copy with ``overrides`` replaced (``runtime.override(context=...)``)."""
        return replace(self, **overrides)

    def merge(self, other: Runtime[ContextT]) -> Runtime[ContextT]:
        """``other`` with this runtime's values where ``other`` has none."""
        return Runtime(
            context=other.context or self.context,
            store=other.store or self.store,
            stream_writer=(
                other.stream_writer
                if other.stream_writer is not _no_op_writer
                else self.stream_writer
            ),
            previous=self.previous if other.previous is None else other.previous,
            execution_info=other.execution_info or self.execution_info,
            server_info=other.server_info or self.server_info,
        )


@dataclass(frozen=True)
class GraphOutput(Generic[N]):
    """What ``invoke(..., version="v2")`` returns: the output ``value`` (a dict, or the
    output schema's dataclass/pydantic object) and the ``interrupts`` the run paused on,
    apart instead of an ``__interrupt__`` key mixed into the values."""

    value: Any
    interrupts: tuple[Interrupt, ...] = ()

    def __getitem__(self, key: str) -> Any:
        """The v1 way (``result["__interrupt__"]``, ``result["key"]``), with a warning."""
        _warn_item_access()
        if key == "__interrupt__":
            return self.interrupts
        if isinstance(self.value, dict):
            return self.value[key]
        try:
            return getattr(self.value, key)
        except AttributeError:
            raise KeyError(key) from None

    def __contains__(self, key: object) -> bool:
        _warn_item_access()
        if key == "__interrupt__":
            return bool(self.interrupts)
        if isinstance(self.value, dict):
            return key in self.value
        return isinstance(key, str) and hasattr(self.value, key)


def _warn_item_access() -> None:
    warnings.warn(
        "Reading a GraphOutput as a dict is deprecated (as in LangGraph 1.1+): use "
        "result.value for the output and result.interrupts for the interrupts.",
        DeprecationWarning,
        stacklevel=3,
    )
