"""The state editor on a 5 MB state in headless Chromium: per-keystroke latency in the
plain text box (what the widget had before, and its fallback) and in the code editor
(CodeMirror, sent by the kernel on first use), plus the sizes of the two bundles.

A keystroke's latency is from its keydown to the first frame after it (the typed
character drawn); the harness (``bench/widget_editor.html``) mounts the committed
bundle with a stand-in model that answers the state editor's queries. Timings are
printed, never asserted.

    python -m bench.widget_editor [--keys N]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from .widget_browser import CHROMIUM_ARGS, STATIC, _serve, chromium_path

__all__ = ["big_state", "main", "measure"]

HARNESS = Path(__file__).resolve().parent / "widget_editor.html"


def big_state(rows: int = 24_000) -> dict:
    """About 5 MB of pretty-printed JSON: a note and many small records."""
    return {
        "note": "hello",
        "rows": [{"id": i, "text": "lorem ipsum dolor sit amet " * 6} for i in range(rows)],
    }


def measure(keys: int = 30) -> dict:
    """Keystroke latencies (ms) in both editors, mount times, and bundle sizes."""
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no Chromium: install Debian's `chromium` or set HITL_CHROMIUM")
    values = big_state()
    result: dict = {
        "state_bytes": len(json.dumps(values, indent=2)),
        "bundle_bytes": {
            n: (STATIC / n).stat().st_size for n in ("widget.js", "widget.css", "editor.js")
        },
    }
    with tempfile.TemporaryDirectory() as tmp, _serve(Path(tmp)) as url, sync_playwright() as pw:
        for name in ("widget.js", "widget.css", "editor.js"):
            shutil.copyfile(STATIC / name, Path(tmp) / name)
        shutil.copyfile(HARNESS, Path(tmp) / "index.html")
        browser = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        try:
            for label, code in (("text_box", False), ("code_editor", True)):
                page = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
                page.goto(url + "index.html")
                page.wait_for_function("window.benchReady === true")
                mount = page.evaluate("([v, c]) => window.mountState(v, c)", [values, code])
                target = page.locator(".cm-line" if code else "textarea").first
                target.click()
                page.keyboard.press("Control+Home")
                page.keyboard.press("ArrowDown")
                page.keyboard.press("End")
                page.keyboard.press("ArrowLeft")
                page.keyboard.press("ArrowLeft")
                page.evaluate("window.latencies = []")
                for i in range(keys):
                    page.keyboard.press("x")
                    page.wait_for_function(f"window.latencies.length > {i}")
                text = page.evaluate(
                    "(code) => code ? document.querySelector('.cm-line:nth-child(2)').textContent"
                    " : document.querySelector('textarea').value.split('\\n')[1]",
                    code,
                )
                if text != f'  "note": "hello{"x" * keys}",':
                    raise RuntimeError(
                        f"{label}: the typed text is not in the editor: {text[:80]!r}"
                    )
                result[label] = {
                    "mount_ms": mount,
                    "keystroke_ms": page.evaluate("window.latencies"),
                }
                page.context.close()
            result["chromium"] = browser.version
        finally:
            browser.close()
    return result


def format_result(result: dict) -> str:
    lines = [
        f"state editor, {result['state_bytes'] / 1e6:.1f} MB of state JSON, headless Chromium {result['chromium']}",
        f"{'editor':<14}{'keystroke median':>18}{'max':>10}{'keys':>6}{'open':>12}",
    ]
    for label in ("text_box", "code_editor"):
        r = result[label]
        ks = r["keystroke_ms"]
        lines.append(
            f"{label:<14}{statistics.median(ks):>15.1f} ms{max(ks):>7.1f} ms{len(ks):>6}{r['mount_ms']:>9.0f} ms"
        )
    ratio = statistics.median(result["text_box"]["keystroke_ms"]) / statistics.median(
        result["code_editor"]["keystroke_ms"]
    )
    lines.append(f"text box / code editor, median keystroke: {ratio:.1f}x")
    sizes = result["bundle_bytes"]
    lines.append("bundles: " + ", ".join(f"{n} {b / 1e3:.1f} KB" for n, b in sizes.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.widget_editor", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--keys", type=int, default=30, help="keystrokes per editor")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = measure(keys=args.keys)
    print(json.dumps(result, indent=2) if args.json else format_result(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
