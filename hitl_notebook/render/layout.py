"""A layered layout of a graph diagram, computed in the kernel in pure Python.

Why here and not in the browser: the same picture then shows in the live widget, in a
saved notebook, in an nbconvert HTML export and on GitHub, without the ``dot`` binary
(pip installs none) and without shipping Graphviz compiled to WASM (1.5 MB) in every
saved widget. Agent graphs are small (tens of nodes, a few hundred at most), so a
Sugiyama-style layout in four passes is enough:

1. layers: the longest path from the entry, after loops' back edges are turned around;
2. an edge that spans several layers gets a bend point in each layer it crosses;
3. order within a layer: barycentre sweeps down and up, keeping the order with the fewest
   crossings, with the nodes of a subgraph kept side by side;
4. x positions: packed in order, then pulled towards the neighbours they connect to.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

__all__ = ["Box", "EdgePath", "Layout", "layout_graph"]

START, END = "__start__", "__end__"

#: Size of a node box: height, horizontal padding, and the width per character of the label
#: (12 px sans-serif; an estimate, the browser does not measure).
NODE_HEIGHT, NODE_PAD, CHAR_WIDTH = 30.0, 22.0, 7.0
MIN_WIDTH = 56.0
#: Space between boxes in a layer, between layers, and around the drawing.
GAP_X, GAP_Y, MARGIN = 26.0, 46.0, 16.0
#: Width reserved for an edge's bend point in a layer it crosses.
BEND_WIDTH = 8.0
#: Barycentre sweeps (each one down and one up) and x-position passes.
SWEEPS, PLACEMENT_PASSES = 6, 4


@dataclass
class Box:
    """A node as drawn: its centre, size and label."""

    id: str
    label: str
    x: float
    y: float
    width: float
    height: float
    terminal: bool = False


@dataclass
class EdgePath:
    """An edge as drawn: the points it passes through, from its source to its target."""

    source: str
    target: str
    points: list[tuple[float, float]]
    conditional: bool = False
    label: str | None = None


@dataclass
class Layout:
    """Node boxes, edge paths and subgraph frames, in SVG user units."""

    width: float
    height: float
    boxes: dict[str, Box]
    edges: list[EdgePath]
    #: Subgraph name path ("parent:child") -> (x0, y0, x1, y1, label), outermost first.
    clusters: dict[str, tuple[float, float, float, float, str]] = field(default_factory=dict)


def layout_graph(drawable: Any) -> Layout:
    """Lay out ``drawable`` (LangGraph's ``get_graph()`` shape: ``.nodes`` id -> node,
    ``.edges`` with ``source``, ``target``, ``conditional`` and ``data``); deterministic."""
    node_ids = list(drawable.nodes)
    labels = {n: _label(n, drawable.nodes[n]) for n in node_ids}
    edges = [
        (e.source, e.target, bool(e.conditional), e.data if isinstance(e.data, str) else None)
        for e in drawable.edges
        if e.source in labels and e.target in labels
    ]
    pairs: list[tuple[str, str]] = []  # each edge pointing down, loops' back edges turned
    for (s, t, _, _), points_down in zip(edges, _points_down(node_ids, edges)):
        pair = (s, t) if points_down else (t, s)
        if s != t and pair not in pairs:
            pairs.append(pair)
    layer = _layers(node_ids, pairs)
    chains, rows = _split_long_edges(node_ids, layer, pairs)
    widths = {n: max(MIN_WIDTH, len(labels[n]) * CHAR_WIDTH + NODE_PAD) for n in node_ids}
    order = _order(rows, chains, node_ids)
    x = _place(order, chains, widths)
    return _assemble(node_ids, labels, widths, layer, order, x, edges, pairs, chains)


# --- 1. layers --------------------------------------------------------------------------


def _points_down(nodes: list[str], edges: list[tuple[str, str, bool, str | None]]) -> list[bool]:
    """For each edge, whether it points forward; a depth-first walk from the entry marks
    the edges that close a loop (to a node still on the walk's stack) as backward."""
    succ: dict[str, list[tuple[str, int]]] = {n: [] for n in nodes}
    for i, (s, t, _, _) in enumerate(edges):
        succ[s].append((t, i))
    forward = [s != t for s, t, _, _ in edges]
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    roots = [n for n in (START, *nodes) if n in succ]
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, children = stack[-1]
            for child, i in children:
                if state.get(child) == 1:
                    forward[i] = False
                elif child not in state:
                    state[child] = 1
                    stack.append((child, iter(succ[child])))
                    break
            else:
                state[node] = 2
                stack.pop()
    return forward


def _layers(nodes: list[str], forward: list[tuple[str, str]]) -> dict[str, int]:
    """Longest path from the sources over the ``(source, target)`` pairs of ``forward``;
    END is put below every other node."""
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in forward:
        preds[t].append(s)
    layer: dict[str, int] = {}
    for n in _topological(nodes, forward):
        layer[n] = max((layer[p] + 1 for p in preds[n]), default=0)
    if END in layer and len(layer) > 1:
        layer[END] = max(layer[END], max(v for k, v in layer.items() if k != END) + 1)
    return layer


def _topological(nodes: list[str], forward: list[tuple[str, str]]) -> list[str]:
    indegree = dict.fromkeys(nodes, 0)
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for s, t in forward:
        succ[s].append(t)
        indegree[t] += 1
    ready = [n for n in nodes if indegree[n] == 0]
    out = []
    while ready:
        n = ready.pop(0)
        out.append(n)
        for t in succ[n]:
            indegree[t] -= 1
            if indegree[t] == 0:
                ready.append(t)
    return out


# --- 2. bend points ---------------------------------------------------------------------


def _split_long_edges(
    nodes: list[str], layer: dict[str, int], forward: list[tuple[str, str]]
) -> tuple[list[list[str]], list[list[str]]]:
    """Each forward edge as a chain of ids, one per layer (bend points are ``"\\0b<i>.<k>"``),
    and the ids in each layer."""
    rows: list[list[str]] = [[] for _ in range(max(layer.values(), default=-1) + 1)]
    for n in nodes:
        rows[layer[n]].append(n)
    chains = []
    for i, (s, t) in enumerate(forward):
        chain = [s]
        for k, depth in enumerate(range(layer[s] + 1, layer[t])):
            bend = f"\0b{i}.{k}"
            rows[depth].append(bend)
            chain.append(bend)
        chain.append(t)
        chains.append(chain)
    return chains, rows


def _links(chains: list[list[str]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Each id's neighbours in the layer above and in the layer below."""
    up: dict[str, list[str]] = {}
    down: dict[str, list[str]] = {}
    for chain in chains:
        for a, b in pairwise(chain):
            down.setdefault(a, []).append(b)
            up.setdefault(b, []).append(a)
    return up, down


# --- 3. order ---------------------------------------------------------------------------


def _order(rows: list[list[str]], chains: list[list[str]], nodes: list[str]) -> list[list[str]]:
    up, down = _links(chains)
    group = {n: n.rpartition(":")[0] for n in nodes}
    for chain in chains:  # a bend point goes with the subgraph its edge stays inside
        inside = group[chain[0]] if group[chain[0]] == group[chain[-1]] else ""
        for bend in chain[1:-1]:
            group[bend] = inside
    order = [list(row) for row in rows]
    best, best_crossings = [list(r) for r in order], _crossings(order, down)
    for _ in range(SWEEPS):
        for i in range(1, len(order)):
            order[i] = _by_barycentre(order[i], order[i - 1], up, group)
        for i in range(len(order) - 2, -1, -1):
            order[i] = _by_barycentre(order[i], order[i + 1], down, group)
        crossings = _crossings(order, down)
        if crossings < best_crossings:
            best, best_crossings = [list(r) for r in order], crossings
        if best_crossings == 0:
            break
    return best


def _by_barycentre(
    row: list[str], fixed: list[str], links: dict[str, list[str]], group: dict[str, str]
) -> list[str]:
    """``row`` sorted by the mean position of each id's links in ``fixed`` (ids without
    links keep their place), with ids of one subgraph kept together."""
    pos = {n: i for i, n in enumerate(fixed)}
    centre = {}
    for i, n in enumerate(row):
        linked = [pos[m] for m in links.get(n, ()) if m in pos]
        centre[n] = sum(linked) / len(linked) if linked else float(i)
    members: dict[str, list[float]] = {}
    for n in row:
        members.setdefault(group[n], []).append(centre[n])
    group_centre = {g: sum(v) / len(v) for g, v in members.items()}
    return sorted(
        row, key=lambda n: (group_centre[group[n]] if group[n] else centre[n], group[n], centre[n])
    )


def _crossings(order: list[list[str]], down: dict[str, list[str]]) -> int:
    """Edge crossings between adjacent layers (counted as inversions, O(E log E))."""
    total = 0
    for upper, lower in pairwise(order):
        pos = {n: i for i, n in enumerate(lower)}
        ends = [p for s in upper for p in sorted(pos[m] for m in down.get(s, ()))]
        seen: list[int] = []
        for e in ends:
            total += len(seen) - bisect.bisect_right(seen, e)
            bisect.insort(seen, e)
    return total


# --- 4. x positions ---------------------------------------------------------------------


def _place(
    order: list[list[str]], chains: list[list[str]], widths: dict[str, float]
) -> dict[str, float]:
    """Centre x of every id: rows packed left to right, then each pass moves ids towards
    the mean x of their neighbours in the row above (then below), keeping order and gaps."""
    up, down = _links(chains)

    def width(n: str) -> float:
        return widths.get(n, BEND_WIDTH)

    x: dict[str, float] = {}
    for row in order:
        cursor = 0.0
        for n in row:
            x[n] = cursor + width(n) / 2
            cursor += width(n) + GAP_X
        shift = (cursor - GAP_X) / 2
        for n in row:
            x[n] -= shift
    for _ in range(PLACEMENT_PASSES):
        for rows, links in ((order[1:], up), (order[-2::-1], down)):
            for row in rows:
                wanted = []
                for n in row:
                    linked = [x[m] for m in links.get(n, ())]
                    wanted.append(sum(linked) / len(linked) if linked else x[n])
                for n, value in zip(row, _pack(row, wanted, width)):
                    x[n] = value
    return x


def _pack(row: list[str], wanted: list[float], width: Any) -> list[float]:
    """Positions as close to ``wanted`` as the order and the gaps allow: pushed right from
    the left, pushed left from the right, and the two averaged."""
    n = len(row)
    right = list(wanted)
    for i in range(1, n):
        least = right[i - 1] + (width(row[i - 1]) + width(row[i])) / 2 + GAP_X
        right[i] = max(right[i], least)
    left = list(wanted)
    for i in range(n - 2, -1, -1):
        most = left[i + 1] - (width(row[i + 1]) + width(row[i])) / 2 - GAP_X
        left[i] = min(left[i], most)
    merged = [(a + b) / 2 for a, b in zip(right, left)]
    for i in range(1, n):  # averaging can bring neighbours too close again
        least = merged[i - 1] + (width(row[i - 1]) + width(row[i])) / 2 + GAP_X
        merged[i] = max(merged[i], least)
    return merged


# --- drawing ----------------------------------------------------------------------------


def _assemble(
    nodes: list[str],
    labels: dict[str, str],
    widths: dict[str, float],
    layer: dict[str, int],
    order: list[list[str]],
    x: dict[str, float],
    edges: list[tuple[str, str, bool, str | None]],
    forward_pairs: list[tuple[str, str]],
    chains: list[list[str]],
) -> Layout:
    left = min((x[n] - widths.get(n, BEND_WIDTH) / 2 for row in order for n in row), default=0)
    dx = MARGIN - left + _cluster_pad(nodes)
    dy = MARGIN + _cluster_pad(nodes) + 14  # room for the outermost subgraph's title

    def y_of(depth: int) -> float:
        return dy + depth * (NODE_HEIGHT + GAP_Y) + NODE_HEIGHT / 2

    depth_of = {n: d for d, row in enumerate(order) for n in row}
    boxes = {
        n: Box(n, labels[n], x[n] + dx, y_of(layer[n]), widths[n], NODE_HEIGHT, _terminal(n))
        for n in nodes
    }
    chain_of = {pair: chain for pair, chain in zip(forward_pairs, chains)}
    paths = []
    for s, t, conditional, label in edges:
        if s == t:
            paths.append(EdgePath(s, t, _self_loop(boxes[s]), conditional, label))
            continue
        if (s, t) in chain_of:
            ids = chain_of[(s, t)]
        else:  # a back edge: laid out from its target down to its source, drawn upwards
            ids = list(reversed(chain_of.get((t, s), [t, s])))
        points = [(x[n] + dx, y_of(depth_of[n])) for n in ids]
        a, b = boxes[s], boxes[t]
        down_going = a.y < b.y
        points[0] = (a.x, a.y + (a.height / 2 if down_going else -a.height / 2))
        points[-1] = (b.x, b.y - (b.height / 2 if down_going else -b.height / 2))
        paths.append(EdgePath(s, t, points, conditional, label))
    clusters = _clusters(boxes)
    right = max((b.x + b.width / 2 for b in boxes.values()), default=0)
    right = max([right, *(c[2] for c in clusters.values())])
    bottom = max((b.y + b.height / 2 for b in boxes.values()), default=0)
    return Layout(right + MARGIN, bottom + MARGIN, boxes, paths, clusters)


def _clusters(boxes: dict[str, Box]) -> dict[str, tuple[float, float, float, float, str]]:
    """A frame around each subgraph's nodes ("parent:child" ids), nested frames inside."""
    names = sorted(
        {n.rpartition(":")[0] for n in boxes if ":" in n}
        | {n.rsplit(":", k)[0] for n in boxes if ":" in n for k in range(1, n.count(":") + 1)},
        key=lambda c: (c.count(":"), c),
    )
    frames = {}
    for name in names:
        members = [b for n, b in boxes.items() if n.startswith(name + ":")]
        pad = _PAD * (1 + _depth_below(name, boxes))
        frames[name] = (
            min(b.x - b.width / 2 for b in members) - pad,
            min(b.y - b.height / 2 for b in members) - pad - 12,
            max(b.x + b.width / 2 for b in members) + pad,
            max(b.y + b.height / 2 for b in members) + pad,
            name.rpartition(":")[2],
        )
    return frames


_PAD = 8.0


def _depth_below(name: str, boxes: dict[str, Box]) -> int:
    """How many subgraph levels lie inside ``name`` (outer frames get more padding)."""
    return max(
        (n.count(":") - name.count(":") - 1 for n in boxes if n.startswith(name + ":")), default=0
    )


def _cluster_pad(nodes: list[str]) -> float:
    return _PAD * max((n.count(":") for n in nodes), default=0) + (
        12 if any(":" in n for n in nodes) else 0
    )


def _self_loop(box: Box) -> list[tuple[float, float]]:
    r = box.x + box.width / 2
    return [(r, box.y - 6), (r + 18, box.y - 12), (r + 18, box.y + 12), (r, box.y + 6)]


def _terminal(node_id: str) -> bool:
    return node_id.rpartition(":")[2] in (START, END)


def _label(node_id: str, node: Any) -> str:
    name = node_id.rpartition(":")[2]
    if name in (START, END):
        return name.strip("_")
    return str(getattr(node, "name", name)).rpartition(":")[2]
