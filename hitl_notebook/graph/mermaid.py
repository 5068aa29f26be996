"""A drawable graph as Mermaid flowchart text, written exactly as LangGraph writes it.

LangGraph users paste ``graph.get_graph().draw_mermaid()`` into docs and compare it in
snapshot tests, so the text matches theirs: ``graph TD;``, node lines only ``with_styles``
(START ``([...]):::first``, END ``([...]):::last``, others ``id(label)``), edges ``-->``,
conditional ``-.->``, labels ``-. &nbsp;label&nbsp; .->``, and the nodes of an xray'd
subgraph inside ``subgraph name ... end`` blocks. Ids keep ``[A-Za-z0-9_-]`` and write any
other character as ``\\`` plus its hex code point, so every name is a valid Mermaid id.
"""

from __future__ import annotations

import string
from typing import Any

__all__ = ["to_mermaid"]

_ID_CHARS = frozenset(string.ascii_letters + string.digits + "_-")
#: A name starting and ending with one of these is wrapped in ``<p>`` (Markdown would eat it).
_MARKDOWN = tuple("*_`")
#: Characters of a metadata line written as Mermaid entity codes.
_ENTITY = {"#": "#35;", '"': "#quot;", **{c: f"#{ord(c)};" for c in "[](){}<>|"}}
_STYLES = (
    "\tclassDef default fill:#f2f0ff,line-height:1.2\n"
    "\tclassDef first fill-opacity:0\n"
    "\tclassDef last fill:#bfb6fc\n"
)


def safe_id(name: str) -> str:
    """``name`` as a Mermaid id: ``[A-Za-z0-9_-]`` kept, anything else ``\\<hex>``."""
    return "".join(c if c in _ID_CHARS else f"\\{ord(c):x}" for c in name)


def to_mermaid(graph: Any, *, with_styles: bool, curve_style: str, wrap_label_n_words: int) -> str:
    first, last = graph.first_node(), graph.last_node()
    shapes = {
        **({first.id: "{0}([{1}]):::first"} if first is not None else {}),
        **({last.id: "{0}([{1}]):::last"} if last is not None else {}),
    }

    def node_line(node: Any) -> str:
        return "\t" + shapes.get(node.id, "{0}({1})").format(safe_id(node.id), _label(node)) + "\n"

    members: dict[str, list[Any]] = {}  # subgraph prefix -> its own nodes
    out = [
        f"---\nconfig:\n  flowchart:\n    curve: {curve_style}\n---\n" if with_styles else "",
        "graph TD;\n",
    ]
    for node_id, node in graph.nodes.items():
        if ":" in node_id:
            members.setdefault(node_id.rpartition(":")[0], []).append(node)
        elif with_styles:
            out.append(node_line(node))

    groups: dict[str, list[Any]] = {}  # common prefix of an edge's ends -> its edges
    for edge in graph.edges:
        groups.setdefault(_common_prefix(edge.source, edge.target), []).append(edge)
    opened: set[str] = set()

    def block(prefix: str, edges: list[Any]) -> None:
        boxed = bool(prefix) and not (len(edges) == 1 and edges[0].source == edges[0].target)
        if boxed:
            name = prefix.rpartition(":")[2]
            if name in opened:
                raise ValueError(
                    f"two subgraphs are both named {name!r}: give the nodes that hold "
                    "subgraphs distinct names"
                )
            opened.add(name)
            out.append(f"\tsubgraph {name}\n")
            if with_styles:
                out.extend(node_line(n) for n in members.get(prefix, ()))
        out.extend(_edge_line(e, wrap_label_n_words) for e in edges)
        if prefix:  # nested blocks: one level down
            for inner, inner_edges in groups.items():
                if inner.startswith(prefix + ":") and ":" not in inner[len(prefix) + 1 :]:
                    block(inner, inner_edges)
        if boxed:
            out.append("\tend\n")

    block("", groups.get("", []))
    for prefix, edges in groups.items():
        if prefix and ":" not in prefix:
            block(prefix, edges)
            opened.add(prefix)
    if with_styles:
        for prefix, nodes in members.items():
            if ":" not in prefix and prefix not in opened:  # a subgraph without inner edges
                out.append(f"\tsubgraph {prefix}\n")
                out.extend(node_line(n) for n in nodes)
                out.append("\tend\n")
                opened.add(prefix)
        out.append(_STYLES)
    return "".join(out)


def _common_prefix(source: str, target: str) -> str:
    """The ``:``-separated parts two ids share at the same positions."""
    return ":".join(a for a, b in zip(source.split(":"), target.split(":")) if a == b)


def _label(node: Any) -> str:
    name = node.name.split(":")[-1]
    label = f"<p>{name}</p>" if name.startswith(_MARKDOWN) and name.endswith(_MARKDOWN) else name
    lines = [
        "".join(_ENTITY.get(c, c) for c in f"{key} = {text}")
        for key, value in (node.metadata or {}).items()
        if (text := _metadata_text(value)) is not None
    ]
    return f"{label}<hr/><small><em>" + "\n".join(lines) + "</em></small>" if lines else label


def _metadata_text(value: Any) -> str | None:
    """A scalar, or a list/tuple/set of scalars, as text; None for anything else."""
    scalars = (str, int, float, bool)
    if isinstance(value, scalars):
        return str(value)
    if isinstance(value, (list, tuple, set)) and all(isinstance(v, scalars) for v in value):
        texts = [str(v) for v in value]
        return ", ".join(sorted(texts) if isinstance(value, set) else texts)
    return None


def _edge_line(edge: Any, wrap: int) -> str:
    if edge.data is None:
        arrow = " -.-> " if edge.conditional else " --> "
    else:
        words = str(edge.data).split()
        text = (
            "&nbsp<br>&nbsp".join(" ".join(words[i : i + wrap]) for i in range(0, len(words), wrap))
            if len(words) > wrap
            else edge.data
        )
        arrow = (
            f" -. &nbsp;{text}&nbsp; .-> " if edge.conditional else f" -- &nbsp;{text}&nbsp; --> "
        )
    return f"\t{safe_id(edge.source)}{arrow}{safe_id(edge.target)};\n"
