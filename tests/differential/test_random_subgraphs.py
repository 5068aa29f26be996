"""Random graphs with subgraphs, driven by answers, edits and time travel, on LangGraph and
on ours.

Subgraphs are nested one to three levels deep, compiled with ``checkpointer=None``,
``True`` or ``False``, added as nodes or called from a node function, with questions (one
or two per node), compile-time breakpoints, ``Command(graph=Command.PARENT)`` and ``Send``.
Each turn streams with random modes (``updates``, ``values``, ``debug``, ``tasks``,
``checkpoints``; with or without ``subgraphs=True``), reads ``get_state(subgraphs=True)``,
then answers, edits the parent or a subgraph's checkpoint, lists a subgraph's history, or
replays or forks a past checkpoint. The deliberate differences are kept out (no pause in a
``checkpointer=False`` subgraph, no ``invoke(None)`` while a question waits, histories
listed without a ``checkpoint_id``). A fuzz run of this kind (issue 10, ninth session)
found the subgraph differences fixed then; the seeds below failed before those fixes.
Chunks are compared sorted within a turn (parallel tasks finish in timing order).
"""

from __future__ import annotations

import operator
import random
import re
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, plain, same

pytestmark = pytest.mark.langgraph

#: Seeds that failed before the fixes and pass since (each takes well under a second);
#: 4, 33, 112, 129, 135 and 139 failed until issue 10's tenth session (an edit's writes as
#: the waiting task's result, subgraph task namespaces in checkpoint payloads).
SEEDS = [0, 1, 4, 5, 11, 16, 18, 20, 23, 33, 35, 46, 54, 60, 64, 74, 89, 101, 107, 112, 114]
SEEDS += [121, 122, 129, 135, 139]
#: Failed until the eleventh session (a paused subgraph's last state chunk, a command for the
#: parent stored as an error, when a subgraph continues its last run, a replay's budget).
SEEDS += [9, 22, 38, 92, 98]

_ID = re.compile(
    r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}|[0-9a-f]{64}"
)
#: Keys whose values are ids or times: they differ between the engines by design.
_DROP = {
    "timestamp",
    "ts",
    "created_at",
    "run_id",
    "thread_ts",
    "id",
    "checkpoint_id",
    "langgraph_checkpoint_ns",
}


class P(TypedDict, total=False):
    log: Annotated[list, operator.add]
    x: str


class S(TypedDict, total=False):
    log: Annotated[list, operator.add]
    y: str


def _scrub(obj: Any) -> Any:
    if isinstance(obj, str):
        return _ID.sub("#", obj)
    if isinstance(obj, dict):
        return {_scrub(k): _scrub(v) for k, v in obj.items() if k not in _DROP}
    if isinstance(obj, (list, tuple)):
        return type(obj)(_scrub(v) for v in obj)
    if hasattr(obj, "_fields") and hasattr(obj, "_asdict"):
        return _scrub(tuple(obj))
    if type(obj).__name__ == "Send":
        return ("Send", obj.node, _scrub(plain(obj.arg)))
    if type(obj).__name__ == "Command":
        return ("Command", _scrub(plain(obj.update)), _scrub(plain(obj.goto)), obj.resume)
    if isinstance(obj, BaseException):
        return ("error", type(obj).__name__)
    return obj


