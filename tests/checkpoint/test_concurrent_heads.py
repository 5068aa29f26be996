"""Two kernels on one thread: moving the thread on is a compare-and-set on its head, so a
writer that lost the race gets ``ConcurrentUpdateError`` and writes nothing, and the thread
never forks by accident; explicit forks still branch (issue 14)."""

from __future__ import annotations

import json
import operator
import os
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from pathlib import Path
from typing import Annotated, TypedDict

import pytest
from checkpoint_helpers import put_chain, record

from hitl_notebook import (
    END,
    START,
    Command,
    ConcurrentUpdateError,
    ResumeError,
    StateGraph,
    interrupt,
)
from hitl_notebook.checkpoint.base import InterruptRecord, Replace, TaskOutcome

ROOT = Path(__file__).resolve().parents[2]
CFG = {"configurable": {"thread_id": "t"}}


def _children(saver, thread_id: str = "t") -> Counter:
    return Counter(r.parent_id for r in saver.list(thread_id) if r.parent_id is not None)


# -- the saver's contract -------------------------------------------------------------------


def test_advancing_from_a_stale_head_is_refused_and_stores_nothing(kit):
    """``put(advance=True)`` stores a child of the head; a second child of the same parent
    is refused with an error naming both checkpoints, and nothing is stored."""
    first, second = put_chain(kit.saver, 2)
    late = record(parent=first, values={"messages": [], "count": 9})
    with pytest.raises(ConcurrentUpdateError) as err:
        kit.saver.put(late, {"count": Replace(9)}, advance=True)
    assert first.id in str(err.value) and second.id in str(err.value)
    assert (err.value.expected, err.value.actual) == (first.id, second.id)
    assert kit.reopen().get("t", checkpoint_id=late.id) is None
    ok = record(parent=second, values={"messages": [], "count": 3})
    kit.saver.put(ok, {"count": Replace(3)}, advance=True)
    assert kit.saver.get("t").id == ok.id


def test_starting_a_thread_that_another_writer_started_is_refused(kit):
    """``advance`` with no parent means "the thread is new": refused once it has a head."""
    (existing,) = put_chain(kit.saver, 1)
    with pytest.raises(ConcurrentUpdateError, match=existing.id):
        kit.saver.put(record(values={"messages": [], "count": 0}), {}, advance=True)


def test_an_explicit_fork_branches_off_any_checkpoint(kit):
    """Without ``advance`` (a config naming a past checkpoint), a second child is a branch."""
    first, _ = put_chain(kit.saver, 2)
    fork = record(parent=first, values={"messages": [], "count": 7}, source="update")
    kit.saver.put(fork, {"count": Replace(7)})
    assert _children(kit.reopen())[first.id] == 2


def test_an_outcome_for_a_checkpoint_that_is_no_longer_the_head_is_refused(kit):
    """Task outcomes of a step are written only while its checkpoint is the head."""
    first, second = put_chain(kit.saver, 2)
    outcome = TaskOutcome("task-1", "node", writes=[("count", 5)])
    kit.saver.put_outcome("t", "", second.id, outcome, advance=True)
    with pytest.raises(ConcurrentUpdateError, match=second.id):
        kit.saver.put_outcome("t", "", first.id, outcome, advance=True)
    assert kit.reopen().get("t", checkpoint_id=first.id).outcomes == {}


def test_a_second_answer_to_the_same_question_is_refused(kit):
    """Two writers that read the same pending question: the first answer is stored, the
    second is refused (it would overwrite the answer the first writer's run is using)."""
    (head,) = put_chain(kit.saver, 1)
    asked = TaskOutcome("task-1", "node", interrupts=[InterruptRecord("i" * 32, "ok?", 0)])
    kit.saver.put_outcome("t", "", head.id, asked, advance=True)
    read = kit.saver.get("t").outcomes["task-1"]  # both writers read this
    mine = TaskOutcome("task-1", "node", answers=["yes"], interrupts=read.interrupts)
    theirs = TaskOutcome("task-1", "node", answers=["no"], interrupts=read.interrupts)
    kit.saver.put_outcome("t", "", head.id, mine, advance=True, answered=read)
    with pytest.raises(ConcurrentUpdateError, match="answered by another writer"):
        kit.saver.put_outcome("t", "", head.id, theirs, advance=True, answered=read)
    assert kit.reopen().get("t").outcomes["task-1"].answers == ["yes"]


# -- the engine: another kernel moves the thread on during a step ---------------------------


class Log(TypedDict, total=False):
    log: Annotated[list, operator.add]


def _graph(saver, on_step=None):
    def step(state):
        if on_step is not None:
            on_step()
        return {"log": ["step"]}

    def ask(state):
        return {"log": [f"answer:{interrupt('ok?')}"]}

    return (
        StateGraph(Log)
        .add_node("step", step)
        .add_node("ask", ask)
        .add_edge(START, "step")
        .add_edge("step", "ask")
        .add_edge("ask", END)
        .compile(checkpointer=saver)
    )


def _assert_no_fork(saver) -> None:
    assert [p for p, n in _children(saver).items() if n > 1] == []


