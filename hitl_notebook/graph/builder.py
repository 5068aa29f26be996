"""``StateGraph``: declare nodes and edges, then ``compile()`` into a runnable graph."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from ..constants import END, START
from ..engine.context import current_task
from ..engine.retry import policies_of
from ..errors import GraphValidationError
from .schema import StateSchema
from .tracing import call_traced
from .validation import refuse_unbuilt

__all__ = ["END", "START", "Branch", "NodeSpec", "StateGraph"]

_RESERVED = {START, END}


@dataclass(slots=True)
class NodeSpec:
    """A node: its function, how to call it, and where it may route (for the diagram)."""

    name: str
    fn: Callable[..., Any]
    is_async: bool
    accepts_config: bool
    #: The compiled graph when the node *is* a subgraph.
    subgraph: Any = None
    #: A compiled graph the node's function refers to by name (closure or global), so
    #: runs as its subgraph: listed by ``get_subgraphs``, drawn by ``xray`` (as LangGraph).
    refers_to: Any = None
    #: An async twin of ``fn`` that ``ainvoke`` prefers (a subgraph driven on the event loop).
    afn: Callable[..., Any] | None = None
    #: Keyword parameters the engine fills by name (``writer``, ``runtime``).
    injected: tuple[str, ...] = ()
    #: Nodes a ``Command(goto=...)`` may reach, from ``destinations=`` or the return annotation.
    destinations: tuple[str, ...] = ()
    #: Edge labels from ``destinations={"node": "label"}``, for the diagram.
    destination_labels: dict[str, str] = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)
    #: ``RetryPolicy`` objects tried in order when the node fails (``None``: no retries).
    retry_policy: tuple | None = None
    #: ``defer=True``: once triggered, the node waits until no other node is left to run.
    defer: bool = False
    #: The node's own input schema (``add_node(input_schema=...)``) when it differs from the
    #: graph's: the node reads only its keys. ``None``: the whole state.
    input_schema: StateSchema | None = None

    @property
    def runnable(self) -> Any:
        """LangGraph's name for what runs: an object whose ``func`` is the node function."""
        return _Runnable(self.fn)


@dataclass(frozen=True, slots=True)
class _Runnable:
    func: Callable[..., Any]


@dataclass(slots=True)
class Branch:
    """A conditional edge: ``path(state)`` picks the next node(s)."""

    path: Callable[..., Any]
    path_map: dict[Hashable, str] | None
    is_async: bool
    accepts_config: bool
    #: Keyword parameters the engine fills by name (``runtime``, ``writer``).
    injected: tuple[str, ...] = ()

    def targets_for_diagram(self, all_nodes: Sequence[str]) -> list[str]:
        """Where this branch may lead: the map's values, the path's ``Literal`` return type,
        or (when neither says) every node and END."""
        if self.path_map is not None:
            return list(dict.fromkeys(self.path_map.values()))
        literal = _literal_targets(_return_annotation(self.path))
        return literal if literal else [*all_nodes, END]


