"""The thread widget in headless Chromium: diagram render and status-update cost, and the
history timeline at scale (open, scroll, diff: see ``widget_timeline``).

Lays a generated 200-node graph out in the kernel (``hitl_notebook.render``: layout and
SVG text), then loads the committed bundle (``hitl_notebook/static/widget.js``) in a local
page with a stand-in anywidget model (``bench/widget_browser.html``, no kernel) and
measures:

- kernel layout: ``layout_graph`` + ``layout_svg`` in this process;
- first render: ``render()`` called in a fresh page until the diagram's SVG is in the DOM;
  a widget's first render is the kernel layout plus this;
- re-render: the same in a page that has already drawn it;
- status update: every node gets a new status (restyle only, then style and layout are
  forced); the SVG must stay the same element, i.e. no new layout.

It also reports ``bench/widget_sync.py``'s figure: bytes sent to the browser per step on
a 5 MB state. Chromium is Debian's (``/usr/bin/chromium``, or ``$HITL_CHROMIUM``);
Playwright's browser downloads are never used. Timings are printed, never asserted.

    python -m bench.widget_browser [--quick] [--json]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.render import layout_graph, layout_svg

from .widget_live import format_live, measure_live
from .widget_sync import measure as measure_sync
from .widget_timeline import measure_timeline

__all__ = ["chromium_path", "diagram_graph", "format_result", "main", "measure", "measure_browser"]

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "hitl_notebook" / "static"
HARNESS = Path(__file__).resolve().parent / "widget_browser.html"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: Runs per figure: (fresh-page renders, warm re-renders, status updates, sync steps).
FULL = (7, 7, 30, 5)
QUICK = (2, 2, 5, 2)
#: The timeline figures: (checkpoints, forks, conversation turns, runs).
TIMELINE_FULL = (10_000, 3, 1000, 5)
TIMELINE_QUICK = (1_000, 2, 200, 1)


class _Empty(TypedDict, total=False):
    x: int


def diagram_graph(rows: int = 20, columns: int = 10):
    """A ``rows`` x ``columns`` grid of nodes (200 by default): START fans out to the first
    row, each node leads to the one below, every other node routes conditionally (dashed
    edges) to the one below or below-right, and the last row leads to END."""
    builder = StateGraph(_Empty)
    name = [[f"r{r:02d}c{c}" for c in range(columns)] for r in range(rows)]
    for row in name:
        for node in row:
            builder.add_node(node, lambda state: {})
    for c in range(columns):
        builder.add_edge(START, name[0][c])
        builder.add_edge(name[-1][c], END)
    for r in range(rows - 1):
        for c in range(columns):
            down, diagonal = name[r + 1][c], name[r + 1][(c + 1) % columns]
            if c % 2:
                builder.add_edge(name[r][c], down)
            else:
                builder.add_conditional_edges(name[r][c], lambda state, d=down: d, [down, diagonal])
    return builder.compile(checkpointer=InMemorySaver())


def chromium_path() -> str | None:
    """Debian's Chromium (or ``$HITL_CHROMIUM``); None when neither is installed."""
    path = os.environ.get("HITL_CHROMIUM") or "/usr/bin/chromium"
    return path if os.path.exists(path) else shutil.which("chromium")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args: Any, kernel: dict, **kwargs: Any) -> None:
        self._kernel = kernel
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        """``POST /kernel``: a widget message for the Session ``kernel["handle"]``; the
        reply is the response (the harness's stand-in for a comm round trip)."""
        handle = self._kernel.get("handle")
        if self.path != "/kernel" or handle is None:
            self.send_error(404)
            return
        message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        body = json.dumps(handle(message)).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def _serve(directory: Path, kernel: dict | None = None) -> Iterator[str]:
    """``directory`` over HTTP on 127.0.0.1 (a free port) for as long as the block runs;
    ``kernel["handle"]``, when set, answers widget messages POSTed to ``/kernel``."""
    handler = functools.partial(
        _QuietHandler, directory=str(directory), kernel=kernel if kernel is not None else {}
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def _summary(samples: list[float]) -> dict:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "runs": len(samples),
    }


def measure_browser(
    svg: str, nodes: list[str], fresh: int, warm: int, updates: int, timeline: tuple
) -> dict:
    """Render, status-update and timeline timings (ms) of the committed bundle in headless
    Chromium."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no Chromium: install Debian's `chromium` or set HITL_CHROMIUM")
    kernel: dict = {}
    with (
        tempfile.TemporaryDirectory() as tmp,
        _serve(Path(tmp), kernel) as url,
        sync_playwright() as pw,
    ):
        for name in ("widget.js", "widget.css"):
            shutil.copyfile(STATIC / name, Path(tmp) / name)
        shutil.copyfile(HARNESS, Path(tmp) / "index.html")
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            first, rerender, update, drawn = [], [], [], set()

            def open_page():
                context = browser.new_context()
                page = context.new_page()
                page.goto(url + "index.html")
                page.wait_for_function("window.benchReady === true")
                return context, page

            for _ in range(fresh):
                context, page = open_page()
                result = page.evaluate(
                    "([svg, nodes]) => window.bench.render(svg, nodes)", [svg, nodes]
                )
                first.append(result["ms"])
                drawn.add(result["drawn"])
                context.close()
            context, page = open_page()
            page.evaluate("([svg, nodes]) => window.bench.render(svg, nodes)", [svg, nodes])
            for _ in range(warm):
                result = page.evaluate(
                    "([svg, nodes]) => window.bench.render(svg, nodes)", [svg, nodes]
                )
                rerender.append(result["ms"])
                drawn.add(result["drawn"])
            for round_ in range(updates):
                result = page.evaluate("(round) => window.bench.setAllStatuses(round)", round_ + 1)
                if result["restyled"] != len(nodes) or not result["sameSvg"]:
                    raise RuntimeError(
                        f"status update did not restyle every node in place: {result}"
                    )
                update.append(result["ms"])
            context.close()
            checkpoints, forks, turns, runs = timeline
            history = measure_timeline(
                open_page,
                lambda session: kernel.update(handle=session.handle),
                checkpoints=checkpoints,
                forks=forks,
                turns=turns,
                runs=runs,
            )
            version = browser.version
        finally:
            browser.close()
    return {
        "chromium": version,
        "svg_nodes": sorted(drawn),
        "first_render_ms": _summary(first),
        "rerender_ms": _summary(rerender),
        "status_update_ms": _summary(update),
        "timeline": history,
    }


def measure_live_runs(quick: bool) -> dict:
    """bench/widget_live.py's figures, in a Chromium of their own."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no Chromium: install Debian's `chromium` or set HITL_CHROMIUM")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            return measure_live(browser, quick=quick)
        finally:
            browser.close()


