"""A real LangGraph API server (``langgraph dev``, in-memory) on a free loopback port.

Why: the widget's server runtime must prove itself against the real API, not a mock. The
server serves ``tests/server/app`` (seed 002's graph and a few test shapes) from a copy in
a temporary folder (``langgraph dev`` writes its state beside ``langgraph.json``), with
analytics and tracing off, so nothing leaves loopback. It is stopped by its process group.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

__all__ = ["APP", "LangGraphDevServer"]

APP = Path(__file__).resolve().parent / "server" / "app"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LangGraphDevServer:
    """``langgraph dev --no-browser --no-reload`` serving a copy of ``app`` on 127.0.0.1."""

    def __init__(self, app: Path = APP) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._home = Path(tempfile.mkdtemp(prefix="hitl-langgraph-"))
        self.app = self._home / "app"
        shutil.copytree(app, self.app, ignore=shutil.ignore_patterns("__pycache__"))
        self.log_path = self._home / "server.log"
        self._proc: subprocess.Popen | None = None

    def start(self, timeout: float = 120) -> LangGraphDevServer:
        """Start the server and wait until ``GET /ok`` answers (typically 5-20 s)."""
        command = [sys.executable, "-m", "langgraph_cli", "dev", "--no-browser", "--no-reload"]
        command += ["--host", "127.0.0.1"]
        command += ["--port", str(self.port)]
        env = {
            **os.environ,
            "LANGGRAPH_CLI_NO_ANALYTICS": "1",
            "LANGSMITH_TRACING": "false",
            "LANGCHAIN_TRACING_V2": "false",
            "PYTHONUNBUFFERED": "1",
        }
        with self.log_path.open("w") as log:
            self._proc = subprocess.Popen(
                command, cwd=self.app, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"langgraph dev exited early:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"{self.url}/ok", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.25)
        self.stop()
        raise RuntimeError(f"langgraph dev not ready after {timeout}s:\n{self.log_tail()}")

    def stop(self) -> None:
        """Stop the server (its whole process group, by PID) and remove its folder."""
        if self._proc is not None and self._proc.poll() is None:
            os.killpg(self._proc.pid, signal.SIGTERM)
            try:
                self._proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
        shutil.rmtree(self._home, ignore_errors=True)

    def log_tail(self, lines: int = 40) -> str:
        """The end of the server's log, for failure messages."""
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
