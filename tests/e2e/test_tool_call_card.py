"""The tool-call card in a real JupyterLab: a graph compiled with
``interrupt_before=["tools"]`` stops before its ``ToolNode``, the card shows the pending
call, and approve, edit and reject clicked in the browser reach the graph, on our engine
and on a real LangGraph graph."""

import json

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PREBUILT_IMPORTS = {
    "ours": (
        "from hitl_notebook import AIMessage, InMemorySaver, MessagesState, START, StateGraph, "
        "ToolNode, tools_condition"
    ),
    "langgraph": (
        "from langchain_core.messages import AIMessage\n"
        "from langgraph.checkpoint.memory import InMemorySaver\n"
        "from langgraph.graph import MessagesState, START, StateGraph\n"
        "from langgraph.prebuilt import ToolNode, tools_condition"
    ),
}

AGENT = '''
import json
from hitl_notebook.widgets import show

sent = []

def send_email(to: str, body: str) -> str:
    """Send an email."""
    sent.append({"to": to, "body": body})
    return f"sent to {to}"

def agent(state):
    last = state["messages"][-1]
    if last.type == "tool":
        return {"messages": [AIMessage(f"Result: {last.content}")]}
    call = {"name": "send_email", "args": {"to": "team@x.org", "body": "hi"}, "id": "call-1"}
    return {"messages": [AIMessage("", tool_calls=[call])]}

builder = StateGraph(MessagesState)
builder.add_node("agent", agent)
builder.add_node("tools", ToolNode([send_email]))
builder.add_edge(START, "agent")
builder.add_conditional_edges("agent", tools_condition)
builder.add_edge("tools", "agent")
graph = builder.compile(checkpointer=InMemorySaver(), interrupt_before=["tools"])

def report(thread_id):
    """What the kernel holds for the thread, for the test to read."""
    config = {"configurable": {"thread_id": thread_id}}
    messages = graph.get_state(config).values["messages"]
    print(json.dumps({
        "sent": sent,
        "calls": [m.tool_calls for m in messages if m.type == "ai" and m.tool_calls],
        "tool": [(m.content, getattr(m, "status", None)) for m in messages if m.type == "tool"],
        "last": messages[-1].content,
    }))
'''

SHOW = """
from IPython.display import display
widgets = {}
for thread_id in ("approve", "edit", "reject"):
    widgets[thread_id] = show(graph, thread_id=thread_id)
    widgets[thread_id].run({"messages": [("user", "email the team")]})
    display(widgets[thread_id])
"""


@pytest.fixture(params=sorted(PREBUILT_IMPORTS))
def imports(request) -> str:
    return PREBUILT_IMPORTS[request.param]


def kernel(lab, thread_id: str) -> dict:
    return json.loads(lab.run_code(f"report({thread_id!r})"))


def test_approve_edit_and_reject_a_pending_tool_call(lab, imports):
    """Each of three paused threads shows the call as a card; approve runs it, an edit of
    the JSON arguments runs it with them, reject writes the reason instead of running it."""
    lab.open_notebook([imports + AGENT, SHOW])
    lab.run_all()
    cards = {}
    for i, thread_id in enumerate(("approve", "edit", "reject")):
        widget = lab.page.get_by_test_id("hitl-widget").nth(i)
        # Generous: on a loaded machine the widgets' state can reach the page late.
        expect(widget.get_by_test_id("status")).to_have_text("paused", timeout=120_000)
        card = widget.get_by_test_id("tool-call-0-0")
        expect(card.get_by_test_id("tool-call-name-0-0")).to_have_text("send_email")
        args = json.loads(card.get_by_test_id("tool-call-args-0-0").input_value())
        assert args == {"to": "team@x.org", "body": "hi"}
        cards[thread_id] = widget
    lab.screenshot("tool-call-card", cards["approve"])

    widget = cards["approve"]
    widget.get_by_test_id("tool-call-approve-0-0").click()
    widget.get_by_test_id("interrupt-submit").click()
    expect(widget.get_by_test_id("status")).to_have_text("done", timeout=120_000)
    seen = kernel(lab, "approve")
    assert seen["sent"] == [{"to": "team@x.org", "body": "hi"}]
    assert seen["last"] == "Result: sent to team@x.org"

    widget = cards["edit"]
    widget.get_by_test_id("tool-call-args-0-0").fill('{"to": "boss@x.org", "body": "hello"}')
    expect(widget.get_by_test_id("tool-call-edit-0-0")).to_have_attribute("aria-pressed", "true")
    widget.get_by_test_id("interrupt-submit").click()
    expect(widget.get_by_test_id("status")).to_have_text("done", timeout=120_000)
    seen = kernel(lab, "edit")
    assert seen["sent"][-1] == {"to": "boss@x.org", "body": "hello"}
    assert seen["calls"][0][0]["args"] == {"to": "boss@x.org", "body": "hello"}

    widget = cards["reject"]
    widget.get_by_test_id("tool-call-reject-0-0").click()
    widget.get_by_test_id("tool-call-reason-0-0").fill("not now")
    widget.get_by_test_id("interrupt-submit").click()
    expect(widget.get_by_test_id("status")).to_have_text("done", timeout=120_000)
    seen = kernel(lab, "reject")
    assert len(seen["sent"]) == 2  # the approved and the edited call, not this one
    assert seen["tool"] == [["Rejected by the reviewer: not now", "error"]]
    lab.screenshot("tool-call-rejected", widget)
