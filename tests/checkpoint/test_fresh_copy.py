"""``fresh_copy`` copies pydantic models (LangChain's messages) field by field, as fast as
our dataclasses: each copy equals the original, shares nothing mutable with it, and keeps
pydantic's bookkeeping (fields set, extra fields, private attributes)."""

from __future__ import annotations

import copy

import pytest
from pydantic import BaseModel, ConfigDict, PrivateAttr

from hitl_notebook.checkpoint.copying import fresh_copy


class Note(BaseModel):
    model_config = ConfigDict(extra="allow")
    text: str
    tags: list = []
    meta: dict = {}
    inner: Note | None = None
    _seen: list = PrivateAttr(default_factory=list)


class Guarded(BaseModel):
    """A model with its own ``__deepcopy__``: fresh_copy must use it."""

    items: list = []

    def __deepcopy__(self, memo=None):
        return Guarded(items=["from __deepcopy__"])


def test_a_pydantic_model_copy_is_equal_and_independent():
    """Every mutable field, nested model, extra field and private attribute of the copy is
    a new object; fields set and equality are those of the original."""
    note = Note(text="hi", tags=["a"], meta={"k": [1]}, inner=Note(text="in", tags=["b"]), x=[9])
    note._seen.append("once")
    twin = fresh_copy(note)
    assert type(twin) is Note and twin == note and twin.model_dump() == note.model_dump()
    assert twin.model_fields_set == note.model_fields_set
    assert twin.model_fields_set is not note.model_fields_set
    assert twin.x == [9] and twin._seen == ["once"]
    twin.tags.append("z")
    twin.meta["k"].append(2)
    twin.inner.tags.append("z")
    twin.x.append(0)
    twin._seen.append("twice")
    twin.model_fields_set.add("junk")
    assert note.model_dump() == {
        "text": "hi",
        "tags": ["a"],
        "meta": {"k": [1]},
        "inner": {"text": "in", "tags": ["b"], "meta": {}, "inner": None},
        "x": [9],
    }
    assert note._seen == ["once"] and "junk" not in note.model_fields_set


def test_a_pydantic_model_copies_like_deepcopy():
    """Where deepcopy keeps identity-free content, fresh_copy gives the same model."""
    note = Note(text="t", meta={"a": {"b": [1, 2]}}, tags=[{"c": 3}])
    assert fresh_copy(note) == copy.deepcopy(note)
    assert fresh_copy(note).model_dump() == copy.deepcopy(note).model_dump()


def test_a_model_with_its_own_deepcopy_keeps_it():
    """A model class that overrides ``__deepcopy__`` is copied by it, not field by field."""
    assert fresh_copy(Guarded(items=[1])).items == ["from __deepcopy__"]


def test_langchain_messages_copy_independently():
    """A LangChain message with tool calls, kwargs and metadata copies equal, of the same
    class, sharing no list or dict with the original."""
    messages = pytest.importorskip("langchain_core.messages")
    msg = messages.AIMessage(
        content=[{"type": "text", "text": "hello"}],
        id="m1",
        tool_calls=[{"name": "f", "args": {"x": [1]}, "id": "c1"}],
        additional_kwargs={"k": {"v": 1}},
        response_metadata={"model": "m"},
    )
    twin = fresh_copy([msg])[0]
    assert type(twin) is messages.AIMessage and twin == msg
    twin.tool_calls[0]["args"]["x"].append(2)
    twin.content[0]["text"] = "changed"
    twin.additional_kwargs["k"]["v"] = 2
    twin.response_metadata["model"] = "other"
    assert msg.tool_calls[0]["args"] == {"x": [1]} and msg.content[0]["text"] == "hello"
    assert msg.additional_kwargs == {"k": {"v": 1}} and msg.response_metadata == {"model": "m"}
