"""``get_graph()``: the graph's nodes and edges as data, for diagrams (LangGraph's shape).

Nodes and edges are named tuples with the fields of LangChain's ``Node``/``Edge``, so they
compare equal to LangGraph's. The edges come in LangGraph's order: the graph's edges sorted
(source, target, conditional, label), then an edge to END from every node that leads
nowhere. As in LangGraph, an explicit edge to END is drawn only from such a node (or from a
conditional edge that names END), and with ``xray`` a subgraph's own START (and END, when one
edge leads there) is trimmed so the parent's edges enter and leave its nodes directly.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from .builder import END, START

if TYPE_CHECKING:
    from .compiled import CompiledStateGraph

__all__ = ["DrawableEdge", "DrawableGraph", "DrawableNode", "build_drawable"]


class DrawableNode(NamedTuple):
    """A node: ``id`` (``parent:child`` inside an xray'd subgraph), its name and metadata."""

    id: str
    name: str
    data: Any = None
    metadata: dict | None = None


class DrawableEdge(NamedTuple):
    """An edge; ``data`` is its label (a ``path_map`` key), ``conditional`` for branches."""

    source: str
    target: str
    data: Any = None
    conditional: bool = False


class DrawableGraph:
    """Nodes by id and edges; subgraph nodes appear as ``parent:child`` ids with ``xray``."""

    __slots__ = ("edges", "kinds", "nodes")

    def __init__(
        self, nodes: dict[str, DrawableNode] | None = None, edges: list[DrawableEdge] | None = None
    ) -> None:
        self.nodes: dict[str, DrawableNode] = nodes if nodes is not None else {}
        self.edges: list[DrawableEdge] = edges if edges is not None else []
        #: What runs at each node, as ``to_json`` names it (END runs nothing: absent).
        self.kinds: dict[str, list[str]] = {}

    def to_json(self, *, with_schemas: bool = False) -> dict[str, list[dict[str, Any]]]:
        """The nodes and edges as LangChain's ``Graph.to_json()`` writes them for LangGraph,
        the JSON drawing tools read. ``with_schemas`` changes nothing: no node is a schema."""
        nodes: list[dict[str, Any]] = []
        for node in self.nodes.values():
            entry: dict[str, Any] = {"id": node.id}
            kind = self.kinds.get(node.id)
            if kind is not None:
                entry["type"] = "runnable"
                entry["data"] = {"id": kind, "name": node.id}
            if node.metadata is not None:
                entry["metadata"] = node.metadata
            nodes.append(entry)
        edges: list[dict[str, Any]] = []
        for edge in self.edges:
            item: dict[str, Any] = {"source": edge.source, "target": edge.target}
            if edge.data is not None:
                item["data"] = edge.data
            if edge.conditional:
                item["conditional"] = True
            edges.append(item)
        return {"nodes": nodes, "edges": edges}

    def first_node(self) -> DrawableNode | None:
        """The one node no edge enters (START), or None when there is not exactly one."""
        return _only(set(self.nodes) - {e.target for e in self.edges}, self.nodes)

    def last_node(self) -> DrawableNode | None:
        """The one node no edge leaves (END), or None when there is not exactly one."""
        return _only(set(self.nodes) - {e.source for e in self.edges}, self.nodes)

    def draw_mermaid(
        self,
        *,
        with_styles: bool = True,
        curve_style: str = "linear",
        wrap_label_n_words: int = 9,
    ) -> str:
        """Mermaid flowchart source, the text LangGraph's ``draw_mermaid()`` writes."""
        from .mermaid import to_mermaid

        return to_mermaid(
            self,
            with_styles=with_styles,
            curve_style=curve_style,
            wrap_label_n_words=wrap_label_n_words,
        )

    def draw_mermaid_png(
        self,
        *,
        output_file_path: str | None = None,
        background_color: str | None = "white",
        padding: int = 10,
        curve_style: Any = None,
        node_colors: Any = None,
        wrap_label_n_words: int = 9,
        draw_method: Any = None,
        max_retries: int = 1,
        retry_delay: float = 1.0,
        frontmatter_config: Any = None,
        base_url: str | None = None,
        proxies: Any = None,
    ) -> bytes:
        """PNG bytes of the diagram, for ``Image(graph.get_graph().draw_mermaid_png())``.

        Drawn here from the widget's layout (``render.png``): LangGraph's sends the Mermaid
        text to mermaid.ink (or a local browser) instead, so the options that steer that
        (``draw_method``, ``curve_style``, ``node_colors``, retries, ``base_url``,
        ``proxies``...) are accepted and change nothing. ``output_file_path`` also writes
        the PNG there."""
        return self.draw_png(output_file_path, background_color=background_color, padding=padding)

    def draw_png(
        self,
        output_file_path: str | None = None,
        fontname: str | None = None,
        labels: Any = None,
        *,
        background_color: str | None = "white",
        padding: int = 10,
    ) -> bytes:
        """PNG bytes of the diagram (LangChain draws it with Graphviz; we draw the
        widget's layout with Pillow, so ``fontname``/``labels`` change nothing)."""
        from ..render.layout import layout_graph
        from ..render.png import layout_png

        data = layout_png(layout_graph(self), background_color=background_color, padding=padding)
        if output_file_path is not None:
            with open(output_file_path, "wb") as out:
                out.write(data)
        return data

    def draw_ascii(self) -> str:
        """The diagram as text: boxes for nodes, ``*`` trails for edges (``.`` when
        conditional), placed as the widget lays it out (LangChain needs ``grandalf``)."""
        from ..render.ascii import layout_ascii
        from ..render.layout import layout_graph

        return layout_ascii(layout_graph(self))

    def print_ascii(self) -> None:
        print(self.draw_ascii())


def _only(ids: set[str], nodes: dict[str, DrawableNode]) -> DrawableNode | None:
    return nodes[next(iter(ids))] if len(ids) == 1 else None


def _node_metadata(graph: CompiledStateGraph, name: str, spec: Any) -> dict | None:
    """The node's own metadata plus LangGraph's markers (``defer``, ``__interrupt``,
    ``__tools``)."""
    metadata = dict(spec.metadata or {})
    if spec.defer:
        metadata["defer"] = True
    before = _breaks(graph.interrupt_before_nodes, name)
    after = _breaks(graph.interrupt_after_nodes, name)
    if before or after:
        metadata["__interrupt"] = ",".join(
            w for w, on in (("before", before), ("after", after)) if on
        )
    tools = getattr(_runs(spec), "tools_by_name", None)
    if isinstance(tools, Mapping) and tools:  # a tool node, whichever class: readers mark it
        metadata["__tools"] = list(tools)
    return metadata or None


def _runs(spec: Any) -> Any:
    """What runs at the node: a compiled graph, a runnable, or the function itself."""
    return spec.subgraph or getattr(spec.fn, "runnable", None) or spec.fn


#: LangGraph's identifier of a node that is a plain function (its ``RunnableCallable``
#: wrapper): JSON readers tell function nodes by it, so ours carry it too.
_FUNCTION = ["langgraph", "_internal", "_runnable", "RunnableCallable"]


def _kind(spec: Any) -> list[str]:
    """The node's identifier in ``to_json``: a LangChain runnable's own (``lc_id``), the class
    path of a compiled graph or callable object, else that of a function node."""
    what = _runs(spec)
    lc_id = getattr(what, "lc_id", None)
    if callable(lc_id):
        return list(lc_id())
    if inspect.isroutine(what) or isinstance(what, functools.partial):
        return _FUNCTION
    cls = type(what)
    return [*cls.__module__.split("."), cls.__name__]


def _breaks(names: tuple[str, ...], node: str) -> bool:
    return "*" in names or node in names


def _graph_edges(graph: CompiledStateGraph) -> list[tuple[str, str, bool, Any]]:
    """``(source, target, conditional, label)`` in LangGraph's order (see the module doc)."""
    builder = graph.builder
    names = list(builder.nodes)
    found: set[tuple[str, str, bool, Any]] = set()
    for source, target in builder._edge_order:
        if target != END:
            found.add((source, target, False, None))
    for sources, target in builder.joins:
        found.update((s, target, False, None) for s in sources)
    for source, branches in builder.branches.items():
        for branch in branches:
            labels = {v: k for k, v in (branch.path_map or {}).items()}
            for target in branch.targets_for_diagram(names):
                if target == END or target in builder.nodes:
                    label = labels.get(target)
                    found.add(
                        (source, target, True, None if label in (None, target) else str(label))
                    )
    for name, spec in builder.nodes.items():
        for target in spec.destinations:
            if target == END or target in builder.nodes:
                found.add((name, target, True, spec.destination_labels.get(target)))
    if any(spec.defer for spec in builder.nodes.values()):
        found |= _into_deferred(builder, found)
    ordered = sorted(found, key=lambda e: (e[0], e[1], e[2], e[3] or ""))
    leaving = {e[0] for e in ordered}
    termini = sorted({e[1] for e in ordered if e[1] != END} - leaving)
    return [*ordered, *((t, END, False, None) for t in termini)]


def _into_deferred(
    builder: Any, found: set[tuple[str, str, bool, Any]]
) -> set[tuple[str, str, bool, Any]]:
    """LangGraph draws by following a run's steps: a deferred node runs once no other node
    is left, and when none of the nodes of the step before it leads there, it gets a
    dashed edge from each of them (the nodes it waited for). Every conditional target is
    taken; a join fires once all its sources ran; a repeated step ends the walk."""
    joins = {target: set(sources) for sources, target in builder.joins}
    leads: dict[str, set[str]] = {}
    feeders: dict[str, set[str]] = {}
    for source, target, _, _ in found:
        feeders.setdefault(target, set()).add(source)
        if target != END and source not in joins.get(target, ()):
            leads.setdefault(source, set()).add(target)
    deferred = {name for name, spec in builder.nodes.items() if spec.defer}
    extra: set[tuple[str, str, bool, Any]] = set()
    step = set(leads.get(START, ()))
    waiting: set[str] = set()
    previous: set[str] = set()
    ran: set[str] = set()
    walked: set[tuple[frozenset, frozenset, frozenset]] = set()
    while True:
        waiting |= step & deferred
        step -= deferred
        if not step:
            if not waiting:
                return extra
            step, waiting = waiting, set()
            for node in step:
                if not previous & feeders.get(node, set()):
                    extra.update((p, node, True, None) for p in previous)
        key = (frozenset(step), frozenset(waiting), frozenset(ran))
        if key in walked:
            return extra
        walked.add(key)
        ran |= step
        following = {t for node in step for t in leads.get(node, ())}
        for target, sources in joins.items():
            if sources & step and sources <= ran:
                following.add(target)
                ran -= sources
        previous, step = step, following


def build_drawable(
    graph: CompiledStateGraph, *, xray: int | bool = False, prefix: str = ""
) -> DrawableGraph:
    builder = graph.builder
    out = DrawableGraph()
    #: A subgraph node drawn as its nodes: where the parent's edges enter and leave it.
    entries: dict[str, str] = {}
    exits: dict[str, str] = {}
    inner_edges: list[DrawableEdge] = []  # drawn after the parent's own, as LangGraph
    inner_nodes: dict[str, DrawableNode] = {}  # listed after the parent's END, as LangGraph

    def add_node(node_id: str, metadata: dict | None = None, kind: list[str] | None = None) -> None:
        out.nodes[prefix + node_id] = DrawableNode(prefix + node_id, node_id, None, metadata)
        if kind is not None:
            out.kinds[prefix + node_id] = kind

    add_node(START, kind=_FUNCTION)
    for name, spec in builder.nodes.items():
        subgraph = spec.subgraph or spec.refers_to
        if xray and subgraph is not None:
            inner = build_drawable(
                subgraph,
                xray=xray - 1 if isinstance(xray, int) and xray is not True else True,
                prefix=f"{prefix}{name}:",
            )
            first, last = _trim(inner)
            if first is not None and last is not None:
                inner_nodes.update(inner.nodes)
                out.kinds.update(inner.kinds)
                inner_edges.extend(inner.edges)
                entries[name], exits[name] = first, last
                continue
        add_node(name, _node_metadata(graph, name, spec), _kind(spec))
    add_node(END)
    out.nodes.update(inner_nodes)

    def endpoint(name: str, ends: dict[str, str]) -> str:
        return ends.get(name, prefix + name)

    drawn: set[tuple[str, str]] = set()
    for source, target, conditional, label in _graph_edges(graph):
        edge = DrawableEdge(endpoint(source, exits), endpoint(target, entries), label, conditional)
        if (edge.source, edge.target) not in drawn:
            drawn.add((edge.source, edge.target))
            out.edges.append(edge)
    out.edges.extend(inner_edges)
    return out


def _trim(inner: DrawableGraph) -> tuple[str | None, str | None]:
    """Drop an xray'd subgraph's START when one edge leaves it and its END when one edge
    enters it (as LangGraph does); return the ids the parent's edges enter and leave by."""
    first, last = inner.first_node(), inner.last_node()
    if first is None or last is None:
        return None, None
    entry, leave = first.id, last.id
    out_of_first = [e for e in inner.edges if e.source == first.id]
    if len(out_of_first) == 1:
        entry = out_of_first[0].target
        inner.edges.remove(out_of_first[0])
        del inner.nodes[first.id]
    into_last = [e for e in inner.edges if e.target == last.id]
    if len(into_last) == 1 and last.id != entry:
        leave = into_last[0].source
        inner.edges.remove(into_last[0])
        del inner.nodes[last.id]
    return entry, leave
