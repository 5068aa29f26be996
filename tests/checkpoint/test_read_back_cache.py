"""Reading back a checkpoint this process just wrote uses what the writer kept (its values,
its record sections before framing) instead of decoding storage: what it hands out must be
what decoding gives, type for type, and must never go stale or alias what is stored."""

from __future__ import annotations

import dataclasses
import math
from datetime import datetime, timezone
from decimal import Decimal

import pytest
from checkpoint_helpers import record
from conftest import SAVER_KINDS
from langchain_core.messages import AIMessage, HumanMessage

from hitl_notebook.checkpoint import frames
from hitl_notebook.checkpoint.base import (
    Append,
    CheckpointRecord,
    InterruptRecord,
    Replace,
    TaskOutcome,
    TaskPlan,
    new_checkpoint_id,
    task_id,
)
from hitl_notebook.checkpoint.sqlite import SqliteSaver
from hitl_notebook.types import Send

LONG = "a long text that the writes refer to instead of storing it twice " * 2


def same(a, b) -> bool:
    """Deep equality that also requires identical types (1 != 1.0 != True, tuple != list)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or a == b
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            same(k1, k2) and same(v1, v2)
            for (k1, v1), (k2, v2) in zip(a.items(), b.items(), strict=True)
        )
    if isinstance(a, (set, frozenset)):
        return len(a) == len(b) and all(any(same(x, y) for y in b) for x in a)
    if dataclasses.is_dataclass(a):
        return all(same(getattr(a, f.name), getattr(b, f.name)) for f in dataclasses.fields(a))
    return a == b


def _plans(cid: str, ns: str, *names: str, sends: tuple = ()) -> list[TaskPlan]:
    plans = [TaskPlan(task_id(cid, ns, n), n) for n in names]
    plans += [TaskPlan(task_id(cid, ns, "fan", i), "fan", arg, True) for i, arg in enumerate(sends)]
    return plans


def _case(name: str) -> tuple[dict, dict, dict, list, dict, str]:
    """``(parent values, changes, writes, next names/sends, metadata, ns)`` of a case."""
    when = datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    if name == "plain":
        return {"x": "a"}, {"x": Replace("b")}, {"n": {"x": "b"}}, [("n",), ()], {}, ""
    if name == "refs":
        message = {"role": "ai", "content": LONG}
        return (
            {"text": "", "messages": []},
            {"text": Replace(LONG), "messages": Append([message])},
            {"n": {"text": LONG, "messages": [dict(message)]}},
            [("n", "m"), ()],
            {"run": "r1"},
            "",
        )
    if name == "sends":
        args = ({"k": (1, 2), "when": when}, {"s": {1, 2}}, None)
        return {"x": 0}, {"x": Replace(1)}, {"n": {"x": 1}}, [(), args], {}, ""
    if name == "subgraph":
        return {"x": "a"}, {"x": Replace("b")}, {"inner": {"x": "b"}}, [("inner",), ()], {}, "n:1"
    if name == "langchain":
        ai = AIMessage(content=LONG, id="m1")
        return (
            {"messages": [HumanMessage(content="hi", id="h1")]},
            {"messages": Append([ai])},
            {"chat": {"messages": [ai]}},
            [("chat",), ()],
            {},
            "",
        )
    if name == "odd values":
        value = {"t": (1, "x"), "s": {3}, "when": when, "big": 2**70, "d": Decimal("1.5")}
        odd = {"$t": "not a tag", 3: "int key", (1, 2): "tuple key", "f": 0.5, "no": None}
        return (
            {"v": None, "o": None},
            {"v": Replace(value), "o": Replace(odd)},
            {"n": {"v": value, "o": odd}, "m": {"v": [True, 1, 1.0]}},
            [("n",), ()],
            {"tag": "x", "nested": {"a": [1, 2]}},
            "",
        )
    raise AssertionError(name)


def _outcomes(cid: str, ns: str) -> list[TaskOutcome]:
    asked = InterruptRecord("i1", {"question": "ok?", "when": (1, 2)}, 0, ns)
    deeper = InterruptRecord("i2", "inner?", 0, f"{ns}|sub:1", {"type": "string"})
    return [
        TaskOutcome(task_id(cid, ns, "n"), "n", None, ["yes", (1, 2)], [asked, deeper]),
        TaskOutcome(
            task_id(cid, ns, "m"),
            "m",
            [("x", "y"), ("v", {1, 2})],
            error="ValueError: boom",
            goto=["n", Send("fan", {"k": 1})],
            child_answers={"i2": "inner answer"},
            task_results={"c1": ["step", {"r": (1,)}]},
        ),
    ]


CASES = ["plain", "refs", "sends", "subgraph", "langchain", "odd values"]


def _write(saver, name: str, thread_id: str = "t") -> CheckpointRecord:
    start, changes, writes, (names, sends), metadata, ns = _case(name)
    parent = record(thread_id, values=start, ns=ns)
    saver.put(parent, {k: Replace(v) for k, v in start.items()})
    values = dict(start)
    for channel, change in changes.items():
        values[channel] = (
            [*values[channel], *change.items] if isinstance(change, Append) else change.value
        )
    cid = new_checkpoint_id()
    rec = record(
        thread_id,
        id=cid,
        parent=parent,
        values=values,
        ns=ns,
        writes=writes,
        metadata=metadata,
        next=_plans(cid, ns, *names, sends=sends),
    )
    saver.put_step(rec, changes)
    for outcome in _outcomes(cid, ns):
        saver.put_outcome(thread_id, ns, cid, outcome)
    return rec


@pytest.mark.parametrize("kind", SAVER_KINDS)
@pytest.mark.parametrize("case", CASES)
def test_a_checkpoint_just_written_reads_back_as_decoding_gives_it(make_kit, kind, case):
    kit = make_kit(kind)
    rec = _write(kit.saver, case)
    warm = kit.saver.get("t", rec.ns)
    kit.saver.clear_cache()
    cold = kit.saver.get("t", rec.ns)
    assert warm is not None and cold is not None and warm.id == rec.id
    assert same(warm, cold), (warm, cold)
    assert same(warm.writes, rec.writes) and same(warm.next, rec.next)


def test_reading_back_decodes_no_section_of_a_checkpoint_just_written(monkeypatch):
    """The point of the cache: no stored blob is read (nor inflated) for it."""
    saver = SqliteSaver(":memory:")
    _write(saver, "refs")
    calls = []
    real = frames.decode_sections
    monkeypatch.setattr(frames, "decode_sections", lambda *a, **k: calls.append(a) or real(*a, **k))
    assert same(saver.get("t"), saver.get("t")) and not calls
    saver.clear_cache()
    saver.get("t")
    assert calls  # cold: decoded from storage


@pytest.mark.parametrize("kind", SAVER_KINDS)
def test_what_a_read_hands_out_shares_nothing_with_the_writer_or_other_reads(make_kit, kind):
    saver = make_kit(kind).saver
    rec = _write(saver, "odd values")
    first = saver.get("t")
    assert first is not None
    first.writes["n"]["v"]["t"] = "changed"
    first.next[0].name = "changed"
    asked = task_id(rec.id, "", "n")
    first.outcomes[asked].answers.append("more")
    first.outcomes[asked].interrupts[0].value["question"] = "changed"
    rec.writes["n"]["o"]["f"] = 99.0  # the writer's own record, after the put
    rec.next.clear()
    again = saver.get("t")
    assert again is not None
    assert again.writes["n"]["v"]["t"] == (1, "x") and again.writes["n"]["o"]["f"] == 0.5
    assert [p.name for p in again.next] == ["n"]
    assert again.outcomes[asked].answers == ["yes", (1, 2)]
    assert again.outcomes[asked].interrupts[0].value["question"] == "ok?"


@pytest.mark.parametrize("kind", SAVER_KINDS)
def test_a_deleted_thread_written_again_reads_its_new_record(make_kit, kind):
    """Same thread, checkpoint id and time: only the cache could mix them up."""
    saver = make_kit(kind).saver
    rec = _write(saver, "plain")
    saver.delete_thread("t")
    assert saver.get("t") is None
    again = dataclasses.replace(rec, parent_id=None, writes={"other": {"x": "c"}}, next=[])
    saver.put(again, {})
    got = saver.get("t")
    assert got is not None and got.id == rec.id
    assert got.writes == {"other": {"x": "c"}} and got.next == []


@pytest.mark.parametrize("kind", SAVER_KINDS)
def test_pruned_checkpoints_read_back_as_before(make_kit, kind):
    kit = make_kit(kind)
    saver = kit.saver
    parent = record("t", values={"x": 0})
    saver.put(parent, {"x": Replace(0)})
    recs = [parent]
    for n in range(1, 6):
        cid = new_checkpoint_id()
        rec = record(
            "t",
            id=cid,
            parent=recs[-1],
            values={"x": n},
            writes={"n": {"x": n}},
            next=_plans(cid, "", "n"),
        )
        saver.put(rec, {"x": Replace(n)})
        recs.append(rec)
    before = [saver.get("t", "", r.id) for r in recs[-2:]]
    assert saver.prune("t", keep_last=2) == 4
    after = [saver.get("t", "", r.id) for r in recs[-2:]]
    reopened = kit.reopen()
    cold = [reopened.get("t", "", r.id) for r in recs[-2:]]
    for b, a, c in zip(before, after, cold, strict=True):
        assert same(dataclasses.replace(b, parent_id=None), dataclasses.replace(a, parent_id=None))
        assert same(a, c)


def test_another_process_writing_the_file_is_seen(tmp_path):
    """Outcomes change after a checkpoint is written (another kernel answers, or deletes the
    thread): a read always shows what the file holds."""
    path = str(tmp_path / "t.db")
    ours, theirs = SqliteSaver(path), SqliteSaver(path)
    rec = _write(ours, "plain")
    assert same(ours.get("t"), theirs.get("t"))
    answered = TaskOutcome(task_id(rec.id, "", "n"), "n", [("x", "z")], ["late"])
    theirs.put_outcome("t", "", rec.id, answered)
    got = ours.get("t")
    assert got is not None and same(got.outcomes[answered.task_id], answered)
    assert same(got, theirs.get("t"))
    theirs.delete_thread("t")
    assert ours.get("t") is None
