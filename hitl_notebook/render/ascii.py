"""A laid-out diagram (``layout_graph``) as text, for ``get_graph().draw_ascii()``.

LangChain draws it with the optional ``grandalf`` package; this places the widget's layout
on a character grid instead: each node a ``+--+`` box with its name, each edge a trail of
``*`` (``.`` for a conditional edge), as LangChain's drawing does.
"""

from __future__ import annotations

from .layout import Layout
from .png import sampled_curve

__all__ = ["layout_ascii"]

#: Layout units per character column and per text row.
COLUMN, ROW = 8.0, 18.0


def layout_ascii(drawn: Layout) -> str:
    """``drawn`` as lines of text (trailing spaces removed)."""
    width = int(drawn.width / COLUMN) + 4
    height = int(drawn.height / ROW) + 3
    grid = [[" "] * width for _ in range(height)]

    def cell(x: float, y: float) -> tuple[int, int]:
        return min(height - 1, max(0, round(y / ROW))), min(width - 1, max(0, round(x / COLUMN)))

    for edge in drawn.edges:
        mark = "." if edge.conditional else "*"
        for x, y in sampled_curve(edge.points):
            row, col = cell(x, y)
            grid[row][col] = mark
    for box in drawn.boxes.values():
        text = f"| {box.label} |"
        row, centre = cell(box.x, box.y)
        left = max(0, min(width - len(text), centre - len(text) // 2))
        border = "+" + "-" * (len(text) - 2) + "+"
        for offset, line in ((-1, border), (0, text), (1, border)):
            if 0 <= row + offset < height:
                grid[row + offset][left : left + len(line)] = list(line)
    lines = ["".join(r).rstrip() for r in grid]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)
