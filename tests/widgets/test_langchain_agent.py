"""A real LangChain agent with HumanInTheLoopMiddleware, reviewed through the widget."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain.agents.middleware")

from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langchain_core.tools import tool
from langgraph.checkpoint.memory import InMemorySaver

SENT: list[dict] = []


@tool
def send_email(to: str, body: str) -> str:
    """Send an email."""
    SENT.append({"to": to, "body": body})
    return f"sent to {to}"


class ScriptedModel(GenericFakeChatModel):
    """Replays scripted AI messages; tools are accepted and ignored."""

    def bind_tools(self, tools, **kwargs):
        return self


def agent():
    script = iter(
        [
            AIMessage(
                "",
                id="m1",
                tool_calls=[
                    {"name": "send_email", "args": {"to": "bob@x.org", "body": "hi"}, "id": "call1"}
                ],
            ),
            AIMessage("done", id="m2"),
        ]
    )
    # The widget watches runs with stream_mode="messages", which makes LangChain stream
    # the model; GenericFakeChatModel cannot stream a message with empty content ("No
    # generations found in stream"), so this double answers whole messages.
    middleware = HumanInTheLoopMiddleware(
        interrupt_on={"send_email": {"allowed_decisions": ["approve", "edit", "reject"]}}
    )
    return create_agent(
        ScriptedModel(messages=script, disable_streaming=True),
        tools=[send_email],
        middleware=[middleware],
        checkpointer=InMemorySaver(),
    )


@pytest.fixture(autouse=True)
def _clear_sent():
    SENT.clear()


def test_tool_call_review_edit_goes_back_in_the_middleware_shape(open_widget):
    """The review form's edit decision reaches the tool with the edited arguments."""
    widget, browser = open_widget(agent())
    widget.run({"messages": [{"role": "user", "content": "email bob"}]})
    [pending] = widget.interrupts
    assert pending["kind"] == "hitl"
    assert pending["actions"] == [
        {
            "name": "send_email",
            "args": {"to": "bob@x.org", "body": "hi"},
            "description": pending["actions"][0]["description"],
            "allowed": ["approve", "edit", "reject"],
        }
    ]

    edit = {
        "type": "edit",
        "edited_action": {"name": "send_email", "args": {"to": "alice@x.org", "body": "hi"}},
    }
    reply = browser.action("resume", answers={pending["id"]: {"decisions": [edit]}})

    assert reply["ok"], reply
    assert SENT == [{"to": "alice@x.org", "body": "hi"}]
    assert widget.status == "done"
    shown = browser.query("checkpoint")["result"]["values"]["messages"]
    assert [m["type"] for m in shown] == ["human", "ai", "tool", "ai"]


def test_tool_call_review_with_the_wrong_number_of_decisions_is_refused(open_widget):
    """A malformed review answer is refused before the agent sees it: nothing runs or is lost."""
    graph = agent()
    widget, browser = open_widget(graph)
    widget.run({"messages": [{"role": "user", "content": "email bob"}]})
    [pending] = widget.interrupts
    reply = browser.action("resume", answers={pending["id"]: {"decisions": []}})
    assert reply["ok"] is False and "1 actions await review but 0 decisions" in reply["error"]
    assert widget.interrupts == [pending] and SENT == []
    assert browser.action(
        "resume", answers={pending["id"]: {"decisions": [{"type": "reject", "message": "no"}]}}
    )["ok"]
    assert SENT == [] and widget.status == "done"


def test_message_state_is_edited_through_its_json_form(open_widget):
    """Editing a message's JSON in the state editor updates that message in place."""
    widget, browser = open_widget(agent())
    widget.run({"messages": [{"role": "user", "content": "email bob"}]})
    messages = browser.query("checkpoint")["result"]["values"]["messages"]
    messages[0]["content"] = "email carol"
    assert browser.action("update_state", values={"messages": messages})["ok"]
    state = widget.session.head.values["messages"]
    assert (
        len(state) == 2
        and state[0].content == "email carol"
        and type(state[0]).__name__ == "HumanMessage"
    )
    assert state[1].tool_calls[0]["args"]["to"] == "bob@x.org"
