"""Fixtures for the server tests: an SDK client on the session's ``langgraph dev``."""

from __future__ import annotations

import pytest


@pytest.fixture
def server_url(langgraph_server) -> str:
    return langgraph_server.url


@pytest.fixture
def sdk(langgraph_server):
    """A plain SDK client: how the tests check what the server really holds."""
    from langgraph_sdk import get_sync_client

    return get_sync_client(url=langgraph_server.url, api_key=None)
