"""The saver's cheap write paths store exactly the bytes (and raise exactly the errors) of
serde's full walk, which reading (and older releases) expect (issue 10)."""

from __future__ import annotations

import datetime
import enum
import uuid

import pytest
from checkpoint_helpers import record

from hitl_notebook import InMemorySaver
from hitl_notebook.checkpoint import frames, serde
from hitl_notebook.checkpoint.base import (
    InterruptRecord,
    Replace,
    TaskOutcome,
    TaskPlan,
    new_checkpoint_id,
    task_id,
)
from hitl_notebook.checkpoint.codec import (
    CheckpointLocation,
    dump,
    dump_outcome,
    dump_plain,
    dump_plans,
    load_outcome,
)
from hitl_notebook.checkpoint.delta import encode_changes
from hitl_notebook.checkpoint.serde import SerializationError


class Colour(enum.Enum):
    RED = "red"


#: Values whose serde form is not what a plain JSON writer would make of them, and plain ones.
VALUES = [
    "ok",
    "",
    7,
    -(2**63),
    2**63,
    2**70,
    1.5,
    float("nan"),
    float("inf"),
    True,
    None,
    (1, "a"),
    [1, (2,)],
    {"$t": "dict"},
    {1: "one"},
    {"a": {"b": [1, 2]}},
    datetime.date(2020, 1, 2),
    uuid.UUID(int=5),
    Colour.RED,
    "lone \ud800 surrogate",
    {"k": "\udfff"},
]


def _walked(outcome: TaskOutcome) -> bytes:
    """The outcome as serde's walk of its whole stored dict writes it."""
    return serde.dumps(
        {
            "task_id": outcome.task_id,
            "name": outcome.name,
            "writes": None if outcome.writes is None else [[c, v] for c, v in outcome.writes],
            "answers": list(outcome.answers),
            "interrupts": [
                [i.id, i.value, i.index, i.ns]
                if i.response_schema is None
                else [i.id, i.value, i.index, i.ns, i.response_schema]
                for i in outcome.interrupts
            ],
            "error": outcome.error,
            "goto": list(outcome.goto),
            "child_answers": dict(outcome.child_answers),
            **({"task_results": dict(outcome.task_results)} if outcome.task_results else {}),
        }
    )


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_an_outcome_is_stored_as_the_full_walk_stores_it(value):
    """Only a node's or user's values go through serde on the quick path; the bytes are the
    full walk's for every kind of value, and read back alike."""
    outcome = TaskOutcome(
        "t1",
        "node",
        writes=[("c", value), ("d", "text")],
        answers=[value, "yes"],
        interrupts=[
            InterruptRecord("i1", value, 0, ""),
            InterruptRecord("i2", "ask", 1, "sub:1", response_schema=value),
        ],
        error=None if value is None else "ValueError: no",
        goto=[value],
        child_answers={"i3": value},
        task_results={"call": ["task", value]},
    )
    stored = dump_outcome(outcome, "here")
    assert stored == _walked(outcome)
    assert repr(load_outcome(stored, "t1", "here")) == repr(
        load_outcome(_walked(outcome), "t1", "here")
    )


def test_an_outcome_that_cannot_be_stored_names_the_value_as_before():
    """A value serde refuses is reported with its path inside the outcome."""
    outcome = TaskOutcome("t1", "node", writes=[("c", [[object()]])])
    with pytest.raises(
        SerializationError, match=r"outcomes\['t1'\]\['writes'\]\[0\]\[1\]\[0\]\[0\]"
    ):
        dump_outcome(outcome, "here")
    deep: list = []
    for _ in range(300):
        deep = [deep]
    with pytest.raises(SerializationError, match="nests deeper than"):
        dump_outcome(TaskOutcome("t1", "node", answers=[deep]), "here")


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_a_changed_channel_is_stored_as_serde_writes_it(value):
    """Plain scalars skip serde's walk; the section holds serde's bytes either way."""
    (section,), *_ = encode_changes({"k": Replace(value)}, "here")
    plain = dump_plain(value)
    assert plain is None or plain == serde.dumps(value)
    assert section == frames.pack(b"R", "k", serde.dumps(value))


