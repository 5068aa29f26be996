"""The saver contract: every saver (memory, SQLite, PostgreSQL) passes the same tests."""

from __future__ import annotations

import threading

import pytest
from checkpoint_helpers import HOSTILE_STRINGS, put_chain, record

from hitl_notebook.checkpoint.base import (
    Append,
    InterruptRecord,
    Replace,
    TaskOutcome,
    TaskPlan,
    new_checkpoint_id,
)
from hitl_notebook.checkpoint.serde import SerializationError
from hitl_notebook.errors import ConcurrentUpdateError
from hitl_notebook.messages import AIMessage, HumanMessage

# -- put / get -------------------------------------------------------------------------------


def test_get_returns_what_put_stored(saver):
    """Every field of a checkpoint (values, writes, next tasks, metadata...) reads back equal."""
    rec = record(
        values={"messages": [HumanMessage(content="hi", id="1")], "n": 3, "when": (1, 2)},
        writes={"node": {"n": 3}},
        next=[
            TaskPlan(id="a", name="n1"),
            TaskPlan(id="b", name="n2", send_arg={"x": None}, is_send=True),
        ],
        metadata={"user": "ada", "tags": ["x"], "run": 7},
        source="input",
        step=-1,
    )
    saver.put(rec, {})
    got = saver.get("t", "", rec.id)
    assert got == rec


def test_get_without_id_returns_latest_and_none_when_missing(saver):
    """``get`` with no id gives the newest checkpoint; unknown threads/ids give None."""
    recs = put_chain(saver, 3)
    assert saver.get("t").id == recs[-1].id
    assert saver.get("t", "", recs[0].id).values == recs[0].values
    assert saver.get("other") is None
    assert saver.get("t", "", new_checkpoint_id()) is None
    assert saver.get("t", "sub") is None


def test_every_checkpoint_of_a_long_delta_chain_reads_back_exactly(kit):
    """Deltas and snapshots reproduce every checkpoint's full values, cached or read cold
    from storage (a new kernel)."""
    recs = put_chain(kit.saver, 300)
    for saver in (kit.saver, kit.reopen()):
        for rec in [*recs[::7], recs[-1]]:
            assert saver.get("t", "", rec.id).values == rec.values


def test_parentless_checkpoint_stores_its_full_values(saver):
    """A first checkpoint (no parent) keeps all its values whatever the changes say."""
    rec = record(values={"a": [1], "b": "x"})
    saver.put(rec, {"a": Append([1])})
    assert saver.get("t").values == {"a": [1], "b": "x"}


def test_replace_and_append_apply_to_the_parent(saver):
    """A step's changes are relative to its parent: unchanged channels carry over."""
    first = record(values={"log": ["a"], "n": 1, "keep": {"k": 1}})
    saver.put(first, {})
    second = record(parent=first, values={"log": ["a", "b", "c"], "n": 2, "keep": {"k": 1}})
    saver.put(second, {"log": Append(["b", "c"]), "n": Replace(2)})
    assert saver.get("t").values == {"log": ["a", "b", "c"], "n": 2, "keep": {"k": 1}}


def test_a_checkpoint_id_is_never_overwritten(saver):
    """Putting an existing id again is an error and the stored checkpoint is unchanged."""
    rec = record(values={"n": 1})
    saver.put(rec, {})
    with pytest.raises(ValueError, match="already exists"):
        saver.put(record(id=rec.id, values={"n": 2}), {})
    assert saver.get("t").values == {"n": 1}


def test_unserialisable_value_fails_at_put_naming_the_path_and_stores_nothing(saver):
    """A value serde cannot store is rejected before anything is written, with its path."""
    first = record(values={"items": []})
    saver.put(first, {})
    bad = record(parent=first, values={"items": [object()]})
    with pytest.raises(SerializationError, match=r"values\['items'\]\[0\]"):
        saver.put(bad, {"items": Append([object()])})
    assert saver.get("t").id == first.id
    assert len(list(saver.list("t"))) == 1


def test_non_json_metadata_is_rejected_at_put(saver):
    """Metadata must be JSON (it is queried by SQL); anything else fails before writing."""
    with pytest.raises(SerializationError, match="metadata"):
        saver.put(record(metadata={"when": object()}), {})
    assert saver.get("t") is None


@pytest.mark.parametrize("field", ["thread_id", "ns", "id"])
def test_bad_keys_are_rejected(saver, field):
    """Ids must be str without NUL (PostgreSQL cannot store NUL; all savers agree)."""
    with pytest.raises(ValueError, match="NUL"):
        saver.put(record(**{field: "a\x00b"}), {})
    with pytest.raises(TypeError, match="must be a str"):
        saver.put(record(**{field: 42}), {})