def test_a_run_overtaken_by_another_kernel_raises_and_writes_nothing(kit):
    """While kernel A's node runs, kernel B edits the thread: A's step is refused with
    ConcurrentUpdateError naming both checkpoints, B's edit is the head, no fork."""
    other = _graph(kit.reopen())  # a second kernel: its own saver on the same storage
    _graph(kit.saver).invoke({"log": []}, CFG)  # waits at "ask"
    kit.saver.clear_cache()
    other.invoke(Command(resume="first"), CFG)
    started = kit.saver.get("t").id

    def overtaken():
        other.update_state(CFG, {"log": ["B was here"]})

    mine = _graph(kit.saver, on_step=overtaken)
    with pytest.raises(ConcurrentUpdateError) as err:
        mine.invoke({"log": []}, CFG)
    head = kit.reopen().get("t")
    assert head.source == "update" and head.writes is not None
    assert err.value.actual == head.id and err.value.expected != head.id
    assert started in {r.id for r in kit.saver.list("t")}
    _assert_no_fork(kit.reopen())
    # Refreshed, kernel A continues from the new head.
    kit.saver.clear_cache()
    out = _graph(kit.saver).invoke({"log": []}, CFG)
    assert "B was here" in out["log"] and out["__interrupt__"]


def test_a_resume_of_a_question_another_kernel_answered_is_a_resume_error(kit):
    """Kernel B answers while kernel A's run (with A's answer) is still in the node: B's
    plain resume is refused, not taken as an answer to a question nobody asks any more."""
    other = _graph(kit.reopen())
    graph = _graph(kit.saver)
    graph.invoke({"log": []}, CFG)
    seen: list = []

    def kernel_b() -> None:
        with pytest.raises(ResumeError, match="already answered") as err:
            other.invoke(Command(resume="B's answer"), CFG)
        seen.append(err.value)

    def ask(state):
        answer = interrupt("ok?")
        # In a thread of its own, so B's call is not a subgraph of A's running node.
        b = threading.Thread(target=kernel_b)
        b.start()
        b.join()
        return {"log": [f"answer:{answer}"]}

    racing = (
        StateGraph(Log)
        .add_node("step", lambda s: {"log": ["step"]})
        .add_node("ask", ask)
        .add_edge(START, "step")
        .add_edge("step", "ask")
        .add_edge("ask", END)
        .compile(checkpointer=kit.saver)
    )
    out = racing.invoke(Command(resume="A's answer"), CFG)
    assert seen and out["log"][-1] == "answer:A's answer"
    _assert_no_fork(kit.reopen())


def test_update_state_on_a_past_checkpoint_still_forks(kit):
    """An explicit ``checkpoint_id`` branches off a checkpoint that already has a child."""
    graph = _graph(kit.saver)
    graph.invoke({"log": []}, CFG)
    graph.invoke(Command(resume="yes"), CFG)
    past = list(graph.get_state_history(CFG))[-2].config
    graph.update_state(past, {"log": ["fork"]})
    parent = past["configurable"]["checkpoint_id"]
    assert _children(kit.reopen())[parent] == 2


# -- two processes x 100 advances ----------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import json, operator, sys
    from typing import Annotated, TypedDict
    from hitl_notebook import END, START, ConcurrentUpdateError, StateGraph
    kind, target, me, advances = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    if kind == "sqlite":
        from hitl_notebook.checkpoint.sqlite import SqliteSaver
        saver = SqliteSaver(target)
    else:
        from hitl_notebook.checkpoint.postgres import PostgresSaver
        saver = PostgresSaver.from_conn_string(target)

    class Log(TypedDict, total=False):
        log: Annotated[list, operator.add]

    graph = (
        StateGraph(Log)
        .add_node("add", lambda s: {"log": [me]})
        .add_edge(START, "add")
        .add_edge("add", END)
        .compile(checkpointer=saver)
    )
    cfg = {"configurable": {"thread_id": "shared"}}
    done = refused = 0
    others = []
    while done < advances:
        saver.clear_cache()
        try:
            graph.invoke({"log": []}, cfg)
            done += 1
        except ConcurrentUpdateError:
            refused += 1
        except Exception as exc:  # anything else fails the test
            others.append(f"{type(exc).__name__}: {exc}")
            break
    print(json.dumps({"done": done, "refused": refused, "others": others}))
    """
)


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_two_processes_advancing_one_thread_never_fork_it(kind, make_kit, tmp_path):
    """Two processes each make 100 runs on one thread at the same time: every refused write
    is a ConcurrentUpdateError, no checkpoint has two children, and the final state holds
    exactly the 200 runs' writes in the order of the history."""
    kit = make_kit(kind)
    target = (
        kit.saver._conn.execute("PRAGMA database_list").fetchone()[2] if kind == "sqlite" else None
    )
    if kind == "postgres":
        target = kit.saver._conn.info.dsn
    advances = 100
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, kind, target, name, str(advances)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for name in ("A", "B")
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    print(f"\n{kind}: {results}")  # the figures, for the closing note
    assert all(r["others"] == [] and r["done"] == advances for r in results), results

    saver = kit.reopen()
    records = list(saver.list("shared"))
    children = _children(saver, "shared")
    assert [p for p, n in children.items() if n > 1] == []
    head = saver.get("shared")
    chain, cid = [], head.id
    by_id = {r.id: r for r in records}
    while cid is not None:
        chain.append(cid)
        cid = by_id[cid].parent_id
    assert len(chain) == len(records)  # one line of history: every checkpoint on it
    log = head.values["log"]
    assert Counter(log) == {"A": advances, "B": advances}
    # Each run wrote its name at its "add" step: the log follows the history's order.
    writers = [
        r.writes["add"]["log"][0] for r in reversed(records) if r.writes and "add" in r.writes
    ]
    assert writers == log
