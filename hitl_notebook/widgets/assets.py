"""The front end's built files (hitl_notebook/static/, generated from js/).

The widget bundle (``widget.js``) is the anywidget ``_esm`` and is saved with every
widget in a notebook, so it is kept small. The code editor bundle (``editor.js``,
CodeMirror) is sent over the widget's channel only when a browser asks for it.
"""

from __future__ import annotations

import functools
from pathlib import Path

__all__ = ["STATIC", "editor_module"]

STATIC = Path(__file__).resolve().parent.parent / "static"


@functools.cache
def editor_module() -> dict:
    """The code editor bundle as the ``editor_module`` query answers it: ``{"source"}``."""
    return {"source": (STATIC / "editor.js").read_text(encoding="utf-8")}
