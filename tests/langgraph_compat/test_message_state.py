"""LangChain message objects in LangGraph state, in the state editor: shown as readable
JSON, and edited through that JSON into real messages that keep their ids."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain.agents", reason="needs the [langgraph] extra (langchain)")
from langchain_core.messages import AIMessage, HumanMessage

from .agent import email_agent
from .flavours import make_flavour
from .frontend import FrontEnd
from .graphs import tool_review

ASK = {"messages": [{"role": "user", "content": "email bob"}]}


@pytest.fixture(params=["langgraph-memory", "langgraph-sqlite"])
def saver(request, tmp_path, opened):
    """A fresh LangGraph checkpointer of each kind."""
    return make_flavour(request.param, tmp_path, opened).new_saver()


def test_messages_are_shown_as_json_with_their_type_content_and_tool_calls(saver):
    """The state editor gets each message's JSON form: type, content, id and tool calls."""
    ui = FrontEnd(email_agent(saver, []))
    ui.act("run", input=ASK)
    human, ai = ui.query("checkpoint")["values"]["messages"]
    assert (human["type"], human["content"]) == ("human", "email bob") and human["id"]
    assert (ai["type"], ai["id"]) == ("ai", "ai-1")
    assert [(c["name"], c["args"], c["id"]) for c in ai["tool_calls"]] == [
        ("send_email", {"to": "bob@example.org", "body": "hi"}, "call-1")
    ]


def test_editing_message_json_keeps_real_messages_with_their_ids(saver):
    """Editing the human message's text and the AI message's tool call in the JSON editor
    replaces both messages in place (same ids, real LangChain classes); the review that
    follows shows the edited call and approving it sends the edited email."""
    sent: list[dict] = []
    ui = FrontEnd(email_agent(saver, sent))
    ui.act("run", input=ASK)
    before = ui.widget.state.values["messages"]
    messages = ui.query("checkpoint")["values"]["messages"]
    messages[0]["content"] = "email carol"
    messages[1]["tool_calls"][0]["args"]["to"] = "carol@example.org"

    ui.act("update_state", values={"messages": messages})

    human, ai = ui.widget.state.values["messages"]
    assert (
        type(human) is HumanMessage and human.id == before[0].id and human.content == "email carol"
    )
    assert type(ai) is AIMessage and ai.id == "ai-1"
    assert ai.tool_calls[0]["args"] == {"to": "carol@example.org", "body": "hi"}
    # LangGraph stops listing the question once the state is edited over it; the widget
    # keeps it on screen, marked as asked before the edit (answering still reaches it).
    [carried] = ui.widget.interrupts
    assert carried["carried"] is True and ui.widget.status == "interrupted"

    ui.act("continue")
    [spec] = ui.widget.interrupts
    assert spec["actions"][0]["args"]["to"] == "carol@example.org"
    ui.act("resume", answers={spec["id"]: {"decisions": [{"type": "approve"}]}})
    assert sent == [{"to": "carol@example.org", "body": "hi"}]


def test_editing_a_tool_call_in_message_state_as_a_node(same_on_both):
    """On both engines: at the tool review, the AI message's call is edited through its
    JSON as call_llm; answering "continue" then runs the edited call."""

    def flow(f):
        ui = FrontEnd(tool_review(f, []))
        ui.act("run", input={"messages": [{"role": "user", "content": "weather?"}]})
        messages = ui.query("checkpoint")["values"]["messages"]
        messages[1]["tool_calls"][0]["args"] = {"query": "weather in Oslo"}
        ui.act("update_state", values={"messages": messages}, as_node="call_llm")
        edited = ui.view()
        ui.act("continue")
        ui.answer(lambda payload: ["continue", None])
        return {"edited": edited, "done": ui.view()}

    seen = same_on_both(flow)
    assert seen["edited"]["head"]["next"] == ["human_review_node"]
    assert seen["edited"]["values"]["messages"][1]["tool_calls"] == [
        {"name": "search", "args": {"query": "weather in Oslo"}}
    ]
    assert seen["done"]["values"]["messages"][-1]["content"] == "ran weather in Oslo"
    assert len(seen["done"]["values"]["messages"]) == 3
