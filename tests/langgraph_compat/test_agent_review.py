"""An agent built with ``create_agent(..., middleware=[HumanInTheLoopMiddleware(...)])``
reviewed in the widget: the review form, and each decision going back in the shape the
middleware reads (on LangGraph's InMemorySaver and SqliteSaver)."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain.agents", reason="needs the [langgraph] extra (langchain)")

from .agent import email_agent, tool_call
from .flavours import make_flavour
from .frontend import FrontEnd

ASK = {"messages": [{"role": "user", "content": "email bob"}]}
REVIEW_NODE = "HumanInTheLoopMiddleware.after_model"


@pytest.fixture(params=["langgraph-memory", "langgraph-sqlite"])
def saver(request, tmp_path, opened):
    """A fresh LangGraph checkpointer of each kind."""
    return make_flavour(request.param, tmp_path, opened).new_saver()


def test_tool_call_review_shows_the_approve_edit_reject_respond_form(saver):
    """The middleware's batched request becomes a review form listing the call, its
    arguments and the decisions its config allows; nothing is sent before review."""
    sent: list[dict] = []
    ui = FrontEnd(email_agent(saver, sent, allowed=("approve", "edit", "reject")))
    ui.act("run", input=ASK)
    [spec] = ui.widget.interrupts
    assert spec["kind"] == "hitl" and spec["node"] == REVIEW_NODE
    assert spec["actions"] == [
        {
            "name": "send_email",
            "args": {"to": "bob@example.org", "body": "hi"},
            "description": "Check the email",
            "allowed": ["approve", "edit", "reject"],
        }
    ]
    assert ui.widget.status == "interrupted" and ui.widget.node_status[REVIEW_NODE] == "interrupted"
    assert sent == []


EDITED = {"to": "alice@example.org", "body": "hello"}
REJECTED = ("User rejected the tool call for `send_email` with reason: not to bob", "error")


@pytest.mark.parametrize(
    ("decision", "sends", "tool_reply"),
    [
        (
            {"type": "approve"},
            [{"to": "bob@example.org", "body": "hi"}],
            ("sent to bob@example.org", "success"),
        ),
        (
            {"type": "edit", "edited_action": {"name": "send_email", "args": EDITED}},
            [EDITED],
            ("sent to alice@example.org", "success"),
        ),
        ({"type": "reject", "message": "not to bob"}, [], REJECTED),
        ({"type": "respond", "message": "Bob is on holiday"}, [], ("Bob is on holiday", "success")),
    ],
    ids=["approve", "edit", "reject", "respond"],
)
def test_each_decision_reaches_the_middleware_and_the_agent_continues(
    saver, decision, sends, tool_reply
):
    """Sending a decision from the form resumes the agent: approve runs the tool, edit runs
    it with the edited arguments, reject and respond answer the call with a ToolMessage
    instead of running it; then the model gets its turn and the run finishes."""
    sent: list[dict] = []
    ui = FrontEnd(email_agent(saver, sent))
    ui.act("run", input=ASK)
    [spec] = ui.widget.interrupts

    ui.act("resume", answers={spec["id"]: {"decisions": [decision]}})

    assert sent == sends
    messages = ui.widget.state.values["messages"]
    assert [m.type for m in messages] == ["human", "ai", "tool", "ai"]
    reply = messages[2]
    assert reply.tool_call_id == "call-1" and reply.status == tool_reply[1]
    assert reply.content.endswith(tool_reply[0])
    assert messages[3].content == "done"
    assert ui.widget.status == "done" and ui.widget.interrupts == []
    shown = ui.query("checkpoint")["values"]["messages"][2]
    assert shown["type"] == "tool" and shown["content"] == reply.content


def test_a_decision_the_config_does_not_allow_is_refused_before_the_agent_sees_it(saver):
    """A "respond" where only approve/reject are allowed is refused with the reason; the
    thread is untouched and the same question can still be answered."""
    sent: list[dict] = []
    graph = email_agent(saver, sent, allowed=("approve", "reject"))
    ui = FrontEnd(graph)
    ui.act("run", input=ASK)
    [spec] = ui.widget.interrupts
    before = [item["id"] for item in ui.history()]

    reply = ui.try_act(
        "resume", answers={spec["id"]: {"decisions": [{"type": "respond", "message": "x"}]}}
    )

    assert reply["ok"] is False and reply["kind"] == "rejected"
    assert (
        "'respond' is not allowed for 'send_email'" in reply["error"]
        and ui.widget.error == reply["error"]
    )
    assert [item["id"] for item in ui.history()] == before and ui.widget.interrupts == [spec]
    ui.act("resume", answers={spec["id"]: {"decisions": [{"type": "approve"}]}})
    assert sent == [{"to": "bob@example.org", "body": "hi"}]


def test_per_call_review_of_two_calls_answered_together(saver):
    """In per-call mode each tool call is its own question (allowed decisions read from
    its response schema); one resume map answers both and each answer applies to its call."""
    sent: list[dict] = []
    calls = [tool_call("call-a", "ann@example.org"), tool_call("call-b", "ben@example.org")]
    ui = FrontEnd(
        email_agent(saver, sent, calls=calls, mode="per_call", allowed=("approve", "respond"))
    )
    ui.act("run", input=ASK)
    specs = {spec["value"]["tool_call_id"]: spec for spec in ui.widget.interrupts}
    assert set(specs) == {"call-a", "call-b"}
    assert all(
        s["kind"] == "tool_approval" and s["actions"][0]["allowed"] == ["approve", "respond"]
        for s in specs.values()
    )

    ui.act(
        "resume",
        answers={
            specs["call-a"]["id"]: {"type": "approve"},
            specs["call-b"]["id"]: {"type": "respond", "message": "not Ben"},
        },
    )

    assert sent == [{"to": "ann@example.org", "body": "hi"}]
    replies = {
        m.tool_call_id: m.content for m in ui.widget.state.values["messages"] if m.type == "tool"
    }
    assert replies == {"call-a": "sent to ann@example.org", "call-b": "not Ben"}
    assert ui.widget.status == "done"
