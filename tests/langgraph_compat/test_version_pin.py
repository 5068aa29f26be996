"""The LangGraph versions the widget supports: pinned in the ``langgraph`` extra, checked
when a LangGraph graph is shown, and refused with a message naming the range."""

from __future__ import annotations

import importlib.metadata
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from hitl_notebook.widgets import runtime, show

from .flavours import make_flavour
from .graphs import chain

ROOT = Path(__file__).resolve().parents[2]


def langgraph_requirement() -> Requirement:
    """The ``langgraph`` requirement of the package's ``langgraph`` extra."""
    tomllib = pytest.importorskip("tomllib" if sys.version_info >= (3, 11) else "tomli")
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"
    ]["langgraph"]
    [requirement] = [Requirement(line) for line in extra if Requirement(line).name == "langgraph"]
    return requirement


def test_the_extra_pins_the_range_the_adapter_accepts():
    """pyproject's pin and the adapter's check name the same range (the one tested), and
    the installed LangGraph is in it."""
    assert runtime.SUPPORTED_LANGGRAPH == ((1, 0), (1, 3))
    specifier = langgraph_requirement().specifier
    assert all(v in specifier for v in ("1.0.0", "1.2.99"))
    assert not any(v in specifier for v in ("0.9.9", "1.3.0"))
    assert importlib.metadata.version("langgraph") in specifier


@pytest.mark.parametrize("installed", ["1.3.0", "0.6.11", "2.0.0rc1", "unknown"])
def test_showing_a_graph_on_an_unsupported_langgraph_fails_clearly(
    monkeypatch, tmp_path, installed
):
    """show() on a LangGraph graph with an untested LangGraph raises an error that names
    the installed version, the supported range and how to get it."""
    graph = chain(make_flavour("langgraph-memory", tmp_path, []))
    real = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: installed if name == "langgraph" else real(name)
    )
    with pytest.raises(RuntimeError) as caught:
        show(graph, thread_id="t1")
    assert str(caught.value) == (
        f"hitl_notebook widgets support langgraph >=1.0,<1.3; langgraph {installed} is installed "
        "(pip install 'hitl-notebook[langgraph]')"
    )


@pytest.mark.parametrize("installed", ["1.0.0", "1.2.22", "1.2.0rc1", "1.2rc1"])
def test_supported_versions_including_prereleases_are_accepted(monkeypatch, installed):
    """Any 1.0-1.2 version string, pre-releases included, passes the check."""
    monkeypatch.setattr(importlib.metadata, "version", lambda name: installed)
    runtime._check_langgraph_version()


def test_our_graph_needs_no_version_check(monkeypatch, tmp_path):
    """The check concerns LangGraph graphs only: our graph is shown whatever is installed."""
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "0.0.1")
    widget = show(chain(make_flavour("ours-memory", tmp_path, [])), thread_id="t1")
    widget.run({"state": "s"})
    assert widget.status == "done"
