"""When a delta chain ends in a snapshot (issue 14, storage): appended items are part of the
values a read returns, so an append-only list is re-snapshotted rarely; replaced values and
rows of tiny changes still bound what a read decodes, as before."""

from __future__ import annotations

import random

import pytest
from checkpoint_helpers import record

from hitl_notebook.checkpoint import delta
from hitl_notebook.checkpoint.base import Append, Replace
from hitl_notebook.checkpoint.serde import dumps

KINDS = ["memory", "sqlite"]


def _rows(saver) -> list:
    with saver._reading() as tx:
        return list(reversed(tx.rows("t", "", None, {}, None)))


def _put_all(saver, steps: int, change) -> list:
    """``steps`` checkpoints, each made by ``change(values, i)`` -> (values, changes)."""
    parent, values = None, {"items": []}
    for i in range(steps):
        values, changes = change(values, i)
        rec = record(parent=parent, values=values)
        saver.put(rec, changes if parent else {})
        parent = rec
    return values


def _message(rng: random.Random) -> dict:
    words = ["tool", "call", "user", "agent", "plan", "step", "result", "error", "answer"]
    text = " ".join(rng.choice(words) + str(rng.randrange(10_000)) for _ in range(25))[:200]
    return {"role": "assistant", "content": text}


@pytest.mark.parametrize("kind", KINDS)
def test_an_append_only_list_adds_a_fraction_of_itself_in_snapshots(make_kit, kind):
    """1,000 steps appending a ~200-byte message: the snapshots hold (uncompressed) at most
    half of the final list, where weighing appends in full snapshotted it whenever it had
    doubled (1.2 times the final list in all); the head reads back exactly."""
    kit = make_kit(kind)
    rng = random.Random(3)

    def append(values, i):
        message = _message(rng)
        return {"items": [*values["items"], message]}, {"items": Append([message])}

    final = _put_all(kit.saver, 1000, append)
    snapshots = [r.chain.base_bytes for r in _rows(kit.saver) if r.chain.is_snapshot]
    assert sum(snapshots) <= len(dumps(final["items"], "items")) / 2, snapshots
    assert kit.reopen().get("t").values == final


@pytest.mark.parametrize("kind", KINDS)
def test_rows_of_tiny_changes_still_snapshot_within_a_page_of_links(make_kit, kind):
    """A counter bumped 600 times: no chain runs past MIN_BUDGET / BYTES_PER_LINK + 1 rows
    (reading any of them fetches about a hundred rows at most)."""
    kit = make_kit(kind)
    _put_all(kit.saver, 600, lambda values, i: ({"items": [], "n": i}, {"n": Replace(i)}))
    longest = max(r.chain.length for r in _rows(kit.saver))
    assert 64 <= longest <= delta.MIN_BUDGET // delta.BYTES_PER_LINK + 1


@pytest.mark.parametrize("kind", KINDS)
def test_replaced_values_weigh_in_full(make_kit, kind):
    """A 2 KB value replaced on every step: a snapshot comes within the budget's worth of
    replaced bytes (about 16 rows), since a read would decode each replaced copy."""
    kit = make_kit(kind)
    rng = random.Random(5)

    def replace(values, i):
        blob = "".join(rng.choice("abcdef0123456789") for _ in range(2048))
        return {"items": [], "blob": blob}, {"blob": Replace(blob)}

    _put_all(kit.saver, 100, replace)
    longest = max(r.chain.length for r in _rows(kit.saver))
    assert longest <= delta.MIN_BUDGET // 2048 + 1


@pytest.mark.parametrize("kind", KINDS)
def test_items_appended_since_a_snapshot_stay_under_the_discounted_budget(make_kit, kind):
    """4 KB appended per step: whatever a later step does with the list (replacing it
    would make them waste), a read never decodes more than APPEND_DISCOUNT budgets of
    items appended since the snapshot."""
    kit = make_kit(kind)

    def grow(values, i):
        item = f"{i:04d}" * 1024
        return {"items": [*values["items"], item]}, {"items": Append([item])}

    _put_all(kit.saver, 400, grow)
    rows = _rows(kit.saver)
    appended = 0
    for row in rows:
        if row.chain.is_snapshot:
            budget, appended = max(row.chain.base_bytes, delta.MIN_BUDGET), 0
            continue
        appended += 4096 + 4
        assert appended <= delta.APPEND_DISCOUNT * budget
    assert sum(r.chain.is_snapshot for r in rows) >= 2
