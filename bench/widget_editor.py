"""The state editor on a 5 MB state in headless Chromium: time to open it, per-keystroke
latency and time to mark a parse error, in the code editor (CodeMirror, sent by the kernel
on first use) and in the plain text box (what the widget had before, and its fallback),
plus the sizes of the bundles.

Opening is from the widget's ``render()`` until the state's text is drawn in the editor.
A keystroke's latency is from its keydown to the first frame after it (the typed character
drawn); the harness (``bench/widget_editor.html``) mounts the committed bundle with a
stand-in model that answers the state editor's queries. The text box takes minutes per key
on 5 MB, so it types fewer keys, each with a deadline: a key that misses it is printed as
"> N s" and ends that editor's run. Timings are printed, never asserted.

    python -m bench.widget_editor [--keys N] [--box-keys N] [--key-timeout S]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from playwright.async_api import TimeoutError as PlaywrightTimeout

from .widget_browser import CHROMIUM_ARGS, STATIC, _serve, chromium_path

__all__ = ["big_state", "format_result", "main", "measure"]

HARNESS = Path(__file__).resolve().parent / "widget_editor.html"
EDITORS = ("code_editor", "text_box")


def big_state(rows: int = 24_000) -> dict:
    """About 5 MB of pretty-printed JSON: a note and many small records."""
    return {
        "note": "hello",
        "rows": [{"id": i, "text": "lorem ipsum dolor sit amet " * 6} for i in range(rows)],
    }


async def _within(awaitable, seconds: float):
    """``awaitable``'s result, or None when it takes longer than ``seconds``."""
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        return None


async def _run_editor(
    browser, url: str, values: dict, code: bool, keys: int, timeout: float
) -> dict:
    """Open one editor on ``values`` and type ``keys`` characters into its second line."""
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    out: dict = {"open_ms": None, "keystroke_ms": [], "keys_wanted": keys, "error_ms": None}
    try:
        page = await context.new_page()
        await page.goto(url + "index.html")
        await page.wait_for_function("window.benchReady === true")
        out["open_ms"] = await _within(
            page.evaluate("([v, c]) => window.mountState(v, c)", [values, code]), timeout
        )
        if out["open_ms"] is None:
            return out
        target = page.locator(".cm-line" if code else 'textarea[data-testid="state-json"]').first
        try:
            await target.click(timeout=timeout * 1000)
        except PlaywrightTimeout:
            out["timed_out"] = True
            return out
        for key in ("Control+Home", "ArrowDown", "End", "ArrowLeft", "ArrowLeft"):
            await page.keyboard.press(key)
        await page.evaluate("window.latencies = []")
        for i in range(keys):
            latency = await _within(_type(page, "x", f"window.latencies[{i}]"), timeout)
            if latency is None:
                out["timed_out"] = True
                return out
            out["keystroke_ms"].append(latency)
        text = await page.evaluate("window.secondLine()")
        if text != f'  "note": "hello{"x" * keys}",':
            raise RuntimeError(f"the typed text is not in the editor: {text[:80]!r}")
        # A stray quote: the time until the editor marks the parse error.
        out["error_ms"] = await _within(_type(page, '"', "window.errorShown()"), timeout)
        return out
    finally:
        await context.close()


async def _type(page, key: str, figure: str) -> float:
    """Press ``key``, then wait until the page's ``figure`` (ms since its keydown) is known."""
    await page.keyboard.press(key)
    handle = await page.wait_for_function(figure, timeout=0)
    return await handle.json_value()


