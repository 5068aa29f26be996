"""Small graphs the widget tests drive, written once against either engine's API."""

from __future__ import annotations

import operator
from types import SimpleNamespace
from typing import Annotated, TypedDict

__all__ = [
    "State",
    "approval_graph",
    "chain_graph",
    "history_ids",
    "parallel_graph",
    "review_graph",
]


class State(TypedDict, total=False):
    topic: str
    answer: str
    log: Annotated[list, operator.add]


def approval_graph(e: SimpleNamespace, question: object = None):
    """draft -> (conditional) review (interrupts with options) -> END."""

    def draft(state):
        print(f"drafting {state.get('topic', '')}")
        return {"answer": f"draft about {state.get('topic', '')}", "log": ["draft"]}

    def review(state):
        verdict = e.interrupt(
            question if question is not None else {"question": "Publish?", "options": ["yes", "no"]}
        )
        return {"answer": f"{state['answer']} [{verdict}]", "log": ["review"]}

    b = e.StateGraph(State)
    b.add_node("draft", draft)
    b.add_node("review", review)
    b.add_edge(e.START, "draft")
    b.add_conditional_edges(
        "draft", lambda s: "review" if s["answer"] else e.END, ["review", e.END]
    )
    b.add_edge("review", e.END)
    return b.compile(checkpointer=e.InMemorySaver())


def review_graph(e: SimpleNamespace, allowed: tuple = ("approve", "reject")):
    """send asks for a tool-call review in the HumanInTheLoopMiddleware request shape,
    allowing only ``allowed`` decisions, and records the decisions it got."""

    def send(state):
        request = {
            "action_requests": [
                {"name": "send_email", "args": {"to": "bob"}, "description": "Check it"}
            ],
            "review_configs": [{"action_name": "send_email", "allowed_decisions": list(allowed)}],
        }
        answer = e.interrupt(request)
        return {"log": [decision["type"] for decision in answer["decisions"]]}

    b = e.StateGraph(State)
    b.add_node("send", send)
    b.add_edge(e.START, "send")
    b.add_edge("send", e.END)
    return b.compile(checkpointer=e.InMemorySaver())


def parallel_graph(e: SimpleNamespace):
    """Two branches that both interrupt in the same step, then join."""

    def ask(name):
        def node(state):
            return {"log": [f"{name}={e.interrupt(f'value for {name}?')}"]}

        return node

    b = e.StateGraph(State)
    b.add_node("left", ask("left"))
    b.add_node("right", ask("right"))
    b.add_node("join", lambda s: {"answer": ",".join(sorted(s["log"]))})
    b.add_edge(e.START, "left")
    b.add_edge(e.START, "right")
    b.add_edge(["left", "right"], "join")
    b.add_edge("join", e.END)
    return b.compile(checkpointer=e.InMemorySaver())


def chain_graph(e: SimpleNamespace, fail_at: str | None = None):
    """a -> b -> c, each appending its name; ``fail_at`` raises in that node."""

    def make(name):
        def node(state):
            if name == fail_at:
                raise RuntimeError(f"{name} exploded")
            return {"log": [name]}

        return node

    b = e.StateGraph(State)
    for name in "abc":
        b.add_node(name, make(name))
    b.add_edge(e.START, "a")
    b.add_edge("a", "b")
    b.add_edge("b", "c")
    b.add_edge("c", e.END)
    return b.compile(checkpointer=e.InMemorySaver())


def history_ids(graph, thread_id="t1") -> list[str]:
    """The thread's checkpoint ids straight from the graph (newest first)."""
    config = {"configurable": {"thread_id": thread_id}}
    return [s.config["configurable"]["checkpoint_id"] for s in graph.get_state_history(config)]
