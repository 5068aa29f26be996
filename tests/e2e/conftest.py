"""Browser end-to-end fixtures: a real JupyterLab server driven by headless Chromium.

Why: widgets only prove themselves in a real front end (comms, ESM loading, clicks).
JupyterLab is started with this interpreter, so its kernels run in this venv; Playwright
drives the system Chromium (Playwright's own browser downloads are never used). Each
test gets a `lab` helper that writes a notebook, runs it in the lab UI, runs more code
in the same kernel and saves screenshots to test-artifacts/.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"

# Without these flags Chromium keeps trying to reach Google services, which on a
# machine without internet costs time and log noise.
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

# Lab settings that keep the UI quiet: no news/update toasts covering the notebook.
_SERVER_CONFIG = {
    "LabApp": {
        "expose_app_in_browser": True,
        "news_url": None,
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        "extension_manager": "readonly",
    },
    "JupyterNotebookApp": {"expose_app_in_browser": True},
}
_USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}

_ANSI = re.compile(r"\x1b\[[0-9;]*m")

# A 2-core CI machine running JupyterLab, a kernel and Chromium is slower than a laptop.
expect.set_options(timeout=20_000)


#: Waits (in the page) until the notebook at ``path`` is the current panel with a ready
#: kernel session, and keeps it as ``window.__hitlPanel``; shared by JupyterLab and Notebook 7.
_OPEN_PANEL_JS = """async ({path, collapseLeft}) => {
    const app = window.jupyterapp;
    await app.restored;
    const deadline = Date.now() + 60000;
    let panel = null;
    while (panel === null) {
        const widget = app.shell.currentWidget;
        if (widget && widget.context && widget.context.path === path) {
            panel = widget;
        } else if (Date.now() > deadline) {
            throw new Error(`notebook ${path} did not open`);
        } else {
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
    }
    await panel.context.ready;
    await panel.sessionContext.ready;
    if (collapseLeft) app.shell.collapseLeft();
    window.__hitlPanel = panel;
}"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _chromium_path() -> str:
    path = os.environ.get("HITL_CHROMIUM") or shutil.which("chromium")
    if path:
        return path
    message = "no Chromium found: install Debian's `chromium` or set HITL_CHROMIUM"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


class LabServer:
    """A JupyterLab (or, with app="notebook", a Notebook 7) server in a subprocess,
    isolated from the user's Jupyter config."""

    def __init__(self, root: Path, home: Path, app: str = "jupyterlab") -> None:
        self.root = root
        self.app = app
        self.port = _free_port()
        self.token = secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        self._log_path = ARTIFACTS / f"{app}.log"
        config = home / "config"
        for name, settings in _USER_SETTINGS.items():
            target = config / "lab" / "user-settings" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(settings))
        (config / "jupyter_server_config.json").write_text(json.dumps(_SERVER_CONFIG))
        self._env = {
            **os.environ,
            "JUPYTER_CONFIG_DIR": str(config),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "IPYTHONDIR": str(home / "ipython"),
            "PYTHONUNBUFFERED": "1",
        }
        self._proc: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> None:
        cmd = [
            sys.executable, "-m", self.app, "--no-browser", "--ip=127.0.0.1",
            f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={self.root}",
            "--allow-root",
        ]  # fmt: skip
        ARTIFACTS.mkdir(exist_ok=True)
        with self._log_path.open("w") as log:
            self._proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=self.root, env=self._env, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"{self.app} exited early:\n{self._log_tail()}")
            try:
                self.api("GET", "/api/status")
                return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"{self.app} not ready after {timeout}s:\n{self._log_tail()}")

    def stop(self) -> None:
        """Stop the server and the kernels it started (they share its process group)."""
        if self._proc is None or self._proc.poll() is not None:
            return
        os.killpg(self._proc.pid, signal.SIGTERM)
        try:
            self._proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait()

    def api(self, method: str, path: str, body: object = None) -> object:
        request = urllib.request.Request(
            self.url + path,
            method=method,
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
            data=None if body is None else json.dumps(body).encode(),
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels_for(self, notebook: str) -> None:
        for session in self.api("GET", "/api/sessions"):
            if session["path"] == notebook:
                self.api("DELETE", f"/api/sessions/{session['id']}")

    def _log_tail(self) -> str:
        return "\n".join(self._log_path.read_text(errors="replace").splitlines()[-40:])


class CellError(AssertionError):
    """A notebook cell raised; the message carries the kernel's traceback."""


def _output_text(outputs: list[dict]) -> str:
    """The text a reader sees in a cell's outputs; raises CellError on an error output."""
    parts = []
    for output in outputs:
        kind = output["output_type"]
        if kind == "stream":
            parts.append(output["text"])
        elif kind in ("execute_result", "display_data"):
            parts.append(output.get("data", {}).get("text/plain", ""))
        elif kind == "error":
            raise CellError(_ANSI.sub("", "\n".join(output["traceback"])))
    return "".join(parts)


class Lab:
    """One test's view of JupyterLab: a notebook open in a browser page."""

    def __init__(self, server: LabServer, page: Page, test_name: str) -> None:
        self.server = server
        self.page = page
        self.test_name = test_name
        self.notebook: str | None = None

    def write_notebook(self, cells: list[str], name: str | None = None) -> None:
        """Write a notebook of code cells into the server's root."""
        self.notebook = name or f"{self.test_name}.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {
            "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python",
        }  # fmt: skip
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
        nbformat.write(nb, self.server.root / self.notebook)

    def open_notebook(self, cells: list[str], name: str | None = None) -> None:
        """Write a notebook of code cells and open it in the lab UI with a live kernel."""
        self.write_notebook(cells, name)
        workspace = re.sub(r"[^A-Za-z0-9-]", "-", self.test_name)
        self.page.goto(
            f"{self.server.url}/lab/workspaces/{workspace}/tree/{self.notebook}"
            f"?token={self.server.token}"
        )
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
        self.page.evaluate(_OPEN_PANEL_JS, {"path": self.notebook, "collapseLeft": True})

    def run_all(self) -> list[str]:
        """Run every cell through the lab UI; return each cell's output text.

        Raises CellError with the traceback if any cell failed."""
        self.page.evaluate(
            """async () => {
                window.jupyterapp.shell.activateById(window.__hitlPanel.id);
                await window.jupyterapp.commands.execute('notebook:run-all-cells');
            }"""
        )
        cells = self.page.evaluate(
            "() => window.__hitlPanel.content.model.toJSON().cells"
            ".map((cell) => cell.outputs || [])"
        )
        return [_output_text(outputs) for outputs in cells]

    def run_code(self, code: str) -> str:
        """Append a code cell, run it in the notebook's kernel, return its output text."""
        outputs = self.page.evaluate(
            """async (code) => {
                const app = window.jupyterapp;
                const notebook = window.__hitlPanel.content;
                const index = notebook.model.cells.length;
                notebook.model.sharedModel.insertCell(index, {cell_type: 'code', source: code});
                app.shell.activateById(window.__hitlPanel.id);
                notebook.activeCellIndex = index;
                await app.commands.execute('notebook:run-cell');
                return notebook.model.cells.get(index).toJSON().outputs;
            }""",
            code,
        )
        return _output_text(outputs)

    def screenshot(self, stage: str, locator=None) -> Path:
        """Save a screenshot of the page (or of one element) under test-artifacts/."""
        path = ARTIFACTS / f"{self.test_name}--{stage}.png"
        (locator or self.page).screenshot(path=str(path))
        return path


