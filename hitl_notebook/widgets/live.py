"""A run of the graph as the widget watches it: in the background, stoppable, live.

A run started from a widget button must not hold the kernel thread that delivered the
button's message (the main shell, or a JupyterLab comm subshell), so it goes on in a
thread of its own (:class:`LiveRun`). Stopping is cooperative: a sync run is closed at
the next saved step (a sync node finishes its call, no further node starts); a run with
async nodes goes on an event loop whose task is cancelled (running async nodes are
cancelled, the thread stays at its last checkpoint). :class:`RunTracker` turns the run's
events into what the widget draws: status and timing per node, step count, tokens and
the error with its traceback.
"""

from __future__ import annotations

import asyncio
import threading
import time
import traceback
import uuid
from collections.abc import Callable
from typing import Any

from .jsonable import sendable_text
from .runtime import StepEvent, TaskEvent, TokenEvent

__all__ = ["LiveRun", "RunStopped", "RunTracker", "error_detail"]

#: Seconds between two token messages to the browser (tokens in between are batched).
TOKEN_FLUSH_INTERVAL = 0.05


class RunStopped(Exception):
    """Raised inside the consuming loop when the user asked the run to stop."""


class LiveRun:
    """One run: ``stop()`` asks it to end at the next safe point; ``wait()`` joins it."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._done = threading.Event()
        self._cancel: Callable[[], None] | None = None
        self._lock = threading.Lock()
        self.thread: threading.Thread | None = None
        #: Names this run in what ``stop()`` returns.
        self.run_id = f"widget-run-{uuid.uuid4().hex[:12]}"

    @property
    def stop_requested(self) -> bool:
        return self._stop.is_set()

    @property
    def running(self) -> bool:
        return not self._done.is_set()

    def start_in_background(self, target: Callable[[], None]) -> None:
        """Run ``target`` in a daemon thread (a copy of this context goes with it)."""

        def body() -> None:
            try:
                target()
            finally:
                self._done.set()

        self.thread = threading.Thread(target=body, name="hitl-widget-run", daemon=True)
        self.thread.start()

    def run_here(self, target: Callable[[], Any]) -> Any:
        """Run ``target`` in the calling thread (the Python API's synchronous methods)."""
        try:
            return target()
        finally:
            self._done.set()

    def stop(self) -> None:
        """Ask the run to stop; cancels an async run's task right away."""
        with self._lock:
            self._stop.set()
            cancel = self._cancel
        if cancel is not None:
            cancel()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the run ended; False if ``timeout`` passed first."""
        return self._done.wait(timeout)

    def consume_sync(self, events: Any, on_event: Callable[[Any], None]) -> None:
        """Feed ``events`` to ``on_event``; on stop, close them at the next saved step."""
        try:
            if self.stop_requested:
                raise RunStopped
            for event in events:
                on_event(event)
                if self.stop_requested and isinstance(event, StepEvent):
                    raise RunStopped
        finally:
            events.close()

    def consume_async(
        self, make_events: Callable[[], Any], on_event: Callable[[Any], None]
    ) -> None:
        """Drive an async event stream on a fresh event loop in this thread; stop cancels it."""

        async def consume() -> None:
            async for event in make_events():
                on_event(event)

        async def main() -> None:
            task = asyncio.ensure_future(consume())
            loop = asyncio.get_running_loop()

            def cancel() -> None:
                loop.call_soon_threadsafe(task.cancel)

            with self._lock:
                self._cancel = cancel
                stopped = self.stop_requested
            if stopped:
                task.cancel()
            try:
                await task
            except asyncio.CancelledError:
                raise RunStopped from None
            finally:
                with self._lock:
                    self._cancel = None

        asyncio.run(main())


class RunTracker:
    """What the widget shows of a run in progress, updated event by event."""

    def __init__(
        self,
        status: dict[str, Any],
        set_traits: Callable[..., None],
        send: Callable[[dict], None],
        on_step: Callable[[], None] = lambda: None,
        starts_from: str | None = None,
    ) -> None:
        self.status = status
        #: The checkpoint a continuation starts from: streamed first, but not a new step.
        self._starts_from = starts_from
        self._on_step = on_step
        self._set_traits = set_traits
        self._send = send
        self.started = time.time()
        self.info: dict[str, Any] = {
            "active": True,
            "stopping": False,
            "started": _ms(self.started),
            "ended": None,
            "steps": 0,
            "step": None,
            "nodes": {},
        }
        self.failed: TaskEvent | None = None
        self._tokens: list[dict] = []
        self._last_flush = 0.0
        self._lock = threading.Lock()

    def begin(self) -> None:
        self._set_traits(
            status="running",
            error="",
            error_detail={},
            node_status=dict(self.status),
            progress=self._info(),
        )

    def on_event(self, event: Any) -> None:
        if isinstance(event, TaskEvent) and event.kind == "token":  # a server run's token
            event = TokenEvent(event.node, "", str(event.result))
        if isinstance(event, TokenEvent):
            self._token(event)
            return
        if isinstance(event, StepEvent):
            if event.checkpoint_id and event.checkpoint_id == self._starts_from:
                return
            self.info["steps"] += 1
            self.info["step"] = event.step
            self._set_traits(progress=self._info())
            self._on_step()
            return
        if not isinstance(event, TaskEvent):
            return
        nodes = self.info["nodes"]
        now = _ms(time.time())
        if event.kind == "start":
            self.status[event.node] = "running"
            nodes[event.node] = {"state": "running", "started": now, "ended": None}
        else:
            state = (
                "errored" if event.error else ("interrupted" if event.interrupted else "visited")
            )
            self.status[event.node] = state
            entry = nodes.setdefault(event.node, {"started": now})
            entry.update(state=state, ended=now)
            if event.error and self.failed is None:
                self.failed = event
        self.flush_tokens()
        self._set_traits(node_status=dict(self.status), progress=self._info())

    def stopping(self) -> None:
        self.info["stopping"] = True
        self._set_traits(progress=self._info())

    def finish(self, asked: bool = False) -> None:
        """End the run: a task still shown running was stopped, or, when the run ended on
        a question (``asked``), was waiting on it (a ``@task`` call that asked has no end
        event)."""
        self.flush_tokens()
        self.info.update(active=False, ended=_ms(time.time()))
        for entry in self.info["nodes"].values():
            if entry.get("state") == "running":
                entry["state"] = "interrupted" if asked else "stopped"
                entry["ended"] = self.info["ended"]

    def _token(self, event: TokenEvent) -> None:
        with self._lock:
            self._tokens.append(
                {"node": event.node, "id": event.message_id, "text": sendable_text(event.text)}
            )
        if time.monotonic() - self._last_flush >= TOKEN_FLUSH_INTERVAL:
            self.flush_tokens()

    def flush_tokens(self) -> None:
        with self._lock:
            items, self._tokens = self._tokens, []
        self._last_flush = time.monotonic()
        if items:
            self._send({"type": "tokens", "items": _merge_tokens(items)})

    def _info(self) -> dict:
        """The ``run`` trait. Times are also given as durations measured here (``elapsed``,
        node ``took``), so the browser's clock never needs to agree with the kernel's."""
        now = _ms(time.time())
        end = self.info["ended"] or now
        nodes = {
            k: {**v, "took": (v.get("ended") or end) - v.get("started", end)}
            for k, v in dict(self.info["nodes"]).items()  # (the run's thread may add one)
        }
        return {**self.info, "elapsed": end - self.info["started"], "nodes": nodes}

    def trait(self) -> dict:
        """The final ``run`` trait, after ``finish``."""
        return self._info()


def error_detail(exc: BaseException, node: str | None) -> dict:
    """The error as the widget shows it: headline, node and a collapsible traceback."""
    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return {
        "node": node or "",
        "type": type(exc).__name__,
        "message": sendable_text(str(exc)),
        "traceback": sendable_text(text),
    }


def _merge_tokens(items: list[dict]) -> list[dict]:
    """Consecutive pieces of the same message joined into one (fewer DOM updates)."""
    merged: list[dict] = []
    for item in items:
        last = merged[-1] if merged else None
        if last and last["id"] == item["id"] and last["node"] == item["node"]:
            last["text"] += item["text"]
        else:
            merged.append(dict(item))
    return merged


def _ms(seconds: float) -> int:
    return int(seconds * 1000)
