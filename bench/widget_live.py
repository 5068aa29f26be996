"""Live widget runs in a real JupyterLab and kernel, ours and LangGraph side by side.

For each engine, one notebook shows two widgets (a 16-node chain whose nodes sleep
0.25 s, and a chat node whose model streams a 400-word reply) and, in headless Chromium:

- kernel round trip: ``40+2`` executed from the page (request to reply), first with the
  kernel idle, then while the widget's chain runs (the run goes on in the background);
- node finished -> status drawn: each node records ``time.time()`` as it returns; the page
  records ``Date.now()`` when the diagram first marks that node visited (same machine,
  same clock);
- tokens drawn per second: words of the streamed reply over the time from the first to
  the last change of the message text in the run panel.

Timings are printed, never asserted. Used by ``python -m bench.widget_browser``.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import nbformat

__all__ = ["measure_live"]

ROOT = Path(__file__).resolve().parent.parent

_IMPORTS = {
    "ours": (
        "from hitl_notebook import END, START, InMemorySaver, ScriptedChatModel, StateGraph\n"
        "model = ScriptedChatModel([REPLY])\n"
    ),
    "langgraph": (
        "from langchain_core.language_models.fake_chat_models import GenericFakeChatModel\n"
        "from langchain_core.messages import AIMessage\n"
        "from langgraph.checkpoint.memory import InMemorySaver\n"
        "from langgraph.graph import END, START, StateGraph\n"
        "model = GenericFakeChatModel(messages=iter([AIMessage(REPLY, id='reply')]))\n"
    ),
}

_SETUP = """
import json, operator, time
from typing import Annotated, TypedDict
from hitl_notebook.widgets import show
REPLY = " ".join(f"word{{i}}" for i in range(400))
{imports}
finished = {{}}

class State(TypedDict):
    log: Annotated[list, operator.add]

def make(i):
    def node(state):
        time.sleep(0.25)
        finished[f"n{{i:02d}}"] = time.time() * 1000
        return {{"log": [i]}}
    return node

builder = StateGraph(State)
previous = START
for i in range(16):
    builder.add_node(f"n{{i:02d}}", make(i))
    builder.add_edge(previous, f"n{{i:02d}}")
    previous = f"n{{i:02d}}"
builder.add_edge(previous, END)
chain = show(builder.compile(checkpointer=InMemorySaver()), thread_id="chain")

class Chat(TypedDict):
    messages: Annotated[list, operator.add]