def test_plans_are_stored_as_names_only_when_their_ids_derive_from_the_checkpoint():
    """The names-only form is used exactly when reading would derive the same ids."""
    cid = new_checkpoint_id()
    where = CheckpointLocation("t", "", cid)
    derived = [TaskPlan(task_id(cid, "", n), n) for n in ("a", "b")]
    assert dump_plans(derived, where) == b'["a","b"]'
    odd = [derived[0], TaskPlan("my-own-id", "b")]
    assert dump_plans(odd, where) == dump(["a", ["my-own-id", "b", None, False]], "next", where)
    sent = [derived[0], TaskPlan(task_id(cid, "", "b", 1), "b", send_arg={"x": 1}, is_send=True)]
    assert dump_plans(sent, where) == dump(["a", [None, "b", {"x": 1}, True]], "next", where)
    assert dump_plans([], where) == b"[]"


@pytest.mark.parametrize("arg", VALUES, ids=repr)
def test_plans_with_any_argument_are_stored_as_serde_writes_them(arg):
    """Only a plan's argument goes through serde's walk; the rows are serde's either way."""
    cid = new_checkpoint_id()
    where = CheckpointLocation("t", "", cid)
    plans = [
        TaskPlan(task_id(cid, "", "a"), "a", send_arg=arg),
        TaskPlan(task_id(cid, "", "b", 1), "b", send_arg=arg, is_send=True),
        TaskPlan("my-own-id", "c", send_arg=arg),
    ]
    rows = [[None, "a", arg, False], [None, "b", arg, True], ["my-own-id", "c", arg, False]]
    if arg is None:
        rows[0] = "a"
    assert dump_plans(plans, where) == serde.dumps(rows)


def test_a_plan_serde_refuses_is_named_as_before():
    where = CheckpointLocation("t", "", new_checkpoint_id())
    with pytest.raises(SerializationError, match=r"next\[0\]\[2\]"):
        dump_plans([TaskPlan("i", "a", send_arg=object())], where)
    odd_name = dump_plans([TaskPlan("i", "lone \ud800", send_arg=1)], where)
    assert odd_name == serde.dumps([["i", "lone \ud800", 1, False]])


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_any_value_is_dumped_as_serde_writes_it(value):
    assert dump({"n": value}, "writes", "here") == serde.dumps({"n": value})


@pytest.mark.parametrize("sizes", [(0, 0), (47, 10), (48, 0), (10, 48), (600, 3), (3, 600)])
def test_a_steps_two_sections_pack_as_two_sections(sizes):
    first, second = (bytes(range(97, 97 + 20)) * 40)[: sizes[0]], b"x" * sizes[1]
    packed = frames.pack_unnamed(b"W", first, b"N", second)
    assert packed == frames.pack(b"W", "", first) + frames.pack(b"N", "", second)


def test_checkpoint_ids_of_either_form_are_kept_in_order_whatever_order_they_come_in():
    """The in-memory saver compares UUID-form ids as text and packs the others: listing is
    newest first in ``keys.order`` however the ids were inserted."""
    saver = InMemorySaver()
    ids = [
        "00000000-0000-0000-0000-00000000000b",
        "zz-text",
        "00000000-0000-0000-0000-00000000000a",
        "aa-text",
        "00000000-0000-0000-0000-00000000000c",
    ]
    for cid in ids:
        saver.put(record(id=cid), {})
    assert [r.id for r in saver.list("t")] == [
        "00000000-0000-0000-0000-00000000000c",
        "00000000-0000-0000-0000-00000000000b",
        "00000000-0000-0000-0000-00000000000a",
        "zz-text",
        "aa-text",
    ]
    saver.put(record(id="ab-text"), {})
    assert saver.get("t").id == "00000000-0000-0000-0000-00000000000c"
