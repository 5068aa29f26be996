"""Fixtures: every flow runs on real LangGraph and on our engine, each with an in-memory and
a SQLite checkpointer (a *flavour*), and is driven through the widget as the browser does."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from .frontend import Flavour, assert_same_view

pytestmark = pytest.mark.langgraph

FLAVOURS = ("langgraph-memory", "langgraph-sqlite", "ours-memory", "ours-sqlite")


def _langgraph_api() -> dict:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import END, START, MessagesState, StateGraph
    from langgraph.types import Command, interrupt

    return dict(StateGraph=StateGraph, START=START, END=END, MessagesState=MessagesState,
                Command=Command, interrupt=interrupt, InMemorySaver=InMemorySaver)


def _our_api() -> dict:
    from hitl_notebook import END, START, Command, InMemorySaver, MessagesState, StateGraph, interrupt

    return dict(StateGraph=StateGraph, START=START, END=END, MessagesState=MessagesState,
                Command=Command, interrupt=interrupt, InMemorySaver=InMemorySaver)


def _sqlite_saver(engine: str, path: Path, opened: list) -> object:
    """A SQLite checkpointer on a file (as a notebook would keep threads between sessions)."""
    if engine == "langgraph":
        from langgraph.checkpoint.sqlite import SqliteSaver

        conn = sqlite3.connect(path, check_same_thread=False)
        opened.append(conn)
        return SqliteSaver(conn)
    from hitl_notebook.checkpoint.sqlite import SqliteSaver

    saver = SqliteSaver(path)
    opened.append(saver)
    return saver


def make_flavour(name: str, directory: Path, opened: list, *, database: Path | None = None) -> Flavour:
    """The flavour called ``name`` ("<engine>-<saver>"): SQLite savers use a new file in
    ``directory`` for each graph, or always the file ``database`` when given."""
    engine, saver = name.split("-")
    api = _langgraph_api() if engine == "langgraph" else _our_api()
    if saver == "memory":
        factory = api["InMemorySaver"]
    else:
        def factory() -> object:
            return _sqlite_saver(engine, database or directory / f"{len(opened)}.db", opened)
    return Flavour(name=name, engine=engine, saver_kind=saver, new_saver=factory, **{k: v for k, v in api.items() if k != "InMemorySaver"})


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
