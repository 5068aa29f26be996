"""Static displays of a graph and of a run paused on ``interrupt()``.

These are what a notebook keeps where no widget front end runs (nbconvert HTML, GitHub's
notebook view, a kernel that is gone): the diagram as SVG laid out in the kernel (no
``dot`` binary needed), the pending interrupts as an HTML card, and, for a thread widget,
a snapshot of both with the line of code that reattaches it. Every piece of text that
comes from a payload or state is escaped, so a payload is always shown as text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from .render import diagram_svg
from .widgets.jsonable import to_jsonable

__all__ = [
    "graph_html",
    "graph_mimebundle",
    "interrupt_card_html",
    "is_interrupted_result",
    "snapshot_html",
]

_STYLE = "font-family:var(--jp-ui-font-family, sans-serif);font-size:13px;"
_CARD = (
    _STYLE + "border-left:3px solid var(--jp-warn-color1, #f0ad4e);padding:4px 10px;margin:4px 0;"
)
_PRE = "white-space:pre-wrap;margin:4px 0;"


def graph_mimebundle(graph: Any) -> dict[str, str]:
    """A graph's static display: ``text/html`` and ``image/svg+xml`` of its diagram.

    The body of ``CompiledStateGraph._repr_mimebundle_``, so a graph shows its diagram
    without the extension and in notebooks rendered without a kernel.
    """
    svg = diagram_svg(graph.get_graph(xray=True))
    return {"text/plain": repr(graph), "text/html": graph_html(svg), "image/svg+xml": svg}


def graph_html(svg: str) -> str:
    """The diagram inline in HTML."""
    return f'<div class="hitl-graph">{svg}</div>'


def snapshot_html(
    *, thread_id: str, status: str, svg: str, interrupts: list[dict], reattach: str
) -> str:
    """A thread widget as text and SVG: what a saved notebook shows where its JavaScript
    does not run. ``interrupts`` are the widget's pending interrupt specs; ``reattach`` is
    the line of code that shows the live widget again."""
    parts = [
        f'<div class="hitl-snapshot" style="{_STYLE}">',
        f"<div><strong>Thread <code>{html.escape(thread_id or '(none)')}</code></strong>"
        f" — {html.escape(status)} (snapshot: saved with the notebook, not live)</div>",
        graph_html(svg),
    ]
    if interrupts:
        plural = "s" if len(interrupts) != 1 else ""
        parts.append(
            f'<div class="hitl-interrupts" style="{_CARD}"><strong>Waiting for an answer: '
            f"{len(interrupts)} interrupt{plural}</strong>"
        )
        for spec in interrupts:
            node = f" in node <code>{html.escape(spec['node'])}</code>" if spec.get("node") else ""
            parts.append(
                f"<div>interrupt <code>{html.escape(str(spec['id']))}</code>{node}"
                f'<pre style="{_PRE}">{html.escape(_json(spec["value"]))}</pre></div>'
            )
        parts.append("</div>")
    parts.append(
        f"<div>To act on this thread, run <code>{html.escape(reattach)}</code> with the kernel "
        "that has the graph.</div></div>"
    )
    return "".join(parts)


def is_interrupted_result(value: Any) -> bool:
    """True for the output of ``invoke``/``stream`` that stopped at ``interrupt()``."""
    return isinstance(value, Mapping) and bool(value.get("__interrupt__"))


def interrupt_card_html(result: Mapping, *, note: str = "") -> str:
    """An HTML card for a paused run: each pending interrupt's id and payload, how to
    answer it in code, and the state values (collapsed). ``note`` is appended as text."""
    interrupts = list(result.get("__interrupt__") or ())
    plural = "s" if len(interrupts) != 1 else ""
    parts = [
        f'<div class="hitl-interrupts" style="{_CARD}">',
        f"<strong>Paused: {len(interrupts)} interrupt{plural} waiting for an answer</strong>",
    ]
    for intr in interrupts:
        where = getattr(intr, "ns", "") or ""
        where_text = f" in subgraph <code>{html.escape(where)}</code>" if where else ""
        parts.append(
            f"<div>interrupt <code>{html.escape(str(getattr(intr, 'id', '')))}</code>{where_text}"
            f'<pre style="{_PRE}">{html.escape(_json(getattr(intr, "value", intr)))}</pre></div>'
        )
    answer = (
        "Command(resume=...)"
        if len(interrupts) == 1
        else "Command(resume={interrupt_id: answer, ...})"
    )
    parts.append(
        f"<div>Answer with <code>graph.invoke({html.escape(answer)}, config)</code>.</div>"
    )
    values = {k: v for k, v in result.items() if k != "__interrupt__"}
    if values:
        parts.append(
            f'<details><summary>State</summary><pre style="{_PRE}">{html.escape(_json(values))}</pre></details>'
        )
    if note:
        parts.append(f"<div><em>{html.escape(note)}</em></div>")
    parts.append("</div>")
    return "".join(parts)


def _json(value: Any) -> str:
    return json.dumps(to_jsonable(value), indent=2, ensure_ascii=False)
