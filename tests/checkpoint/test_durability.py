"""Engine-level durability: threads survive process restarts and ``kill -9`` (on SQLite, and
on PostgreSQL for the random-moment kills), and every saver gives the same observable
history for the same operations."""

from __future__ import annotations

import json
import operator
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path
from typing import Annotated, TypedDict

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

ROOT = Path(__file__).resolve().parents[2]

# A review graph: before -> ask (interrupt) -> after; and a fan-out graph whose "slow"
# branch blocks until a file appears, so a process can be killed in the middle of a step.
_GRAPHS = """
import operator, os, sys, time
from pathlib import Path
from typing import Annotated, TypedDict
sys.path.insert(0, {root!r})
from hitl_notebook import END, START, Command, StateGraph, interrupt
from hitl_notebook.checkpoint.sqlite import SqliteSaver

def saver_for(kind, where):
    # A SQLite file path, or a PostgreSQL DSN (setup() is safe in two processes at once).
    if kind == "sqlite":
        return SqliteSaver(where)
    from hitl_notebook.checkpoint.postgres import PostgresSaver
    saver = PostgresSaver.from_conn_string(where)
    saver.setup()
    return saver

class Review(TypedDict):
    log: Annotated[list, operator.add]
    answer: str

def review_graph(saver):
    def ask(state):
        return {{"answer": interrupt({{"question": "approve?"}}), "log": ["ask"]}}
    b = StateGraph(Review)
    b.add_node("before", lambda s: {{"log": ["before"]}})
    b.add_node("ask", ask)
    b.add_node("after", lambda s: {{"log": ["after:" + s["answer"]]}})
    b.add_edge(START, "before"); b.add_edge("before", "ask"); b.add_edge("ask", "after"); b.add_edge("after", END)
    return b.compile(checkpointer=saver)

def fanout_graph(saver, workdir):
    work = Path(workdir)
    def effect(name):
        with open(work / "effects", "a") as f:
            f.write(name + "\\n")
    def fast(state):
        effect("fast")
        return {{"log": ["fast"]}}
    def slow(state):
        effect("slow")
        (work / "slow-started").touch()
        while not (work / "go").exists():
            time.sleep(0.01)
        return {{"log": ["slow"]}}
    def join(state):
        effect("join")
        return {{"log": ["join"]}}
    b = StateGraph(Review)
    b.add_node("fast", fast); b.add_node("slow", slow); b.add_node("join", join)
    b.add_edge(START, "fast"); b.add_edge(START, "slow")
    b.add_edge(["fast", "slow"], "join"); b.add_edge("join", END)
    return b.compile(checkpointer=saver)

class Counter(TypedDict):
    items: Annotated[list, operator.add]

def counter_graph(saver, steps):
    def tick(state):
        time.sleep(0.005)
        return {{"items": [len(state["items"])]}}
    b = StateGraph(Counter)
    b.add_node("tick", tick)
    b.add_edge(START, "tick")
    b.add_conditional_edges("tick", lambda s: "tick" if len(s["items"]) < steps else END, ["tick", END])
    return b.compile(checkpointer=saver)
"""


def _script(body: str) -> str:
    return _GRAPHS.format(root=str(ROOT)) + textwrap.dedent(body)


def _run(body: str, *args: str, timeout: float = 120) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", _script(body), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def _graphs() -> dict:
    namespace: dict = {}
    code = compile(_script(""), "<graphs>", "exec", dont_inherit=True)  # no __future__ annotations
    exec(code, namespace)
    return namespace


