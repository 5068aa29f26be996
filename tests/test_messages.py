"""Message types, conversion, the add_messages reducer and its delta form."""

import uuid
from typing import Annotated, get_type_hints

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hitl_notebook.messages import (
    REMOVE_ALL_MESSAGES,
    AIMessage,
    BaseMessage,
    HumanMessage,
    MessagesState,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
    add_messages,
    convert_to_message,
    merge_messages_delta,
    message_from_dict,
    message_to_dict,
)

# --- the message classes -------------------------------------------------------------------


def test_content_is_positional_and_type_names_the_kind():
    """`HumanMessage("hi")` works as in LangChain and each class reports LangChain's type name."""
    assert HumanMessage("hi").content == "hi"
    assert [cls("x").type for cls in (HumanMessage, AIMessage, SystemMessage)] == [
        "human",
        "ai",
        "system",
    ]
    assert ToolMessage("r", tool_call_id="c").type == "tool"
    assert RemoveMessage("m1").type == "remove"


def test_equality_is_by_value_and_by_class():
    """Two messages are equal when their class and fields are, so state comparisons work."""
    assert HumanMessage("hi", id="1") == HumanMessage("hi", id="1")
    assert HumanMessage("hi", id="1") != HumanMessage("hi", id="2")
    assert HumanMessage("hi") != SystemMessage("hi")


def test_repr_shows_content_and_set_fields_only():
    """The repr is short and readable in a notebook: content first, unset fields omitted."""
    assert repr(HumanMessage("hi", id="1")) == "HumanMessage(content='hi', id='1')"
    assert (
        repr(ToolMessage("ok", tool_call_id="c")) == "ToolMessage(content='ok', tool_call_id='c')"
    )
    assert repr(RemoveMessage("m1")) == "RemoveMessage(id='m1')"


def test_tool_calls_are_normalised_to_the_langchain_shape():
    """A tool call given with only a name gets args, id and type filled in, without touching the input."""
    given_call = {"name": "search", "args": {"q": "x"}}
    m = AIMessage("", tool_calls=[given_call])
    assert m.tool_calls == [{"name": "search", "args": {"q": "x"}, "id": None, "type": "tool_call"}]
    assert given_call == {"name": "search", "args": {"q": "x"}}


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: HumanMessage(42), TypeError, "content must be a str or a list, not int"),
        (lambda: HumanMessage("x", id=7), TypeError, "id must be a str or None"),
        (lambda: ToolMessage("x"), TypeError, "tool_call_id"),
        (
            lambda: ToolMessage("x", tool_call_id="c", status="meh"),
            ValueError,
            "'success' or 'error'",
        ),
        (
            lambda: AIMessage("", tool_calls=[{"args": {}}]),
            TypeError,
            "tool_calls[0]['name'] must be a str",
        ),
        (
            lambda: AIMessage("", tool_calls=[{"name": "f", "oops": 1}]),
            ValueError,
            "unknown keys ['oops']",
        ),
        (lambda: BaseMessage("x"), TypeError, "abstract"),
        (lambda: RemoveMessage(None), TypeError, "str id"),
    ],
)
def test_bad_fields_are_rejected_at_construction(make, error, words):
    """A malformed message fails where it is built, with a message saying which field is wrong."""
    with pytest.raises(error) as info:
        make()
    assert words in str(info.value)


# --- convert_to_message -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("hello", HumanMessage("hello")),
        (("user", "hi"), HumanMessage("hi")),
        (("assistant", "yo"), AIMessage("yo")),
        (("system", "be brief"), SystemMessage("be brief")),
        ({"role": "human", "content": "a", "id": "1"}, HumanMessage("a", id="1")),
        (
            {"role": "ai", "content": "b", "tool_calls": [{"name": "f", "args": {}, "id": "c"}]},
            AIMessage("b", tool_calls=[{"name": "f", "args": {}, "id": "c", "type": "tool_call"}]),
        ),
        ({"type": "tool", "content": "r", "tool_call_id": "c"}, ToolMessage("r", tool_call_id="c")),
        ({"type": "remove", "id": "x"}, RemoveMessage("x")),
    ],
)
def test_message_like_values_convert(value, expected):
    """Strings, (role, content) tuples and role/type dicts become the matching message."""
    assert convert_to_message(value) == expected


