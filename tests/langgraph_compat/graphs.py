"""The seed samples' graphs, written once against a flavour's API (LangGraph's or ours).

Each mirrors a pattern from the human-in-the-loop docs in shared/seeds with deterministic
stand-ins for the LLM: approve/reject routing, breakpoints with state edits, the input
pattern, tool-call review routed by ``Command(goto=...)``, a validation loop, parallel
questions, a subgraph that asks, and a three-step chain for time travel.
"""

from __future__ import annotations

import operator
from typing import Annotated, Any, TypedDict

from .flavours import Flavour

__all__ = [
    "TOOL_CALL",
    "Age",
    "Plan",
    "Steps",
    "Topic",
    "Votes",
    "approval",
    "breakpoint_review",
    "chain",
    "input_pattern",
    "parallel_questions",
    "subgraph_question",
    "tool_review",
    "validation_loop",
]


class Plan(TypedDict, total=False):
    task: str
    plan: str
    result: str


def approval(f: Flavour) -> Any:
    """plan -> approve (asks with options) -> execute, or END when rejected."""

    def plan(state: Plan) -> dict:
        return {"plan": f"plan for {state['task']}"}

    def approve(state: Plan) -> Any:
        decision = f.interrupt(
            {
                "question": "Approve this plan?",
                "plan": state["plan"],
                "options": ["approve", "reject"],
            }
        )
        return f.Command(goto="execute" if decision == "approve" else f.END)

    def execute(state: Plan) -> dict:
        return {"result": f"executed {state['plan']}"}

    b = f.StateGraph(Plan)
    b.add_node("plan", plan)
    b.add_node("approve", approve, destinations=("execute", f.END))
    b.add_node("execute", execute)
    b.add_edge(f.START, "plan")
    b.add_edge("plan", "approve")
    b.add_edge("execute", f.END)
    return f.compile(b)


class Steps(TypedDict, total=False):
    input: str
    tool_call: str
    user_input: str
    state: str
    log: Annotated[list, operator.add]


def breakpoint_review(f: Flavour) -> Any:
    """agent -> human_review (a no-op to pause before) -> tool: the breakpoint review pattern."""
    b = f.StateGraph(Steps)
    b.add_node("agent", lambda s: {"tool_call": "original tool call"})
    b.add_node("human_review", lambda s: {})
    b.add_node("tool", lambda s: {"log": [f"ran {s['tool_call']}"]})
    b.add_edge(f.START, "agent")
    b.add_edge("agent", "human_review")
    b.add_edge("human_review", "tool")
    b.add_edge("tool", f.END)
    return f.compile(b)


def input_pattern(f: Flavour, ran: list[str]) -> Any:
    """ask -> human_input -> use: the human's input is written *as* human_input, which
    therefore never runs itself (``ran`` records the nodes that did)."""

    def node(name: str, update: Any) -> Any:
        def run(state: Steps) -> dict:
            ran.append(name)
            return update(state)

        return run

    b = f.StateGraph(Steps)
    b.add_node("ask", node("ask", lambda s: {"log": ["ask"]}))
    b.add_node("human_input", node("human_input", lambda s: {}))
    b.add_node("use", node("use", lambda s: {"log": [f"use {s['user_input']}"]}))
    b.add_edge(f.START, "ask")
    b.add_edge("ask", "human_input")
    b.add_edge("human_input", "use")
    b.add_edge("use", f.END)
    return f.compile(b)


TOOL_CALL = {
    "name": "search",
    "args": {"query": "weather in SF"},
    "id": "call_1",
    "type": "tool_call",
}


