"""``prune`` shrinks a long chat thread and keeps only what it documents; ``vacuum`` gives
the space back to the file system (issue 14, defect 3)."""

from __future__ import annotations

import os
from typing import Annotated, TypedDict

import pg_rows
import pytest

from hitl_notebook import START, Command, StateGraph, add_messages, interrupt

CFG = {"configurable": {"thread_id": "chat"}}


class Chat(TypedDict):
    messages: Annotated[list, add_messages]


def _chat(saver, turns: int):
    """A chat loop: ``human`` asks through ``interrupt()``, ``ai`` replies; every turn
    answered, so only the newest question is still waiting."""

    def human(state):
        return {"messages": [{"role": "user", "content": interrupt("your turn?")}]}

    def ai(state):
        return {
            "messages": [{"role": "assistant", "content": f"reply {len(state['messages'])} " * 8}]
        }

    graph = (
        StateGraph(Chat)
        .add_node("human", human)
        .add_node("ai", ai)
        .add_edge(START, "human")
        .add_edge("human", "ai")
        .add_edge("ai", "human")
        .compile(checkpointer=saver)
    )
    graph.invoke({"messages": []}, CFG)
    for turn in range(turns):
        graph.invoke(Command(resume=f"question {turn}"), CFG)
    return graph


def _stored(kit) -> int:
    if kit.kind == "postgres":
        return kit.sql(pg_rows.STORED_BYTES, [])[0][0]
    return kit.sql(
        "SELECT (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM hitl_checkpoints)"
        " + (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM hitl_outcomes)",
        [],
    )[0][0]


def test_prune_keeps_only_unanswered_questions_and_shrinks_storage(kit):
    """Answered interrupts do not pin their checkpoints: after ``prune(keep_last=5)`` the
    thread keeps its 5 newest checkpoints (the newest holds the one waiting question), its
    stored bytes shrink, and it reads and continues exactly as before."""
    graph = _chat(kit.saver, 60)
    before_state = graph.get_state(CFG)
    before_bytes = _stored(kit) if kit.sql else None
    total = len(list(graph.get_state_history(CFG)))

    removed = kit.saver.prune("chat", keep_last=5)

    assert removed == total - 5
    kit.saver.clear_cache()
    after = graph.get_state(CFG)
    assert after.values == before_state.values and after.interrupts == before_state.interrupts
    if kit.sql is not None:
        assert _stored(kit) < before_bytes / 3, (_stored(kit), before_bytes)
    out = graph.invoke(Command(resume="after pruning"), CFG)
    assert out["messages"][-2].content == "after pruning"


def test_prune_does_not_trust_an_old_interrupted_flag(kit):
    """Rows that an earlier release flagged as interrupted although answered are pruned
    too: the flag is checked against the stored outcome."""
    graph = _chat(kit.saver, 20)
    if kit.sql is not None:
        kit.sql("UPDATE hitl_outcomes SET interrupted = ?", [True])
    else:
        with kit.saver._writing("chat") as tx:
            for outs in tx._threads["chat"][""].outcomes.values():
                for o in outs.values():
                    o.interrupted = True
    total = len(list(graph.get_state_history(CFG)))
    assert kit.saver.prune("chat", keep_last=3) == total - 3


def test_prune_keeps_a_checkpoint_whose_question_is_still_waiting(kit):
    """A question left unanswered under a later edit is kept (with its interrupt) even when
    it is neither among the newest nor a branch tip."""
    graph = _chat(kit.saver, 5)
    waiting = graph.get_state(CFG)
    assert waiting.interrupts
    graph.update_state(CFG, {"messages": [{"role": "user", "content": "edited"}]}, as_node="ai")
    graph.update_state(CFG, {"messages": [{"role": "user", "content": "again"}]}, as_node="ai")
    kit.saver.prune("chat", keep_last=1)
    kit.saver.clear_cache()
    kept = [s.config["configurable"]["checkpoint_id"] for s in graph.get_state_history(CFG)]
    assert len(kept) == 2 and waiting.config["configurable"]["checkpoint_id"] in kept
    again = graph.get_state(waiting.config)
    assert again.values == waiting.values
    assert [i.id for i in again.interrupts] == [i.id for i in waiting.interrupts]


def test_vacuum_gives_the_space_back_on_sqlite(make_kit):
    """After pruning a long thread, ``vacuum()`` makes the SQLite file smaller than before
    pruning (pruning alone frees pages inside the file)."""
    kit = make_kit("sqlite")
    graph = _chat(kit.saver, 300)
    path = kit.saver._conn.execute("PRAGMA database_list").fetchone()[2]
    kit.sql("PRAGMA wal_checkpoint(TRUNCATE)", [])
    before = os.path.getsize(path)
    kit.saver.prune("chat", keep_last=10)
    kit.saver.vacuum()
    assert os.path.getsize(path) < before / 2, (os.path.getsize(path), before)
    assert len(graph.get_state(CFG).values["messages"]) == 600


def test_vacuum_runs_on_every_saver(saver):
    """``vacuum()`` is safe on every saver, and the thread reads the same afterwards."""
    graph = _chat(saver, 3)
    values = graph.get_state(CFG).values
    saver.vacuum()
    saver.clear_cache()
    assert graph.get_state(CFG).values == values


#: The pages of our PostgreSQL tables' rows and their indexes (TOAST, where large snapshots
#: go, left out: a later snapshot is new data, not reuse; so is the tails table, rewritten
#: in place on every write: its old versions are freed on their page once no transaction
#: anywhere in the cluster can see them, which pruning does not change).
_PG_ROWS_SIZE = (
    "SELECT SUM(pg_relation_size(c.oid) + pg_indexes_size(c.oid)) FROM pg_class c WHERE c.relkind = 'r' "
    "AND starts_with(c.relname, 'hitl_') AND c.relname <> 'hitl_tails' "
    "AND c.relnamespace = current_schema()::regnamespace"
)


@pytest.mark.postgres
@pytest.mark.parametrize("vacuum", [True, False])
def test_vacuum_lets_postgres_reuse_the_space_prune_freed(make_kit, vacuum):
    """On PostgreSQL, pruning then ``vacuum()`` lets the thread's next turns reuse the freed
    space: their rows and index entries fit in the pages pruning emptied (PostgreSQL keeps a
    table's pages; without the vacuum, which records the free space, new rows go to new
    pages and the tables grow)."""
    kit = make_kit("postgres")
    graph = _chat(kit.saver, 150)
    kit.saver.prune("chat", keep_last=10)
    if vacuum:
        kit.saver.vacuum()
    before = kit.sql(_PG_ROWS_SIZE, [])[0][0]
    for turn in range(100):
        graph.invoke(Command(resume=f"later question {turn}"), CFG)
    after = kit.sql(_PG_ROWS_SIZE, [])[0][0]
    assert (after <= before) is vacuum, (after, before)
    assert len(graph.get_state(CFG).values["messages"]) == 500
