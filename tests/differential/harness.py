"""Differential harness: one scenario, built from either engine's classes, and the things a
user observes about it reduced to plain data so the two engines' runs can be compared.

A scenario is a function ``scenario(api)`` that builds a graph from ``api`` (LangGraph's
classes or ours: the APIs are the same) and returns what it observed. ``same(scenario)``
runs it on both engines and asserts the observations are equal. Interrupt ids, message ids
and message classes differ by design, so ``plain`` drops them.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pprint import pformat
from typing import Any

import langgraph.channels
import langgraph.config
import langgraph.errors
import langgraph.func
import langgraph.graph
import langgraph.runtime
import langgraph.types
from langgraph.checkpoint.memory import InMemorySaver as LangGraphSaver

import hitl_notebook

__all__ = [
    "ENGINES",
    "LANGGRAPH",
    "OURS",
    "Api",
    "Call",
    "assert_same",
    "both",
    "by_step",
    "drive",
    "history",
    "numbered",
    "observe",
    "plain",
    "same",
    "state",
    "thread",
]


@dataclass(frozen=True)
class Api:
    """The names a scenario builds its graph from, taken from one engine."""

    name: str
    StateGraph: Any
    START: str
    END: str
    interrupt: Callable[..., Any]
    Command: Any
    Send: Any
    Interrupt: type
    NodeInterrupt: type
    InMemorySaver: Any
    MessagesState: Any
    add_messages: Callable[..., Any]
    RecursionError: type
    RetryPolicy: Any = None
    StateUpdate: Any = None
    Overwrite: Any = None
    InvalidUpdateError: type = Exception
    is_invalid_resume: Callable[..., Any] | None = None
    entrypoint: Any = None
    task: Any = None
    get_stream_writer: Callable[..., Any] | None = None
    UntrackedValue: Any = None
    get_runtime: Callable[..., Any] | None = None
    get_config: Callable[..., Any] | None = None

    def __repr__(self) -> str:
        return self.name


LANGGRAPH = Api(
    name="langgraph",
    StateGraph=langgraph.graph.StateGraph,
    START=langgraph.graph.START,
    END=langgraph.graph.END,
    interrupt=langgraph.types.interrupt,
    Command=langgraph.types.Command,
    Send=langgraph.types.Send,
    Interrupt=langgraph.types.Interrupt,
    NodeInterrupt=langgraph.errors.NodeInterrupt,
    InMemorySaver=LangGraphSaver,
    MessagesState=langgraph.graph.MessagesState,
    add_messages=langgraph.graph.add_messages,
    RecursionError=langgraph.errors.GraphRecursionError,
    RetryPolicy=langgraph.types.RetryPolicy,
    StateUpdate=langgraph.types.StateUpdate,
    Overwrite=langgraph.types.Overwrite,
    InvalidUpdateError=langgraph.errors.InvalidUpdateError,
    is_invalid_resume=langgraph.errors.is_invalid_resume,
    entrypoint=langgraph.func.entrypoint,
    task=langgraph.func.task,
    get_stream_writer=langgraph.config.get_stream_writer,
    UntrackedValue=langgraph.channels.UntrackedValue,
    get_runtime=langgraph.runtime.get_runtime,
    get_config=langgraph.config.get_config,
)

OURS = Api(
    name="hitl_notebook",
    StateGraph=hitl_notebook.StateGraph,
    START=hitl_notebook.START,
    END=hitl_notebook.END,
    interrupt=hitl_notebook.interrupt,
    Command=hitl_notebook.Command,
    Send=hitl_notebook.Send,
    Interrupt=hitl_notebook.Interrupt,
    NodeInterrupt=hitl_notebook.NodeInterrupt,
    InMemorySaver=hitl_notebook.InMemorySaver,
    MessagesState=hitl_notebook.MessagesState,
    add_messages=hitl_notebook.add_messages,
    RecursionError=hitl_notebook.GraphRecursionError,
    RetryPolicy=hitl_notebook.RetryPolicy,
    StateUpdate=hitl_notebook.StateUpdate,
    Overwrite=hitl_notebook.Overwrite,
    InvalidUpdateError=hitl_notebook.InvalidUpdateError,
    is_invalid_resume=hitl_notebook.is_invalid_resume,
    entrypoint=hitl_notebook.entrypoint,
    task=hitl_notebook.task,
    get_stream_writer=hitl_notebook.get_stream_writer,
    UntrackedValue=getattr(hitl_notebook, "UntrackedValue", None),
    get_runtime=hitl_notebook.get_runtime,
    get_config=hitl_notebook.get_config,
)

ENGINES = (LANGGRAPH, OURS)


def both(scenario: Callable[[Api], Any]) -> tuple[Any, Any]:
    """``scenario``'s observation on LangGraph, then on our engine."""
    return scenario(LANGGRAPH), scenario(OURS)


def assert_same(reference: Any, ours: Any) -> None:
    """Fail with a readable diff (LangGraph's side first) when the observations differ."""
    if ours != reference:
        diff = difflib.unified_diff(
            pformat(reference).splitlines(),
            pformat(ours).splitlines(),
            LANGGRAPH.name,
            OURS.name,
            lineterm="",
        )
        raise AssertionError("the engines differ:\n" + "\n".join(diff))


def same(scenario: Callable[[Api], Any]) -> Any:
    """Run ``scenario`` on both engines, assert they observed the same thing and return it
    (so a test can also pin a concrete value)."""
    reference, ours = both(scenario)
    assert_same(reference, ours)
    return reference


