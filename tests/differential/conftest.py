"""Fixtures for the differential suite (it needs the ``langgraph`` extra installed)."""

from __future__ import annotations

import pytest

pytest.importorskip("langgraph", reason="differential tests need the [langgraph] extra")

from .harness import ENGINES, Api

__all__ = ["api"]


@pytest.fixture(params=ENGINES, ids=lambda api: api.name)
def api(request: pytest.FixtureRequest) -> Api:
    """One engine's classes, for tests that state each engine's own behaviour."""
    return request.param
