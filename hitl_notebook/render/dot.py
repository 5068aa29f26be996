"""A drawable graph (LangGraph's ``get_graph()`` shape) as Graphviz DOT source.

Nodes carry ``class="hn-node"`` so the browser restyles them by status without laying the
graph out again; the node id is the SVG ``<title>`` Graphviz writes for each node.
Conditional edges are dashed; nodes of a subgraph (ids ``"parent:child"``, from
``get_graph(xray=True)``) are drawn inside a cluster named after the parent.
"""

from __future__ import annotations

from typing import Any

import graphviz
from graphviz.quoting import attr_list, quote

__all__ = ["to_dot"]

_START, _END = "__start__", "__end__"


def to_dot(drawable: Any) -> str:
    """DOT source for ``drawable`` (``.nodes`` id -> node, ``.edges``), deterministic."""
    dot = graphviz.Digraph(
        graph_attr={"rankdir": "TB", "fontname": "sans-serif", "bgcolor": "transparent"},
        node_attr={
            "shape": "box",
            "style": "rounded,filled",
            "fontname": "sans-serif",
            "class": "hn-node",
        },
        edge_attr={"fontname": "sans-serif", "fontsize": "10", "class": "hn-edge"},
    )
    clusters: dict[str, list[str]] = {}
    for node_id in drawable.nodes:
        parent = node_id.rpartition(":")[0]
        clusters.setdefault(parent, []).append(node_id)
        while parent:  # intermediate subgraphs with no direct nodes still get a cluster
            parent = parent.rpartition(":")[0]
            clusters.setdefault(parent, [])
    _add_nodes(dot, drawable, clusters, "")
    for edge in drawable.edges:
        attrs = {"class": "hn-edge hn-conditional", "style": "dashed"} if edge.conditional else {}
        label = edge.data if isinstance(edge.data, str) else None
        # Not ``dot.edge``: it reads "sub:inner" as node "sub", port "inner", which drew a
        # self-loop on a phantom "sub" node instead of the subgraph's own edges.
        dot.body.append(
            f"\t{quote(edge.source)} -> {quote(edge.target)}{attr_list(label, kwargs=attrs)}\n"
        )
    return dot.source


def _add_nodes(
    dot: graphviz.Digraph, drawable: Any, clusters: dict[str, list[str]], parent: str
) -> None:
    for node_id in clusters.get(parent, []):
        if node_id in clusters:  # the node is itself a subgraph: draw its members
            continue
        dot.node(node_id, **_node_attrs(node_id, drawable.nodes[node_id]))
    for child in clusters:
        if child and child.rpartition(":")[0] == parent:
            with dot.subgraph(name=f"cluster_{child}") as sub:
                sub.attr(
                    label=child.rpartition(":")[2], style="rounded,dashed", fontname="sans-serif"
                )
                _add_nodes(sub, drawable, clusters, child)


def _node_attrs(node_id: str, node: Any) -> dict[str, str]:
    name = node_id.rpartition(":")[2]
    if name in (_START, _END):
        return {"label": name.strip("_"), "shape": "oval", "class": "hn-node hn-terminal"}
    return {"label": str(getattr(node, "name", name)).rpartition(":")[2]}