# -- copies ----------------------------------------------------------------------------------


def test_returned_values_are_fresh_copies(saver):
    """Mutating what ``get``/``list`` return never changes what is stored."""
    rec = record(values={"messages": [AIMessage(content="a", id="1")], "d": {"k": [1]}})
    saver.put(rec, {})
    saver.put_outcome("t", "", rec.id, TaskOutcome("task", "n", writes=[("d", {"k": [2]})]))
    got = saver.get("t")
    got.values["messages"][0].content = "changed"
    got.values["messages"].append("x")
    got.values["d"]["k"].append(2)
    got.outcomes["task"].writes[0][1]["k"].append(3)
    got.metadata["x"] = 1
    listed = next(saver.list("t"))
    listed.values["d"]["k"].clear()
    again = saver.get("t")
    assert again.values == {"messages": [AIMessage(content="a", id="1")], "d": {"k": [1]}}
    assert again.outcomes["task"].writes == [("d", {"k": [2]})]
    assert again.metadata == {}


def test_mutating_a_record_after_put_does_not_change_storage(saver):
    """The saver keeps its own copy: the engine may keep mutating its state objects."""
    messages = [AIMessage(content="a", id="1")]
    first = record(values={"messages": messages})
    saver.put(first, {})
    second = record(parent=first, values={"messages": [*messages, AIMessage(content="b", id="2")]})
    saver.put(second, {"messages": Append([second.values["messages"][-1]])})
    messages[0].content = "mutated"
    second.values["messages"][-1].content = "mutated too"
    assert [m.content for m in saver.get("t").values["messages"]] == ["a", "b"]


# -- list ------------------------------------------------------------------------------------


def test_list_is_newest_first_with_before_and_limit(saver):
    """``list`` orders newest first; ``before`` excludes that id and newer; ``limit`` caps."""
    recs = put_chain(saver, 6)
    ids = [r.id for r in reversed(recs)]
    assert [r.id for r in saver.list("t")] == ids
    assert [r.id for r in saver.list("t", limit=2)] == ids[:2]
    assert [r.id for r in saver.list("t", before=ids[1])] == ids[2:]
    assert [r.id for r in saver.list("t", before=ids[1], limit=2)] == ids[2:4]
    assert list(saver.list("t", limit=0)) == []
    assert [r.values for r in saver.list("t")] == [r.values for r in reversed(recs)]


def test_list_filters_on_source_step_and_run_metadata(saver):
    """Filters match ``source``, ``step`` and run metadata keys exactly (types included)."""
    a = record(
        values={"n": 0}, source="input", step=-1, metadata={"user": "ada", "n": 1, "flag": True}
    )
    saver.put(a, {})
    b = record(
        parent=a, values={"n": 1}, metadata={"user": "bob", "n": 1.0, "flag": False, "tags": ["x"]}
    )
    saver.put(b, {"n": Replace(1)})
    c = record(parent=b, values={"n": 2}, metadata={"user": "ada", "n": 2, "tags": ["x"]})
    saver.put(c, {"n": Replace(2)})

    def ids(**f):
        return [r.id for r in saver.list("t", filter=f)]

    assert ids(source="input") == [a.id]
    assert ids(source="loop") == [c.id, b.id]
    assert ids(step=0) == [b.id]
    assert ids(user="ada") == [c.id, a.id]
    assert ids(user="ada", source="loop") == [c.id]
    assert ids(n=1) == [b.id, a.id]
    assert ids(flag=True) == [a.id]
    assert ids(flag=1) == []
    assert ids(tags=["x"]) == [c.id, b.id]
    assert ids(user="nobody") == []
    assert ids(missing=None) == []
    assert [r.id for r in saver.list("t", filter={"user": "ada"}, limit=1)] == [c.id]
    assert [r.id for r in saver.list("t", filter={"tags": ["x"]}, limit=1)] == [c.id]


@pytest.mark.parametrize(
    "key",
    ["a b", "x'; DROP TABLE hitl_checkpoints; --", "1abc", "a" * 65, "metadata->>'x'", "", "é"],
)
def test_filter_keys_outside_the_allow_list_raise(saver, key):
    """Filter keys must be identifiers (or source/step): anything else is a ValueError."""
    with pytest.raises(ValueError, match="not allowed"):
        saver.list("t", filter={key: 1})


# -- forks, namespaces, threads ------------------------------------------------------------


