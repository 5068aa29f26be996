"""Bytes the thread widget sends to the browser per step when the state is ~5 MB.

Counts what would cross the comm: synced trait changes (JSON of each changed trait) and
custom messages (history summaries, state patches, log lines). A step that appends one
item to a 5 MB state should cost kilobytes, not megabytes.

    python bench/widget_sync.py [--engine ours|langgraph] [--steps N] [--json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import operator
import time
from typing import Annotated, TypedDict

import traitlets

from hitl_notebook.widgets import show


class BigState(TypedDict):
    blob: dict
    log: Annotated[list, operator.add]


def build(engine: str, steps: int):
    if engine == "langgraph":
        from langgraph.checkpoint.memory import InMemorySaver
        from langgraph.graph import END, START, StateGraph
    else:
        from hitl_notebook import END, START, InMemorySaver, StateGraph
    b = StateGraph(BigState)
    names = [f"n{i}" for i in range(steps)]
    for name in names:
        b.add_node(name, lambda s, name=name: {"log": [name]})
    b.add_edge(START, names[0])
    for a, c in itertools.pairwise(names):
        b.add_edge(a, c)
    b.add_edge(names[-1], END)
    return b.compile(checkpointer=InMemorySaver())


def measure(engine: str = "ours", steps: int = 5, state_mb: float = 5.0) -> dict:
    graph = build(engine, steps)
    blob = {f"k{i}": "x" * 1000 for i in range(int(state_mb * 1000))}
    widget = show(graph, thread_id="bench", breakpoints_before=[f"n{i}" for i in range(steps)])
    sent: list[int] = []
    widget.send = lambda msg: sent.append(len(json.dumps(msg)))
    widget.observe(lambda change: sent.append(len(json.dumps(change["new"]))), names=traitlets.All)
    widget.run({"blob": blob, "log": []})  # first run: stops before n0
    initial = sum(sent)
    per_step = []
    seconds = []
    for _ in range(steps):
        sent.clear()
        t0 = time.perf_counter()
        widget.step()
        seconds.append(time.perf_counter() - t0)
        per_step.append(sum(sent))
    state_bytes = len(json.dumps({"blob": blob}))
    return {
        "engine": engine,
        "state_bytes": state_bytes,
        "first_run_bytes": initial,
        "bytes_per_step": per_step,
        "max_bytes_per_step": max(per_step),
        "seconds_per_step": [round(s, 4) for s in seconds],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", choices=["ours", "langgraph"], default="ours")
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.engine, args.steps)
    if args.json:
        print(json.dumps(result))
        return
    print(f"engine={result['engine']} state={result['state_bytes'] / 1e6:.1f} MB")
    print(f"first run: {result['first_run_bytes']} bytes (the browser then fetches the state once)")
    for i, (n, s) in enumerate(zip(result["bytes_per_step"], result["seconds_per_step"])):
        print(f"step {i}: {n} bytes sent, {s * 1000:.0f} ms")


if __name__ == "__main__":
    main()
