"""The tool-call card: a thread paused before its ``ToolNode`` (``interrupt_before=["tools"]``)
shows the pending calls in the interrupt panel, and approve / edit / reject answer them
through the widget, on our engine and on a real LangGraph graph alike."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

RAN: list[tuple[str, str]] = []


def send_email(to: str, body: str) -> str:
    """Send an email."""
    RAN.append((to, body))
    return f"sent to {to}"


def prebuilt(engine: SimpleNamespace) -> SimpleNamespace:
    if engine.name == "langgraph":
        from langchain_core.messages import AIMessage
        from langgraph.graph import MessagesState
        from langgraph.prebuilt import ToolNode, tools_condition
    else:
        from hitl_notebook import AIMessage, MessagesState, ToolNode, tools_condition
    return SimpleNamespace(
        AIMessage=AIMessage,
        MessagesState=MessagesState,
        ToolNode=ToolNode,
        tools_condition=tools_condition,
    )


def email_agent(engine: SimpleNamespace, calls: int = 1):
    """agent asks for ``calls`` send_email calls, then answers with what it read."""
    p = prebuilt(engine)

    def agent(state):
        last = state["messages"][-1]
        if last.type == "tool":
            return {"messages": [p.AIMessage(f"Result: {last.content}", id="ai-done")]}
        asks = [
            {"name": "send_email", "args": {"to": f"u{i}@x.org", "body": "hi"}, "id": f"c{i}"}
            for i in range(calls)
        ]
        return {"messages": [p.AIMessage("", id="ai-ask", tool_calls=asks)]}

    builder = engine.StateGraph(p.MessagesState)
    builder.add_node("agent", agent)
    builder.add_node("tools", p.ToolNode([send_email]))
    builder.add_edge(engine.START, "agent")
    builder.add_conditional_edges("agent", p.tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=engine.InMemorySaver(), interrupt_before=["tools"])


def paused(engine, open_widget, calls: int = 1):
    RAN.clear()
    widget, browser = open_widget(email_agent(engine, calls), thread_id=f"{engine.name}-review")
    widget.run({"messages": [("user", "email them")]})
    return widget, browser


def test_the_pending_call_is_a_card(engine, open_widget):
    """Paused before the tools: one card listing the call, its name and arguments; nothing
    has run yet and no interrupt is pending."""
    widget, _ = paused(engine, open_widget)
    assert widget.status == "paused"
    [card] = widget.interrupts
    assert card["kind"] == "tool_calls" and card["node"] == "tools"
    assert [(a["name"], a["args"], a["call_id"]) for a in card["actions"]] == [
        ("send_email", {"to": "u0@x.org", "body": "hi"}, "c0")
    ]
    assert RAN == []


def test_approve_runs_the_call(engine, open_widget):
    """Approve from the browser: the tool runs as proposed and the run finishes."""
    widget, browser = paused(engine, open_widget)
    card = widget.interrupts[0]
    reply = browser.action("resume", answers={card["id"]: {"decisions": [{"type": "approve"}]}})
    assert reply["ok"], reply
    assert RAN == [("u0@x.org", "hi")]
    assert widget.status == "done" and widget.interrupts == []
    assert widget.state.values["messages"][-1].content == "Result: sent to u0@x.org"


def test_edit_runs_the_call_with_new_arguments(engine, open_widget):
    """Edit: the AI message is replaced under its id with the new arguments, which run."""
    widget, browser = paused(engine, open_widget)
    card = widget.interrupts[0]
    decision = {"type": "edit", "args": {"to": "boss@x.org", "body": "hello"}}
    assert browser.action("resume", answers={card["id"]: {"decisions": [decision]}})["ok"]
    assert RAN == [("boss@x.org", "hello")]
    messages = widget.state.values["messages"]
    assert [m.type for m in messages] == ["human", "ai", "tool", "ai"]
    assert messages[1].id == "ai-ask" and messages[1].tool_calls[0]["args"]["to"] == "boss@x.org"


def test_reject_answers_without_running(engine, open_widget):
    """Reject: the tool does not run; the model reads the reason in an error tool message."""
    widget, _ = paused(engine, open_widget)
    widget.review_tool_calls([{"type": "reject", "message": "not today"}])
    assert RAN == []
    tool_message = widget.state.values["messages"][2]
    assert tool_message.type == "tool" and tool_message.tool_call_id == "c0"
    assert tool_message.content == "Rejected by the reviewer: not today"
    assert tool_message.status == "error"
    assert widget.state.values["messages"][-1].content.startswith("Result: Rejected")


@pytest.mark.parametrize(
    "decisions, problem",
    [
        ([{"type": "approve"}], "2 tool calls await review but 1 decisions"),
        ([{"type": "approve"}, {"type": "reject"}], "reject every call or none"),
        ([{"type": "edit", "args": "to=x"}, {"type": "approve"}], 'needs "args"'),
        ([{"type": "maybe"}, {"type": "approve"}], "type one of"),
    ],
)
def test_a_bad_review_is_refused_and_changes_nothing(engine, open_widget, decisions, problem):
    """A review that does not fit the calls is refused with the reason, before anything is
    written: the thread's history and the card stay as they were."""
    widget, browser = paused(engine, open_widget, calls=2)
    card = widget.interrupts[0]
    before = len(list(widget.session.runtime.get_state_history(widget.session.config)))
    reply = browser.action("resume", answers={card["id"]: {"decisions": decisions}})
    assert not reply["ok"] and problem in reply["error"]
    after = len(list(widget.session.runtime.get_state_history(widget.session.config)))
    assert after == before and widget.interrupts == [card] and RAN == []


def test_no_card_when_the_thread_is_not_at_a_tool_node(engine, open_widget):
    """A finished thread, or one whose last message asks for nothing, has no card."""
    widget, _ = paused(engine, open_widget)
    widget.review_tool_calls([{"type": "approve"}])
    assert widget.interrupts == []
    with pytest.raises(Exception, match="no tool call is waiting"):
        widget.review_tool_calls([{"type": "approve"}])


def test_a_question_asked_inside_a_tool_is_an_ordinary_interrupt(engine, open_widget):
    """A tool that calls ``interrupt()`` shows its question (not a card) on the tools node;
    answering it in the browser finishes the tool with the answer."""
    p = prebuilt(engine)

    def confirm(action: str) -> str:
        """Asks a human first."""
        return f"{action}: {engine.interrupt(f'Really {action}?')}"

    def agent(state):
        if state["messages"][-1].type == "tool":
            return {"messages": [p.AIMessage("ok", id="ai-ok")]}
        call = {"name": "confirm", "args": {"action": "deploy"}, "id": "k1"}
        return {"messages": [p.AIMessage("", id="ai-ask", tool_calls=[call])]}

    builder = engine.StateGraph(p.MessagesState)
    builder.add_node("agent", agent)
    builder.add_node("tools", p.ToolNode([confirm]))
    builder.add_edge(engine.START, "agent")
    builder.add_conditional_edges("agent", p.tools_condition)
    builder.add_edge("tools", "agent")
    graph = builder.compile(checkpointer=engine.InMemorySaver())
    widget, browser = open_widget(graph, thread_id=f"{engine.name}-ask")
    widget.run({"messages": [("user", "deploy")]})
    [question] = widget.interrupts
    assert (question["kind"], question["node"], question["value"]) == (
        "text",
        "tools",
        "Really deploy?",
    )
    assert browser.action("resume", answers={question["id"]: "yes"})["ok"]
    assert widget.status == "done"
    assert widget.state.values["messages"][2].content == "deploy: yes"
