"""Scenario: a tool-calling agent loop, the cost ``ToolNode`` and ``tools_condition`` add.

A scripted agent asks for ``calls`` tool calls per turn for ``turns`` turns; ``ToolNode``
runs them (in parallel threads on both engines) and the agent reads the answers. Each
tool is a trivial function, so the figure is the engine's and the node's own cost: time
per turn (one agent step plus one tool step), and per tool call. The plain-Python floor
calls the same functions in a loop and builds the same messages.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from typing import Any

from .flavours import Flavour
from .runner import Metric

__all__ = ["ToolLoopScenario"]


def lookup(key: str) -> str:
    """A trivial tool."""
    return f"value of {key}"


@dataclass
class _Ctx:
    graph: Any
    threads: itertools.count = field(default_factory=itertools.count)


@dataclass
class ToolLoopScenario:
    """``turns`` agent turns of ``calls`` parallel tool calls each, ``per_round`` runs a round."""

    turns: int = 20
    calls: int = 3
    rounds: int = 5
    per_round: int = 2
    name: str = "tool loop"

    def __post_init__(self) -> None:
        head = f"{self.turns}-turn tool loop ({self.calls} calls a turn)"
        self.metrics = [
            Metric("turn", f"{head}: per turn"),
            Metric("call", f"{head}: per tool call"),
        ]

    def _asks(self, turn: int) -> list[dict]:
        return [
            {"name": "lookup", "args": {"key": f"k{turn}.{i}"}, "id": f"t{turn}-{i}"}
            for i in range(self.calls)
        ]

    def setup(self, f: Flavour) -> _Ctx:
        def agent(state: dict) -> dict:
            turn = sum(1 for m in state["messages"] if m.type == "ai")
            if turn >= self.turns:
                return {"messages": [f.AIMessage("done")]}
            return {"messages": [f.AIMessage("", tool_calls=self._asks(turn))]}

        builder = f.StateGraph(f.MessagesState)
        builder.add_node("agent", agent)
        builder.add_node("tools", f.ToolNode([lookup]))
        builder.add_edge(f.START, "agent")
        builder.add_conditional_edges("agent", f.tools_condition)
        builder.add_edge("tools", "agent")
        return _Ctx(graph=builder.compile(checkpointer=f.InMemorySaver()))

    def measure(self, ctx: _Ctx) -> dict[str, list[float]]:
        turns = []
        for _ in range(self.per_round):
            config = {
                "configurable": {"thread_id": f"tools-{next(ctx.threads)}"},
                "recursion_limit": self.turns * 3 + 10,
            }
            start = time.perf_counter()
            out = ctx.graph.invoke({"messages": [("user", "look things up")]}, config)
            elapsed = time.perf_counter() - start
            answered = sum(1 for m in out["messages"] if m.type == "tool")
            if answered != self.turns * self.calls:
                raise AssertionError(
                    f"expected {self.turns * self.calls} tool messages, got {answered}"
                )
            turns.append(elapsed / self.turns)
        return {"turn": turns, "call": [t / self.calls for t in turns]}

    def floor(self) -> dict[str, list[float]]:
        """The same tool calls made directly, answers collected in a list."""
        samples = []
        for _ in range(self.per_round):
            start = time.perf_counter()
            messages: list = []
            for turn in range(self.turns):
                asks = self._asks(turn)
                messages.append({"role": "ai", "tool_calls": asks})
                for ask in asks:
                    messages.append(
                        {
                            "role": "tool",
                            "content": lookup(**ask["args"]),
                            "tool_call_id": ask["id"],
                        }
                    )
            samples.append((time.perf_counter() - start) / self.turns)
        return {"turn": samples, "call": [s / self.calls for s in samples]}
