"""``tools_condition``: the conditional edge of a tool-calling agent."""

from __future__ import annotations

from typing import Any, Literal

from .calls import last_message, tool_calls_of

__all__ = ["tools_condition"]


def tools_condition(state: Any, messages_key: str = "messages") -> Literal["tools", "__end__"]:
    """``"tools"`` when the last message asks for tool calls, else END.

    ``state`` is a list of messages, a dict with ``messages_key``, or an object with that
    attribute; the messages may be ours, LangChain's or dicts. No messages at all is a
    ``ValueError`` naming the key.
    """
    message = last_message(state, messages_key)
    if message is None:
        raise ValueError(
            f"tools_condition found no messages in the state under {messages_key!r}: "
            f"got {type(state).__name__} {state!r:.120}"
        )
    return "tools" if tool_calls_of(message) else "__end__"  # END, as the Literal says
