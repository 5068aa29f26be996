"""An async stream yields a ``@task`` result when the task returns, not at the driver's
next polling tick."""

from __future__ import annotations

import asyncio

import pytest

from hitl_notebook import entrypoint, task
from hitl_notebook.engine import driver


def test_task_result_reaches_the_consumer_while_the_body_still_runs(
    monkeypatch: pytest.MonkeyPatch,
):
    """With the polling tick made huge, the body's second task waits for the consumer to
    have received the first task's chunk: it only arrives if the driver wakes on it."""
    monkeypatch.setattr(driver, "_TICK", 60.0)

    async def scenario() -> list:
        received = asyncio.Event()

        @task
        async def first() -> int:
            return 1

        @task
        async def second() -> bool:
            try:
                await asyncio.wait_for(received.wait(), timeout=5)
            except TimeoutError:
                return False
            return True

        @entrypoint()
        async def flow(_: dict) -> list:
            return [await first(), await second()]

        chunks = []
        async for chunk in flow.astream({}):
            chunks.append(chunk)
            if "first" in chunk:
                received.set()
        return chunks

    chunks = asyncio.run(scenario())
    assert chunks == [{"first": 1}, {"second": True}, {"flow": [1, True]}]
