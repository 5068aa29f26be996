"""Graph diagrams laid out in the kernel and drawn as SVG (no ``dot`` binary, no WASM)."""

from .layout import Layout, layout_graph
from .svg import diagram_svg, layout_svg

__all__ = ["Layout", "diagram_svg", "layout_graph", "layout_svg"]