def test_messages_pass_through_unchanged():
    """Our messages and LangChain messages are returned as the very same object."""
    from langchain_core.messages import AIMessage as LCAIMessage

    ours, theirs = HumanMessage("x"), LCAIMessage("y")
    assert convert_to_message(ours) is ours
    assert convert_to_message(theirs) is theirs


@pytest.mark.parametrize(
    ("value", "error", "words"),
    [
        (("robot", "x"), ValueError, "unknown message role 'robot'"),
        ({"role": "wizard", "content": "x"}, ValueError, "'wizard'"),
        ({"content": "x"}, ValueError, "needs a 'role' or 'type' key"),
        (
            {"role": "user", "content": "x", "colour": "red"},
            ValueError,
            "unexpected keys ['colour']",
        ),
        ({"role": "tool", "content": "x"}, ValueError, "tool_call_id"),
        (("user", "x", "extra"), ValueError, "(role, content)"),
        (42, TypeError, "cannot convert int"),
    ],
)
def test_unconvertible_values_are_rejected_precisely(value, error, words):
    """An unknown role or shape is an error naming what was wrong, never a silent guess."""
    with pytest.raises(error) as info:
        convert_to_message(value)
    assert words in str(info.value)


# --- message_to_dict / message_from_dict ------------------------------------------------------

EVERY_KIND = [
    HumanMessage("hi", id="1", name="ann"),
    HumanMessage([{"type": "text", "text": "block"}], id="2"),
    AIMessage(
        "",
        id="3",
        tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c1"}],
        response_metadata={"model": "m"},
        additional_kwargs={"k": "v"},
    ),
    SystemMessage("rules", id="4"),
    ToolMessage("boom", tool_call_id="c1", status="error", id="5"),
    RemoveMessage("6"),
]


@pytest.mark.parametrize("message", EVERY_KIND, ids=lambda m: type(m).__name__)
def test_dict_form_round_trips(message):
    """`message_from_dict(message_to_dict(m)) == m` for every kind and optional field."""
    d = message_to_dict(message)
    assert d["type"] == message.type and d["content"] == message.content and d["id"] == message.id
    assert message_from_dict(d) == message


def test_dict_form_lists_only_set_fields():
    """The JSON form the widgets show carries no empty noise."""
    assert message_to_dict(HumanMessage("hi", id="1")) == {
        "type": "human",
        "content": "hi",
        "id": "1",
    }
    assert message_to_dict(ToolMessage("r", tool_call_id="c")) == {
        "type": "tool",
        "content": "r",
        "id": None,
        "tool_call_id": "c",
    }


