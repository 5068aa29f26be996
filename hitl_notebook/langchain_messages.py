"""``to_langchain_messages``: a conversation held by our engine, as a LangChain chat model
reads it.

Our message classes carry the same fields as LangChain's, but a LangChain chat model only
accepts its own classes (or dicts), so a node calling one converts first:
``llm.invoke(to_langchain_messages(state["messages"]))``. LangChain's replies can go into
the state as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .messages import convert_to_message, message_to_dict

__all__ = ["to_langchain_messages"]


def to_langchain_messages(messages: Any) -> list:
    """``messages`` (a list, or a state with a ``"messages"`` list) as LangChain messages,
    ids, names, tool calls and tool-call links kept. Needs ``langchain-core``."""
    try:
        from langchain_core.messages import BaseMessage, convert_to_messages
    except ImportError:
        raise ImportError(
            "to_langchain_messages needs langchain-core: pip install 'hitl-notebook[langgraph]'"
        ) from None
    if isinstance(messages, Mapping):
        if "messages" not in messages:
            raise ValueError(
                f"to_langchain_messages got a state without a 'messages' key (keys: {sorted(messages)})"
            )
        messages = messages["messages"]
    if not isinstance(messages, (list, tuple)):
        raise TypeError(
            f"to_langchain_messages needs a list of messages, not {type(messages).__name__}"
        )
    out = []
    for m in messages:
        if isinstance(m, BaseMessage):
            out.append(m)
            continue
        ours = convert_to_message(m)
        out.extend(convert_to_messages([message_to_dict(ours)]))
    return out
