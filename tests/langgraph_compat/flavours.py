"""Flavours: one engine's graph API (real LangGraph's or ours) with one kind of
checkpointer (in memory, or SQLite on a file), for building the same graph on each."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["FLAVOURS", "Flavour", "make_flavour"]

FLAVOURS = ("langgraph-memory", "langgraph-sqlite", "ours-memory", "ours-sqlite")


@dataclass(frozen=True)
class Flavour:
    """One engine's graph API plus a checkpointer factory: what a flow builds its graph from."""

    name: str
    #: "langgraph" or "ours".
    engine: str
    #: A fresh checkpointer.
    new_saver: Callable[..., Any]
    StateGraph: Any
    START: str
    END: str
    MessagesState: Any
    Command: Any
    interrupt: Callable[..., Any]

    def compile(self, builder: Any, **options: Any) -> Any:
        """``builder`` compiled with a fresh checkpointer of this flavour."""
        return builder.compile(checkpointer=self.new_saver(), **options)

    def __repr__(self) -> str:
        return self.name


def _langgraph_api() -> dict:
    from langgraph.checkpoint.memory import InMemorySaver
    from langgraph.graph import END, START, MessagesState, StateGraph
    from langgraph.types import Command, interrupt

    return {
        "StateGraph": StateGraph,
        "START": START,
        "END": END,
        "MessagesState": MessagesState,
        "Command": Command,
        "interrupt": interrupt,
        "InMemorySaver": InMemorySaver,
    }


def _our_api() -> dict:
    from hitl_notebook import (
        END,
        START,
        Command,
        InMemorySaver,
        MessagesState,
        StateGraph,
        interrupt,
    )

    return {
        "StateGraph": StateGraph,
        "START": START,
        "END": END,
        "MessagesState": MessagesState,
        "Command": Command,
        "interrupt": interrupt,
        "InMemorySaver": InMemorySaver,
    }


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


def make_flavour(
    name: str, directory: Path, opened: list, *, database: Path | None = None
) -> Flavour:
    """The flavour called ``name`` ("<engine>-<saver>"): SQLite savers use a new file in
    ``directory`` for each graph, or always the file ``database`` when given."""
    engine, saver = name.split("-")
    api = _langgraph_api() if engine == "langgraph" else _our_api()
    if saver == "memory":
        factory = api["InMemorySaver"]
    else:

        def factory() -> object:
            return _sqlite_saver(engine, database or directory / f"{len(opened)}.db", opened)

    del api["InMemorySaver"]
    return Flavour(name=name, engine=engine, new_saver=factory, **api)
