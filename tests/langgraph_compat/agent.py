"""A real ``langchain.agents.create_agent`` agent gated by ``HumanInTheLoopMiddleware``,
with a deterministic chat model so its runs are reproducible offline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import tool

__all__ = ["ScriptedToolModel", "email_agent", "tool_call"]


class ScriptedToolModel(GenericFakeChatModel):
    """Replays scripted AI messages; ``bind_tools`` is accepted (the script already names
    the tools it calls) so ``create_agent`` can use it like a real tool-calling model."""

    #: GenericFakeChatModel streams a message by splitting its text, so a tool-call message
    #: with no text streams nothing ("No generations found in stream") once the widget
    #: streams chat tokens; answer whole, as a non-streaming model does.
    disable_streaming: bool = True

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedToolModel:
        return self


def tool_call(call_id: str, to: str, body: str = "hi") -> dict:
    """A ``send_email`` tool call as a chat model would emit it."""
    return {
        "name": "send_email",
        "args": {"to": to, "body": body},
        "id": call_id,
        "type": "tool_call",
    }


def email_agent(
    checkpointer: Any,
    sent: list[dict],
    *,
    calls: Iterable[dict] = (),
    mode: str = "batched",
    allowed: tuple[str, ...] = ("approve", "edit", "reject", "respond"),
) -> Any:
    """An agent whose model first calls ``send_email`` (``calls``, default one call to bob),
    then answers "done"; every ``send_email`` call needs review. ``sent`` records real sends."""

    @tool
    def send_email(to: str, body: str) -> str:
        """Send an email."""
        sent.append({"to": to, "body": body})
        return f"sent to {to}"

    script = [
        AIMessage(
            "", id="ai-1", tool_calls=list(calls) or [tool_call("call-1", "bob@example.org")]
        ),
        AIMessage("done", id="ai-2"),
    ]
    review = HumanInTheLoopMiddleware(
        interrupt_on={
            "send_email": {"allowed_decisions": list(allowed), "description": "Check the email"}
        },
        interrupt_mode=mode,
    )
    return create_agent(
        ScriptedToolModel(messages=iter(script)),
        tools=[send_email],
        middleware=[review],
        checkpointer=checkpointer,
    )