_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")


def numbered(obj: Any, ids: dict[str, str] | None = None) -> Any:
    """``obj`` with every id (checkpoint, task, interrupt: each engine makes its own)
    replaced by its order of appearance, and timestamps dropped, so two runs compare."""
    ids = {} if ids is None else ids
    if isinstance(obj, str):
        return _ID.sub(lambda m: ids.setdefault(m.group(0), f"#{len(ids)}"), obj)
    if isinstance(obj, dict):
        return {k: numbered(v, ids) for k, v in obj.items() if k != "timestamp"}
    if isinstance(obj, (list, tuple)):
        return type(obj)(numbered(v, ids) for v in obj)
    return obj


def plain(obj: Any) -> Any:
    """``obj`` with interrupts reduced to their values and messages to ``{type, content}``:
    what a user reads, without ids or engine-specific classes."""
    if isinstance(obj, (langgraph.types.Interrupt, hitl_notebook.Interrupt)):
        return plain(obj.value)
    if _is_message(obj):
        return {"type": obj.type, "content": obj.content}
    if isinstance(obj, dict):
        return {key: plain(value) for key, value in obj.items()}
    if isinstance(obj, list):
        return [plain(item) for item in obj]
    if isinstance(obj, tuple):
        return tuple(plain(item) for item in obj)
    return obj


def _is_message(obj: Any) -> bool:
    return (
        not isinstance(obj, (str, bytes, dict, list, tuple))
        and hasattr(obj, "type")
        and hasattr(obj, "content")
        and hasattr(obj, "id")
    )


def thread(name: str) -> dict:
    """The config of thread ``name``."""
    return {"configurable": {"thread_id": name}}


def state(graph: Any, config: dict) -> dict:
    """The parts of ``get_state`` both engines define the same way."""
    return _snapshot_view(graph.get_state(config))


def history(graph: Any, config: dict) -> list[dict]:
    """``get_state_history``, newest first, as comparable views (``writes`` metadata is
    ours alone, so only ``source`` and ``step`` are kept)."""
    return [_snapshot_view(snapshot) for snapshot in graph.get_state_history(config)]


def _snapshot_view(snapshot: Any) -> dict:
    metadata = snapshot.metadata or {}
    return {
        "next": tuple(snapshot.next),
        "values": plain(snapshot.values),
        "source": metadata.get("source"),
        "step": metadata.get("step"),
        "tasks": [(task.name, plain(tuple(task.interrupts))) for task in snapshot.tasks],
    }


@dataclass(frozen=True)
class Call:
    """A turn with call-time options, e.g. ``Call(None, {"interrupt_before": ["b"]})``."""

    input: Any
    options: dict = field(default_factory=dict)


#: A turn is an input, a ``Call``, or a callable taking the thread's current snapshot and
#: returning either (to answer interrupts by id).
Turn = Any


def drive(graph: Any, turns: Iterable[Turn], config: dict, *, stream_mode: Any = None) -> list:
    """Feed ``turns`` to one thread: with ``stream_mode`` None each turn's ``invoke`` output,
    else each turn's list of stream chunks (``by_step``-grouped for a list of modes)."""
    seen = []
    for turn in turns:
        if callable(turn):
            turn = turn(graph.get_state(config))
        call = turn if isinstance(turn, Call) else Call(turn)
        if stream_mode is None:
            seen.append(_interrupts_sorted(plain(graph.invoke(call.input, config, **call.options))))
        else:
            chunks = [
                plain(chunk)
                for chunk in graph.stream(
                    call.input, config, stream_mode=stream_mode, **call.options
                )
            ]
            seen.append(chunks if isinstance(stream_mode, str) else by_step(chunks))
    return seen


def _interrupts_sorted(output: Any) -> Any:
    """LangGraph lists parallel interrupts in the order their tasks happened to finish;
    ours in task order. Compare them as a set."""
    if isinstance(output, dict) and isinstance(output.get("__interrupt__"), list):
        return {**output, "__interrupt__": sorted(output["__interrupt__"], key=repr)}
    return output


def by_step(pairs: Iterable[tuple[str, Any]]) -> list:
    """``(mode, chunk)`` pairs from ``stream_mode=["updates", "values"]`` with the updates of
    each super-step sorted: LangGraph streams a step's updates as its tasks finish (so their
    order within a step is timing), ours when the step commits; the ``values`` chunk after
    each step marks the boundary. LangGraph's ``__metadata__`` marker on a replayed task's
    update is dropped."""
    out: list = []
    step: list = []
    for mode, chunk in pairs:
        if mode == "updates":
            step.append({k: v for k, v in chunk.items() if k != "__metadata__"})
            continue
        out.extend(sorted(step, key=repr))
        step = []
        out.append((mode, chunk))
    out.extend(sorted(step, key=repr))
    return out


def observe(graph: Any, turns: list[Turn]) -> dict:
    """Everything a user sees of ``turns``: invoke outputs, ``values`` stream chunks,
    ``["updates", "values"]`` stream chunks (grouped by step), each on its own thread, and
    the invoke thread's state and history."""
    config = thread("invoke")
    return {
        "invoke": drive(graph, turns, config),
        "state": state(graph, config),
        "history": history(graph, config),
        "values": drive(graph, turns, thread("values"), stream_mode="values"),
        "updates": drive(graph, turns, thread("updates"), stream_mode=["updates", "values"]),
    }