def test_a_fork_reads_its_own_branch(kit):
    """A checkpoint whose parent is an older one (``update_state`` on the past) sees that
    parent's values plus its change, and the original branch is unchanged."""
    main = put_chain(kit.saver, 10)
    base = main[3]
    fork = record(parent=base, values={**base.values, "count": 100}, source="fork")
    kit.saver.put(fork, {"count": Replace(100)})
    tail = put_chain(kit.saver, 3, parent=fork)
    for saver in (kit.saver, kit.reopen()):
        assert saver.get("t", "", fork.id).values == fork.values
        assert saver.get("t").values == tail[-1].values
        assert len(saver.get("t").values["messages"]) == 4 + 3
        assert saver.get("t", "", main[-1].id).values == main[-1].values
        assert saver.get("t", "", tail[0].id).parent_id == fork.id
        assert len(list(saver.list("t"))) == 14


def test_threads_and_namespaces_are_isolated(saver):
    """The same checkpoint id in two threads or namespaces are different checkpoints."""
    cid = new_checkpoint_id()
    saver.put(record("t1", id=cid, values={"v": 1}), {})
    saver.put(record("t2", id=cid, values={"v": 2}), {})
    saver.put(record("t1", id=cid, ns="child:1", values={"v": 3}), {})
    assert saver.get("t1", "", cid).values == {"v": 1}
    assert saver.get("t2", "", cid).values == {"v": 2}
    assert saver.get("t1", "child:1", cid).values == {"v": 3}
    assert [r.values for r in saver.list("t1")] == [{"v": 1}]
    assert [r.values for r in saver.list("t1", "child:1")] == [{"v": 3}]


def test_list_threads_and_delete_thread(saver):
    """Threads are listed most recently updated first; deleting one removes every
    namespace of it and nothing else."""
    put_chain(saver, 2, thread_id="old")
    put_chain(saver, 3, thread_id="new")
    put_chain(saver, 1, thread_id="new", ns="child:x")
    infos = saver.list_threads()
    assert [(i.thread_id, i.checkpoint_count) for i in infos] == [("new", 3), ("old", 2)]
    assert infos[0].latest_checkpoint_id == saver.get("new").id
    saver.delete_thread("new")
    assert saver.get("new") is None
    assert saver.get("new", "child:x") is None
    assert [i.thread_id for i in saver.list_threads()] == ["old"]
    assert len(list(saver.list("old"))) == 2


# -- outcomes --------------------------------------------------------------------------------


def test_outcomes_upsert_by_task_and_keep_first_insertion_order(saver):
    """``put_outcome`` inserts or replaces by task id; order is first insertion."""
    rec = record(values={"n": 1})
    saver.put(rec, {})
    pending = TaskOutcome(
        "t-b", "review", interrupts=[InterruptRecord(id="i1", value={"q": "ok?"}, index=0, ns="")]
    )
    saver.put_outcome("t", "", rec.id, pending)
    saver.put_outcome("t", "", rec.id, TaskOutcome("t-a", "other", writes=[("n", 5)], goto=["x"]))
    done = TaskOutcome("t-b", "review", writes=[("n", 2)], answers=["yes"])
    saver.put_outcome("t", "", rec.id, done)
    got = saver.get("t").outcomes
    assert list(got) == ["t-b", "t-a"]
    assert got["t-b"] == done
    assert got["t-a"].goto == ["x"]
    assert next(saver.list("t")).outcomes == got


def test_outcomes_given_with_the_checkpoint_are_stored_with_it(saver):
    """Outcomes in ``record.outcomes`` are written in the same transaction as the record."""
    rec = record(values={"n": 1})
    rec.outcomes = {"x": TaskOutcome("x", "n", error="ValueError: boom")}
    saver.put(rec, {})
    assert saver.get("t").outcomes == rec.outcomes


def test_put_step_stores_the_parents_closed_outcomes_with_the_new_checkpoint(saver):
    """A step's commit: the parent's finished task outcomes and the new checkpoint, at once."""
    (parent,) = put_chain(saver, 1)
    asked = TaskOutcome(
        "t-r", "review", interrupts=[InterruptRecord(id="i1", value="ok?", index=0, ns="")]
    )
    saver.put_outcome("t", "", parent.id, asked)
    closed = TaskOutcome(
        "t-r", "review", writes=[("count", 9)], answers=["yes"], interrupts=asked.interrupts
    )
    child = record(parent=parent, values={**parent.values, "count": 9})
    saver.put_step(child, {"count": Replace(9)}, [closed], advance=True)
    assert saver.get("t").id == child.id
    assert saver.get("t", "", parent.id).outcomes == {"t-r": closed}
    assert saver.get("t", "", child.id).outcomes == {}


