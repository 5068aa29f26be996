"""Reaching a LangGraph API server: the SDK client, a fast liveness check, the assistant.

Kept apart from the runtime so what ``show()`` checks before any thread is touched (a
wrong URL, a closed port, a missing extra, an unknown assistant) reads in one place, each
failure with a message that names the URL, the extra or what the server has.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CONNECT_TIMEOUT",
    "ServerError",
    "connect",
    "error_message",
    "find_assistant",
    "is_server_target",
]

#: Seconds ``show()`` waits for ``GET /ok`` before saying the server is not there.
CONNECT_TIMEOUT = 5.0
_UUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$", re.I)


class ServerError(RuntimeError):
    """The LangGraph API server refused or failed a request; the message says which."""


def is_server_target(target: Any) -> bool:
    """True for what ``show()`` treats as a LangGraph API server: a URL or an SDK client."""
    return isinstance(target, str) or type(target).__module__.startswith("langgraph_sdk")


def connect(target: Any, headers: Mapping | None, api_key: str | None) -> tuple[Any, str]:
    """An SDK sync client for ``target`` (a URL or a client), checked to answer ``/ok``."""
    try:
        import httpx
        from langgraph_sdk import get_sync_client
        from langgraph_sdk.client import SyncLangGraphClient
    except ImportError as exc:
        raise ImportError(
            "showing a thread of a LangGraph API server needs langgraph-sdk: "
            "pip install 'hitl-notebook[server]'"
        ) from exc
    if isinstance(target, str):
        url = target.rstrip("/")
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"not an http(s) URL of a LangGraph API server: {target!r}")
        if api_key is None:  # the SDK then reads LANGGRAPH_API_KEY / LANGSMITH_API_KEY
            client = get_sync_client(url=url, headers=headers)
        else:
            client = get_sync_client(url=url, headers=headers, api_key=api_key)
    elif isinstance(target, SyncLangGraphClient):
        if headers is not None or api_key is not None:
            raise TypeError("headers= and api_key= go with a URL; set them on the client you pass")
        client = target
        url = str(client.http.client.base_url).rstrip("/")
    else:
        raise TypeError(
            f"the widget drives a server through a sync client: pass a URL or "
            f"langgraph_sdk.get_sync_client(...), not {type(target).__name__}"
        )
    try:  # one try, not the SDK's retrying transport: a wrong host must fail fast
        answer = httpx.get(f"{url}/ok", headers=client.http.client.headers, timeout=CONNECT_TIMEOUT)
    except httpx.HTTPError as exc:
        raise ConnectionError(
            f"no LangGraph API server answers at {url}: {type(exc).__name__}: {exc}"
        ) from exc
    if answer.status_code != 200:
        raise ConnectionError(
            f"{url} does not look like a LangGraph API server: GET /ok answered {answer.status_code}"
        )
    return client, url


def find_assistant(client: Any, assistant_id: str | None, url: str) -> dict:
    """The assistant named by ``assistant_id`` (a graph id, an assistant name or UUID);
    without one, the server's only graph. A miss names what the server has."""
    from langgraph_sdk.errors import LangGraphError

    try:
        assistants = client.assistants.search(limit=1000)
    except LangGraphError as exc:
        raise ServerError(f"{url}: cannot list assistants: {error_message(exc)}") from exc
    if assistant_id is None:
        graphs = {a["graph_id"] for a in assistants}
        if len(graphs) == 1:
            return _system_first([a for a in assistants])[0]
        raise ValueError(
            f"{url} serves several graphs; pass assistant_id= one of: {_names(assistants)}"
        )
    for field in ("assistant_id", "graph_id", "name"):
        matches = [a for a in assistants if a.get(field) == assistant_id]
        if matches:
            return _system_first(matches)[0]
    if _UUID.match(assistant_id):
        try:
            return client.assistants.get(assistant_id)
        except LangGraphError:
            pass
    raise LookupError(f"no assistant {assistant_id!r} on {url}; it has: {_names(assistants)}")


def _system_first(assistants: list[dict]) -> list[dict]:
    """The graph's default assistant (created by the server) before user-made ones."""
    return sorted(assistants, key=lambda a: (a.get("metadata") or {}).get("created_by") != "system")


def _names(assistants: list[dict]) -> str:
    names = sorted({a["graph_id"] for a in assistants} | {a.get("name") or "" for a in assistants})
    return ", ".join(n for n in names if n) or "(none)"


def error_message(error: Any) -> str:
    """The server's own words for an error (its JSON ``detail``/``message`` when present)."""
    if isinstance(error, Mapping):
        return str(error.get("message") or error.get("detail") or error)
    response = getattr(error, "response", None)
    if response is not None:
        try:
            body = response.json()
        except ValueError:
            body = response.text
        if isinstance(body, Mapping):
            body = body.get("detail") or body.get("message") or body
        return f"HTTP {response.status_code}: {body}"
    return str(error)