class StateGraph:
    """A graph whose nodes read a shared state and return updates to it."""

    def __init__(
        self,
        state_schema: type = dict,
        context_schema: type | None = None,
        *,
        input_schema: type | None = None,
        output_schema: type | None = None,
    ) -> None:
        self.context_schema = context_schema
        self.schema = StateSchema(state_schema)
        self.input_schema = StateSchema(input_schema) if input_schema is not None else None
        self.output_schema = StateSchema(output_schema) if output_schema is not None else None
        self.nodes: dict[str, NodeSpec] = {}
        self.edges: set[tuple[str, str]] = set()
        #: Join edges: ``add_edge([a, b], c)`` runs c once both a and b have finished.
        self.joins: list[tuple[tuple[str, ...], str]] = []
        self.branches: dict[str, list[Branch]] = {}
        self._edge_order: list[tuple[str, str]] = []
        #: ``set_node_defaults(retry_policy=...)``: for nodes without a policy of their own.
        self.default_retry_policy: tuple | None = None

    # -- nodes -------------------------------------------------------------------------
    def add_node(
        self,
        node: str | Callable,
        action: Callable | None = None,
        *,
        defer: bool = False,
        metadata: dict | None = None,
        input_schema: type | None = None,
        retry_policy: Any = None,
        cache_policy: Any = None,
        destinations: Sequence[str] | dict | None = None,
        error_handler: Any = None,
        timeout: Any = None,
        trace_policy: Any = None,
    ) -> StateGraph:
        """Add ``action`` under ``node``'s name, or a function under its own ``__name__``."""
        refuse_unbuilt(
            "add_node",
            cache_policy=cache_policy,
            error_handler=error_handler,
            timeout=timeout,
            trace_policy=trace_policy,
        )
        if action is None:
            if isinstance(node, str):
                raise GraphValidationError(
                    f"add_node('{node}') needs a function (or compiled graph) to run."
                )
            action = node
            inferred = getattr(node, "name", None) or getattr(node, "__name__", None)
            if not isinstance(inferred, str):
                raise GraphValidationError(
                    f"Cannot infer a node name from {action!r}: pass one, add_node('name', fn)."
                )
            node = inferred
        if not isinstance(node, str) or not node:
            raise GraphValidationError(f"Node names must be non-empty strings, got {node!r}.")
        if node in _RESERVED:
            raise GraphValidationError(
                f"Node `{node}` is reserved. START and END are the graph's entry and exit; "
                "pick another node name."
            )
        for character in ("|", ":"):
            if character in node:
                raise GraphValidationError(
                    f"'{character}' is a reserved character and is not allowed in the node names. Node name "
                    f"{node!r} may not contain '|' or ':' (they separate subgraph namespaces)."
                )
        if node in self.nodes:
            raise GraphValidationError(
                f"Node `{node}` already present. Node names are unique in a graph."
            )
        if isinstance(action, dict):
            action = _parallel(node, action)
        if not callable(action) and not hasattr(action, "invoke"):
            raise GraphValidationError(
                f"Node '{node}' must be a function, a runnable or a compiled graph, got {action!r}."
            )
        spec = _node_spec(node, action, destinations, metadata, self.schema.channels)
        spec.retry_policy = policies_of(retry_policy, f"add_node({node!r})")
        spec.defer = bool(defer)
        spec.input_schema = _node_input_schema(input_schema, self.schema)
        self.nodes[node] = spec
        return self

    def set_node_defaults(
        self,
        *,
        retry_policy: Any = None,
        cache_policy: Any = None,
        error_handler: Any = None,
        timeout: Any = None,
    ) -> StateGraph:
        """Policies for every node that sets none of its own in ``add_node`` (applied at
        ``compile()``, not inherited by subgraphs). Only ``retry_policy`` is supported."""
        refuse_unbuilt(
            "set_node_defaults",
            cache_policy=cache_policy,
            error_handler=error_handler,
            timeout=timeout,
        )
        if retry_policy is not None:
            self.default_retry_policy = policies_of(retry_policy, "set_node_defaults()")
        return self

    def add_sequence(self, nodes: Sequence[Callable | tuple[str, Callable]]) -> StateGraph:
        """Add nodes chained one after another."""
        if len(nodes) < 1:
            raise GraphValidationError(
                "Sequence requires at least one node. add_sequence() got an empty list."
            )
        previous = None
        for item in nodes:
            name, fn = (
                item
                if isinstance(item, tuple) and len(item) == 2
                else (getattr(item, "name", None) or getattr(item, "__name__", None), item)
            )
            if not isinstance(name, str):
                raise GraphValidationError(
                    f"Cannot infer a node name from {fn!r}: pass one, add_sequence([('name', fn)])."
                )
            if name in self.nodes:
                raise GraphValidationError(
                    f"Node names must be unique: node with the name '{name}' already exists. Give two callables "
                    "with the same name (two lambdas, say) names of their own: add_sequence([(name, fn), ...])."
                )
            self.add_node(name, fn)
            if previous is not None:
                self.add_edge(previous, name)
            previous = name
        return self

    # -- edges -------------------------------------------------------------------------
    def add_edge(self, start_key: str | Sequence[str], end_key: str) -> StateGraph:
        """``a -> b``; with a list of sources, ``end_key`` waits for all of them (a join)."""
        if isinstance(start_key, str):
            if start_key == END:
                raise GraphValidationError("END cannot be a start node. Nothing runs after END.")
            if end_key == START:
                raise GraphValidationError(
                    "START cannot be an end node. Nothing leads back to START."
                )
            if (start_key, end_key) not in self.edges:
                self.edges.add((start_key, end_key))
                self._edge_order.append((start_key, end_key))
            return self
        sources = tuple(start_key)
        if not sources:
            raise GraphValidationError("add_edge() got an empty list of start nodes.")
        if START in sources or END in sources:
            raise GraphValidationError(
                "A join (add_edge([...], node)) cannot include START or END."
            )
        self.joins.append((sources, end_key))
        return self

    def add_conditional_edges(
        self, source: str, path: Callable, path_map: dict | list | None = None
    ) -> StateGraph:
        """After ``source``, call ``path(state)`` to choose the next node(s) (or ``Send``s)."""
        if isinstance(path_map, list):
            path_map = {name: name for name in path_map}
        fn = path if callable(path) else getattr(path, "invoke", None)
        if fn is None:
            raise GraphValidationError(
                f"The path of a conditional edge from '{source}' must be callable."
            )
        self.branches.setdefault(source, []).append(
            Branch(
                path=fn,
                path_map=dict(path_map) if path_map is not None else None,
                is_async=inspect.iscoroutinefunction(fn),
                accepts_config=_accepts_config(fn),
                injected=_injected(fn),
            )
        )
        return self

    def validate(self, interrupt: Sequence[str] | None = None) -> StateGraph:
        """Check the graph as ``compile()`` does (``interrupt``: nodes to pause before),
        raising ``GraphValidationError``; returns the builder."""
        from .validation import validate

        validate(self, interrupt, None)
        return self

    def set_entry_point(self, key: str) -> StateGraph:
        return self.add_edge(START, key)

    def set_conditional_entry_point(
        self, path: Callable, path_map: dict | list | None = None
    ) -> StateGraph:
        return self.add_conditional_edges(START, path, path_map)

    def set_finish_point(self, key: str) -> StateGraph:
        return self.add_edge(key, END)

    # -- compile -----------------------------------------------------------------------
    def compile(
        self,
        checkpointer: Any = None,
        *,
        cache: Any = None,
        store: Any = None,
        interrupt_before: Sequence[str] | str | None = None,
        interrupt_after: Sequence[str] | str | None = None,
        debug: bool = False,
        name: str | None = None,
        transformers: Any = None,
    ):
        """Validate the graph and return a runnable ``CompiledStateGraph`` (a frozen copy:
        editing this builder afterwards does not change it)."""
        refuse_unbuilt("compile", cache=cache, store=store, transformers=transformers)
        check_checkpointer(checkpointer)
        from .compiled import CompiledStateGraph
        from .validation import validate

        validate(self, interrupt_before, interrupt_after)
        return CompiledStateGraph(
            self,
            checkpointer=checkpointer,
            interrupt_before=interrupt_before,
            interrupt_after=interrupt_after,
            name=name or "LangGraph",
            debug=debug,
        )


