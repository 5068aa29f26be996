"""Random HITL graphs, run on LangGraph and on our engine: what a user sees must match.

Each seed builds a graph of 2 to 6 nodes from the same random choices on both engines:
plain edges, fan-outs, conditional edges, a join now and then, nodes that ask with
``interrupt()``, static breakpoints. The thread is driven to its end (every question
answered, by id when several wait), and every chunk of the chosen stream modes, the final
state and the whole history are compared, with ids replaced by their order of appearance.
A fuzz run of this kind (300 seeds) found the stream differences fixed in issue 10's fourth
session; the seeds here keep them fixed.
"""

from __future__ import annotations

import operator
import random
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, history, numbered, plain, same, state

pytestmark = pytest.mark.langgraph


class Log(TypedDict, total=False):
    log: Annotated[list, operator.add]
    n: Annotated[int, operator.add]  # parallel nodes may both count


def _random_graph(api: Api, seed: int) -> Any:
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(rng.randint(2, 6))]
    asks = {n: rng.random() < 0.35 for n in names}
    counts = {n: rng.random() < 0.5 for n in names}

    def node(name: str):
        def run(state: Log) -> dict:
            out: dict = {"log": [name]}
            if asks[name]:
                out["log"] = [name, f"{name}:{api.interrupt(f'q-{name}')}"]
            if counts[name]:
                out["n"] = len(state.get("log", []))
            return out

        return run

    builder = api.StateGraph(Log)
    for name in names:
        builder.add_node(name, node(name))
    builder.add_edge(api.START, names[0])
    for i, name in enumerate(names):
        later, roll = names[i + 1 :], rng.random()
        if not later or roll < 0.15:
            builder.add_edge(name, api.END)
        elif roll < 0.45:
            for target in rng.sample(later, min(len(later), rng.randint(1, 2))):
                builder.add_edge(name, target)
        elif roll < 0.75:
            options = [*rng.sample(later, min(len(later), 2)), api.END]
            builder.add_conditional_edges(
                name, lambda s, o=options: o[len(s.get("log", [])) % len(o)], options
            )
        else:
            builder.add_edge(name, rng.choice(later))
    if len(names) >= 4 and rng.random() < 0.4:
        builder.add_edge(rng.sample(names[1:-1], 2), names[-1])
    options = {}
    if rng.random() < 0.3:
        options["interrupt_before"] = [rng.choice(names)]
    if rng.random() < 0.2:
        options["interrupt_after"] = [rng.choice(names)]
    return builder.compile(checkpointer=api.InMemorySaver(), **options)


def _answers(api: Api, snapshot: Any, turn: int) -> Any:
    """The next input: one answer, answers by id, or None to continue."""
    asked = [i for task in snapshot.tasks for i in task.interrupts]
    if len(asked) == 1:
        return api.Command(resume=f"a{turn}")
    if asked:
        order = sorted(i.value for i in asked)
        return api.Command(resume={i.id: f"a{turn}-{order.index(i.value)}" for i in asked})
    return None


def _observe(api: Api, seed: int, modes: list[str]) -> Any:
    graph = _random_graph(api, seed)
    config = {"configurable": {"thread_id": "t"}, "recursion_limit": 50}
    seen: list = []
    turn_input: Any = {"log": []}
    for turn in range(9):
        try:
            seen.append([plain(c) for c in graph.stream(turn_input, config, stream_mode=modes)])
        except Exception as exc:  # both engines must fail alike
            seen.append(type(exc).__name__)
            break
        snapshot = graph.get_state(config)
        if not snapshot.next:
            break
        turn_input = _answers(api, snapshot, turn)
    seen += [state(graph, config), history(graph, config)]
    return numbered(seen)


@pytest.mark.parametrize("seed", range(40))
def test_updates_and_values(seed):
    same(lambda api: _observe(api, seed, ["updates", "values"]))


@pytest.mark.parametrize("seed", range(40))
def test_checkpoints(seed):
    same(lambda api: _observe(api, seed, ["checkpoints"]))
