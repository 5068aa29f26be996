"""Subgraphs in the diagram (clusters) and their live status and interrupts; DOT output."""

from __future__ import annotations

import shutil
from typing import TypedDict

import pytest

from hitl_notebook.render import dot_to_svg, to_dot


class Inner(TypedDict, total=False):
    topic: str
    answer: str


def subgraph_graph(e):
    """outer: prepare -> sub(ask -> finish) -> END; ``ask`` interrupts inside the subgraph."""

    def ask(state):
        return {"answer": e.interrupt(f"Answer for {state['topic']}?")}

    inner = e.StateGraph(Inner)
    inner.add_node("ask", ask)
    inner.add_node("finish", lambda s: {"answer": s["answer"].upper()})
    inner.add_edge(e.START, "ask")
    inner.add_edge("ask", "finish")
    inner.add_edge("finish", e.END)

    outer = e.StateGraph(Inner)
    outer.add_node("prepare", lambda s: {"topic": s["topic"].strip()})
    outer.add_node("sub", inner.compile())
    outer.add_edge(e.START, "prepare")
    outer.add_edge("prepare", "sub")
    outer.add_edge("sub", e.END)
    return outer.compile(checkpointer=e.InMemorySaver())


def test_subgraph_nodes_are_drawn_in_a_cluster(engine, open_widget):
    """get_graph(xray) subgraph nodes become a DOT cluster named after the parent node."""
    widget, _ = open_widget(subgraph_graph(engine))
    assert "sub:ask" in widget.nodes and "sub:finish" in widget.nodes
    assert "subgraph cluster_sub" in widget.graph_dot
    cluster = widget.graph_dot.split("subgraph cluster_sub", 1)[1].split("}", 1)[0]
    assert '"sub:ask"' in cluster and "prepare" not in cluster


def test_a_subgraphs_start_and_end_are_not_listed_as_nodes(engine, open_widget):
    """The node list (breakpoint toggles, as_node choice, node status) holds real nodes
    only: no ``sub:__start__``/``sub:__end__`` pseudo-nodes, whatever the engine draws."""
    widget, _ = open_widget(subgraph_graph(engine))
    assert widget.nodes == ["prepare", "sub:ask", "sub:finish"]
    widget.run({"topic": " owls "})
    assert set(widget.node_status) <= set(widget.nodes) | {"sub"}


def test_interrupt_inside_a_subgraph_is_shown_and_answered(engine, open_widget):
    """A subgraph's interrupt appears in the panel, marks the nodes, and resumes it."""
    graph = subgraph_graph(engine)
    widget, browser = open_widget(graph)
    widget.run({"topic": " owls "})
    [pending] = widget.interrupts
    assert pending["value"] == "Answer for owls?" and pending["kind"] == "text"
    assert widget.node_status["sub"] == "interrupted"
    assert widget.node_status["sub:ask"] == "interrupted"
    assert browser.action("resume", answers={pending["id"]: "hoot"})["ok"]
    assert widget.session.head.values["answer"] == "HOOT"
    assert widget.status == "done"


def test_conditional_edges_are_dashed(engine):
    """Conditional edges are drawn differently from fixed ones."""
    from .graphs import approval_graph

    dot = to_dot(approval_graph(engine).get_graph())
    dashed = [line.strip() for line in dot.splitlines() if "style=dashed" in line]
    assert dashed and all(line.startswith("draft ->") for line in dashed)
    [fixed] = [line for line in dot.splitlines() if "__start__ -> draft" in line]
    assert "dashed" not in fixed


@pytest.mark.skipif(shutil.which("dot") is None, reason="the static fallback needs the dot binary")
def test_static_svg_fallback_is_offered_to_non_widget_frontends(engine, open_widget):
    """With `dot` installed, the display bundle carries an SVG for nbconvert/GitHub."""
    from .graphs import approval_graph

    widget, _ = open_widget(approval_graph(engine))
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert data["image/svg+xml"].lstrip().startswith("<?xml") or "<svg" in data["image/svg+xml"]
    assert "application/vnd.jupyter.widget-view+json" in data
    assert dot_to_svg(widget.graph_dot) == data["image/svg+xml"]


@pytest.mark.skipif(shutil.which("dot") is None, reason="needs Graphviz's dot to lay out")
def test_subgraph_edges_connect_its_nodes_without_a_phantom_node(engine, open_widget):
    """Laid out by Graphviz, the subgraph's edges join its own nodes inside the cluster:
    no extra node named after the subgraph (which used to get a self-loop, because an
    unquoted "sub:ask" in an edge means node "sub", port "ask")."""
    import re
    from html import unescape

    widget, _ = open_widget(subgraph_graph(engine))
    svg = dot_to_svg(widget.graph_dot)
    node_titles = set(re.findall(r'class="node[^"]*">\s*<title>([^<]*)</title>', svg))
    edge_titles = {
        unescape(t) for t in re.findall(r'class="edge[^"]*">\s*<title>([^<]*)</title>', svg)
    }
    assert "sub" not in {unescape(t) for t in node_titles}
    assert "sub:ask->sub:finish" in edge_titles
    assert not any(a == b for a, b in (t.split("->") for t in edge_titles)), "no self-loop"
