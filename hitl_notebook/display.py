"""Static displays of a graph and of a run paused on ``interrupt()``.

These are what a notebook keeps where no widget front end runs (nbconvert HTML, GitHub's
notebook view, a terminal): the diagram as SVG (when the ``dot`` binary is installed) or
as a readable edge list, and the pending interrupts as an HTML card. Every piece of text
that comes from a payload or state is escaped, so a payload is always shown as text.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from typing import Any

from .render import dot_to_svg, to_dot
from .widgets.jsonable import to_jsonable

__all__ = ["graph_html", "graph_mimebundle", "interrupt_card_html", "is_interrupted_result"]

_STYLE = "font-family:var(--jp-ui-font-family, sans-serif);font-size:13px;"
_CARD = (
    _STYLE + "border-left:3px solid var(--jp-warn-color1, #f0ad4e);padding:4px 10px;margin:4px 0;"
)
_PRE = "white-space:pre-wrap;margin:4px 0;"


def graph_mimebundle(graph: Any) -> dict[str, str]:
    """A graph's static display: ``text/html`` and, when ``dot`` is installed, ``image/svg+xml``.

    The body of ``CompiledStateGraph._repr_mimebundle_``, so a graph shows its diagram
    without the extension and in notebooks rendered without a kernel.
    """
    drawable = graph.get_graph(xray=True)
    svg = dot_to_svg(to_dot(drawable))
    bundle = {"text/plain": repr(graph), "text/html": graph_html(drawable, svg)}
    if svg is not None:
        bundle["image/svg+xml"] = svg
    return bundle


def graph_html(drawable: Any, svg: str | None) -> str:
    """The diagram inline as SVG, or, without ``dot``, its edges as an escaped text list."""
    if svg is not None:
        return f'<div class="hitl-graph">{svg[svg.find("<svg") :]}</div>'
    lines = []
    for edge in drawable.edges:
        arrow = "-.->" if edge.conditional else "-->"
        label = f"  [{edge.data}]" if isinstance(edge.data, str) else ""
        lines.append(f"{_node_name(edge.source)} {arrow} {_node_name(edge.target)}{label}")
    body = html.escape("\n".join(lines))
    return (
        f'<div class="hitl-graph" style="{_STYLE}"><div>Graph ({len(drawable.nodes)} nodes; '
        f'dashed arrows are conditional)</div><pre style="{_PRE}">{body}</pre></div>'
    )


def _node_name(node_id: str) -> str:
    return {"__start__": "START", "__end__": "END"}.get(node_id, node_id)


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