class _Builder:
    """Builds one seed's graph from ``api``'s classes."""

    def __init__(self, api: Api, seed: int) -> None:
        self.api = api
        self.rng = random.Random(seed)
        self.counter = 0

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def node_fn(self, name: str, kind: str, parent_targets: list[str]):
        api = self.api

        def run(state):
            if kind == "ask":
                return {"log": [f"{name}:{api.interrupt(f'q-{name}')}"]}
            if kind == "ask2":
                a = api.interrupt(f"q1-{name}")
                b = api.interrupt(f"q2-{name}")
                return {"log": [f"{name}:{a}+{b}"]}
            if kind == "parent" and parent_targets:
                t = parent_targets[len(state.get("log", [])) % len(parent_targets)]
                return api.Command(
                    graph=api.Command.PARENT, goto=t, update={"log": [f"{name}->{t}"]}
                )
            return {"log": [name]}

        return run

    def caller_fn(self, name: str, sub: Any, schema_key: str):
        def run(state):
            out = sub.invoke({"log": [f"in-{name}"], schema_key: name})
            return {"log": [f"{name}<" + ",".join(map(str, plain(out).get("log", [])[-2:]))]}

        return run

    def graph(self, depth: int, schema: Any, parent_targets: list[str], top: bool, saverless=False):
        rng, api = self.rng, self.api
        cp = None if top else rng.choice([None, None, True, False])
        saverless = saverless or cp is False
        n = rng.randint(1, 3) if not top else rng.randint(2, 4)
        names = [self.fresh("n" if top else "s") for _ in range(n)]
        b = api.StateGraph(schema)
        for name in names:
            roll = rng.random()
            if depth > 0 and roll < (0.45 if top else 0.35):
                sub_schema = rng.choice([P, S]) if not top else rng.choice([P, S, P])
                child = self.graph(depth - 1, sub_schema, names, False, saverless)
                if rng.random() < 0.6:
                    b.add_node(name, child)
                else:
                    b.add_node(name, self.caller_fn(name, child, "y" if sub_schema is S else "x"))
            else:
                kinds = ["plain", "plain"] + ([] if saverless else ["ask", "ask2"])
                kinds += [] if top else ["parent"]
                b.add_node(name, self.node_fn(name, rng.choice(kinds), parent_targets))
        b.add_edge(api.START, names[0])
        for i, name in enumerate(names):
            later = names[i + 1 :]
            r = rng.random()
            if not later:
                b.add_edge(name, api.END)
            elif r < 0.55:
                b.add_edge(name, later[0])
            elif r < 0.7 and len(later) >= 2:
                b.add_edge(name, later[0])
                b.add_edge(name, later[1])
            elif r < 0.85:
                opts = [later[0], api.END]
                b.add_conditional_edges(name, lambda s, o=opts: o[len(s.get("log", [])) % 2], opts)
            else:
                target = rng.choice(later)
                k = rng.randint(1, 2)
                b.add_conditional_edges(
                    name,
                    lambda s, t=target, k=k: [api.Send(t, {"log": [f"send{j}"]}) for j in range(k)],
                    [target],
                )
        opts: dict = {}
        if rng.random() < 0.15:
            opts["interrupt_before"] = [rng.choice(names)]
        if rng.random() < 0.1:
            opts["interrupt_after"] = [rng.choice(names)]
        if top:
            return b.compile(checkpointer=api.InMemorySaver(), **opts), names
        if saverless:  # deliberate: a pause in a subgraph without checkpoints is refused
            opts = {}
        return b.compile(checkpointer=cp, **opts)


def _view(snap: Any, deep: bool = True) -> dict | None:
    if snap is None:
        return None
    md = snap.metadata or {}
    tasks = []
    for t in snap.tasks:
        st = t.state
        if hasattr(st, "values"):
            st = _view(st) if deep else "snap"
        elif isinstance(st, dict):
            st = _scrub(st.get("configurable", {}).get("checkpoint_ns"))
        tasks.append(
            (
                t.name,
                tuple(sorted(repr(plain(i)) for i in t.interrupts)),
                type(t.error).__name__ if t.error else None,
                st,
                _scrub(plain(t.result)),
            )
        )
    cfg = (snap.config or {}).get("configurable", {})
    return {
        "next": tuple(sorted(snap.next)),
        "values": _scrub(plain(snap.values)),
        "source": md.get("source"),
        "step": md.get("step"),
        "ns": _scrub(cfg.get("checkpoint_ns")),
        "parent": snap.parent_config is not None,
        "tasks": sorted(tasks, key=repr),
        "interrupts": sorted(repr(plain(i)) for i in snap.interrupts),
    }


def _branchless(config: dict) -> dict:
    """Deliberate: a history from a ``checkpoint_id`` lists its branch (LangGraph: that one)."""
    conf = {
        k: v
        for k, v in config["configurable"].items()
        if k not in ("checkpoint_id", "checkpoint_map")
    }
    return {**config, "configurable": conf}


def _sub_configs(snap: Any, out: list) -> list:
    for t in snap.tasks:
        if hasattr(t.state, "values"):
            out.append(t.state.config)
            _sub_configs(t.state, out)
    return out