def test_dict_form_of_a_langchain_message():
    """A LangChain message turns into the same JSON form, and from there into ours."""
    from langchain_core.messages import AIMessage as LCAIMessage

    lc = LCAIMessage("x", id="9", tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c"}])
    assert message_from_dict(message_to_dict(lc)) == AIMessage(
        "x", id="9", tool_calls=[{"name": "f", "args": {"a": 1}, "id": "c"}]
    )


def test_message_from_dict_needs_a_type():
    """A dict without a type is refused rather than guessed."""
    with pytest.raises(ValueError, match="'type'"):
        message_from_dict({"content": "x"})


def test_message_from_dict_needs_the_id_of_a_removed_message():
    """A 'remove' dict without an id is refused with the key it lacks, like a tool message."""
    with pytest.raises(ValueError, match="a 'remove' message needs an 'id'"):
        message_from_dict({"type": "remove", "content": ""})


# --- add_messages --------------------------------------------------------------------------


def test_appends_and_assigns_uuid4_ids():
    """Messages without ids get distinct uuid4 string ids; given ids are kept."""
    out = add_messages([HumanMessage("a", id="1")], [AIMessage("b"), ("user", "c")])
    assert [m.content for m in out] == ["a", "b", "c"]
    assert out[0].id == "1"
    assert uuid.UUID(out[1].id).version == 4 and uuid.UUID(out[2].id).version == 4
    assert out[1].id != out[2].id


def test_single_values_on_either_side():
    """A lone message-like value on either side is treated as a one-item list."""
    out = add_messages(HumanMessage("a", id="1"), "b")
    assert [m.content for m in out] == ["a", "b"]


def test_lists_are_never_mutated_and_messages_get_ids_in_place():
    """The reducer returns a new list and leaves the caller's lists as they were; a message
    without an id gets it on the object itself, as in LangGraph, so the caller sees it."""
    a, b = HumanMessage("a"), AIMessage("b")
    left, right = [a], [b]
    out = add_messages(left, right)
    assert left == [a] and right == [b] and out is not left
    assert out[0] is a and out[1] is b
    assert a.id and b.id and a.id != b.id


def test_same_id_replaces_in_place():
    """A message whose id already exists replaces it at its position (an edit, not an append)."""
    left = [HumanMessage("a", id="1"), AIMessage("b", id="2"), HumanMessage("c", id="3")]
    out = add_messages(left, AIMessage("B", id="2"))
    assert out == [HumanMessage("a", id="1"), AIMessage("B", id="2"), HumanMessage("c", id="3")]


def test_remove_message_deletes_by_id():
    """`RemoveMessage(id)` deletes that message and keeps the others in order."""
    left = [HumanMessage("a", id="1"), AIMessage("b", id="2"), HumanMessage("c", id="3")]
    assert add_messages(left, [RemoveMessage("2")]) == [
        HumanMessage("a", id="1"),
        HumanMessage("c", id="3"),
    ]


def test_removing_an_unknown_id_names_it():
    """Deleting a message that is not there is a ValueError naming the id, not a silent no-op."""
    with pytest.raises(ValueError, match="'nope'"):
        add_messages([HumanMessage("a", id="1")], RemoveMessage("nope"))


def test_remove_then_re_add_keeps_the_new_message_in_place():
    """Within one update, a later message with a removed id wins, as in LangGraph."""
    left = [HumanMessage("a", id="1"), HumanMessage("b", id="2")]
    out = add_messages(left, [RemoveMessage("1"), HumanMessage("A", id="1")])
    assert out == [HumanMessage("A", id="1"), HumanMessage("b", id="2")]


def test_remove_all_clears_the_list():
    """`RemoveMessage(REMOVE_ALL_MESSAGES)` drops everything before it; what follows is the new list."""
    left = [HumanMessage("a", id="1"), HumanMessage("b", id="2")]
    out = add_messages(
        left,
        [HumanMessage("x", id="9"), RemoveMessage(REMOVE_ALL_MESSAGES), SystemMessage("s", id="3")],
    )
    assert out == [SystemMessage("s", id="3")]


def test_mixes_with_langchain_messages():
    """LangChain messages merge by id alongside ours and are kept as LangChain objects."""
    from langchain_core.messages import AIMessage as LCAIMessage

    lc = LCAIMessage("x")
    out = add_messages([HumanMessage("a", id="1")], [lc, HumanMessage("A", id="1")])
    assert out[0] == HumanMessage("A", id="1")
    assert out[1] is lc and lc.content == "x" and lc.id


# --- merge_messages_delta -------------------------------------------------------------------


def test_delta_of_a_plain_append_is_the_appended_items():
    """An append-only merge reports exactly what was appended, so storage can save only that."""
    left = [HumanMessage("a", id="1")]
    merged, appended = merge_messages_delta(left, [AIMessage("b", id="2"), "c"])
    assert appended is not None and merged == left + appended
    assert [m.content for m in appended] == ["b", "c"]


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ([HumanMessage("a", id="1")], [HumanMessage("A", id="1")]),
        ([HumanMessage("a", id="1")], [RemoveMessage("1")]),
        ([HumanMessage("a")], [HumanMessage("b", id="2")]),
        ([("user", "a")], []),
        ([HumanMessage("a", id="1")], [RemoveMessage(REMOVE_ALL_MESSAGES)]),
    ],
    ids=["replace", "remove", "left-gets-an-id", "left-converted", "remove-all"],
)
def test_delta_is_none_when_the_prefix_changed(left, right):
    """Whenever the result is not `left` plus new items, the delta is None (store the whole list)."""
    assert merge_messages_delta(left, right)[1] is None


