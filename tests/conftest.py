"""Session-wide fixtures shared by several test folders.

``langgraph_server`` starts one real LangGraph API server (``langgraph dev``) for the whole
session, only when a test asks for it: it takes 5-20 s to start, so every server test
(tests/server, the browser test, the bench smoke test) shares it.
"""

from __future__ import annotations

import pytest

from tests.langgraph_server import LangGraphDevServer


@pytest.fixture(scope="session")
def langgraph_server():
    """A running ``langgraph dev`` on loopback serving tests/server/app; stopped at the end."""
    server = LangGraphDevServer().start()
    try:
        yield server
    finally:
        server.stop()
