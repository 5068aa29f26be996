"""A laid-out diagram (``layout_graph``) as SVG text: the live widget's and the static view's.

Nodes are ``<g class="node hn-node" data-node="id">`` with the id in a ``<title>``, so the
widget restyles them by status through CSS classes without drawing again. Colours are
also written as attributes (the widget's stylesheet overrides them), so a static copy
(nbconvert HTML, GitHub) shows node status without any stylesheet. Every label is
escaped: a node name is always text.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from .layout import Box, EdgePath, Layout, layout_graph

__all__ = ["STATUS_COLOURS", "diagram_svg", "layout_svg"]

#: Fill and stroke of a node by status (the widget's CSS uses the same colours).
STATUS_COLOURS = {
    "": ("#f5f5f5", "#616161"),
    "visited": ("#c8e6c9", "#2e7d32"),
    "next": ("#bbdefb", "#1565c0"),
    "running": ("#fff59d", "#f9a825"),
    "interrupted": ("#ffe0b2", "#ef6c00"),
    "errored": ("#ffcdd2", "#c62828"),
}
_FONT = 'font-family="sans-serif" font-size="12"'
_SMALL_FONT = 'font-family="sans-serif" font-size="10"'


def diagram_svg(drawable: Any, status: Mapping[str, str] | None = None) -> str:
    """``drawable`` (LangGraph's ``get_graph()`` shape) laid out and drawn as SVG."""
    return layout_svg(layout_graph(drawable), status)


def layout_svg(drawn: Layout, status: Mapping[str, str] | None = None) -> str:
    """SVG text for ``drawn``; ``status`` (node id -> status) colours the nodes."""
    status = status or {}
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="hn-svg" width="{drawn.width:.0f}" '
        f'height="{drawn.height:.0f}" viewBox="0 0 {drawn.width:.0f} {drawn.height:.0f}" '
        'role="img" aria-label="graph diagram">',
        '<defs><marker id="hn-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#616161"/></marker></defs>',
    ]
    for name, (x0, y0, x1, y1, label) in drawn.clusters.items():
        parts.append(
            f'<g class="cluster" data-cluster="{escape(name)}"><title>{escape(name)}</title>'
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
            'rx="8" fill="none" stroke="#9e9e9e" stroke-dasharray="5,3"/>'
            f'<text x="{x0 + 8:.1f}" y="{y0 + 14:.1f}" {_FONT} fill="#616161">{escape(label)}</text></g>'
        )
    parts.extend(_edge(e) for e in drawn.edges)
    parts.extend(_node(b, status.get(b.id, "")) for b in drawn.boxes.values())
    parts.append("</svg>")
    return "".join(parts)


def _edge(edge: EdgePath) -> str:
    classes = "edge hn-edge" + (" hn-conditional" if edge.conditional else "")
    dash = ' stroke-dasharray="5,4"' if edge.conditional else ""
    out = [
        f'<g class="{classes}"><title>{escape(edge.source)}-&gt;{escape(edge.target)}</title>',
        f'<path d="{_curve(edge.points)}" fill="none" stroke="#616161" stroke-width="1.2"'
        f'{dash} marker-end="url(#hn-arrow)"/>',
    ]
    if edge.label:
        (ax, ay), (bx, by) = _middle_segment(edge.points)
        out.append(
            f'<text x="{(ax + bx) / 2 + 4:.1f}" y="{(ay + by) / 2:.1f}" {_SMALL_FONT} '
            f'fill="#424242">{escape(edge.label)}</text>'
        )
    out.append("</g>")
    return "".join(out)


def _node(box: Box, status: str) -> str:
    fill, stroke = STATUS_COLOURS.get(status, STATUS_COLOURS[""])
    classes = "node hn-node" + (" hn-terminal" if box.terminal else "")
    if status:
        classes += f" hn-status-{status}"
    x0, y0 = box.x - box.width / 2, box.y - box.height / 2
    radius = box.height / 2 if box.terminal else 6
    return (
        f'<g class="{classes}" data-node="{escape(box.id)}"><title>{escape(box.id)}</title>'
        f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{box.width:.1f}" height="{box.height:.1f}" '
        f'rx="{radius:.1f}" fill="{fill}" stroke="{stroke}" stroke-width="1.2"/>'
        f'<text x="{box.x:.1f}" y="{box.y + 4:.1f}" text-anchor="middle" {_FONT} '
        f'fill="#212121">{escape(box.label)}</text></g>'
    )


def _curve(points: list[tuple[float, float]]) -> str:
    """A smooth path through ``points``: vertical tangents at each point, so edges leave
    and enter boxes straight."""
    (x, y), rest = points[0], points[1:]
    d = [f"M{x:.1f},{y:.1f}"]
    for nx, ny in rest:
        mid = (y + ny) / 2
        d.append(f"C{x:.1f},{mid:.1f} {nx:.1f},{mid:.1f} {nx:.1f},{ny:.1f}")
        x, y = nx, ny
    return " ".join(d)


def _middle_segment(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
    i = (len(points) - 1) // 2
    return points[i], points[i + 1]
