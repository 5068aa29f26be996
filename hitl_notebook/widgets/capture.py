"""Capture ``print`` output and log records of a run started from a widget button.

A run triggered by a button executes inside a comm message handler, where output would
otherwise land in the kernel log. While capturing, stdout/stderr writes and log records
(from any thread, e.g. parallel node workers) are forwarded line by line to a callback.
"""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from collections.abc import Callable, Iterator

__all__ = ["capture_output"]

LineSink = Callable[[str, str], None]


class _LineWriter(io.TextIOBase):
    """A text stream that forwards complete lines to ``sink(stream, line)``."""

    def __init__(self, stream: str, sink: LineSink) -> None:
        self._stream = stream
        self._sink = sink
        self._buffer = ""
        self._lock = threading.Lock()

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            self._buffer += text
            *lines, self._buffer = self._buffer.split("\n")
        for line in lines:
            self._sink(self._stream, line)
        return len(text)

    def flush(self) -> None:
        with self._lock:
            rest, self._buffer = self._buffer, ""
        if rest:
            self._sink(self._stream, rest)


class _SinkHandler(logging.Handler):
    def __init__(self, sink: LineSink) -> None:
        super().__init__(logging.INFO)
        self._sink = sink
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self._sink("log", self.format(record))


@contextlib.contextmanager
def capture_output(sink: LineSink) -> Iterator[None]:
    """Send stdout, stderr and INFO+ log records to ``sink`` while the block runs."""
    out, err = _LineWriter("stdout", sink), _LineWriter("stderr", sink)
    handler = _SinkHandler(sink)
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            yield
    finally:
        root.removeHandler(handler)
        out.flush()
        err.flush()