def test_restart_between_interrupt_and_resume(tmp_path):
    """A thread paused on ``interrupt()`` in one process is resumed by a new process (a
    kernel restart) and ends exactly like a run that was never interrupted."""
    db = str(tmp_path / "threads.db")
    first = _run(
        """
        g = review_graph(SqliteSaver(sys.argv[1]))
        out = g.invoke({"log": []}, {"configurable": {"thread_id": "t"}})
        print(out["__interrupt__"][0].value["question"])
        """,
        db,
    )
    assert first.strip() == "approve?"
    second = _run(
        """
        import json
        g = review_graph(SqliteSaver(sys.argv[1]))
        cfg = {"configurable": {"thread_id": "t"}}
        out = g.invoke(Command(resume="yes"), cfg)
        print(json.dumps({"final": out, "history": len(list(g.get_state_history(cfg)))}))
        """,
        db,
    )
    resumed = json.loads(second)

    g = _graphs()
    from hitl_notebook import Command, InMemorySaver

    reference = g["review_graph"](InMemorySaver())
    cfg = {"configurable": {"thread_id": "t"}}
    reference.invoke({"log": []}, cfg)
    expected = reference.invoke(Command(resume="yes"), cfg)
    assert resumed["final"] == expected == {"log": ["before", "ask", "after:yes"], "answer": "yes"}
    assert resumed["history"] == len(list(reference.get_state_history(cfg)))


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_sigkill_in_the_middle_of_a_step_then_resume(kind, tmp_path, request):
    """``kill -9`` while one parallel task is running and its sibling has finished: the
    resumed run (new process) ends like an uninterrupted one and no node's writes are
    applied twice, on SQLite and on PostgreSQL. (The engine saves a step's outcomes when the
    step ends, so the finished sibling may run again: its earlier writes were never
    committed.)"""
    db = (
        str(tmp_path / "threads.db")
        if kind == "sqlite"
        else request.getfixturevalue("postgres_schema")
    )
    start = """
        g = fanout_graph(saver_for(sys.argv[3], sys.argv[1]), sys.argv[2])
        g.invoke({"log": []}, {"configurable": {"thread_id": "t"}})
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", _script(start), db, str(tmp_path), kind], stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while not _mid_step(tmp_path):
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, (
                "the first process never reached the middle of the step"
            )
            time.sleep(0.02)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    (tmp_path / "go").touch()
    out = _run(
        """
        import json
        g = fanout_graph(saver_for(sys.argv[3], sys.argv[1]), sys.argv[2])
        cfg = {"configurable": {"thread_id": "t"}}
        print(json.dumps([g.invoke(None, cfg), len(list(g.get_state_history(cfg)))]))
        """,
        db,
        str(tmp_path),
        kind,
    )
    final, history = json.loads(out)

    from hitl_notebook import InMemorySaver

    reference = _graphs()["fanout_graph"](InMemorySaver(), str(tmp_path))
    cfg = {"configurable": {"thread_id": "t"}}
    assert final == reference.invoke({"log": []}, cfg) == {"log": ["fast", "slow", "join"]}
    assert history == len(list(reference.get_state_history(cfg)))
    effects = (tmp_path / "effects").read_text().split()
    assert effects.count("slow") == 3 and effects.count("join") == 2  # killed + resumed + reference


def _mid_step(workdir: Path) -> bool:
    effects = workdir / "effects"
    return (
        (workdir / "slow-started").exists()
        and effects.exists()
        and "fast" in effects.read_text().split()
    )


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_sigkill_at_random_moments_loses_and_repeats_nothing(kind, tmp_path, request):
    """A 40-step loop killed with SIGKILL at random moments and resumed each time by a new
    process ends with every step applied exactly once, on a SQLite file and on PostgreSQL
    (where the killed client's open transaction is rolled back by the server)."""
    steps = 40
    where = (
        str(tmp_path / "threads.db")
        if kind == "sqlite"
        else request.getfixturevalue("postgres_schema")
    )
    body = """
        g = counter_graph(saver_for(sys.argv[1], sys.argv[2]), int(sys.argv[3]))
        cfg = {"configurable": {"thread_id": "t"}, "recursion_limit": 1000}
        print("ready", flush=True)
        state = g.get_state(cfg)
        if not state.values:
            g.invoke({"items": []}, cfg)
        elif state.next:
            g.invoke(None, cfg)
    """
    rng = random.Random(4)
    kills = 0
    for _ in range(30):
        proc = subprocess.Popen(
            [sys.executable, "-c", _script(body), kind, where, str(steps)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout.readline().strip() == b"ready", proc.stderr.read().decode()
        time.sleep(rng.uniform(0.0, 0.15))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait(timeout=60)
        if proc.returncode == 0:
            break
        assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()
    finished = _run(
        """
        import json
        g = counter_graph(saver_for(sys.argv[1], sys.argv[2]), 40)
        cfg = {"configurable": {"thread_id": "t"}, "recursion_limit": 1000}
        if g.get_state(cfg).next:
            g.invoke(None, cfg)
        history = list(g.get_state_history(cfg))
        print(json.dumps([g.get_state(cfg).values, [s.metadata["step"] for s in history]]))
        """,
        kind,
        where,
    )
    values, history_steps = json.loads(finished)
    assert kills >= 1
    assert values == {"items": list(range(steps))}
    # One linear history: every step once, newest first (nothing forked or repeated).
    assert history_steps == list(range(steps, -2, -1))


# -- the same history on every saver (hypothesis, stateful) ---------------------------------


class SameHistoryOnEverySaver(RuleBasedStateMachine):
    """Random run / resume / update_state / fork / replay sequences applied to the same
    graph on every saver; after each, the observable histories agree."""

    #: Set by the test below to a DSN for a fresh schema: PostgreSQL joins the comparison.
    postgres_dsn: str | None = None

    def __init__(self) -> None:
        super().__init__()
        import tempfile

        from hitl_notebook import InMemorySaver
        from hitl_notebook.checkpoint.sqlite import SqliteSaver

        self._dir = tempfile.TemporaryDirectory()
        self.savers = [
            InMemorySaver(),
            InMemorySaver(cache_size=0),
            SqliteSaver(os.path.join(self._dir.name, "a.db")),
            SqliteSaver(os.path.join(self._dir.name, "b.db"), cache_size=0),
        ]
        if self.postgres_dsn is not None:
            from hitl_notebook.checkpoint.postgres import PostgresSaver

            postgres = PostgresSaver.from_conn_string(self.postgres_dsn, cache_size=0)
            postgres.setup()
            self.savers.append(postgres)
        self.graphs = [_review_loop(s) for s in self.savers]
        # A fresh thread per example: the PostgreSQL schema is shared by the examples.
        self.cfg = {"configurable": {"thread_id": f"t-{uuid.uuid4().hex[:8]}"}}

    def teardown(self) -> None:
        for saver in self.savers[2:]:
            saver.close()
        self._dir.cleanup()

    def _each(self, action) -> None:
        outcomes = []
        for graph in self.graphs:
            try:
                outcomes.append(("ok", _plain(action(graph))))
            except Exception as exc:
                outcomes.append(("error", type(exc).__name__))
        assert all(o == outcomes[0] for o in outcomes), outcomes

    @rule(word=st.sampled_from(["a", "b"]))
    def run(self, word):
        self._each(lambda g: g.invoke({"log": [word]}, self.cfg))

    @rule(answer=st.sampled_from(["yes", "no"]))
    def resume(self, answer):
        from hitl_notebook import Command

        self._each(lambda g: g.invoke(Command(resume=answer), self.cfg))

    @rule(word=st.sampled_from(["u", "v"]))
    def update(self, word):
        self._each(lambda g: _no_id(g.update_state(self.cfg, {"log": [word]})))

    @rule(back=st.integers(0, 6), word=st.sampled_from(["f", "g"]))
    def fork(self, back, word):
        self._each(lambda g: _no_id(g.update_state(_nth(g, self.cfg, back), {"log": [word]})))

    @rule(back=st.integers(0, 6))
    def replay(self, back):
        self._each(lambda g: g.invoke(None, _nth(g, self.cfg, back)))

    @invariant()
    def histories_agree(self):
        histories = [_history(g, self.cfg) for g in self.graphs]
        assert all(h == histories[0] for h in histories), histories


class _LogState(TypedDict):
    log: Annotated[list, operator.add]


def _review_loop(saver):
    from hitl_notebook import END, START, StateGraph, interrupt

    State = _LogState

    def ask(state):
        return {"log": [interrupt({"n": len(state["log"])})]}

    b = StateGraph(State)
    b.add_node("work", lambda s: {"log": ["w"]})
    b.add_node("ask", ask)
    b.add_edge(START, "work")
    b.add_edge("work", "ask")
    b.add_conditional_edges("ask", lambda s: "work" if len(s["log"]) < 8 else END, ["work", END])
    return b.compile(checkpointer=saver)


def _nth(graph, cfg, back):
    history = list(graph.get_state_history(cfg))
    if not history:
        raise LookupError("no history")
    return history[min(back, len(history) - 1)].config


def _no_id(config):
    return sorted(k for k in config["configurable"] if k != "checkpoint_id")


def _plain(value):
    """Outputs compared across savers, without ids (they derive from checkpoint ids)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f: _plain(getattr(value, f)) for f in value.__dataclass_fields__ if f != "id"}
    return value


def _history(graph, cfg):
    """Every checkpoint, newest first, with ids replaced by their position."""
    snaps = list(graph.get_state_history(cfg))
    position = {s.config["configurable"]["checkpoint_id"]: i for i, s in enumerate(snaps)}
    return [
        (
            s.values,
            s.next,
            s.metadata.get("source"),
            s.metadata.get("step"),
            position.get((s.parent_config or {}).get("configurable", {}).get("checkpoint_id")),
            [(t.name, [i.value for i in t.interrupts]) for t in s.tasks],
        )
        for s in snaps
    ]


# Answering with new input while an interrupt is pending warns by design; every saver must agree.
@pytest.mark.postgres
@pytest.mark.filterwarnings("ignore::hitl_notebook.errors.HITLWarning")
def test_same_history_on_every_saver_including_postgres(postgres_schema, monkeypatch):
    """The stateful comparison with PostgreSQL as a fifth saver."""
    from hypothesis.stateful import run_state_machine_as_test

    monkeypatch.setattr(SameHistoryOnEverySaver, "postgres_dsn", postgres_schema)
    run_state_machine_as_test(
        SameHistoryOnEverySaver,
        settings=settings(max_examples=8, stateful_step_count=8, deadline=None),
    )


TestSameHistoryOnEverySaver = pytest.mark.filterwarnings(
    "ignore::hitl_notebook.errors.HITLWarning"
)(SameHistoryOnEverySaver.TestCase)
TestSameHistoryOnEverySaver.settings = settings(
    max_examples=20, stateful_step_count=8, deadline=None
)
