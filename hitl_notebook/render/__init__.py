"""Graph diagrams laid out in the kernel and drawn as SVG (no ``dot`` binary, no WASM)."""

from .layout import Layout, layout
from .svg import diagram_svg, layout_svg

__all__ = ["Layout", "diagram_svg", "layout", "layout_svg"]
