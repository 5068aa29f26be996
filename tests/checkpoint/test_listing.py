"""Listing long threads: each record reads back exactly as ``get`` reads it, the listing
stays lazy and decodes each checkpoint about once, and what a caller does with a listed
record never changes the records listed after it."""

from __future__ import annotations

import copy

import pg_rows
import pytest
from checkpoint_helpers import put_chain, record

from hitl_notebook.checkpoint import delta, frames, store
from hitl_notebook.checkpoint.base import InterruptRecord, Replace, TaskOutcome
from hitl_notebook.checkpoint.keys import pack_id, unpack_id
from hitl_notebook.checkpoint.serde import DeserializationError

DURABLE = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _two_branches(saver, steps: int, *, thread_id: str = "t") -> list:
    """A trunk, then two branches growing in turn (so a listing interleaves them): enough
    checkpoints for several listing batches, snapshots and long delta chains."""
    trunk = put_chain(saver, 20, thread_id=thread_id)
    a, b = trunk[-1], trunk[9]
    out = list(trunk)
    for _ in range(steps):
        a = put_chain(saver, 1, thread_id=thread_id, parent=a)[0]
        b = put_chain(saver, 1, thread_id=thread_id, parent=b)[0]
        out += [a, b]
    return out


@pytest.fixture
def decodes(monkeypatch) -> list[int]:
    """Counts calls of ``frames.decode_sections`` (one per stored blob read)."""
    count = [0]
    real = frames.decode_sections

    def counting(*args, **kwargs):
        count[0] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(frames, "decode_sections", counting)
    return count


def test_a_listing_reads_every_checkpoint_exactly_as_get_does(kit):
    """Across branches, batches, snapshots, ``before``/``limit`` and after ``prune``, each
    listed record equals ``get`` of its id, cached or read cold."""
    recs = _two_branches(kit.saver, 60)
    by_id = {r.id: r for r in recs}
    question = InterruptRecord(id="i", value="ok?", index=0)
    kit.saver.put_outcome(
        "t", "", recs[77].id, TaskOutcome("task", "review", interrupts=[question])
    )
    for saver in (kit.saver, kit.reopen()):
        listed = list(saver.list("t"))
        assert [r.id for r in listed] == sorted(by_id, reverse=True)
        for got in listed:
            assert got.values == by_id[got.id].values
            assert got == saver.get("t", "", got.id)
        assert list(saver.list("t", before=listed[30].id, limit=50)) == listed[31:81]
        assert list(saver.list("t", limit=9)) == listed[:9]

    kit.saver.prune("t", keep_last=25)
    for saver in (kit.saver, kit.reopen()):
        listed = list(saver.list("t"))
        assert len(listed) < len(recs)
        for got in listed:
            assert got.values == by_id[got.id].values
            assert got == saver.get("t", "", got.id)


def test_outcomes_are_listed_with_their_own_checkpoint(saver):
    """With outcomes on many checkpoints, a listing (whole, or a slice of it) gives each
    record exactly its own outcomes."""
    recs = put_chain(saver, 30)
    for i, rec in enumerate(recs[::3]):
        saver.put_outcome("t", "", rec.id, TaskOutcome(f"task-{i}", "n", writes=[("count", i)]))
    expected = {r.id: saver.get("t", "", r.id).outcomes for r in recs}
    assert sum(1 for o in expected.values() if o) == 10
    for listing in (
        saver.list("t"),
        saver.list("t", before=recs[20].id, limit=4),
        saver.list("t", limit=2),
    ):
        for got in listing:
            assert got.outcomes == expected[got.id]


@pytest.mark.parametrize("cold", [False, True])
def test_mutating_a_listed_record_changes_nothing_listed_after_it(saver, cold):
    """Listed records are fresh objects: mutating one (its lists, nested dicts) changes
    neither the records listed after it nor later reads."""
    recs = put_chain(saver, 40)
    fork = record(parent=recs[5], values={**recs[5].values, "count": -1})
    saver.put(fork, {"count": Replace(-1)})
    expected = {r.id: copy.deepcopy(r.values) for r in [*recs, fork]}
    if cold:
        saver.clear_cache()
    for got in saver.list("t"):
        assert got.values == expected[got.id]
        got.values["messages"][0]["content"] = "mutated"
        got.values["messages"].append({"role": "x"})
        got.values["count"] = 0
    assert {r.id: r.values for r in saver.list("t")} == expected
    assert saver.get("t", "", recs[6].id).values == expected[recs[6].id]


