"""State values shown and edited as JSON, and the patches sent instead of whole states."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st
from langchain_core.messages import AIMessage, HumanMessage

from hitl_notebook import messages as ours
from hitl_notebook.widgets.jsonable import apply_ops, diff, revive, to_jsonable

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4)
    ),
    max_leaves=20,
)


@given(json_values, json_values)
def test_diff_then_apply_reproduces_the_new_value(old, new):
    """Applying the ops the kernel sends always turns the old state into the new one."""
    assert apply_ops(old, diff(old, new)) == new


def test_growing_a_list_sends_only_the_new_items():
    """A reducer append on a big list costs the new items, not the list."""
    old = {"log": list(range(10_000)), "x": 1}
    new = {"log": [*range(10_000), 10_000], "x": 1}
    assert diff(old, new) == [{"op": "append", "path": ["log"], "items": [10_000]}]


def test_messages_round_trip_through_their_json_form():
    """Message objects are shown as JSON and an edited form comes back as the same class."""
    messages = [
        HumanMessage("hi", id="1"),
        AIMessage("yo", id="2", tool_calls=[{"name": "f", "args": {"x": 1}, "id": "c"}]),
    ]
    shown = to_jsonable(messages)
    assert shown[1]["type"] == "ai" and shown[1]["tool_calls"][0]["args"] == {"x": 1}
    shown[1]["content"] = "edited"
    shown.append({"type": "human", "content": "new", "id": "3"})
    revived = revive(messages, shown)
    assert [type(m) for m in revived] == [HumanMessage, AIMessage, HumanMessage]
    assert revived[1].content == "edited" and revived[1].tool_calls[0]["args"] == {"x": 1}
    assert revived[0] is messages[0], "unchanged items are kept as they were"


def test_our_messages_show_their_type_and_revive_as_our_classes():
    """Our messages' JSON says which kind each is (human, ai, system, tool), an edit keeps
    our classes, and a new item in the list becomes one of our messages."""
    messages = [
        ours.SystemMessage("be brief", id="s"),
        ours.HumanMessage("hi", id="h"),
        ours.AIMessage("", id="a", tool_calls=[{"name": "f", "args": {"x": 1}, "id": "c"}]),
        ours.ToolMessage("42", id="t", tool_call_id="c"),
    ]
    shown = to_jsonable(messages)
    assert [m["type"] for m in shown] == ["system", "human", "ai", "tool"]
    assert shown[2]["tool_calls"][0]["args"] == {"x": 1} and shown[3]["tool_call_id"] == "c"
    shown[1]["content"] = "hello"
    shown.append({"type": "ai", "content": "added"})
    revived = revive(messages, shown)
    assert [type(m) for m in revived] == [
        ours.SystemMessage,
        ours.HumanMessage,
        ours.AIMessage,
        ours.ToolMessage,
        ours.AIMessage,
    ]
    assert revived[1] == ours.HumanMessage("hello", id="h") and revived[4].content == "added"
    assert revived[2] is messages[2], "unchanged items are kept as they were"


def test_a_malformed_message_edit_is_refused():
    """An edited message that is no longer a valid message is an error, not a silent dict."""
    try:
        revive([ours.HumanMessage("hi", id="h")], [{"id": "h", "content": "no type"}])
    except ValueError as exc:
        assert "'type'" in str(exc)
    else:
        raise AssertionError("a message without a type must be refused")


def test_dataclasses_are_edited_through_their_fields():
    """A dataclass value is shown as its fields and revived as the same dataclass."""

    @dataclasses.dataclass
    class Point:
        x: int
        y: int

    assert to_jsonable(Point(1, 2)) == {"x": 1, "y": 2}
    assert revive(Point(1, 2), {"x": 5, "y": 2}) == Point(5, 2)


def test_opaque_values_are_read_only():
    """A value with no JSON form is shown as its repr and cannot be overwritten by mistake."""
    shown = to_jsonable(object())
    assert set(shown) == {"__repr__"}
    try:
        revive(object(), {"__repr__": "<object>"})
    except ValueError as exc:
        assert "cannot be edited" in str(exc)
    else:
        raise AssertionError("editing an opaque value must fail")