def _node_spec(
    name: str, action: Any, destinations: Any, metadata: dict | None, channels: dict
) -> NodeSpec:
    from ..engine.subgraph import subgraph_node
    from .compiled import CompiledStateGraph

    subgraph = action if isinstance(action, CompiledStateGraph) else None
    afn = None
    if subgraph is not None:
        fn, afn = subgraph_node(subgraph, channels)
    elif callable(action) and not hasattr(
        type(action), "invoke"
    ):  # functions, callable objects, mocks
        fn = action
    else:
        fn = _runnable_call(action, name)
    if isinstance(destinations, dict) or destinations is not None:
        dests = tuple(destinations)
    else:
        dests = tuple(_literal_targets(_command_annotation(_return_annotation(fn))))
    return NodeSpec(
        name=name,
        fn=fn,
        is_async=inspect.iscoroutinefunction(fn) or _is_async_callable(fn),
        accepts_config=_accepts_config(fn),
        subgraph=subgraph,
        destinations=dests,
        destination_labels=(
            {k: str(v) for k, v in destinations.items()} if isinstance(destinations, dict) else {}
        ),
        metadata=dict(metadata or {}),
        afn=afn,
        injected=_injected(fn),
        refers_to=None if subgraph is not None else _referenced_graph(action),
    )


def _referenced_graph(fn: Any) -> Any:
    """The first compiled graph (keeping checkpoints) that ``fn`` reaches by a name of its
    closure or its globals; a graph looked up in a container is not found, as in LangGraph."""
    from .compiled import CompiledStateGraph

    owner = getattr(fn, "__self__", None)  # a bound method, e.g. ``add_node(g.invoke)``
    code = getattr(fn, "__code__", None)
    candidates = [owner]
    if code is not None:
        candidates += [_cell_value(cell) for cell in fn.__closure__ or ()]
        scope = getattr(fn, "__globals__", {})
        candidates += [scope[name] for name in code.co_names if name in scope]
    for value in candidates:
        value = getattr(value, "__self__", value)
        if isinstance(value, CompiledStateGraph) and value.checkpointer is not False:
            return value
    return None


