"""The widget's overhead on a LangGraph API server thread: answer to server state changed.

``python -m bench.server_widget [--quick] [--url URL]``

Per paused thread (the ``review`` graph of tests/server/app, paused on its question by the
SDK, untimed), two ways of answering take turns, alternating who goes first:

- **widget**: the message an "approve" click sends (``resume`` action with the head the
  widget shows) handled by the widget's Session, which checks the thread is not stale,
  streams the run and refreshes the panels (state, history, interrupts);
- **SDK alone**: ``client.runs.wait(thread, assistant, command={"resume": ...})``.

Each sample ends when a separate SDK client reads the answer in the server's state. Without
``--url`` a local ``langgraph dev`` is started (and stopped) for the run. Timings are
printed, never asserted; the browser-to-kernel hop of a real click is measured by
``bench.widget_browser``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from functools import partial

__all__ = ["format_figures", "main", "measure"]

_RESUME = {"resume": "approve"}


def measure(url: str, threads: int = 20) -> dict[str, list[float]]:
    """Seconds from answering to the server holding the answer, per way, ``threads`` each."""
    from langgraph_sdk import get_sync_client

    from hitl_notebook.widgets import show

    sdk = get_sync_client(url=url, api_key=None)
    observer = get_sync_client(url=url, api_key=None)
    samples: dict[str, list[float]] = {"widget": [], "sdk": []}

    def paused_thread() -> str:
        thread_id = sdk.threads.create()["thread_id"]
        sdk.runs.wait(thread_id, "review", input={"topic": "bench"})
        return thread_id

    def answered(thread_id: str) -> bool:
        return observer.threads.get_state(thread_id)["values"].get("verdict") == "approve"

    def timed(way: str, answer: Callable[[], object], thread_id: str) -> None:
        started = time.perf_counter()
        answer()
        while not answered(thread_id):
            time.sleep(0.001)
        samples[way].append(time.perf_counter() - started)

    for index in range(threads):
        widget_thread, sdk_thread = paused_thread(), paused_thread()
        widget = show(url, assistant_id="review", thread_id=widget_thread)
        pending = widget.interrupts[0]["id"]
        click = {
            "type": "action",
            "request_id": index,
            "action": "resume",
            "args": {"answers": {pending: "approve"}},
            "base": widget.head["id"],
        }
        ways = [
            ("widget", partial(_click, widget, click), widget_thread),
            ("sdk", partial(sdk.runs.wait, sdk_thread, "review", command=_RESUME), sdk_thread),
        ]
        for way, answer, thread_id in ways if index % 2 == 0 else reversed(ways):
            timed(way, answer, thread_id)
    return samples


def _click(widget: object, message: dict) -> dict:
    reply = widget.session.handle(message)
    if not reply.get("ok"):
        raise RuntimeError(f"the widget refused the answer: {reply}")
    return reply


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def format_figures(samples: dict[str, list[float]]) -> str:
    """The side-by-side table: median and p95 per way, and the widget's overhead."""
    widget, sdk = samples["widget"], samples["sdk"]
    rows = [
        ("answer -> server state changed, median (ms)", statistics.median, statistics.median),
        ("answer -> server state changed, p95 (ms)", _p95, _p95),
    ]
    lines = [f"{'':48} {'widget':>9} {'SDK alone':>10} {'overhead':>9}"]
    for label, of_widget, of_sdk in rows:
        w, s = of_widget(widget) * 1000, of_sdk(sdk) * 1000
        lines.append(f"{label:48} {w:9.1f} {s:10.1f} {w - s:9.1f}")
    lines.append(f"({len(widget)} answers each way; widget/SDK median ratio ")
    lines[-1] += f"{statistics.median(widget) / statistics.median(sdk):.2f})"
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.server_widget", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="5 answers each way")
    parser.add_argument("--url", help="a running server serving tests/server/app")
    parser.add_argument("--json", action="store_true", help="print the samples as JSON")
    args = parser.parse_args(argv)
    threads = 5 if args.quick else 20
    server = None
    if args.url is None:
        from tests.langgraph_server import LangGraphDevServer

        server = LangGraphDevServer().start()
    try:
        samples = measure(args.url or server.url, threads)
    finally:
        if server is not None:
            server.stop()
    print(json.dumps(samples) if args.json else format_figures(samples))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
