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


def test_empty_extra_and_fields_set_are_new_objects_on_every_copy():
    """A model whose extra fields are empty (most LangChain messages) gets its own empty
    dict, and its own fields-set, on the first copy and on later (fast path) copies alike:
    adding an extra field or marking a field set on a copy leaves the original alone."""
    first, second = Note(text="a"), Note(text="b")
    for original in (first, second):  # the second goes through the class registered by the first
        twin = fresh_copy(original)
        assert twin == original and twin.__pydantic_extra__ == {}
        assert twin.__pydantic_extra__ is not original.__pydantic_extra__
        twin.added = [1]
        twin.model_fields_set.add("tags")
        assert original.__pydantic_extra__ == {} and original.model_fields_set == {"text"}


def test_a_node_mutating_a_copied_langchain_message_in_place_changes_no_history():
    """The forked run's copy of a LangChain message list, mutated in place (content,
    kwargs, the list itself), leaves the list it was copied from as it was."""
    messages = pytest.importorskip("langchain_core.messages")
    stored = [messages.AIMessage(content=f"m{i}", id=f"id{i}") for i in range(3)]
    run = fresh_copy(stored)
    run[0].content = "edited"
    run[1].additional_kwargs["k"] = 1
    run[2].response_metadata["r"] = 2
    run[2].tool_calls.append({"name": "f", "args": {}, "id": "c"})
    run.append(messages.AIMessage(content="new"))
    assert [m.content for m in stored] == ["m0", "m1", "m2"]
    assert all(not m.additional_kwargs and not m.response_metadata for m in stored)
    assert all(not m.tool_calls for m in stored) and len(stored) == 3