def _cell_value(cell: Any) -> Any:
    try:
        return cell.cell_contents
    except ValueError:  # a variable not assigned yet
        return None


def check_checkpointer(checkpointer: Any) -> None:
    from ..checkpoint.base import BaseCheckpointSaver

    if checkpointer is None or checkpointer is True or checkpointer is False:
        return
    if not isinstance(checkpointer, BaseCheckpointSaver):
        raise TypeError(
            "Invalid checkpointer provided. Expected an instance of `BaseCheckpointSaver`, `True`, `False`, or "
            f"`None`. Received {type(checkpointer).__name__}. Pass a saver of this package (InMemorySaver, "
            "SqliteSaver, PostgresSaver)."
        )


def _node_input_schema(given: Any, state: StateSchema) -> StateSchema | None:
    """``add_node(input_schema=...)`` as a schema; ``None`` when not given or the graph's own.

    Unlike LangGraph, the annotation of the node's first parameter is not taken as its input
    schema: ``def node(state: MessagesState)`` in a graph with more keys still reads them
    all (LangGraph narrows it, and the docs' sample that reads another key fails there).
    """
    if given is None or given is state.schema:
        return None
    return StateSchema(given)


def _parallel(node: str, mapping: dict) -> Any:
    """A mapping of runnables as a node: LangChain's ``RunnableParallel``, as in LangGraph."""
    try:
        from langchain_core.runnables import RunnableParallel
    except ImportError:
        raise GraphValidationError(
            f"Node '{node}' is a mapping, which LangChain runs as a RunnableParallel: install "
            "langchain-core, or pass a function that returns the update."
        ) from None
    return RunnableParallel(mapping)


def _runnable_call(runnable: Any, node: str) -> Callable:
    def call(state: Any, config: dict) -> Any:
        task = current_task()
        if task is None or task.trace is None:
            return runnable.invoke(state, config)
        # A traced call: the runnable is the node's own run, a child of the graph's.
        return call_traced(runnable, node, state, {**config, "callbacks": task.trace})

    call.runnable = runnable  # type: ignore[attr-defined]  # what the node is, for the widget
    call.__name__ = getattr(runnable, "name", None) or type(runnable).__name__
    return call


def _is_async_callable(fn: Any) -> bool:
    call = getattr(fn, "__call__", None)  # noqa: B004 -- the bound __call__ itself is inspected
    return call is not None and inspect.iscoroutinefunction(call)


#: Parameters LangGraph fills by name: ``writer`` gets the ``custom`` stream's writer,
#: ``runtime`` the call's ``Runtime`` (its ``context``, writer, where the task runs).
_INJECTED = ("writer", "runtime")


def _parameters(fn: Callable) -> list[inspect.Parameter]:
    try:
        return list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return []


def _accepts_config(fn: Callable) -> bool:
    """True when the function's second positional parameter takes the run config: it is
    named ``config``, or it has no default and is not one filled by name (``writer``,
    ``runtime``)."""
    positional = [
        p for p in _parameters(fn) if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if len(positional) < 2 or positional[1].name in _INJECTED:
        return False
    return positional[1].name == "config" or positional[1].default is inspect.Parameter.empty


def _injected(fn: Callable) -> tuple[str, ...]:
    """The parameters the engine fills by name (``def node(state, runtime: Runtime)``)."""
    return tuple(
        p.name for p in _parameters(fn) if p.name in _INJECTED and p.kind != p.POSITIONAL_ONLY
    )


def _return_annotation(fn: Callable) -> Any:
    try:
        return typing.get_type_hints(fn).get("return")
    except Exception:
        return getattr(fn, "__annotations__", {}).get("return")


def _command_annotation(annotation: Any) -> Any:
    """``Command[Literal["a", "b"]]`` -> ``Literal["a", "b"]``."""
    from ..types import Command

    if get_origin(annotation) is Command:
        args = get_args(annotation)
        return args[0] if args else None
    return None


def _literal_targets(annotation: Any) -> list[str]:
    if get_origin(annotation) is Literal:
        return [str(a) for a in get_args(annotation)]
    return []
