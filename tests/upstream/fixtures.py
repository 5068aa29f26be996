"""Our conftest for LangGraph's extracted tests, loaded with ``-p tests.upstream.fixtures``.

LangGraph's own conftest is never extracted: it needs docker, redis and postgres. These
fixtures give the selected tests our savers and the plain helpers they ask for; fixtures
for things our engine does not have (``sync_store``/``async_store``, ``cache``) are absent
on purpose, so the tests that need them error at setup (they are in the leave-out list).

The plugin also deselects the leave-out list, records every test's outcome for the harness
(``HITL_UPSTREAM_REPORT``), and records whether anything imported the real ``langgraph``.
"""

from __future__ import annotations

import importlib.abc
import json
import os
import sys
import traceback
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from hitl_notebook import InMemorySaver
from hitl_notebook.checkpoint.sqlite import SqliteSaver

from . import shim
from .leave_out import LEAVE_OUT, leave_out_reason

__all__ = [
    "anyio_backend",
    "async_checkpointer",
    "deterministic_uuids",
    "durability",
    "short_id",
    "sync_checkpointer",
]

shim.install()

#: The package name the extracted copy lives under; node ids are reported without it.
PACKAGE_DIR = "lgtests/"

_langgraph_import_stack: list[str] = []


class _LangGraphImportRecorder(importlib.abc.MetaPathFinder):
    """Remembers where ``langgraph`` was first imported from (it does not block it: the
    harness fails the run instead, and this stack says who did it)."""

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> None:
        if fullname.split(".")[0] == "langgraph" and not _langgraph_import_stack:
            _langgraph_import_stack.append(
                f"import of {fullname}:\n" + "".join(traceback.format_stack(limit=16)[:-1])
            )


sys.meta_path.insert(0, _LangGraphImportRecorder())


def short_id(nodeid: str) -> str:
    """``lgtests/test_pregel.py::test_x[memory]`` -> ``test_pregel.py::test_x[memory]``."""
    return nodeid.removeprefix(PACKAGE_DIR)


# ---------------------------------------------------------------- fixtures


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def _snapshot_names_as_langgraph_runs() -> None:
    """Name the async tests' syrupy snapshots as LangGraph's own runs do: our
    ``anyio_backend`` adds ``asyncio-`` to their ids (``test_x[asyncio-memory]``), but the
    ``.ambr`` files store ``test_x[memory]``, so without this they find no snapshot."""
    from syrupy.location import PyTestLocation

    made = PyTestLocation.__post_init__

    def __post_init__(self: Any) -> None:
        made(self)
        if self.nodename and "[asyncio-" in self.nodename:
            name = self.nodename.replace("[asyncio-", "[", 1)
            object.__setattr__(self, "nodename", name)
            object.__setattr__(self, "testname", name)

    PyTestLocation.__post_init__ = __post_init__  # type: ignore[method-assign]


_snapshot_names_as_langgraph_runs()


@pytest.fixture
def deterministic_uuids(mocker: Any) -> Any:
    """As LangGraph's: ``uuid.uuid4`` returns 00000000-0000-4000-8000-000000000000, ...01, ..."""
    side_effect = (UUID(f"00000000-0000-4000-8000-{i:012}", version=4) for i in range(10000))
    return mocker.patch("uuid.uuid4", side_effect=side_effect)


@pytest.fixture(autouse=True)
def _without_the_langchain_package(monkeypatch: pytest.MonkeyPatch) -> None:
    """As LangGraph's test environment, which has ``langchain-core`` but not ``langchain``:
    a chat model records each installed one in its ``lc_versions`` metadata, which the
    ``messages`` stream tests compare (our venv has ``langchain`` for the prebuilt tests)."""
    try:
        from langchain_core.language_models import base
    except ImportError:
        return
    if hasattr(base, "_get_langchain_version"):
        monkeypatch.setattr(base, "_get_langchain_version", lambda: None)


@pytest.fixture(params=["sync", "async", "exit"])
def durability(request: pytest.FixtureRequest) -> str:
    return request.param


def _saver(kind: str, tmp_path: Path) -> Iterator[Any]:
    if kind == "memory":
        yield InMemorySaver()
    else:
        with SqliteSaver.from_conn_string(tmp_path / "checkpoints.db") as saver:
            yield saver


