"""Graph diagrams: DOT source built in Python, and a static SVG when ``dot`` is installed."""

from .dot import to_dot
from .svg import dot_to_svg

__all__ = ["dot_to_svg", "to_dot"]
