"""A laid-out diagram (``layout_graph``) as PNG bytes, drawn locally with Pillow.

LangGraph's ``get_graph().draw_mermaid_png()`` sends Mermaid text to a web service
(mermaid.ink) to be drawn; tutorials show its result with ``Image(...)``. This draws the
same layout as the widget's SVG (boxes, curved edges, dashed conditional ones, subgraph
frames) into a PNG in the kernel: no network, no browser.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from .layout import Box, EdgePath, Layout
from .svg import STATUS_COLOURS

__all__ = ["layout_png", "sampled_curve"]

#: Pixels per layout unit: drawn at twice the SVG's size, so text stays crisp when shown.
SCALE = 2
_EDGE = "#616161"
_TEXT = "#212121"
#: Points sampled per curve segment, and the dash and gap lengths of a conditional edge.
_SAMPLES, _DASH, _GAP = 16, 10.0, 8.0


def layout_png(
    drawn: Layout,
    status: Mapping[str, str] | None = None,
    *,
    background_color: str | None = "white",
    padding: int = 10,
) -> bytes:
    """PNG bytes of ``drawn``; ``status`` (node id -> status) colours nodes as the widget."""
    from PIL import Image, ImageDraw, ImageFont

    status = status or {}
    pad = padding * SCALE
    size = (round(drawn.width * SCALE) + 2 * pad, round(drawn.height * SCALE) + 2 * pad)
    image = Image.new("RGBA", size, background_color or (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=12 * SCALE)
    small = ImageFont.load_default(size=10 * SCALE)

    def at(x: float, y: float) -> tuple[float, float]:
        return x * SCALE + pad, y * SCALE + pad

    for x0, y0, x1, y1, label in drawn.clusters.values():
        draw.rounded_rectangle(
            (*at(x0, y0), *at(x1, y1)), radius=8 * SCALE, outline="#9e9e9e", width=SCALE
        )
        draw.text(at(x0 + 8, y0 + 4), label, fill=_EDGE, font=font)
    for edge in drawn.edges:
        _draw_edge(draw, edge, at, small)
    for box in drawn.boxes.values():
        _draw_node(draw, box, status.get(box.id, ""), at, font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _draw_edge(draw: Any, edge: EdgePath, at: Any, font: Any) -> None:
    points = [at(x, y) for x, y in sampled_curve(edge.points)]
    if edge.conditional:
        for piece in _dashes(points):
            draw.line(piece, fill=_EDGE, width=SCALE)
    else:
        draw.line(points, fill=_EDGE, width=SCALE, joint="curve")
    _arrow_head(draw, points[-2], points[-1])
    if edge.label:
        i = (len(edge.points) - 1) // 2
        (ax, ay), (bx, by) = edge.points[i], edge.points[i + 1]
        draw.text(at((ax + bx) / 2 + 4, (ay + by) / 2 - 6), edge.label, fill="#424242", font=font)


def _draw_node(draw: Any, box: Box, status: str, at: Any, font: Any) -> None:
    fill, stroke = STATUS_COLOURS.get(status, STATUS_COLOURS[""])
    x0, y0 = at(box.x - box.width / 2, box.y - box.height / 2)
    x1, y1 = at(box.x + box.width / 2, box.y + box.height / 2)
    radius = (box.height / 2 if box.terminal else 6) * SCALE
    draw.rounded_rectangle((x0, y0, x1, y1), radius=radius, fill=fill, outline=stroke, width=SCALE)
    draw.text(at(box.x, box.y), box.label, fill=_TEXT, font=font, anchor="mm")


def sampled_curve(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The SVG's curve through ``points`` (vertical tangents at each) as a polyline."""
    out = [points[0]]
    for (x, y), (nx, ny) in pairwise(points):
        mid = (y + ny) / 2
        for i in range(1, _SAMPLES + 1):
            t = i / _SAMPLES
            u = 1 - t
            out.append(
                (
                    u**3 * x + 3 * u * u * t * x + 3 * u * t * t * nx + t**3 * nx,
                    u**3 * y + 3 * u * u * t * mid + 3 * u * t * t * mid + t**3 * ny,
                )
            )
    return out


def _dashes(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """``points`` cut into dashes ``_DASH`` long with ``_GAP`` between (in pixels)."""
    dash, gap = _DASH * SCALE / 2, _GAP * SCALE / 2
    pieces: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = [points[0]]
    drawing, left = True, dash
    for (x, y), (nx, ny) in pairwise(points):
        length = ((nx - x) ** 2 + (ny - y) ** 2) ** 0.5
        done = 0.0
        while length - done > left:
            done += left
            point = (x + (nx - x) * done / length, y + (ny - y) * done / length)
            if drawing:
                current.append(point)
                pieces.append(current)
            else:
                current = [point]
            drawing, left = not drawing, dash if not drawing else gap
        left -= length - done
        if drawing:
            current.append((nx, ny))
    if drawing and len(current) > 1:
        pieces.append(current)
    return pieces


def _arrow_head(draw: Any, before: tuple[float, float], tip: tuple[float, float]) -> None:
    (bx, by), (tx, ty) = before, tip
    length = ((tx - bx) ** 2 + (ty - by) ** 2) ** 0.5 or 1.0
    ux, uy = (tx - bx) / length, (ty - by) / length
    back, half = 8 * SCALE, 4 * SCALE
    base = (tx - ux * back, ty - uy * back)
    draw.polygon(
        [
            tip,
            (base[0] - uy * half, base[1] + ux * half),
            (base[0] + uy * half, base[1] - ux * half),
        ],
        fill=_EDGE,
    )