class NotebookSeven(Lab):
    """One test's view of Notebook 7: a notebook open in its own page, run from the menu."""

    def open_notebook(self, cells: list[str], name: str | None = None) -> None:
        """Write a notebook and open it at /notebooks/<name> with a live kernel."""
        self.write_notebook(cells, name)
        self.page.goto(f"{self.server.url}/notebooks/{self.notebook}?token={self.server.token}")
        self.page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell")
        self.page.evaluate(_OPEN_PANEL_JS, {"path": self.notebook, "collapseLeft": False})

    def run_all(self) -> list[str]:
        """Run every cell as a user does (menu Run > Run All Cells); return outputs' text.

        Waits until every cell ran and the kernel is idle, or a cell failed (then raises
        CellError with the traceback)."""
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        self.page.wait_for_function(
            """() => {
                const panel = window.__hitlPanel;
                const cells = panel.content.model.toJSON().cells;
                const failed = cells.some((c) => (c.outputs || []).some((o) => o.output_type === 'error'));
                const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
                const ran = cells.every((c) => c.execution_count !== null);
                return failed || (ran && kernel && kernel.status === 'idle');
            }"""
        )
        cells = self.page.evaluate(
            "() => window.__hitlPanel.content.model.toJSON().cells"
            ".map((cell) => cell.outputs || [])"
        )
        return [_output_text(outputs) for outputs in cells]


@pytest.fixture(scope="session")
def lab_server(tmp_path_factory: pytest.TempPathFactory):
    """One JupyterLab server for the whole run; each test opens its own notebook."""
    root = tmp_path_factory.mktemp("lab-root")
    server = LabServer(root, tmp_path_factory.mktemp("lab-home"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """The system Chromium, headless, launched once per test module.

    Module scope on purpose: Playwright's sync API keeps an asyncio loop marked as running
    while it is open, which would break `asyncio.run` in every test collected after ours."""
    executable = _chromium_path()
    with sync_playwright() as playwright:
        instance: Browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item so fixtures can see failures."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


def _page_helper(
    request: pytest.FixtureRequest, server: LabServer, browser: Browser, kind: type[Lab]
):
    """A fresh browser page on a shared server; screenshots and console on failure."""
    test_name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
    context = browser.new_context(viewport={"width": 1280, "height": 1600})
    context.set_default_timeout(60_000)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    page.on("pageerror", lambda error: console.append(f"[pageerror] {error}"))
    helper = kind(server, page, test_name)
    yield helper
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        helper.screenshot("failure")
        (ARTIFACTS / f"{test_name}--console.log").write_text("\n".join(console))
    context.close()
    if helper.notebook is not None:
        server.shutdown_kernels_for(helper.notebook)


@pytest.fixture
def lab(request: pytest.FixtureRequest, lab_server: LabServer, browser: Browser):
    """A fresh JupyterLab page on the shared server; screenshots and console on failure."""
    yield from _page_helper(request, lab_server, browser, Lab)


@pytest.fixture(scope="session")
def notebook_server(tmp_path_factory: pytest.TempPathFactory):
    """A Notebook 7 server (`python -m notebook`), started only if a test asks for it."""
    root = tmp_path_factory.mktemp("notebook-root")
    server = LabServer(root, tmp_path_factory.mktemp("notebook-home"), app="notebook")
    server.start()
    yield server
    server.stop()


@pytest.fixture
def notebook7(request: pytest.FixtureRequest, notebook_server: LabServer, browser: Browser):
    """A fresh Notebook 7 page on the shared Notebook server; artifacts on failure."""
    yield from _page_helper(request, notebook_server, browser, NotebookSeven)
