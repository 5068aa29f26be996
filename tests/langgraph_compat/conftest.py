"""Fixtures: every flow runs on real LangGraph and on our engine, each with an in-memory and
a SQLite checkpointer (a *flavour*), and is driven through the widget as the browser does."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .flavours import FLAVOURS, Flavour, make_flavour
from .frontend import assert_same_view

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test here needs the ``langgraph`` extra: mark them so they can be selected."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.langgraph)


@pytest.fixture
def opened() -> Iterator[list]:
    """SQLite connections/savers opened by a test, closed after it."""
    items: list = []
    yield items
    for item in items:
        item.close()


@pytest.fixture(params=FLAVOURS)
def flavour(request: pytest.FixtureRequest, tmp_path: Path, opened: list) -> Flavour:
    """One engine with one checkpointer kind."""
    return make_flavour(request.param, tmp_path, opened)


@pytest.fixture
def counterpart(flavour: Flavour, tmp_path: Path, opened: list) -> Flavour:
    """The other engine, in memory: the reference a flavour's widget flow is compared with."""
    other = "ours" if flavour.engine == "langgraph" else "langgraph"
    return make_flavour(f"{other}-memory", tmp_path / "counterpart", opened)


@pytest.fixture
def same_on_both(flavour: Flavour, counterpart: Flavour):
    """``same_on_both(flow)`` runs ``flow(flavour)`` and ``flow(counterpart)`` (each builds
    its graph from the flavour it gets and drives it through the widget), asserts the user
    saw the same on both engines, and returns what ``flavour`` showed."""

    def run(flow):
        seen = flow(flavour)
        assert_same_view(flavour, seen, counterpart.name, flow(counterpart))
        return seen

    return run
