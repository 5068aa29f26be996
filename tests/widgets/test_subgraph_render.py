"""Subgraphs in the diagram (clusters) and their live status and interrupts; DOT output."""

from __future__ import annotations

from typing import TypedDict
from xml.etree import ElementTree

from hitl_notebook.render import diagram_svg

SVG = "{http://www.w3.org/2000/svg}"


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


def _boxes(svg: str) -> dict[str, tuple[float, float, float, float]]:
    """Node id (or ``cluster:name``) -> its rectangle, read back from the drawn SVG."""
    root = ElementTree.fromstring(svg)
    boxes = {}
    for g in root.iter(f"{SVG}g"):
        cls = g.get("class", "").split()
        if "node" in cls or "cluster" in cls:
            rect = g.find(f"{SVG}rect")
            key = g.findtext(f"{SVG}title") if "node" in cls else f"cluster:{g.get('data-cluster')}"
            x, y = float(rect.get("x")), float(rect.get("y"))
            boxes[key] = (x, y, x + float(rect.get("width")), y + float(rect.get("height")))
    return boxes


def _inside(inner, outer) -> bool:
    return (
        outer[0] <= inner[0]
        and outer[1] <= inner[1]
        and inner[2] <= outer[2]
        and inner[3] <= outer[3]
    )


def test_subgraph_nodes_are_drawn_in_a_frame(engine, open_widget):
    """get_graph(xray) subgraph nodes are drawn inside a frame named after the parent node,
    and the parent's own nodes outside it."""
    widget, _ = open_widget(subgraph_graph(engine))
    assert "sub:ask" in widget.nodes and "sub:finish" in widget.nodes
    boxes = _boxes(widget.graph_svg)
    frame = boxes["cluster:sub"]
    assert _inside(boxes["sub:ask"], frame) and _inside(boxes["sub:finish"], frame)
    assert not _inside(boxes["prepare"], frame)


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

    root = ElementTree.fromstring(diagram_svg(approval_graph(engine).get_graph()))
    edges = {
        g.findtext(f"{SVG}title"): g for g in root.iter(f"{SVG}g") if "edge" in g.get("class", "")
    }
    dashed = [title for title, g in edges.items() if "hn-conditional" in g.get("class")]
    assert dashed and all(title.startswith("draft->") for title in dashed)
    assert edges["__start__->draft"].find(f"{SVG}path").get("stroke-dasharray") is None


def test_static_svg_fallback_is_offered_to_non_widget_frontends(engine, open_widget):
    """The display bundle carries the diagram as SVG for nbconvert/GitHub, with no `dot`
    binary needed."""
    from .graphs import approval_graph

    widget, _ = open_widget(approval_graph(engine))
    bundle = widget._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    assert data["image/svg+xml"] == widget.graph_svg
    assert set(_boxes(data["image/svg+xml"])) >= {"draft", "review"}


def test_subgraph_edges_connect_its_nodes_without_a_phantom_node(engine, open_widget):
    """The subgraph's edges join its own nodes inside the frame: no extra node named
    after the subgraph, and no self-loop ("sub:ask" is one node id, not node "sub" with a
    port "ask", which is how Graphviz once read it)."""
    import re
    from html import unescape

    widget, _ = open_widget(subgraph_graph(engine))
    svg = widget.graph_svg
    node_titles = {
        unescape(t) for t in re.findall(r'class="node[^"]*"[^>]*>\s*<title>([^<]*)</title>', svg)
    }
    edge_titles = {
        unescape(t) for t in re.findall(r'class="edge[^"]*"[^>]*>\s*<title>([^<]*)</title>', svg)
    }
    assert "sub" not in node_titles
    assert {"sub:ask", "sub:finish"} <= node_titles
    assert "sub:ask->sub:finish" in edge_titles
    assert not any(a == b for a, b in (t.split("->") for t in edge_titles)), "no self-loop"
