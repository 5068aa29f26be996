"""Long-lived worker threads for work that runs in parallel inside a node.

Starting a thread costs more than a small tool call or ``@task`` does, so ``ToolNode`` and
the Functional API hand their parallel work to these shared workers instead of a pool per
call. Work not yet started when its result is wanted runs in the waiting thread (the
waiter would only block otherwise), so work that waits on other work never exhausts the
workers.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

__all__ = ["Job", "Runnable", "start"]

#: More workers than any sane fan-out in one step: work that blocks (a barrier, I/O) holds
#: a worker each, and the rest must still find one.
_MAX_WORKERS = 64


class Runnable(Protocol):
    def run_once(self) -> None:
        """Run the work unless some thread already has (a no-op then)."""

    def pending(self) -> bool:
        """No thread has taken the work yet."""


class Job:
    """Work that runs once, on a worker or in the first thread that waits for it.

    Lighter than a ``concurrent.futures.Future`` (one lock, no condition): a node makes
    one per parallel call.
    """

    __slots__ = ("_error", "_finished", "_value", "_work")

    def __init__(self, work: Callable[[], Any]) -> None:
        # A one-item list: ``pop()`` is atomic, so exactly one thread claims the work.
        self._work = [work]
        self._finished = threading.Lock()
        self._finished.acquire()  # released when the work is done
        self._value: Any = None
        self._error: BaseException | None = None

    def run_once(self) -> None:
        try:
            work = self._work.pop()
        except IndexError:
            return
        try:
            self._value = work()
        except BaseException as exc:  # the waiter gets it from ``outcome``
            self._error = exc
        finally:
            self._finished.release()

    def pending(self) -> bool:
        return bool(self._work)

    def wait(self) -> None:
        """Return once the work has run (running it here if nobody has started it)."""
        self.run_once()
        with self._finished:
            pass

    def outcome(self) -> tuple[Any, BaseException | None]:
        """``(value, None)``, or ``(None, error)`` when the work raised ``error``."""
        self.wait()
        return self._value, self._error


def start(job: Runnable) -> None:
    """Queue ``job`` for a worker.

    Only one worker is woken at a time: it wakes the next if work is still queued when it
    takes a job. Waking a thread costs a context switch or two, so a node that queues many
    small jobs, and runs most of them itself, wakes few.
    """
    with _lock:
        _jobs.append(job)
        spawn = not _waking and _wake_one()
    if spawn:
        _spawn()


#: Queued jobs (a job may have been run by a waiter already: taking it is then a no-op).
_jobs: deque[Runnable] = deque()
#: One held lock per idle worker: releasing it wakes that worker.
_parked: list[threading.Lock] = []
#: A worker has been woken (or started) and no worker has looked at the queue since.
_waking = False
_workers = 0
_lock = threading.Lock()


def _wake_one() -> bool:
    """With ``_lock`` held: wake an idle worker, or say a new one is to be started."""
    global _waking, _workers
    if _parked:
        _waking = True
        _parked.pop().release()
        return False
    if _workers >= _MAX_WORKERS:
        return False  # a busy worker, or a waiter, will run the job
    _waking = True
    _workers += 1
    return True


def _drop_taken() -> None:
    """With ``_lock`` held: forget queued jobs a waiting thread has run meanwhile, so
    they wake no worker."""
    while _jobs and not _jobs[0].pending():
        _jobs.popleft()


def _spawn() -> None:
    threading.Thread(target=_serve, name=f"hitl-worker-{_workers}", daemon=True).start()


def _serve() -> None:
    global _waking
    gate = threading.Lock()
    gate.acquire()
    while True:
        spawn = False
        with _lock:
            _waking = False
            _drop_taken()
            job = _jobs.popleft() if _jobs else None
            if job is None:
                _parked.append(gate)
            else:
                _drop_taken()
                if _jobs:  # more work waiting: pass the wake-up on
                    spawn = _wake_one()
        if spawn:
            _spawn()
        if job is None:
            gate.acquire()  # until a ``start`` releases it
        else:
            job.run_once()
