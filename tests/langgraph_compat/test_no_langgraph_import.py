"""The widget on our own graph never imports LangGraph or LangChain: each check runs in a
fresh interpreter where importing them fails, so any hidden import is an error."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import sys
from importlib.abc import MetaPathFinder

BLOCKED = {"langgraph", "langchain", "langchain_core"}

class Blocker(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} must not be imported for our own graph")
        return None

sys.meta_path.insert(0, Blocker())

from hitl_notebook import END, START, Command, InMemorySaver, MessagesState, StateGraph, interrupt
from hitl_notebook.widgets import show

def review(state):
    verdict = interrupt({"question": "Send?", "options": ["yes", "no"]})
    return {"messages": [{"role": "ai", "content": f"verdict: {verdict}"}]}

b = StateGraph(MessagesState)
b.add_node("draft", lambda s: {"messages": [{"role": "ai", "content": "draft"}]})
b.add_node("review", review)
b.add_edge(START, "draft"); b.add_edge("draft", "review"); b.add_edge("review", END)
w = show(b.compile(checkpointer=InMemorySaver()), thread_id="t")
sent = []
w.send = sent.append

def act(action, **args):
    rid = len(sent)
    w._on_frontend_msg(w, {"type": "action", "request_id": rid, "action": action, "args": args, "base": w.head.get("id")}, [])
    assert w.wait(timeout=60), "the run a click started did not end within 60 s"
    reply = next(m for m in sent if m.get("type") == "reply" and m.get("request_id") == rid)
    assert reply["ok"], reply

def query(name, **args):
    w._on_frontend_msg(w, {"type": "query", "request_id": len(sent), "query": name, "args": args}, [])
    assert sent[-1]["ok"], sent[-1]
    return sent[-1]["result"]
"""


def run_isolated(body: str) -> subprocess.CompletedProcess:
    script = (
        PRELUDE
        + textwrap.dedent(body)
        + """
leaked = sorted(m for m in sys.modules if m.split(".")[0] in BLOCKED)
assert not leaked, leaked
"""
    )
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_whole_widget_session_on_our_graph_imports_no_langgraph():
    """Run, answer, edit a message, query history and diffs, fork and replay: all without
    LangGraph or LangChain."""
    result = run_isolated("""
        act("run", input={"messages": [{"role": "user", "content": "hi"}]})
        [spec] = w.interrupts
        assert spec["kind"] == "options"
        act("resume", answers={spec["id"]: "yes"})
        messages = query("checkpoint")["values"]["messages"]
        messages[0]["content"] = "hello"
        act("update_state", values={"messages": messages})
        assert w.state.values["messages"][0].content == "hello"
        history = query("history", offset=0, limit=100)["items"]
        query("diff", a=history[0]["id"])
        query("node_writes", node="draft")
        first = history[-1]["id"]
        act("fork", checkpoint_id=first, values=None)
        act("replay", checkpoint_id=first)
        act("resume", answers={w.interrupts[0]["id"]: "no"})
        assert w.state.values["messages"][-1].content == "verdict: no"
    """)
    assert result.returncode == 0, result.stderr


def test_adding_a_message_in_the_state_editor_keeps_our_message_class():
    """A message added through the JSON editor becomes one of our own messages, without
    importing LangChain to build it."""
    result = run_isolated("""
        act("run", input={"messages": [{"role": "user", "content": "hi"}]})
        messages = query("checkpoint")["values"]["messages"]
        messages.append({"type": "human", "content": "one more thing"})
        act("update_state", values={"messages": messages})
        added = w.state.values["messages"][-1]
        assert type(added).__module__ == "hitl_notebook.messages", type(added)
        assert (added.type, added.content) == ("human", "one more thing")
    """)
    assert result.returncode == 0, result.stderr
