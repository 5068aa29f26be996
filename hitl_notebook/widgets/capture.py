"""Capture ``print`` output and log records of a run started from a widget, and only those.

A widget run goes on in a background thread while the user keeps running cells, so
swapping ``sys.stdout`` for the duration of the run (``contextlib.redirect_stdout``) would
steal every other cell's output. Instead the sink is a context variable: it is set in the
run's thread and copied into the threads the engines start for parallel nodes (both
engines run tasks in ``contextvars.copy_context()``). While any capture is active,
``sys.stdout``/``sys.stderr`` are routing proxies that send writes made in a capturing
context to its sink and everything else to the stream they replaced.
"""

from __future__ import annotations

import contextlib
import contextvars
import io
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any

__all__ = ["capture_output"]

LineSink = Callable[[str, str], None]

#: The (stdout, stderr) line writers of the run this context belongs to, if any.
_writers: contextvars.ContextVar[tuple[_LineWriter, _LineWriter] | None] = contextvars.ContextVar(
    "hitl_capture", default=None
)


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


class _RoutingStream:
    """Stands in for ``sys.stdout``/``sys.stderr``: writes from a capturing context go to
    its line writer, all others (and every other attribute) to the replaced stream."""

    def __init__(self, index: int, original: Any) -> None:
        self._index = index
        self._original = original

    def _target(self) -> Any:
        writers = _writers.get()
        return self._original if writers is None else writers[self._index]

    def write(self, text: str) -> int:
        return self._target().write(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        self._target().flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._original, name)


class _ContextHandler(logging.Handler):
    """Sends INFO+ records logged from a capturing context to that run's sink."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        writers = _writers.get()
        if writers is not None:
            writers[0]._sink("log", self.format(record))
        elif (
            # Without us the record would have reached ``lastResort`` (stderr): keep that.
            logging.lastResort is not None
            and record.levelno >= logging.lastResort.level
            and not _has_other_handlers(record.name)
        ):
            logging.lastResort.handle(record)


def _has_other_handlers(name: str) -> bool:
    """Whether a record of logger ``name`` reaches a handler besides ours."""
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        if any(h is not _handler for h in logger.handlers):
            return True
        logger = logger.parent if logger.propagate else None
    return False


_lock = threading.Lock()
_active = 0
_handler = _ContextHandler()


def _install() -> None:
    global _active
    with _lock:
        _active += 1
        if _active == 1:
            sys.stdout = _RoutingStream(0, sys.stdout)
            sys.stderr = _RoutingStream(1, sys.stderr)
            logging.getLogger().addHandler(_handler)


def _uninstall() -> None:
    global _active
    with _lock:
        _active -= 1
        if _active:
            return
        logging.getLogger().removeHandler(_handler)
        # Put back what we replaced, unless someone replaced our proxy meanwhile.
        for name in ("stdout", "stderr"):
            current = getattr(sys, name)
            if isinstance(current, _RoutingStream):
                setattr(sys, name, current._original)


@contextlib.contextmanager
def capture_output(sink: LineSink) -> Iterator[None]:
    """Send stdout, stderr and INFO+ log records written in this context (and in threads
    started with a copy of it) to ``sink``; other threads' output is left alone."""
    writers = (_LineWriter("stdout", sink), _LineWriter("stderr", sink))
    _install()
    token = _writers.set(writers)
    try:
        yield
    finally:
        _writers.reset(token)
        _uninstall()
        for writer in writers:
            writer.flush()