def measure(quick: bool = False, live: bool = True) -> dict:
    """Every figure of this benchmark (``quick``: fewer runs, for a smoke test; ``live``:
    also the live-run figures, which start a JupyterLab)."""
    fresh, warm, updates, steps = QUICK if quick else FULL
    timeline = TIMELINE_QUICK if quick else TIMELINE_FULL
    graph = diagram_graph()
    drawable = graph.get_graph(xray=True)
    nodes = [n for n in drawable.nodes if not n.startswith("__")]
    kernel = []
    for _ in range(fresh):
        start = time.perf_counter()
        svg = layout_svg(layout_graph(drawable))
        kernel.append((time.perf_counter() - start) * 1000)
    result = measure_browser(svg, nodes, fresh, warm, updates, timeline)
    sync = measure_sync("ours", steps=steps, state_mb=5.0)
    return {
        **result,
        "nodes": len(nodes),
        "edges": len(drawable.edges),
        "svg_bytes": len(svg.encode()),
        "kernel_layout_ms": _summary(kernel),
        "sync": {k: sync[k] for k in ("state_bytes", "bytes_per_step", "max_bytes_per_step")},
        "live": measure_live_runs(quick) if live else None,
    }


def _ms(value: float) -> str:
    return f"{value:.1f} ms"


def format_result(result: dict) -> str:
    """A small table of the figures."""
    rows = [("figure", "median", "min", "max", "runs")]
    for label, key in (
        (f"kernel layout + SVG, {result['nodes']}-node diagram", "kernel_layout_ms"),
        (f"first render, fresh page, {result['nodes']}-node diagram", "first_render_ms"),
        (f"re-render, same page, {result['nodes']} nodes", "rerender_ms"),
        (f"status update, all {result['nodes']} nodes (restyle, no re-layout)", "status_update_ms"),
    ):
        s = result[key]
        rows.append((label, _ms(s["median"]), _ms(s["min"]), _ms(s["max"]), str(s["runs"])))
    history = result["timeline"]
    size = f"{history['checkpoints'][-1]:,} checkpoints, {history['lanes']} lanes"
    for label, key in (
        (f"timeline open, {size}: kernel (Session, history index)", "open_kernel_ms"),
        (f"timeline open, {size}: browser, first rows drawn", "open_browser_ms"),
        (f"timeline open, {size}: total", "open_total_ms"),
        ("timeline open again, same page: browser, first rows drawn", "open_warm_ms"),
        ("timeline scrolled to the middle: page fetched and drawn", "scroll_ms"),
        (
            f"diff head vs {history['turns']} back, {history['turns']}-message state: kernel",
            "diff_kernel_ms",
        ),
        (
            f"diff head vs {history['turns']} back, {history['turns']}-message state: click to drawn",
            "diff_drawn_ms",
        ),
        (
            "the same, clicked while the selected row's state still loads",
            "diff_rushed_ms",
        ),
    ):
        s = history[key]
        rows.append((label, _ms(s["median"]), _ms(s["min"]), _ms(s["max"]), str(s["runs"])))
    sync = result["sync"]
    per_step = sync["bytes_per_step"]
    rows.append(
        (
            f"bytes sent per step, {sync['state_bytes'] / 1e6:.1f} MB state",
            f"{statistics.median(per_step) / 1e3:.1f} KB",
            f"{min(per_step) / 1e3:.1f} KB",
            f"{max(per_step) / 1e3:.1f} KB",
            str(len(per_step)),
        )
    )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths)))
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    lines.insert(
        0,
        f"widget in headless Chromium {result['chromium']}: diagram of {result['nodes']} nodes, "
        f"{result['edges']} edges (SVG {result['svg_bytes'] / 1e3:.0f} KB, SVG nodes {result['svg_nodes']})",
    )
    if result.get("live"):
        lines += ["", format_live(result["live"])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.widget_browser", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs, for a smoke test")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--no-live", action="store_true", help="skip the live-run figures (no JupyterLab)"
    )
    args = parser.parse_args(argv)
    result = measure(quick=args.quick, live=not args.no_live)
    print(json.dumps(result, indent=2) if args.json else format_result(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
