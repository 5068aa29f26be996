"""LangGraph's async saver surface (``AsyncSqliteSaver``, ``AsyncPostgresSaver``): the
``async with X.from_conn_string(...)`` and ``await saver.setup()`` lines of LangGraph's
async examples work with only the import changed, and the thread they write is the one the
sync saver reads."""

from __future__ import annotations

import asyncio
import operator
import sqlite3
from typing import Annotated, Any, TypedDict

import pytest

from hitl_notebook import END, START, Command, StateGraph, interrupt
from hitl_notebook.checkpoint.postgres import AsyncPostgresSaver, PostgresSaver
from hitl_notebook.checkpoint.sqlite import AsyncSqliteSaver, SqliteSaver


class Log(TypedDict, total=False):
    log: Annotated[list, operator.add]


def _graph(checkpointer: Any) -> Any:
    async def ask(state: Log) -> dict:
        return {"log": [interrupt("ok?")]}

    return (
        StateGraph(Log)
        .add_node("ask", ask)
        .add_edge(START, "ask")
        .add_edge("ask", END)
        .compile(checkpointer=checkpointer)
    )


async def _pause_and_answer(saver: Any) -> tuple[Any, Any]:
    await saver.setup()
    graph, config = _graph(saver), {"configurable": {"thread_id": "t"}}
    paused = await graph.ainvoke({"log": []}, config)
    done = await graph.ainvoke(Command(resume="yes"), config)
    return paused["__interrupt__"][0].value, done


def test_async_sqlite_saver_as_langgraph_examples_use_it(tmp_path):
    path = tmp_path / "threads.db"

    async def main() -> Any:
        async with AsyncSqliteSaver.from_conn_string(str(path)) as saver:
            return await _pause_and_answer(saver)

    assert asyncio.run(main()) == ("ok?", {"log": ["yes"]})
    with SqliteSaver(path) as again:  # closed by the async block, written durably
        history = list(_graph(again).get_state_history({"configurable": {"thread_id": "t"}}))
    assert history[0].values == {"log": ["yes"]} and len(history) == 3


@pytest.mark.postgres
def test_async_postgres_saver_as_langgraph_examples_use_it(postgres_schema):
    async def main() -> Any:
        async with AsyncPostgresSaver.from_conn_string(postgres_schema) as saver:
            return await _pause_and_answer(saver)

    assert asyncio.run(main()) == ("ok?", {"log": ["yes"]})
    with PostgresSaver.from_conn_string(postgres_schema) as again:
        history = list(_graph(again).get_state_history({"configurable": {"thread_id": "t"}}))
    assert history[0].values == {"log": ["yes"]} and len(history) == 3


def test_the_async_block_closes_what_it_opened(tmp_path):
    async def main() -> Any:
        async with AsyncSqliteSaver.from_conn_string(str(tmp_path / "t.db")) as saver:
            pass
        return saver

    saver = asyncio.run(main())
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        _graph(saver).get_state({"configurable": {"thread_id": "t"}})
