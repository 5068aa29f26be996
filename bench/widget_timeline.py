"""The history timeline at scale (issue 16), for ``python -m bench.widget_browser``.

A real ``Session`` drives each thread in this process; the harness page's stand-in model
POSTs the widget's messages to it over the harness's local HTTP server (a round trip like
a comm's), so a figure covers the kernel's work, the message round trips and the drawing:

- open: a thread of ``checkpoints`` checkpoints with ``forks`` branches; the kernel figure
  is ``Session(...)`` (reads the thread and indexes its history), the browser figure runs
  from ``render()`` until the first timeline rows are drawn (its first page fetched), in a
  fresh page (the diagram's layout engine starts meanwhile) and again in the same page;
- scroll: the timeline scrolled to the middle row, until that row is drawn (its page
  fetched from the kernel);
- diff: on a conversation of ``turns`` messages, "Diff vs …" between the head and a
  checkpoint ``turns`` steps back, until the structural diff is drawn: clicked once the
  state editor shows the selected row (as a user clicks), and clicked at once after the
  row (the selection's state, ~300 KB, still loading in the kernel and the page); and the
  kernel's part alone (``Session.handle`` of the diff query).
"""

from __future__ import annotations

import statistics
import time
from typing import Any, TypedDict

from hitl_notebook import END, START, InMemorySaver, StateGraph
from hitl_notebook.widgets.session import Session

from .flavours import load_flavour
from .time_travel import TimeTravelScenario

__all__ = ["branching_thread", "conversation_thread", "measure_timeline"]


class _Count(TypedDict):
    n: int
    limit: int


class _Recorder:
    """A Session listener that keeps the traits (to start the page with) and drops messages."""

    def __init__(self) -> None:
        self.traits: dict[str, Any] = {}

    def set_traits(self, **changes: Any) -> None:
        self.traits.update(changes)

    def send(self, message: dict) -> None:
        pass


def branching_thread(checkpoints: int, forks: int) -> Any:
    """A counting loop run to about ``checkpoints`` checkpoints, then ``forks`` branches,
    each forked from a past checkpoint and run three steps (thread "long")."""

    def tick(state: _Count) -> dict:
        return {"n": state["n"] + 1}

    def route(state: _Count) -> str:
        return "tick" if state["n"] < state["limit"] else END

    graph = (
        StateGraph(_Count)
        .add_node("tick", tick)
        .add_edge(START, "tick")
        .add_conditional_edges("tick", route, ["tick", END])
        .compile(checkpointer=InMemorySaver())
    )
    steps = checkpoints - 2 - 4 * forks
    config = {"configurable": {"thread_id": "long"}, "recursion_limit": checkpoints + 100}
    graph.invoke({"n": 0, "limit": steps}, config)
    for k in range(forks):
        back = max(1, (k + 1) * steps // (forks + 1))
        target = list(graph.get_state_history(config, limit=back + 1))[-1]
        n = target.values["n"]
        forked = graph.update_state(target.config, {"limit": n + 3}, as_node="tick")
        graph.invoke(None, forked)
    return graph


def conversation_thread(turns: int) -> Any:
    """The time-travel benchmark's conversation (``turns`` messages), thread "talk"."""
    scenario = TimeTravelScenario(turns=turns, old=0, back=0)
    graph = scenario._compile(load_flavour("ours"))
    config = {"configurable": {"thread_id": "talk"}, "recursion_limit": turns * 5}
    graph.invoke({"messages": [], "limit": turns, "reviewed": 0}, config)
    return graph


def _summary(samples: list[float]) -> dict:
    return {
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "runs": len(samples),
    }


def measure_timeline(
    open_page: Any, connect: Any, *, checkpoints: int, forks: int, turns: int, runs: int
) -> dict:
    """Timeline open/scroll and diff figures (ms); ``open_page()`` gives (context, page),
    ``connect(session)`` routes the page's widget messages to ``session``."""
    long_graph = branching_thread(checkpoints, forks)
    kernel_open, browser_open, warm_open, scroll, sizes = [], [], [], [], set()
    for _ in range(runs):
        start = time.perf_counter()
        recorder = _Recorder()
        session = Session(long_graph, thread_id="long", listener=recorder)
        kernel_open.append((time.perf_counter() - start) * 1e3)
        context, page = open_page()
        connect(session)
        opened = page.evaluate("(traits) => window.bench.openTimeline(traits)", recorder.traits)
        browser_open.append(opened["ms"])
        again = page.evaluate("(traits) => window.bench.openTimeline(traits)", recorder.traits)
        warm_open.append(again["ms"])
        sizes.add(len(session.history))
        middle = len(session.history) // 2
        scrolled = page.evaluate("(i) => window.bench.scrollTo(i)", middle)
        scroll.append(scrolled["ms"])
        context.close()
    lanes = len(session.history.lanes)

    talk = conversation_thread(turns)
    recorder = _Recorder()
    session = Session(talk, thread_id="talk", listener=recorder)
    head, old = session.history.items[0]["id"], session.history.items[turns]["id"]
    diff_kernel, diff_drawn, diff_rushed, ops = [], [], [], set()
    for _ in range(runs):
        session.refresh()  # forgets the JSON of checkpoints already shown: a cold diff
        start = time.perf_counter()
        reply = session.handle({"type": "query", "query": "diff", "args": {"a": head, "b": old}})
        diff_kernel.append((time.perf_counter() - start) * 1e3)
        if not reply.get("ok"):
            raise RuntimeError(f"diff query failed: {reply}")
    context, page = open_page()
    connect(session)
    page.evaluate("(traits) => window.bench.openTimeline(traits)", recorder.traits)
    for _ in range(runs):
        for settled, samples in ((True, diff_drawn), (False, diff_rushed)):
            result = page.evaluate(
                "([a, b, settled]) => window.bench.diffRows(a, b, settled)", [0, turns, settled]
            )
            samples.append(result["ms"])
            ops.add(result["ops"])
    context.close()
    return {
        "checkpoints": sorted(sizes),
        "lanes": lanes,
        "turns": turns,
        "diff_ops_drawn": sorted(ops),
        "open_kernel_ms": _summary(kernel_open),
        "open_browser_ms": _summary(browser_open),
        "open_total_ms": _summary([a + b for a, b in zip(kernel_open, browser_open)]),
        "open_warm_ms": _summary(warm_open),
        "scroll_ms": _summary(scroll),
        "diff_kernel_ms": _summary(diff_kernel),
        "diff_drawn_ms": _summary(diff_drawn),
        "diff_rushed_ms": _summary(diff_rushed),
    }
