"""Stored LangChain messages are rebuilt from a per-shape template instead of validating
each one again: what comes back must be exactly what validation builds, for every message
class we store, and anything unusual must still go through validation."""

from __future__ import annotations

import pytest

lc = pytest.importorskip("langchain_core.messages")

from hitl_notebook.checkpoint import langchain_revive  # noqa: E402
from hitl_notebook.checkpoint.serde import (  # noqa: E402
    DeserializationError,
    _langchain_classes,
    dumps,
    loads,
)

_CONTENTS = ["", "hello", "ünïcödé ✓ " * 40, 'line\nbreak "quoted" \\ slash', "\ud800 lone"]


def _shapes(cls: type) -> list[dict]:
    """Constructor arguments of ``cls`` made of strings only, with its required fields."""
    required = {
        name: f"{name} value"
        for name, spec in cls.model_fields.items()
        if spec.is_required() and name != "content"
    }
    shapes = []
    for content in _CONTENTS:
        shapes.append({"content": content, **required})
        shapes.append({"content": content, "id": "run-1", **required})
        shapes.append({"content": content, "id": "run-2", "name": "bob", **required})
    shapes.append({"id": "run-3", **required})  # RemoveMessage takes nothing else
    return shapes


def _same_as_validated(revived: object, validated: object) -> None:
    assert type(revived) is type(validated)
    assert list(revived.__dict__.items()) == list(validated.__dict__.items())
    for name, value in validated.__dict__.items():
        assert type(revived.__dict__[name]) is type(value), name
    assert revived.__pydantic_fields_set__ == validated.__pydantic_fields_set__
    assert revived.__pydantic_extra__ == validated.__pydantic_extra__
    assert type(revived.__pydantic_extra__) is type(validated.__pydantic_extra__)
    assert revived.__pydantic_private__ == validated.__pydantic_private__
    assert revived == validated
    assert revived.model_dump() == validated.model_dump()
    assert repr(revived) == repr(validated)


@pytest.mark.parametrize("name", sorted(_langchain_classes()))
def test_every_stored_class_comes_back_as_validation_builds_it(name):
    """For each LangChain class serde stores, a stored message of plain strings reads back
    identical to the validated construction, through a template (not validation)."""
    cls = _langchain_classes()[name]
    compared = 0
    for arguments in _shapes(cls):
        try:
            validated = cls(**arguments)
        except (TypeError, ValueError):
            continue  # a shape this class refuses (RemoveMessage has no content)
        _same_as_validated(loads(dumps(validated)), validated)
        compared += 1
    assert compared >= 3
    learned = [
        key for key, template in langchain_revive._templates.items() if key[0] is cls and template
    ]
    # RemoveMessage refuses any content but "", so it has no template (it is validated).
    assert bool(learned) is (name != "remove"), learned


def test_revived_messages_share_nothing_mutable():
    """Each message read back gets its own empty dicts and lists and fields-set."""
    data = dumps([lc.AIMessage("a", id="1"), lc.AIMessage("b", id="2")])
    first, second = loads(data)
    first.additional_kwargs["k"] = 1
    first.tool_calls.append({"name": "t", "args": {}, "id": "c", "type": "tool_call"})
    first.__pydantic_fields_set__.add("name")
    again = loads(data)[0]
    assert second.additional_kwargs == {} and second.tool_calls == []
    assert again.additional_kwargs == {} and again.tool_calls == []
    assert again.__pydantic_fields_set__ == {"content", "id"}
    assert second.__pydantic_fields_set__ == {"content", "id"}


def test_messages_with_other_fields_are_validated():
    """Tool calls, metadata and content blocks take the validating path, and come back as
    validation builds them."""
    messages = [
        lc.AIMessage(
            "calling",
            id="x",
            tool_calls=[{"name": "search", "args": {"q": "a"}, "id": "c1", "type": "tool_call"}],
        ),
        lc.HumanMessage([{"type": "text", "text": "hi"}], additional_kwargs={"k": [1]}),
        lc.ToolMessage("r", tool_call_id="c1", status="error", artifact={"raw": b"x"}),
    ]
    for message, revived in zip(messages, loads(dumps(messages))):
        _same_as_validated(revived, message)


@pytest.mark.parametrize(
    ("name", "fields"),
    [
        ("ai", {"content": 5}),
        ("ai", {"content": "x", "id": 7}),
        ("tool", {"content": "x"}),
        ("tool", {"content": "x", "tool_call_id": None}),
        ("human", {"content": "x", "bogus": {"a": 1}}),
        ("human", {"content": "x", "type": "ai"}),
        ("remove", {"content": "x", "id": "1"}),
    ],
)
def test_unusual_stored_messages_read_as_validation_reads_them(name, fields):
    """A stored message that is not plain strings of known fields reads back as validation
    builds it, or is refused as validation refuses it (naming the path and the tag)."""
    payload = dumps({"v": fields}).replace(
        b'{"v":', b'{"$t":"lc","n":"' + name.encode() + b'","v":', 1
    )
    try:
        expected = _langchain_classes()[name](**fields)
    except Exception:
        with pytest.raises(DeserializationError) as caught:
            loads(payload, "values['messages']")
        assert "values['messages']" in str(caught.value) and "'lc'" in str(caught.value)
    else:
        _same_as_validated(loads(payload), expected)


def test_a_shape_whose_strings_do_not_pass_through_is_validated():
    """A class that transforms a string field has no template: its messages are validated."""

    class Shouting(lc.HumanMessage):
        def __init__(self, content: str, **kwargs: object) -> None:
            super().__init__(content.upper(), **kwargs)

    assert langchain_revive._learn(Shouting, ("content",)) is None
    assert langchain_revive.revive_langchain(Shouting, {"content": "hi"}).content == "HI"
