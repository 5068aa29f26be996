"""Scenario 6: time travel on a long conversation (issue 16).

A ``turns``-turn conversation (each turn: ``talk`` appends one ~200-byte message through
``add_messages``, ``review`` records how many there are; ``2 * turns + 2`` checkpoints, the
state growing to ``turns`` messages) is built once per engine, untimed. Each round times:

- listing the whole history (``list(get_state_history(config))``), and the same listing
  with every snapshot's ``values`` read (what a loop over the history that looks at the
  state pays);
- ``get_state`` of the head, and of the checkpoint ``old`` steps back, each alone and with
  its ``values`` read;
- a fork: ``update_state`` on the checkpoint ``back`` steps back (it lowers the state's
  ``limit`` to the messages it holds and writes as ``talk``, so ``review`` is the one step
  left), then ``invoke(None, ...)`` running the fork that one step.

Ours reads a snapshot's ``values`` lazily, so the rows "+ values read" are the honest
comparison for code that looks at the state; the plain rows are what listing, paging and
navigating cost.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

from .flavours import Flavour
from .message_loop import _message
from .runner import Metric

__all__ = ["TimeTravelScenario"]


@dataclass
class _Thread:
    engine: str
    graph: Any
    config: dict
    length: int
    old: Any
    fork_target: Any
    fork_messages: int


@dataclass
class TimeTravelScenario:
    """History, get_state and fork on one ``turns``-turn conversation thread."""

    turns: int = 1000
    old: int = 1000
    back: int = 500
    rounds: int = 3
    name: str = "time travel"

    def __post_init__(self) -> None:
        head = f"{self.turns}-turn thread"
        self.metrics = [
            Metric("list", f"{head}: history listing"),
            Metric("list_values", f"{head}: history listing + values read"),
            Metric("head", f"{head}: get_state head"),
            Metric("head_values", f"{head}: get_state head + values read"),
            Metric("old", f"{head}: get_state {self.old} back"),
            Metric("old_values", f"{head}: get_state {self.old} back + values read"),
            Metric("fork", f"{head}: fork {self.back} back (update_state + one step)"),
        ]
        self.lengths: dict[str, int] = {}

    def _compile(self, f: Flavour) -> Any:
        state = TypedDict(
            "TalkState",
            {"messages": Annotated[list, f.add_messages], "limit": int, "reviewed": int},
        )

        def talk(s: dict) -> dict:
            return {"messages": [_message(len(s["messages"]))]}

        def review(s: dict) -> dict:
            return {"reviewed": len(s["messages"])}

        def route(s: dict) -> str:
            return "talk" if len(s["messages"]) < s["limit"] else f.END

        builder = f.StateGraph(state)
        builder.add_node("talk", talk)
        builder.add_node("review", review)
        builder.add_edge(f.START, "talk")
        builder.add_edge("talk", "review")
        builder.add_conditional_edges("review", route, ["talk", f.END])
        return builder.compile(checkpointer=f.InMemorySaver())

    def setup(self, f: Flavour) -> _Thread:
        graph = self._compile(f)
        config = {"configurable": {"thread_id": "talk"}, "recursion_limit": self.turns * 5}
        graph.invoke({"messages": [], "limit": self.turns, "reviewed": 0}, config)
        config = {"configurable": {"thread_id": "talk"}}
        history = list(graph.get_state_history(config, limit=max(self.old, self.back) + 2))
        # The checkpoint ``back`` steps back, or the one before when that waits on ``talk``:
        # forking one that waits on ``review`` as ``talk`` leaves exactly one step to run.
        target = next(s for s in history[self.back :] if s.next == ("review",))
        return _Thread(
            engine=f.name,
            graph=graph,
            config=config,
            length=0,  # counted by the first listing
            old=history[self.old].config,
            fork_target=target.config,
            fork_messages=len(target.values["messages"]),
        )

    def measure(self, t: _Thread) -> dict[str, list[float]]:
        graph = t.graph
        samples: dict[str, list[float]] = {}

        def timed(key: str, call: Any) -> Any:
            start = time.perf_counter()
            out = call()
            samples.setdefault(key, []).append(time.perf_counter() - start)
            return out

        listed = timed("list", lambda: list(graph.get_state_history(t.config)))
        if not t.length:
            t.length = self.lengths[t.engine] = len(listed)
        if len(listed) != t.length:
            raise AssertionError(f"history length changed: {len(listed)} != {t.length}")
        del listed
        read = timed(
            "list_values",
            lambda: [len(s.values["messages"]) for s in graph.get_state_history(t.config)],
        )
        if max(read) != self.turns:
            raise AssertionError(
                f"the longest state should hold {self.turns} messages: {max(read)}"
            )
        timed("head", lambda: graph.get_state(t.config))
        timed("head_values", lambda: graph.get_state(t.config).values["messages"][-1])
        timed("old", lambda: graph.get_state(t.old))
        timed("old_values", lambda: graph.get_state(t.old).values["messages"][-1])

        def fork() -> Any:
            forked = graph.update_state(t.fork_target, {"limit": t.fork_messages}, as_node="talk")
            return graph.invoke(None, forked)

        out = timed("fork", fork)
        t.length += 2  # the edit and the step
        if out["reviewed"] != t.fork_messages or len(out["messages"]) != t.fork_messages:
            raise AssertionError(
                f"the fork should run one turn from {t.fork_messages} messages: "
                f"{len(out['messages'])}"
            )
        return samples
