"""Graphs the test LangGraph API server serves (run by real LangGraph inside ``langgraph dev``).

``agent`` is seed 002's extended example, written beside this module from the seed text at
test time; these are the other shapes the widget tests need.
"""

from __future__ import annotations

import operator
import time
from typing import Annotated, TypedDict

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from langgraph.graph import END, START, StateGraph, add_messages
from langgraph.types import interrupt


class Review(TypedDict, total=False):
    topic: str
    draft: str
    verdict: str
    log: Annotated[list, operator.add]


def write(state: Review) -> dict:
    return {"draft": f"A note about {state['topic']}.", "log": ["write"]}


def review(state: Review) -> dict:
    verdict = interrupt(
        {
            "question": "Publish this draft?",
            "draft": state["draft"],
            "options": ["approve", "reject"],
        }
    )
    return {"verdict": verdict, "log": ["review"]}


def publish(state: Review) -> dict:
    return {"log": [f"publish:{state['verdict']}:{state['draft']}"]}


review_graph = (
    StateGraph(Review)
    .add_node("write", write)
    .add_node("review", review)
    .add_node("publish", publish)
    .add_edge(START, "write")
    .add_edge("write", "review")
    .add_edge("review", "publish")
    .add_edge("publish", END)
    .compile()
)


class Slow(TypedDict, total=False):
    seconds: float
    answer: str


def wait(state: Slow) -> dict:
    """Sleeps in short slices so a cancelled run stops promptly."""
    deadline = time.monotonic() + state.get("seconds", 0)
    while time.monotonic() < deadline:
        time.sleep(0.05)
    return {}


def ask(state: Slow) -> dict:
    return {"answer": interrupt("Anything to add?")}


slow_graph = (
    StateGraph(Slow)
    .add_node("wait", wait)
    .add_node("ask", ask)
    .add_edge(START, "wait")
    .add_edge("wait", "ask")
    .add_edge("ask", END)
    .compile()
)


class Count(TypedDict):
    n: int
    limit: int


def tick(state: Count) -> dict:
    return {"n": state["n"] + 1}


counter_graph = (
    StateGraph(Count)
    .add_node("tick", tick)
    .add_edge(START, "tick")
    .add_conditional_edges("tick", lambda s: "tick" if s["n"] < s["limit"] else END)
    .compile()
)


class Inner(TypedDict, total=False):
    text: str


def inner_ask(state: Inner) -> dict:
    return {"text": state.get("text", "") + interrupt({"question": "Inner question?"})}


inner = StateGraph(Inner).add_node("inner_ask", inner_ask).add_edge(START, "inner_ask").compile()


def prepare(state: Inner) -> dict:
    return {"text": "prepared:"}


nested_graph = (
    StateGraph(Inner)
    .add_node("prepare", prepare)
    .add_node("child", inner)
    .add_edge(START, "prepare")
    .add_edge("prepare", "child")
    .add_edge("child", END)
    .compile()
)


class Flaky(TypedDict, total=False):
    text: str


def explode(state: Flaky) -> dict:
    raise ValueError(f"cannot handle {state.get('text', '')!r}")


flaky_graph = StateGraph(Flaky).add_node("explode", explode).add_edge(START, "explode").compile()


class Chat(TypedDict):
    messages: Annotated[list, add_messages]


def reply(state: Chat) -> dict:
    """A chat model that streams its answer word by word (offline, deterministic)."""
    model = GenericFakeChatModel(messages=iter([AIMessage("Tokens arrive one by one")]))
    return {"messages": [model.invoke(state["messages"])]}


chat_graph = StateGraph(Chat).add_node("reply", reply).add_edge(START, "reply").compile()