def _answers(api: Api, snap: Any, turn: int, rng: random.Random, use_interrupts: bool = False):
    asked = (
        list(snap.interrupts) if use_interrupts else [i for t in snap.tasks for i in t.interrupts]
    )
    if len(asked) == 1 and rng.random() < 0.7:
        return api.Command(resume=f"a{turn}")
    if asked:
        order = sorted(repr(plain(i.value)) for i in asked)
        return api.Command(
            resume={i.id: f"a{turn}-{order.index(repr(plain(i.value)))}" for i in asked}
        )
    return None


def _observe(api: Api, seed: int) -> list:
    bld = _Builder(api, seed)
    graph, names = bld.graph(bld.rng.randint(1, 3), P, [], True)
    rng = random.Random(seed * 31 + 7)
    base = {"configurable": {"thread_id": "t"}, "recursion_limit": 30}
    cfg: dict = base
    seen: list = []
    given: Any = {"log": [], "x": "in"}
    all_modes = ["updates", "values", "debug", "tasks", "checkpoints"]
    for turn in range(10):
        modes = rng.sample(all_modes, rng.randint(1, 2))
        subs = rng.random() < 0.7
        try:
            chunks = [
                _scrub(plain(c))
                for c in graph.stream(given, cfg, stream_mode=modes, subgraphs=subs)
            ]
            seen.append(("stream", modes, subs, sorted(chunks, key=repr)))
        except Exception as exc:  # both engines must fail alike
            seen.append(("raised", type(exc).__name__))
        cfg = base
        snap = graph.get_state(cfg, subgraphs=True)
        seen.append(("state", _view(snap)))
        roll = rng.random()
        given = None
        subcfgs = _sub_configs(snap, [])
        if roll < 0.12:
            as_node = rng.choice([None, *names])
            try:
                graph.update_state(cfg, {"log": [f"edit{turn}"]}, as_node=as_node)
                seen.append(("edited", as_node, _view(graph.get_state(cfg, subgraphs=True))))
            except Exception as exc:
                seen.append(("edit raised", as_node, type(exc).__name__))
        elif roll < 0.22 and subcfgs:
            sc = rng.choice(subcfgs)
            try:
                new = graph.update_state(sc, {"log": [f"subedit{turn}"]})
                namespace = _scrub(new.get("configurable", {}).get("checkpoint_ns"))
                seen.append(("subedited", namespace, _view(graph.get_state(cfg, subgraphs=True))))
                history = graph.get_state_history(_branchless(sc))
                seen.append(("subhist", [_view(s, False) for s in history]))
            except Exception as exc:
                seen.append(("subedit raised", type(exc).__name__))
        elif roll < 0.3 and subcfgs:
            sc = rng.choice(subcfgs)
            history = graph.get_state_history(_branchless(sc))
            seen.append(("subhist", [_view(s, False) for s in history]))
            given = _answers(api, snap, turn, rng)
        elif roll < 0.45:
            past = rng.choice(list(graph.get_state_history(base)))
            seen.append(("past", _view(past, False)))
            r2 = rng.random()
            if r2 < 0.4:
                cfg = {**past.config, "recursion_limit": 30}
            elif r2 < 0.6 and past.interrupts:
                cfg = {**past.config, "recursion_limit": 30}
                given = _answers(api, past, turn, rng, use_interrupts=True)
            else:
                try:
                    forked = graph.update_state(past.config, {"log": [f"fork{turn}"]})
                    cfg = {**forked, "recursion_limit": 30}
                    seen.append(("forked", _view(graph.get_state(cfg, subgraphs=True))))
                except Exception as exc:
                    seen.append(("fork raised", type(exc).__name__))
        elif not snap.next:
            break
        else:
            given = _answers(api, snap, turn, rng)
        if given is None and cfg is base:  # deliberate: an asked node waits for its answer
            now = graph.get_state(cfg)
            if now.interrupts:
                given = _answers(api, now, turn, rng)
    seen.append(("history", [_view(s, False) for s in graph.get_state_history(base)]))
    return seen


@pytest.mark.parametrize("seed", SEEDS)
def test_subgraphs_answers_edits_and_time_travel(seed):
    same(lambda api: _observe(api, seed))
