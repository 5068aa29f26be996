"""Reading tool calls out of a state, and writing tool messages back, for every message
family a graph may hold: ours, LangChain's, and plain dicts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..messages import ToolMessage

__all__ = [
    "is_ai_message",
    "is_langchain_message",
    "last_message",
    "messages_of",
    "tool_calls_of",
    "tool_message",
]

_AI_ROLES = frozenset({"ai", "assistant"})


def messages_of(state: Any, messages_key: str) -> list | None:
    """The message list in ``state``: the state itself when it is a list, else its
    ``messages_key`` item or attribute; ``None`` when there is none."""
    if isinstance(state, list):
        return state
    if isinstance(state, Mapping):
        found = state.get(messages_key)
    else:
        found = getattr(state, messages_key, None)
    return found if isinstance(found, list) else None


def last_message(state: Any, messages_key: str) -> Any:
    messages = messages_of(state, messages_key)
    return messages[-1] if messages else None


def is_ai_message(message: Any) -> bool:
    if isinstance(message, Mapping):
        return message.get("role", message.get("type")) in _AI_ROLES
    return getattr(message, "type", None) == "ai"


def tool_calls_of(message: Any) -> list[dict]:
    """The message's tool calls as ``{"name", "args", "id", "type"}`` dicts ([] for none)."""
    calls = (
        message.get("tool_calls")
        if isinstance(message, Mapping)
        else getattr(message, "tool_calls", None)
    )
    if not calls:
        return []
    out = []
    for i, call in enumerate(calls):
        if not isinstance(call, Mapping) or not isinstance(call.get("name"), str):
            raise ValueError(
                f"tool call {i} of the last AI message must be a dict with a 'name', got {call!r:.80}"
            )
        args = call.get("args", {})
        if not isinstance(args, Mapping):
            raise ValueError(
                f"tool call {i} ({call['name']!r}) has args of type {type(args).__name__}; args must be a dict"
            )
        out.append(
            {"name": call["name"], "args": dict(args), "id": call.get("id"), "type": "tool_call"}
        )
    return out


def is_langchain_message(message: Any) -> bool:
    return type(message).__module__.startswith("langchain_core")


def tool_message(content: Any, call: Mapping, *, status: str = "success", like: Any = None) -> Any:
    """A tool message answering ``call``: LangChain's class when ``like`` (the AI message
    that asked) is LangChain's, so a LangChain chat model can read the conversation; ours
    otherwise. Without an id, as LangGraph's: the state's reducer gives it one in place."""
    fields = {
        "content": content,
        "name": call["name"],
        "tool_call_id": call["id"] or "",
        "status": status,
    }
    if like is not None and is_langchain_message(like):
        from langchain_core.messages import ToolMessage as LangChainToolMessage

        return LangChainToolMessage(**fields)
    return ToolMessage(**fields)
