"""The code editor (CodeMirror) is a bundle of its own, sent by the kernel when a browser
asks: the widget bundle, saved with every widget in a notebook, does not carry it."""

from __future__ import annotations

import hashlib

from hitl_notebook.widgets.assets import STATIC

from .graphs import chain_graph


def test_the_kernel_sends_the_committed_editor_bundle(engine, open_widget):
    """The editor_module query answers the built editor.js, even before a thread exists."""
    _, browser = open_widget(chain_graph(engine), thread_id=None)
    reply = browser.query("editor_module")
    assert reply["ok"], reply
    assert reply["result"]["source"] == (STATIC / "editor.js").read_text(encoding="utf-8")


def test_the_widget_bundle_is_keyed_to_that_editor_bundle_and_does_not_contain_it():
    """The widget bundle names the editor bundle's hash (its page-wide cache key), so a
    rebuild of one without the other shows; CodeMirror's code is only in editor.js."""
    editor = (STATIC / "editor.js").read_bytes()
    widget = (STATIC / "widget.js").read_text(encoding="utf-8")
    assert hashlib.sha256(editor).hexdigest()[:16] in widget
    assert b"cm-content" in editor and "cm-content" not in widget