chat_builder = StateGraph(Chat)
chat_builder.add_node("model", lambda s: {{"messages": [model.invoke(s["messages"])]}})
chat_builder.add_edge(START, "model")
chat_builder.add_edge("model", END)
chat = show(chat_builder.compile(checkpointer=InMemorySaver()), thread_id="chat")
"""

_OPEN_JS = """async (path) => {
    const app = window.jupyterapp;
    await app.restored;
    let panel = null;
    const deadline = Date.now() + 90000;
    while (!panel) {
        const w = app.shell.currentWidget;
        if (w && w.context && w.context.path === path) panel = w;
        else if (Date.now() > deadline) throw new Error("notebook did not open");
        else await new Promise((r) => setTimeout(r, 100));
    }
    await panel.context.ready;
    await panel.sessionContext.ready;
    window.__panel = panel;
    await app.commands.execute("notebook:run-all-cells");
}"""

#: Round trips of ``40+2`` from the page: (count) -> list of ms.
_ROUND_TRIPS_JS = """async (count) => {
    const kernel = window.__panel.sessionContext.session.kernel;
    const out = [];
    for (let i = 0; i < count; i++) {
        const t0 = performance.now();
        await kernel.requestExecute({ code: "40+2", store_history: false }).done;
        out.push(performance.now() - t0);
    }
    return out;
}"""

#: Start the chain from its widget, time round trips while it runs, record when each
#: node is first drawn visited.
_CHAIN_JS = """async (widgetIndex) => {
    const root = document.querySelectorAll('[data-testid="hitl-widget"]')[widgetIndex];
    const drawn = {};
    const observer = new MutationObserver(() => {
        for (const g of root.querySelectorAll('[data-testid="diagram"] g.hn-status-visited')) {
            drawn[g.dataset.node] ??= Date.now();
        }
    });
    observer.observe(root.querySelector('[data-testid="diagram"]'), { attributes: true, subtree: true, attributeFilter: ["class"] });
    root.querySelector(".hn-run summary").click();
    const input = root.querySelector('[data-testid="run-input"]');
    input.value = '{"log": []}';
    root.querySelector('[data-testid="btn-run"]').click();
    const status = () => root.querySelector('[data-testid="status"]').textContent;
    while (status() !== "running") await new Promise((r) => setTimeout(r, 5));
    const kernel = window.__panel.sessionContext.session.kernel;
    const trips = [];
    while (status() === "running") {
        const t0 = performance.now();
        await kernel.requestExecute({ code: "40+2", store_history: false }).done;
        trips.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 200));
    observer.disconnect();
    return { trips, drawn, status: status() };
}"""

_TOKENS_JS = """async (widgetIndex) => {
    const root = document.querySelectorAll('[data-testid="hitl-widget"]')[widgetIndex];
    const panel = root.querySelector('[data-testid="run-panel"]');
    const changes = [];
    const observer = new MutationObserver(() => {
        const text = root.querySelector('[data-testid="run-message-text"]');
        if (text) changes.push([performance.now(), text.textContent.length]);
    });
    observer.observe(panel, { childList: true, subtree: true, characterData: true });
    root.querySelector(".hn-run summary").click();
    root.querySelector('[data-testid="run-input"]').value = '{"messages": [{"role": "user", "content": "hi"}]}';
    root.querySelector('[data-testid="btn-run"]').click();
    const status = () => root.querySelector('[data-testid="status"]').textContent;
    const deadline = Date.now() + 60000;
    while (status() !== "done" && status() !== "error" && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    observer.disconnect();
    const text = root.querySelector('[data-testid="run-message-text"]')?.textContent ?? "";
    return { changes, length: text.length, words: text.trim().split(/\\s+/).filter(Boolean).length, status: status() };
}"""

_KERNEL_PRINT_JS = """async (code) => {
    const kernel = window.__panel.sessionContext.session.kernel;
    let text = "";
    const future = kernel.requestExecute({ code, store_history: false });
    future.onIOPub = (msg) => { if (msg.header.msg_type === "stream") text += msg.content.text; };
    await future.done;
    return text;
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class _Lab:
    """A throwaway JupyterLab server (own config dirs, token, temp root)."""

    def __init__(self, root: Path) -> None:
        self.root, self.port, self.token = root, _free_port(), secrets.token_hex(16)
        home = root / ".home"
        (home / "config").mkdir(parents=True)
        (home / "config" / "jupyter_server_config.json").write_text(
            json.dumps({"LabApp": {"news_url": None, "expose_app_in_browser": True}})
        )
        env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(home / "config"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "IPYTHONDIR": str(home / "ipython"),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
             f"--port={self.port}", "--ServerApp.port_retries=0",
             f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={root}", "--allow-root"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=root,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{self.url}/api/status?token={self.token}", timeout=5)
                return
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.stop()
                    raise RuntimeError("JupyterLab did not start") from None
                time.sleep(0.25)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)


def _notebook(engine: str, path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    setup = _SETUP.format(imports=_IMPORTS[engine])
    nb.cells = [
        nbformat.v4.new_code_cell(setup),
        nbformat.v4.new_code_cell("chain"),
        nbformat.v4.new_code_cell("chat"),
    ]
    nbformat.write(nb, path)


def _one_engine(browser, lab: _Lab, engine: str, idle_trips: int) -> dict:
    name = f"live_{engine}.ipynb"
    _notebook(engine, lab.root / name)
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    context.set_default_timeout(120_000)
    page = context.new_page()
    try:
        page.goto(f"{lab.url}/lab/tree/{name}?token={lab.token}")
        page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
        page.evaluate(_OPEN_JS, name)
        page.wait_for_function(
            "() => document.querySelectorAll('[data-testid=\"hitl-widget\"]').length === 2"
        )
        idle = page.evaluate(_ROUND_TRIPS_JS, idle_trips)
        chain = page.evaluate(_CHAIN_JS, 0)
        finished = json.loads(page.evaluate(_KERNEL_PRINT_JS, "print(json.dumps(finished))"))
        tokens = page.evaluate(_TOKENS_JS, 1)
    finally:
        context.close()
    lags = [chain["drawn"][n] - finished[n] for n in finished if n in chain["drawn"]]
    changes = tokens["changes"]
    span = (changes[-1][0] - changes[0][0]) / 1000 if len(changes) > 1 else 0.0
    return {
        "idle_round_trip_ms": statistics.median(idle),
        "running_round_trip_ms": statistics.median(chain["trips"]) if chain["trips"] else None,
        "running_round_trip_max_ms": max(chain["trips"]) if chain["trips"] else None,
        "round_trips_during_run": len(chain["trips"]),
        "node_to_drawn_ms": statistics.median(lags) if lags else None,
        "node_to_drawn_max_ms": max(lags) if lags else None,
        "nodes_drawn": len(lags),
        "tokens_per_second": tokens["words"] / span if span > 0 else None,
        "token_words": tokens["words"],
        "token_redraws": len(changes),
    }


def measure_live(browser, quick: bool = False) -> dict:
    """The live figures per engine (an engine that does not import is reported as such)."""
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        lab = _Lab(Path(tmp))
        try:
            for engine in ("ours", "langgraph"):
                try:
                    results[engine] = _one_engine(browser, lab, engine, 5 if quick else 20)
                except Exception as exc:  # reported in the table, never hidden
                    results[engine] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        finally:
            lab.stop()
    return results


def format_live(results: dict) -> str:
    """Rows: figure | ours | langgraph."""
    rows = [("live run in JupyterLab", "ours", "langgraph")]

    def cell(engine: str, key: str, unit: str) -> str:
        data = results.get(engine, {})
        if "error" in data:
            return "ERROR"
        value = data.get(key)
        return "—" if value is None else f"{value:.1f} {unit}"

    for label, key, unit in (
        ("kernel round trip, idle (median)", "idle_round_trip_ms", "ms"),
        ("kernel round trip during a run (median)", "running_round_trip_ms", "ms"),
        ("kernel round trip during a run (max)", "running_round_trip_max_ms", "ms"),
        ("node finished -> status drawn (median)", "node_to_drawn_ms", "ms"),
        ("node finished -> status drawn (max)", "node_to_drawn_max_ms", "ms"),
        ("tokens drawn per second (400-word reply)", "tokens_per_second", "tok/s"),
    ):
        rows.append((label, cell("ours", key, unit), cell("langgraph", key, unit)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths)))
        for r in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    for engine, data in results.items():
        if "error" in data:
            lines.append(f"{engine}: {data['error']}")
    return "\n".join(lines)