def tool_review(f: Flavour, llm_calls: list[int]) -> Any:
    """call_llm -> human_review_node, which routes with ``Command(goto=...)``: "continue"
    runs the tool, "update" rewrites the call (same message id), "feedback" answers with a
    tool message and goes back to the LLM (``llm_calls`` counts LLM turns)."""

    def call_llm(state: Any) -> dict:
        llm_calls.append(len(llm_calls) + 1)
        return {
            "messages": [
                {
                    "role": "ai",
                    "content": "",
                    "tool_calls": [TOOL_CALL],
                    "id": f"ai-{len(llm_calls)}",
                }
            ]
        }

    def human_review_node(state: Any) -> Any:
        action, data = f.interrupt({"question": "Is this correct?", "tool_call": TOOL_CALL})
        if action == "continue":
            return f.Command(goto="run_tool")
        if action == "update":
            edited = {
                "role": "ai",
                "content": "",
                "id": state["messages"][-1].id,
                "tool_calls": [{**TOOL_CALL, "args": data["args"]}],
            }
            return f.Command(goto="run_tool", update={"messages": [edited]})
        feedback = {"role": "tool", "content": data, "tool_call_id": TOOL_CALL["id"]}
        return f.Command(goto="call_llm", update={"messages": [feedback]})

    def run_tool(state: Any) -> dict:
        call = state["messages"][-1].tool_calls[0]
        return {
            "messages": [
                {
                    "role": "tool",
                    "content": f"ran {call['args']['query']}",
                    "tool_call_id": call["id"],
                }
            ]
        }

    b = f.StateGraph(f.MessagesState)
    b.add_node("call_llm", call_llm)
    b.add_node("human_review_node", human_review_node, destinations=("call_llm", "run_tool"))
    b.add_node("run_tool", run_tool)
    b.add_edge(f.START, "call_llm")
    b.add_edge("call_llm", "human_review_node")
    b.add_edge("run_tool", f.END)
    return f.compile(b)


class Age(TypedDict, total=False):
    age: int | None


def validation_loop(f: Flavour) -> Any:
    """get_age asks again, with a clearer prompt, until the answer is a positive int."""

    def get_age(state: Age) -> dict:
        prompt = "What is your age?"
        while True:
            answer = f.interrupt(prompt)
            if isinstance(answer, int) and not isinstance(answer, bool) and answer > 0:
                return {"age": answer}
            prompt = f"'{answer}' is not a valid age. Please enter a positive number."

    b = f.StateGraph(Age)
    b.add_node("get_age", get_age)
    b.add_edge(f.START, "get_age")
    b.add_edge("get_age", f.END)
    return f.compile(b)


class Votes(TypedDict, total=False):
    vals: Annotated[list, operator.add]
    summary: str


def parallel_questions(f: Flavour) -> Any:
    """Branches a and b both ask in the same step; join runs once both are answered."""

    def ask(name: str) -> Any:
        return lambda state: {"vals": [f"{name}:{f.interrupt(f'question_{name}')}"]}

    b = f.StateGraph(Votes)
    b.add_node("a", ask("a"))
    b.add_node("b", ask("b"))
    b.add_node("join", lambda s: {"summary": " & ".join(sorted(s["vals"]))})
    b.add_edge(f.START, "a")
    b.add_edge(f.START, "b")
    b.add_edge(["a", "b"], "join")
    b.add_edge("join", f.END)
    return f.compile(b)


class Topic(TypedDict, total=False):
    topic: str
    answer: str


def subgraph_question(f: Flavour) -> Any:
    """prepare -> research (a subgraph: ask -> finish) -> END; ask interrupts inside it."""
    inner = f.StateGraph(Topic)
    inner.add_node("ask", lambda s: {"answer": f.interrupt(f"What about {s['topic']}?")})
    inner.add_node("finish", lambda s: {"answer": s["answer"].upper()})
    inner.add_edge(f.START, "ask")
    inner.add_edge("ask", "finish")
    inner.add_edge("finish", f.END)

    outer = f.StateGraph(Topic)
    outer.add_node("prepare", lambda s: {"topic": s["topic"].strip()})
    outer.add_node("research", inner.compile())
    outer.add_edge(f.START, "prepare")
    outer.add_edge("prepare", "research")
    outer.add_edge("research", f.END)
    return f.compile(outer)


def chain(f: Flavour) -> Any:
    """node_1 -> node_2 -> node_3, each appending to ``state`` and ``log`` (time travel)."""

    def step(name: str) -> Any:
        return lambda s: {"state": f"{s['state']} -> {name}", "log": [name]}

    b = f.StateGraph(Steps)
    for name in ("node_1", "node_2", "node_3"):
        b.add_node(name, step(name))
    b.add_edge(f.START, "node_1")
    b.add_edge("node_1", "node_2")
    b.add_edge("node_2", "node_3")
    b.add_edge("node_3", f.END)
    return f.compile(b)
