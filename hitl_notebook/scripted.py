"""``ScriptedChatModel``: a deterministic stand-in for an LLM, so notebooks and tests run
with no API key and no network. Swap in a real chat model (anything with ``invoke``) later.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from typing import Any

from .messages import AIMessage, BaseMessage, convert_to_message

__all__ = ["ScriptedChatModel"]

Reply = str | dict | BaseMessage | Callable[[list], Any]


class ScriptedChatModel:
    """Answers ``invoke`` calls from a script of replies, in order.

    A reply is a string (the content), a dict of ``AIMessage`` fields (e.g.
    ``{"tool_calls": [{"name": "search", "args": {"q": "x"}}]}``), a message, or a function
    of the conversation returning one of those. ``calls`` records every conversation seen.
    """

    def __init__(
        self, replies: Sequence[Reply], *, repeat: bool = False, name: str = "scripted"
    ) -> None:
        if not replies:
            raise ValueError("ScriptedChatModel needs at least one reply.")
        self._replies = list(replies)
        self._next = itertools.cycle(self._replies) if repeat else iter(self._replies)
        self.name = name
        self.calls: list[list] = []
        self.tools: list[Any] = []

    def invoke(self, messages: Any, config: dict | None = None, **_: Any) -> AIMessage:
        """The next scripted reply as an ``AIMessage``."""
        conversation = _as_conversation(messages)
        self.calls.append(conversation)
        try:
            reply = next(self._next)
        except StopIteration:
            raise RuntimeError(
                f"ScriptedChatModel '{self.name}' ran out of replies after {len(self._replies)} calls; "
                "add more replies or pass repeat=True."
            ) from None
        if callable(reply) and not isinstance(reply, BaseMessage):
            reply = reply(conversation)
        message = _to_ai_message(reply, len(self.calls))
        _stream_tokens(message)
        return message

    async def ainvoke(self, messages: Any, config: dict | None = None, **kwargs: Any) -> AIMessage:
        return self.invoke(messages, config, **kwargs)

    def bind_tools(self, tools: Sequence[Any], **_: Any) -> ScriptedChatModel:
        """Record the tools (as a real chat model would advertise them) and return self."""
        self.tools = list(tools)
        return self


def _stream_tokens(message: AIMessage) -> None:
    """Inside a graph streaming ``messages``, send the reply word by word, as a real chat
    model streams tokens (each piece carries the reply's id)."""
    from .engine.context import current_task

    task = current_task()
    if task is None or task.messages is None:
        return
    content = message.content if isinstance(message.content, str) else ""
    for piece in re.findall(r"\S+\s*|\s+", content) or [""]:
        task.messages.token(AIMessage(content=piece, id=message.id))


def _as_conversation(messages: Any) -> list:
    if isinstance(messages, str):
        return [convert_to_message(messages)]
    if isinstance(messages, dict) and "messages" in messages:
        messages = messages["messages"]
    return [convert_to_message(m) for m in messages]


def _to_ai_message(reply: Any, call_number: int) -> AIMessage:
    if isinstance(reply, AIMessage):
        return reply
    if isinstance(reply, BaseMessage):
        return AIMessage(content=reply.content)
    if isinstance(reply, str):
        return AIMessage(content=reply, id=f"scripted-{call_number}")
    if isinstance(reply, dict):
        fields = {"content": "", "id": f"scripted-{call_number}", **reply}
        calls = [
            {
                "name": c["name"],
                "args": c.get("args", {}),
                "id": c.get("id", f"call-{call_number}-{i}"),
                "type": "tool_call",
            }
            for i, c in enumerate(fields.pop("tool_calls", []))
        ]
        return AIMessage(tool_calls=calls, **fields)
    raise TypeError(
        f"A scripted reply must be a str, dict, message or function, got {type(reply).__name__}."
    )