@pytest.fixture(params=["memory", "sqlite"])
def sync_checkpointer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Our ``InMemorySaver``, and our ``SqliteSaver`` on a real file."""
    yield from _saver(request.param, tmp_path)


@pytest.fixture(params=["memory", "sqlite"])
async def async_checkpointer(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Any]:
    """The same savers for the async tests (ours serve both APIs)."""
    for saver in _saver(request.param, tmp_path):
        yield saver


# ---------------------------------------------------------------- accounting


class _Recorder:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.stream = path.with_suffix(".jsonl").open("w", encoding="utf-8")
        self.collected: list[str] = []
        self.left_out: dict[str, list[str]] = {}
        self.pattern_hits: dict[str, int] = {p: 0 for ps in LEAVE_OUT.values() for p in ps}
        self.results: dict[str, dict[str, str]] = {}
        self.collect_errors: list[str] = []

    def line(self, record: dict[str, Any]) -> None:
        self.stream.write(json.dumps(record) + "\n")
        self.stream.flush()


def _recorder(config: pytest.Config) -> _Recorder | None:
    return getattr(config, "_hitl_upstream", None)


def pytest_configure(config: pytest.Config) -> None:
    path = os.environ.get("HITL_UPSTREAM_REPORT")
    if path:
        config._hitl_upstream = _Recorder(Path(path))  # type: ignore[attr-defined]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the leave-out list (before ``-k`` narrows the items, so that stale
    patterns can be told apart from patterns ``-k`` hid)."""
    rec = _recorder(config)
    keep, dropped = [], []
    for item in items:
        test_id = short_id(item.nodeid)
        found = leave_out_reason(test_id)
        if found is None:
            keep.append(item)
            continue
        dropped.append(item)
        if rec is not None:
            rec.left_out.setdefault(found[0], []).append(test_id)
            rec.pattern_hits[found[1]] += 1
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    rec = _recorder(session.config)
    if rec is not None:
        rec.collected = [short_id(item.nodeid) for item in session.items]
        rec.line({"collected": rec.collected})


def pytest_collectreport(report: pytest.CollectReport) -> None:
    """A module that fails to import loses all its tests: the harness fails the run."""
    rec = _session_recorder[0] if _session_recorder else None
    if rec is not None and report.failed:
        rec.collect_errors.append(f"{short_id(report.nodeid)}: {_message(report)}")
        rec.line({"collect_error": rec.collect_errors[-1]})


def _message(report: pytest.TestReport | pytest.CollectReport) -> str:
    missing_fixture = getattr(report.longrepr, "errorstring", None)  # FixtureLookupError
    if missing_fixture:
        return str(missing_fixture).strip().splitlines()[0]
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return str(crash.message)
    return str(report.longrepr).strip().splitlines()[-1] if report.longrepr else ""


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    rec = _session_recorder[0] if _session_recorder else None
    if rec is None:
        return
    test_id = short_id(report.nodeid)
    current = rec.results.get(test_id)
    outcome = None
    if report.when == "setup" and report.failed:
        outcome = "error"
    elif report.skipped and report.when in ("setup", "call"):
        outcome = "skipped"
    elif report.when == "call":
        outcome = "passed" if report.passed else "failed"
    elif (
        report.when == "teardown"
        and report.failed
        and (current is None or current["outcome"] == "passed")
    ):
        outcome = "error"
    if outcome is None:
        return
    entry = {
        "outcome": outcome,
        "when": report.when,
        "message": _message(report) if outcome in ("failed", "error") else "",
    }
    if outcome in ("failed", "error"):
        entry["longrepr"] = str(report.longrepr)[-4000:]
    rec.results[test_id] = entry
    rec.line({"id": test_id, **entry})


_session_recorder: list[_Recorder] = []  # the hook for reports gets no config


def pytest_sessionstart(session: pytest.Session) -> None:
    rec = _recorder(session.config)
    if rec is not None:
        _session_recorder.append(rec)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    rec = _recorder(session.config)
    if rec is None:
        return
    leaked = sorted(m for m in sys.modules if m.split(".")[0] == "langgraph")
    rec.stream.close()
    rec.path.write_text(
        json.dumps(
            {
                "collected": rec.collected,
                "results": rec.results,
                "left_out": rec.left_out,
                "collect_errors": rec.collect_errors,
                "pattern_hits": rec.pattern_hits,
                "langgraph_modules": leaked,
                "langgraph_import_stack": _langgraph_import_stack[0]
                if _langgraph_import_stack
                else "",
                "exitstatus": int(exitstatus),
            },
            indent=1,
        ),
        encoding="utf-8",
    )