def test_put_step_refused_stores_neither_outcome_nor_checkpoint(saver):
    """A step committed on a head that moved on (another writer) leaves the parent's
    outcomes and the thread exactly as they were."""
    first, second = put_chain(saver, 2)
    asked = TaskOutcome("t-r", "review", interrupts=[InterruptRecord("i1", "ok?", 0, "")])
    saver.put_outcome("t", "", first.id, asked)
    late = record(parent=first, values=first.values)
    closed = TaskOutcome("t-r", "review", writes=[], answers=["yes"])
    with pytest.raises(ConcurrentUpdateError, match=second.id):
        saver.put_step(late, {}, [closed], advance=True)
    assert saver.get("t", "", first.id).outcomes == {"t-r": asked}
    assert saver.get("t").id == second.id
    assert saver.get("t", "", late.id) is None


def test_put_step_with_closed_outcomes_needs_a_parent(saver):
    """Closed outcomes name the parent's tasks: a parentless record cannot carry them."""
    with pytest.raises(ValueError, match="parent"):
        saver.put_step(record(values={"n": 1}), {}, [TaskOutcome("x", "n", writes=[])])
    assert saver.get("t") is None


def test_outcome_for_a_missing_checkpoint_is_an_error(saver):
    """An outcome needs its checkpoint: recording one for an unknown id raises."""
    with pytest.raises(KeyError, match="does not exist"):
        saver.put_outcome("t", "", new_checkpoint_id(), TaskOutcome("x", "n"))


def test_outcomes_belong_to_their_checkpoint_only(saver):
    """An outcome on one checkpoint is not seen on its parent, child or another thread."""
    a, b = put_chain(saver, 2)
    put_chain(saver, 1, thread_id="u")
    saver.put_outcome("t", "", a.id, TaskOutcome("x", "n", writes=[]))
    assert saver.get("t", "", a.id).outcomes.keys() == {"x"}
    assert saver.get("t", "", b.id).outcomes == {}
    assert saver.get("u").outcomes == {}


# -- hostile input ---------------------------------------------------------------------------


@pytest.mark.parametrize("evil", HOSTILE_STRINGS)
def test_sql_injection_strings_are_stored_and_read_back_literally(kit, evil):
    """Thread ids, namespaces, checkpoint ids, metadata and filter values reach SQL only as
    parameters: they are stored literally and the tables survive."""
    saver = kit.saver
    bystander = put_chain(saver, 2, thread_id="bystander")
    rec = record(evil, id=evil, ns=evil, values={evil: evil}, metadata={"note": evil}, source=evil)
    saver.put(rec, {})
    saver.put_outcome(evil, evil, evil, TaskOutcome(evil, evil, writes=[(evil, evil)]))
    got = saver.get(evil, evil, evil)
    assert got.values == {evil: evil}
    assert got.outcomes[evil].writes == [(evil, evil)]
    assert [r.id for r in saver.list(evil, evil, filter={"note": evil, "source": evil})] == [evil]
    assert [r.id for r in saver.list(evil, evil, before=evil + "z")] == [evil]
    assert list(saver.list(evil, evil, filter={"note": evil + "'"})) == []
    saver.delete_thread(evil)
    assert saver.get(evil, evil, evil) is None
    assert saver.get("bystander").values == bystander[-1].values
    assert [i.thread_id for i in saver.list_threads()] == ["bystander"]


# -- concurrency -----------------------------------------------------------------------------


def test_threads_writing_different_threads_at_once(saver):
    """Several Python threads sharing one saver each write their own thread correctly."""
    results: dict[str, list] = {}
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            results[name] = put_chain(saver, 40, thread_id=name)
            saver.put_outcome(name, "", results[name][-1].id, TaskOutcome("k", "n", writes=[]))
        except BaseException as exc:
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    for name, recs in results.items():
        assert [r.id for r in saver.list(name)] == [r.id for r in reversed(recs)]
        assert saver.get(name).values == recs[-1].values
        assert saver.get(name).outcomes.keys() == {"k"}


def test_children_are_the_checkpoints_made_from_one_newest_first(saver):
    """``children`` finds the next step and every fork of a checkpoint (what a past
    snapshot's task results are read from) and nothing else, on every saver."""
    chain = put_chain(saver, 4)
    fork = put_chain(saver, 2, parent=chain[1])
    assert saver.children("t", "", chain[1].id) == [fork[0].id, chain[2].id]
    assert saver.children("t", "", chain[3].id) == []
    assert saver.children("t", "", fork[0].id) == [fork[1].id]
    assert saver.children("other", "", chain[1].id) == []
