"""``get_graph()``: the graph's nodes and edges as data, for diagrams (LangGraph's shape)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .builder import END, START

if TYPE_CHECKING:
    from .compiled import CompiledStateGraph

__all__ = ["DrawableEdge", "DrawableGraph", "DrawableNode", "build_drawable"]


@dataclass(frozen=True, slots=True)
class DrawableNode:
    id: str
    name: str
    data: Any = None
    metadata: dict | None = None


@dataclass(frozen=True, slots=True)
class DrawableEdge:
    source: str
    target: str
    data: Any = None
    conditional: bool = False


@dataclass(slots=True)
class DrawableGraph:
    """Nodes by id and edges; subgraph nodes appear as ``parent:child`` ids with ``xray``."""

    nodes: dict[str, DrawableNode] = field(default_factory=dict)
    edges: list[DrawableEdge] = field(default_factory=list)


def build_drawable(
    graph: CompiledStateGraph, *, xray: int | bool = False, prefix: str = ""
) -> DrawableGraph:
    builder = graph.builder
    out = DrawableGraph()
    names = list(builder.nodes)

    def add_node(node_id: str, metadata: dict | None = None) -> None:
        out.nodes[prefix + node_id] = DrawableNode(prefix + node_id, node_id, None, metadata)

    if not prefix:
        add_node(START)
    for name, spec in builder.nodes.items():
        if xray and spec.subgraph is not None:
            inner = build_drawable(
                spec.subgraph,
                xray=xray - 1 if isinstance(xray, int) and xray is not True else True,
                prefix=f"{prefix}{name}:",
            )
            out.nodes.update(inner.nodes)
            out.edges.extend(inner.edges)
        else:
            add_node(
                name,
                {**spec.metadata, "subgraph": spec.subgraph is not None}
                if spec.subgraph is not None or spec.metadata
                else None,
            )
    if not prefix:
        add_node(END)

    def endpoint(name: str, side: str) -> str:
        spec = builder.nodes.get(name)
        if xray and spec is not None and spec.subgraph is not None:
            inner_ids = [n for n in out.nodes if n.startswith(f"{prefix}{name}:")]
            # Enter the subgraph at its first node, leave from its last.
            return inner_ids[0] if side == "in" else inner_ids[-1]
        if prefix and name in (START, END):
            return f"{prefix}{name}"
        return prefix + name

    seen: set[tuple[str, str, bool]] = set()

    def add_edge(source: str, target: str, conditional: bool, data: Any = None) -> None:
        key = (source, target, conditional)
        if key not in seen:
            seen.add(key)
            out.edges.append(
                DrawableEdge(endpoint(source, "out"), endpoint(target, "in"), data, conditional)
            )

    if prefix:
        add_node(START)
        add_node(END)
    for source, target in builder._edge_order:
        add_edge(source, target, False)
    for sources, target in builder.joins:
        for s in sources:
            add_edge(s, target, False)
    for source, branches in builder.branches.items():
        for branch in branches:
            labels = {v: k for k, v in (branch.path_map or {}).items()}
            for target in branch.targets_for_diagram(names):
                if target == END or target in builder.nodes:
                    label = labels.get(target)
                    add_edge(source, target, True, None if label in (None, target) else str(label))
    for name, spec in builder.nodes.items():
        for target in spec.destinations:
            if target == END or target in builder.nodes:
                add_edge(name, target, True)
    return out