def test_a_cold_listing_decodes_each_checkpoint_about_once_and_lazily(make_kit, decodes):
    """Listing replays each delta once (not a chain per record), and what the first record
    of a listing costs does not grow with the history behind it."""
    saver = make_kit("memory").saver
    recs = _two_branches(saver, 400)
    saver.clear_cache()
    decodes[0] = 0
    assert len(list(saver.list("t"))) == len(recs)
    assert decodes[0] < 1.2 * len(recs)
    saver.clear_cache()
    decodes[0] = 0
    next(saver.list("t"))
    # At most each branch head's delta chain (bounded by the snapshot policy: these rows
    # append less than half a link, so each weighs at least half of one) and a batch.
    longest_chain = delta.MIN_BUDGET // (delta.BYTES_PER_LINK // 2) + 1
    assert decodes[0] <= 2 * longest_chain + store.FIRST_BATCH
    assert decodes[0] * 4 < len(recs)


def test_a_long_listing_keeps_other_threads_cached(make_kit, decodes):
    """A listing does not fill the values cache with what it listed: the head of a thread
    being worked on stays cached (reading it decodes nothing)."""
    saver = make_kit("memory", cache_size=64).saver
    recs = _two_branches(saver, 100)
    saver.clear_cache()
    put_chain(saver, 1, thread_id="busy")
    assert len(list(saver.list("t"))) == len(recs)
    decodes[0] = 0
    saver.get("busy")
    assert decodes[0] == 0


def test_a_run_keeps_only_its_head_cached_and_an_edit_keeps_its_base(make_kit, decodes):
    """Steps of a run (source "loop") hand the cache entry on to the newest checkpoint, so a
    long run holds one copy of its values, not one per step; reading an older step replays
    its deltas. An edit (source "update") leaves the checkpoint it edited cached."""
    saver = make_kit("memory").saver
    recs = put_chain(saver, 40)
    decodes[0] = 0
    assert saver.get("t").values == recs[-1].values
    assert decodes[0] == 0  # its values and record sections were cached
    decodes[0] = 0
    assert saver.get("t", "", recs[-5].id).values == recs[-5].values
    assert decodes[0] > 1  # replayed
    edit = record("t", parent=recs[-1], source="update", values={**recs[-1].values, "count": -1})
    saver.put(edit, {"count": Replace(-1)})
    decodes[0] = 0
    assert saver.get("t", "", recs[-1].id).values == recs[-1].values
    assert decodes[0] == 0


@pytest.mark.parametrize("kind", DURABLE)
def test_a_damaged_checkpoint_fails_a_listing_where_it_is_first_needed(make_kit, kind):
    """Records that do not depend on a damaged checkpoint are listed first; the listing
    then fails naming it (and the first record that needed it), as a walk would."""
    kit = make_kit(kind)
    recs = put_chain(kit.saver, 120)
    if kind == "postgres":
        snapshots = {r.id for r in pg_rows.stored_rows(kit.dsn) if r.chain.is_snapshot}
    else:
        snapshots = {
            unpack_id(cid)
            for cid, snap in kit.sql("SELECT checkpoint_id, is_snapshot FROM hitl_checkpoints", [])
            if snap
        }
    damaged = next(
        i for i in range(60, 100) if recs[i].id not in snapshots and recs[i + 1].id not in snapshots
    )
    first_needing = damaged
    while first_needing + 1 < len(recs) and recs[first_needing + 1].id not in snapshots:
        first_needing += 1
    if kind == "postgres":
        pg_rows.set_row(kit.dsn, recs[damaged].id, data=b"garbage")
    else:
        kit.sql(
            "UPDATE hitl_checkpoints SET data = ? WHERE checkpoint_id = ?",
            [b"garbage", pack_id(recs[damaged].id)],
        )

    listing = kit.reopen().list("t")
    newer = [r.id for r in recs[first_needing + 1 :]][::-1]
    assert [next(listing).id for _ in newer] == newer
    needed = f"{recs[damaged].id}.*needed by checkpoint '{recs[first_needing].id}'"
    with pytest.raises(DeserializationError, match=needed):
        next(listing)
