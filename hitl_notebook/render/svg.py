"""A static SVG of a diagram through the ``dot`` binary, when it is installed.

The widget lays graphs out in the browser (bundled WASM Graphviz); this fallback is for
places that cannot run the widget's JavaScript (nbconvert HTML, GitHub previews).
"""

from __future__ import annotations

import shutil

import graphviz

__all__ = ["dot_to_svg"]


def dot_to_svg(dot_source: str) -> str | None:
    """The SVG for ``dot_source``, or None when the ``dot`` binary is not available."""
    if shutil.which("dot") is None:
        return None
    return graphviz.Source(dot_source).pipe(format="svg", encoding="utf-8")
