"""The kernel's diagram layout (render.layout_graph) and its SVG (render.svg): readable
pictures of our graphs without the `dot` binary, valid SVG whatever the node names."""

from __future__ import annotations

import operator
from itertools import combinations
from typing import Annotated, Literal, TypedDict
from xml.etree import ElementTree

import pytest

from bench.widget_browser import diagram_graph
from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.render import diagram_svg, layout_graph, layout_svg

SVG = "{http://www.w3.org/2000/svg}"


class S(TypedDict):
    log: Annotated[list, operator.add]


def _node(name):
    return lambda state: {"log": [name]}


def agent_loop():
    """agent -> tools -> review -> agent (a loop), agent -> END (conditional)."""

    def route(state) -> Literal["tools", "__end__"]:
        return "tools"

    return (
        StateGraph(S)
        .add_node("agent", _node("agent"))
        .add_node("tools", _node("tools"))
        .add_node("review", _node("review"))
        .add_edge(START, "agent")
        .add_conditional_edges("agent", route)
        .add_edge("tools", "review")
        .add_edge("review", "agent")
        .compile(checkpointer=InMemorySaver())
    )


def with_subgraph():
    inner = (
        StateGraph(S)
        .add_node("ask", _node("ask"))
        .add_node("finish", _node("finish"))
        .add_edge(START, "ask")
        .add_edge("ask", "finish")
        .add_edge("finish", END)
        .compile()
    )
    return (
        StateGraph(S)
        .add_node("prepare", _node("prepare"))
        .add_node("sub", inner)
        .add_edge(START, "prepare")
        .add_edge("prepare", "sub")
        .add_edge("sub", END)
        .compile()
    )


GRAPHS = {"loop": agent_loop, "subgraph": with_subgraph, "grid": diagram_graph}


def _overlap(a, b) -> bool:
    return abs(a.x - b.x) * 2 < a.width + b.width and abs(a.y - b.y) * 2 < a.height + b.height


@pytest.mark.parametrize("name", GRAPHS)
def test_boxes_never_overlap(name):
    """Every node gets its own box: no two boxes share any area."""
    drawn = layout_graph(GRAPHS[name]().get_graph(xray=True))
    for a, b in combinations(drawn.boxes.values(), 2):
        assert not _overlap(a, b), (a.id, b.id)


@pytest.mark.parametrize("name", GRAPHS)
def test_edges_flow_down_except_loops(name):
    """START is on top, END at the bottom, and every edge that does not close a loop goes
    from a higher row to a lower one."""
    graph = GRAPHS[name]().get_graph(xray=True)
    drawn = layout_graph(graph)
    top = min(b.y for b in drawn.boxes.values())
    bottom = max(b.y for b in drawn.boxes.values())
    assert drawn.boxes["__start__"].y == top
    if "__end__" in drawn.boxes:
        assert drawn.boxes["__end__"].y == bottom
    upward = [e for e in drawn.edges if drawn.boxes[e.source].y >= drawn.boxes[e.target].y]
    assert [(e.source, e.target) for e in upward] == (
        [("review", "agent")] if name == "loop" else []
    )


def test_the_grid_is_drawn_without_crossings():
    """The 200-node benchmark grid (conditional fan-out in every row) has a crossing-free
    drawing, and the layout finds it."""
    drawn = layout_graph(diagram_graph().get_graph(xray=True))
    segments = []
    for edge in drawn.edges:
        for (x0, y0), (x1, y1) in zip(edge.points, edge.points[1:]):
            segments.append((edge, (x0, y0), (x1, y1)))
    crossings = 0
    for (e, a0, a1), (f, b0, b1) in combinations(segments, 2):
        if {e.source, e.target} & {f.source, f.target}:
            continue  # edges sharing a node meet there
        crossings += _cross(a0, a1, b0, b1)
    assert crossings == 0


def _cross(p1, p2, p3, p4) -> bool:
    def orient(a, b, c):
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    d1, d2 = orient(p3, p4, p1), orient(p3, p4, p2)
    d3, d4 = orient(p1, p2, p3), orient(p1, p2, p4)
    return (d1 * d2 < 0) and (d3 * d4 < 0)


def test_a_subgraph_is_framed_around_its_own_nodes_only():
    """The subgraph's frame holds its nodes and none of the parent's."""
    drawn = layout_graph(with_subgraph().get_graph(xray=True))
    x0, y0, x1, y1, label = drawn.clusters["sub"]
    assert label == "sub"
    for box in drawn.boxes.values():
        inside = x0 <= box.x - box.width / 2 and box.x + box.width / 2 <= x1
        inside = inside and y0 <= box.y - box.height / 2 and box.y + box.height / 2 <= y1
        assert inside == box.id.startswith("sub:"), box.id


def test_the_layout_is_deterministic():
    """The same graph gives the same SVG text (saved notebooks do not churn)."""
    graph = agent_loop().get_graph(xray=True)
    assert diagram_svg(graph) == diagram_svg(graph)


def test_node_names_are_text_in_the_svg():
    """A node named like markup is escaped: the SVG parses and holds the name as text."""
    graph = (
        StateGraph(S)
        .add_node('<b onclick="x()">&bold', _node("x"))
        .add_edge(START, '<b onclick="x()">&bold')
        .compile()
    )
    svg = diagram_svg(graph.get_graph())
    root = ElementTree.fromstring(svg)
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert '<b onclick="x()">&bold' in labels
    assert not list(root.iter("b"))


def test_status_colours_the_static_svg():
    """Node status shows without a stylesheet: as a class and as the box's fill."""
    drawn = layout_graph(agent_loop().get_graph())
    root = ElementTree.fromstring(layout_svg(drawn, {"tools": "interrupted"}))
    [tools] = [g for g in root.iter(f"{SVG}g") if g.get("data-node") == "tools"]
    assert "hn-status-interrupted" in tools.get("class").split()
    agent = next(g for g in root.iter(f"{SVG}g") if g.get("data-node") == "agent")
    assert tools.find(f"{SVG}rect").get("fill") != agent.find(f"{SVG}rect").get("fill")


def test_an_empty_graph_draws():
    """A graph with only START draws as one box (nothing to lay out is not an error)."""
    graph = StateGraph(S).add_node("only", _node("only")).add_edge(START, "only").compile()
    drawn = layout_graph(graph.get_graph())
    assert set(drawn.boxes) >= {"__start__", "only"}
    ElementTree.fromstring(layout_svg(drawn))