def test_delta_survives_edits_among_the_new_items():
    """Replacing or removing a message added in the same update still leaves a pure append."""
    left = [HumanMessage("a", id="1")]
    merged, appended = merge_messages_delta(
        left,
        [
            AIMessage("b", id="2"),
            AIMessage("B", id="2"),
            HumanMessage("c", id="3"),
            RemoveMessage("3"),
        ],
    )
    assert appended == [AIMessage("B", id="2")]
    assert merged == left + appended


# --- MessagesState ------------------------------------------------------------------------


def test_messages_state_declares_the_reducer_and_subclasses_add_keys():
    """`class State(MessagesState): extra: str` keeps `messages` reduced by add_messages."""

    class State(MessagesState):
        extra: str

    hints = get_type_hints(State, include_extras=True)
    assert hints["messages"] == Annotated[list, add_messages]
    assert hints["extra"] is str


# --- differential test against LangGraph -------------------------------------------------

IDS = st.sampled_from(["a", "b", "c", "d", None])
KINDS = st.sampled_from(["human", "ai", "system"])
ITEM = st.tuples(KINDS, st.text(max_size=3), IDS)
RIGHT_ITEM = st.one_of(
    ITEM, st.tuples(st.just("remove"), st.just(""), st.sampled_from(["a", "b", "c", "d"]))
)


def _ours(kind, content, id):
    if kind == "remove":
        return RemoveMessage(id)
    return {"human": HumanMessage, "ai": AIMessage, "system": SystemMessage}[kind](content, id=id)


def _theirs(kind, content, id):
    from langchain_core import messages as lc

    if kind == "remove":
        return lc.RemoveMessage(id=id)
    return {"human": lc.HumanMessage, "ai": lc.AIMessage, "system": lc.SystemMessage}[kind](
        content, id=id
    )


def _shape(messages, given_ids):
    # Fresh ids are random: compare them only as "a fresh id".
    return [(m.type, m.content, m.id if m.id in given_ids else "<fresh>") for m in messages]


@pytest.mark.langgraph
@settings(max_examples=300, deadline=None)
@given(left=st.lists(ITEM, max_size=5), right=st.lists(RIGHT_ITEM, max_size=5))
def test_matches_langgraph_add_messages(left, right):
    """Ids, replacement, removal and errors match LangGraph's add_messages on the same input."""
    from langgraph.graph.message import add_messages as lg_add_messages

    given_ids = {i for _, _, i in left + right}
    try:
        expected = _shape(
            lg_add_messages([_theirs(*x) for x in left], [_theirs(*x) for x in right]), given_ids
        )
    except ValueError:
        with pytest.raises(ValueError):
            add_messages([_ours(*x) for x in left], [_ours(*x) for x in right])
        return
    assert (
        _shape(add_messages([_ours(*x) for x in left], [_ours(*x) for x in right]), given_ids)
        == expected
    )


@pytest.mark.parametrize(
    "content",
    [
        "plain",
        [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": {"url": "u"}}, "b"],
        [],
    ],
    ids=["str", "blocks", "empty"],
)
def test_text_reads_like_langchains(content):
    """``.text`` is the content's text (text blocks joined, images left out), as in LangChain."""
    from langchain_core.messages import HumanMessage as LCHumanMessage

    assert HumanMessage(content).text == LCHumanMessage(content).text


def test_pretty_print_shows_kind_name_content_and_tool_calls(capsys):
    AIMessage(
        "Let me look.",
        name="agent",
        tool_calls=[{"name": "search", "args": {"q": "otters"}, "id": "call-1"}],
    ).pretty_print()
    ToolMessage("3 results", tool_call_id="call-1").pretty_print()
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == " Ai Message ".center(80, "=") and len(lines[0]) == 80
    assert lines[1:6] == ["Name: agent", "", "Let me look.", "Tool Calls:", "  search (call-1)"]
    assert lines[6] == "    q: otters"
    assert lines[7:] == [" Tool Message ".center(80, "="), "", "3 results"]