async def _measure(keys: int, box_keys: int, timeout: float) -> dict:
    from playwright.async_api import async_playwright

    executable = chromium_path()
    if executable is None:
        raise RuntimeError("no Chromium: install Debian's `chromium` or set HITL_CHROMIUM")
    values = big_state()
    result: dict = {
        "state_bytes": len(json.dumps(values, indent=2)),
        "key_timeout_s": timeout,
        "bundle_bytes": {
            n: (STATIC / n).stat().st_size for n in ("widget.js", "widget.css", "editor.js")
        },
    }
    with tempfile.TemporaryDirectory() as tmp, _serve(Path(tmp)) as url:
        for name in ("widget.js", "widget.css", "editor.js"):
            shutil.copyfile(STATIC / name, Path(tmp) / name)
        shutil.copyfile(HARNESS, Path(tmp) / "index.html")
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path=executable, args=CHROMIUM_ARGS, headless=True
            )
            try:
                # The code editor first: a text box stuck on a key must not slow it down.
                for label, count in zip(EDITORS, (keys, box_keys), strict=True):
                    result[label] = await _run_editor(
                        browser, url, values, label == "code_editor", count, timeout
                    )
                result["chromium"] = browser.version
            finally:
                await browser.close()
    return result


def measure(keys: int = 30, box_keys: int = 2, timeout: float = 60.0) -> dict:
    """Open times, keystroke latencies and error-marking times (ms) in both editors, and
    bundle sizes; a step that misses ``timeout`` seconds ends that editor's run."""
    return asyncio.run(_measure(keys, box_keys, timeout))


def _cell(value: float | None, timeout: float) -> str:
    return f"> {timeout:.0f} s" if value is None else f"{value:.1f} ms"


def format_result(result: dict) -> str:
    timeout = result["key_timeout_s"]
    runs = {label: result[label] for label in EDITORS}

    def keystroke(r: dict, pick) -> str:
        # A key that missed the deadline counts as slower than every key that made it.
        typed = r["keystroke_ms"] + ([float("inf")] if r.get("timed_out") else [])
        if not typed:
            return _cell(None, timeout) if r["open_ms"] is None else "-"
        value = pick(typed)
        return _cell(None if value == float("inf") else value, timeout)

    rows = [
        ("open (render to text drawn)", lambda r: _cell(r["open_ms"], timeout)),
        ("keystroke median", lambda r: keystroke(r, statistics.median)),
        ("keystroke max", lambda r: keystroke(r, max)),
        ("keys drawn / typed", lambda r: f"{len(r['keystroke_ms'])} / {r['keys_wanted']}"),
        (
            "parse error marked",
            lambda r: (
                "-" if r.get("timed_out") or not r["open_ms"] else _cell(r["error_ms"], timeout)
            ),
        ),
    ]
    lines = [
        f"state editor, {result['state_bytes'] / 1e6:.1f} MB of state JSON, headless Chromium {result['chromium']}",
        f"{'':<30}{'code editor':>14}{'text box':>14}",
    ]
    lines += [
        f"{name:<30}" + "".join(f"{cell(runs[e]):>14}" for e in EDITORS) for name, cell in rows
    ]
    code, box = runs["code_editor"], runs["text_box"]
    if code["open_ms"] and box["open_ms"]:
        lines.append(f"text box / code editor, open: {box['open_ms'] / code['open_ms']:.1f}x")
    if code["keystroke_ms"] and box["keystroke_ms"] and not box.get("timed_out"):
        ratio = statistics.median(box["keystroke_ms"]) / statistics.median(code["keystroke_ms"])
        lines.append(f"text box / code editor, median keystroke: {ratio:.1f}x")
    elif code["keystroke_ms"]:
        worst = timeout * 1000 / statistics.median(code["keystroke_ms"])
        lines.append(
            f"text box / code editor, median keystroke: > {worst:.0f}x (a key missed {timeout:.0f} s)"
        )
    sizes = result["bundle_bytes"]
    lines.append("bundles: " + ", ".join(f"{n} {b / 1e3:.1f} KB" for n, b in sizes.items()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.widget_editor", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--keys", type=int, default=30, help="keystrokes in the code editor")
    parser.add_argument("--box-keys", type=int, default=2, help="keystrokes in the text box")
    parser.add_argument(
        "--key-timeout", type=float, default=60.0, help="seconds allowed per step (open, key)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    result = measure(keys=args.keys, box_keys=args.box_keys, timeout=args.key_timeout)
    print(json.dumps(result, indent=2) if args.json else format_result(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
