"""Chat message types and the ``add_messages`` reducer, without a LangChain dependency.

The classes mirror LangChain's message shapes (``content``, ``id``, ``type``, ``tool_calls``,
``tool_call_id``, ``.text``, ``pretty_print()``) so that notebook code written for LangGraph
(``state["messages"][-1].content``) runs unchanged. LangChain message objects are accepted wherever ours are and kept as they
are: anything with a ``type`` and a ``content`` attribute counts as a message.
"""

import sys
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Annotated, Any, ClassVar, Literal, TypedDict

__all__ = [
    "REMOVE_ALL_MESSAGES",
    "AIMessage",
    "BaseMessage",
    "HumanMessage",
    "MessagesState",
    "RemoveMessage",
    "SystemMessage",
    "ToolMessage",
    "add_messages",
    "build_our_message",
    "convert_to_message",
    "merge_messages_delta",
    "message_from_dict",
    "message_to_dict",
    "messages_with_ids",
]

#: ``RemoveMessage(id=REMOVE_ALL_MESSAGES)`` clears the list; messages after it in the same
#: update form the new list (as in LangGraph).
REMOVE_ALL_MESSAGES = "__remove_all__"
#: A field the other message does not have (never equal to anything).
_ABSENT = object()


@dataclass(eq=False, repr=False)
class BaseMessage:
    """A chat message. Use a subclass; ``type`` says which kind it is."""

    #: The text, or a list of content blocks (dicts such as ``{"type": "text", "text": ...}``).
    content: str | list = ""
    #: Stable id; ``add_messages`` assigns a uuid4 string when it is missing.
    id: str | None = field(default=None, kw_only=True)
    #: Optional speaker name.
    name: str | None = field(default=None, kw_only=True)
    #: Provider-specific extras carried along with the message.
    additional_kwargs: dict = field(default_factory=dict, kw_only=True)
    #: Provider response details (model name, token counts, ...).
    response_metadata: dict = field(default_factory=dict, kw_only=True)

    type: ClassVar[str] = ""

    def __post_init__(self) -> None:
        if not self.type:
            raise TypeError(
                "BaseMessage is abstract: use HumanMessage, AIMessage, SystemMessage, ToolMessage or RemoveMessage"
            )
        if not isinstance(self.content, (str, list)):
            raise TypeError(
                f"{type(self).__name__}.content must be a str or a list, not {type(self.content).__name__}"
            )
        if self.id is not None and not isinstance(self.id, str):
            raise TypeError(
                f"{type(self).__name__}.id must be a str or None, not {type(self.id).__name__}"
            )

    def __eq__(self, other: object) -> bool:
        """Equal to a message of the same ``type`` whose fields are equal, ours or LangChain's:
        a state holding our messages compares equal to the one LangGraph code expects."""
        if other is self:
            return True
        if not _is_message(other) or getattr(other, "type", None) != self.type:
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name, _ABSENT) for f in fields(self))

    __hash__ = None  # type: ignore[assignment]  # mutable, as LangChain's

    @property
    def text(self) -> str:
        """The message's text: ``content`` itself, or its text blocks joined (other blocks,
        such as images, are left out), as LangChain's ``.text``."""
        if isinstance(self.content, str):
            return self.content
        return "".join(
            block if isinstance(block, str) else block.get("text", "")
            for block in self.content
            if isinstance(block, str) or (isinstance(block, dict) and block.get("type") == "text")
        )

    def pretty_repr(self) -> str:
        """A readable block for notebooks: a title rule, the name, the content, tool calls."""
        title = f" {self.type.title()} Message "
        lines = [title.center(80, "=")]
        if self.name is not None:
            lines.append(f"Name: {self.name}")
        lines += ["", self.content if isinstance(self.content, str) else repr(self.content)]
        lines += self._pretty_details()
        return "\n".join(lines)

    def pretty_print(self) -> None:
        """Print ``pretty_repr()`` (what ``for m in state["messages"]: m.pretty_print()`` shows)."""
        print(self.pretty_repr())

    def _pretty_details(self) -> list[str]:
        return []

    def __repr__(self) -> str:
        parts = [f"content={self.content!r}"]
        for f in fields(self):
            if f.name == "content" or not f.repr:
                continue
            value = getattr(self, f.name)
            if (
                value is None
                or value == []
                or value == {}
                or (f.name == "status" and value == "success")
            ):
                continue
            parts.append(f"{f.name}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"


@dataclass(eq=False, repr=False)
class HumanMessage(BaseMessage):
    """A message from the user."""

    type: ClassVar[str] = "human"


@dataclass(eq=False, repr=False)
class SystemMessage(BaseMessage):
    """Instructions for the model."""

    type: ClassVar[str] = "system"


@dataclass(eq=False, repr=False)
class AIMessage(BaseMessage):
    """A model's reply, possibly asking for tool calls."""

    #: Requested tool calls, each ``{"name", "args", "id", "type": "tool_call"}``.
    tool_calls: list[dict] = field(default_factory=list, kw_only=True)

    type: ClassVar[str] = "ai"

    def __post_init__(self) -> None:
        super().__post_init__()
        self.tool_calls = [_tool_call(i, call) for i, call in enumerate(self.tool_calls)]

    def _pretty_details(self) -> list[str]:
        if not self.tool_calls:
            return []
        lines = ["Tool Calls:"]
        for call in self.tool_calls:
            lines.append(f"  {call['name']} ({call['id']})" if call["id"] else f"  {call['name']}")
            lines += [f"    {key}: {value}" for key, value in call["args"].items()] or [
                "    (no arguments)"
            ]
        return lines


@dataclass(eq=False, repr=False)
class ToolMessage(BaseMessage):
    """The result of one tool call, linked to it by ``tool_call_id``."""

    #: The ``id`` of the tool call this message answers.
    tool_call_id: str = field(kw_only=True)
    #: ``"success"`` or ``"error"``.
    status: Literal["success", "error"] = field(default="success", kw_only=True)

    type: ClassVar[str] = "tool"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.tool_call_id, str):
            raise TypeError(
                f"ToolMessage.tool_call_id must be a str, not {type(self.tool_call_id).__name__}"
            )
        if self.status not in ("success", "error"):
            raise ValueError(
                f"ToolMessage.status must be 'success' or 'error', not {self.status!r}"
            )


@dataclass(eq=False, repr=False, init=False)
class RemoveMessage(BaseMessage):
    """An instruction to ``add_messages``: delete the message whose id is ``id``."""

    type: ClassVar[str] = "remove"

    def __init__(self, id: str) -> None:
        if not isinstance(id, str):
            raise TypeError(
                f"RemoveMessage needs the str id of the message to remove, not {type(id).__name__}"
            )
        self.content = ""
        self.id = id
        self.name = None
        self.additional_kwargs = {}
        self.response_metadata = {}

    def __repr__(self) -> str:
        return f"RemoveMessage(id={self.id!r})"


def _is_mapping(x: Any) -> bool:
    return type(x) is dict or isinstance(x, Mapping)  # the ABC check is slow; dicts are the norm


_TOOL_CALL_KEYS = frozenset({"name", "args", "id", "type"})


def _tool_call(index: int, call: Any) -> dict:
    if not _is_mapping(call):
        raise TypeError(f"AIMessage.tool_calls[{index}] must be a dict, not {type(call).__name__}")
    if not call.keys() <= _TOOL_CALL_KEYS:
        raise ValueError(
            f"AIMessage.tool_calls[{index}] has unknown keys {sorted(set(call) - _TOOL_CALL_KEYS)}"
        )
    name, args, call_id = call.get("name"), call.get("args", {}), call.get("id")
    if not isinstance(name, str):
        raise TypeError(
            f"AIMessage.tool_calls[{index}]['name'] must be a str, not {type(name).__name__}"
        )
    if not _is_mapping(args):
        raise TypeError(
            f"AIMessage.tool_calls[{index}]['args'] must be a dict, not {type(args).__name__}"
        )
    if call_id is not None and not isinstance(call_id, str):
        raise TypeError(
            f"AIMessage.tool_calls[{index}]['id'] must be a str or None, not {type(call_id).__name__}"
        )
    if call.get("type", "tool_call") != "tool_call":
        raise ValueError(
            f"AIMessage.tool_calls[{index}]['type'] must be 'tool_call', not {call['type']!r}"
        )
    return {"name": name, "args": dict(args), "id": call_id, "type": "tool_call"}


_ROLES: dict[str, type[BaseMessage]] = {
    "human": HumanMessage,
    "user": HumanMessage,
    "ai": AIMessage,
    "assistant": AIMessage,
    "system": SystemMessage,
    "tool": ToolMessage,
    "remove": RemoveMessage,
}

#: Keys a dict may carry besides the role, per message class.
_COMMON_KEYS = frozenset({"content", "id", "name", "additional_kwargs", "response_metadata"})
_EXTRA_KEYS: dict[type[BaseMessage], frozenset[str]] = {
    HumanMessage: _COMMON_KEYS,
    SystemMessage: _COMMON_KEYS,
    AIMessage: _COMMON_KEYS | {"tool_calls"},
    ToolMessage: _COMMON_KEYS | {"tool_call_id", "status"},
    RemoveMessage: frozenset({"id", "content"}),
}


#: Classes seen to be messages; a list made only of these needs no per-item conversion.
_message_types: set[type] = {HumanMessage, AIMessage, SystemMessage, ToolMessage, RemoveMessage}


def _is_message(x: Any) -> bool:
    # Ours, or a LangChain message (duck-typed so that langchain is never imported here).
    if type(x) in _message_types:
        return True
    if isinstance(x, BaseMessage) or (
        not isinstance(x, (str, bytes, Mapping, tuple, list))
        and hasattr(x, "type")
        and hasattr(x, "content")
    ):
        _message_types.add(type(x))
        return True
    return False


def _from_role(role: Any, body: dict) -> BaseMessage:
    cls = _ROLES.get(role) if isinstance(role, str) else None
    if cls is None:
        raise ValueError(f"unknown message role {role!r}; expected one of {sorted(_ROLES)}")
    allowed = _EXTRA_KEYS[cls]
    if not body.keys() <= allowed:
        raise ValueError(
            f"unexpected keys {sorted(map(str, set(body) - allowed))} for a {role!r} message"
        )
    if cls is RemoveMessage:
        if "id" not in body:
            raise ValueError("a 'remove' message needs an 'id'")
        return RemoveMessage(body["id"])
    if cls is ToolMessage and "tool_call_id" not in body:
        raise ValueError("a 'tool' message needs a 'tool_call_id'")
    return cls(**body)


def _from_mapping(x: Mapping) -> BaseMessage:
    body = dict(x)
    if "role" in body:
        role = body.pop("role")
    elif "type" in body:
        role = body.pop("type")
    else:
        raise ValueError(
            f"a message dict needs a 'role' or 'type' key, got keys {sorted(map(str, body))}"
        )
    return _from_role(role, body)


def convert_to_message(x: Any) -> Any:
    """Turn a message-like value into a message.

    Accepts messages (ours or LangChain's, returned unchanged), ``{"role"|"type": ...,
    "content": ...}`` dicts, ``(role, content)`` tuples and plain strings (a human message).
    A message built from one of those is LangChain's class when LangChain's messages are
    loaded (any LangChain chat model loads them), as LangGraph builds them, so such a model
    can read the state; ours otherwise.
    """
    built = build_our_message(x)
    return built if built is x else _in_use(built)


def build_our_message(x: Any) -> Any:
    """``convert_to_message`` that always builds our class (a message is returned as is):
    for a list that already holds our messages, whatever else is loaded."""
    if type(x) is dict:  # the usual write: skip the duck-typed message test
        return _from_mapping(x)
    if _is_message(x):
        return x
    if isinstance(x, str):
        return HumanMessage(x)
    if isinstance(x, tuple):
        if len(x) != 2:
            raise ValueError(f"a message tuple must be (role, content), got {len(x)} items")
        return _from_role(x[0], {"content": x[1]})
    if isinstance(x, Mapping):
        return _from_mapping(x)
    raise TypeError(
        f"cannot convert {type(x).__name__} to a message; pass a message, dict, (role, content) tuple or str"
    )


def _in_use(message: BaseMessage) -> Any:
    """A message just built as LangChain's class when LangChain's messages are loaded;
    checked per call, so a LangChain import after ours counts."""
    langchain = sys.modules.get("langchain_core.messages")
    if langchain is None:
        return message
    return langchain.convert_to_messages([message_to_dict(message)])[0]


def message_to_dict(m: Any) -> dict[str, Any]:
    """The JSON form of a message (ours or LangChain's): ``{"type", "content", "id", ...}``.

    Optional fields appear only when set; ``message_from_dict`` reverses it for our types.
    """
    d: dict[str, Any] = {"type": m.type, "content": m.content, "id": m.id}
    if m.type == "remove":
        return d
    if getattr(m, "name", None) is not None:
        d["name"] = m.name
    if m.type == "ai":
        d["tool_calls"] = [dict(c) for c in m.tool_calls]
    if m.type == "tool":
        d["tool_call_id"] = m.tool_call_id
        if getattr(m, "status", "success") != "success":
            d["status"] = m.status
    for key in ("additional_kwargs", "response_metadata"):
        if getattr(m, key, None):
            d[key] = dict(getattr(m, key))
    return d


def message_from_dict(d: Mapping[str, Any]) -> BaseMessage:
    """Build one of our messages from its ``message_to_dict`` form."""
    if not _is_mapping(d) or "type" not in d:
        raise ValueError("a message dict needs a 'type' key")
    body = dict(d)
    return _from_role(body.pop("type"), body)


def new_message_id() -> str:
    """A uuid4 string, from ``uuid.uuid4`` looked up at each call as LangGraph does, so a
    test that patches it sees the same ids on both engines."""
    return str(uuid.uuid4())


def _with_new_id(m: Any) -> Any:
    """``m`` given an id in place, as LangGraph's reducer does: the very object a node
    returned (and its streamed update) shows the id the state stores."""
    m.id = new_message_id()
    return m


def messages_with_ids(value: Any) -> list:
    """``value`` (one message-like value or a list) as a new list of messages that all have
    an id; a message without one gets it in place."""
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        m = convert_to_message(item)
        if m.id is None:
            m.id = new_message_id()
        out.append(m)
    return out


def _normalise(value: Any) -> tuple[list, bool]:
    """``value`` as a new list of messages, and whether any item had to be converted."""
    items = value if isinstance(value, list) else [value]
    if _message_types.issuperset(map(type, items)):
        return list(items), False
    out = [convert_to_message(m) for m in items]
    return out, any(a is not b for a, b in zip(out, items))


def merge_messages_delta(left: Any, right: Any) -> tuple[list, list | None]:
    """Merge ``right`` into ``left`` like ``add_messages``; also return what was appended.

    The second item is the list of appended messages when the result is exactly ``left``
    followed by them (no replacement, removal or id assignment in ``left``), else ``None``:
    a checkpoint store can then save the appended items instead of the whole list.
    """
    lefts, left_changed = _normalise(left)
    rights = _normalise(right)[0]
    for i, m in enumerate(lefts):
        if m.id is None:
            lefts[i] = _with_new_id(m)
            left_changed = True

    for i in range(len(rights) - 1, -1, -1):
        m = rights[i]
        if m.type == "remove" and m.id == REMOVE_ALL_MESSAGES:
            lefts, rights, left_changed = [], rights[i + 1 :], bool(lefts)
            break

    merged, n_left = lefts, len(lefts)
    index = {m.id: i for i, m in enumerate(merged)}
    removed: set[str] = set()
    for m in rights:
        if m.id is None:
            m = _with_new_id(m)
        at = index.get(m.id)
        if m.type == "remove":
            if at is None:
                raise ValueError(f"cannot remove message {m.id!r}: no message has that id")
            removed.add(m.id)
            left_changed = left_changed or at < n_left
        elif at is None:
            index[m.id] = len(merged)
            merged.append(m)
        else:
            removed.discard(m.id)
            merged[at] = m
            left_changed = left_changed or at < n_left
    if removed:
        merged = [m for m in merged if m.id not in removed]
    return merged, (None if left_changed else merged[n_left:])


def new_messages_fast(writes: list[Any], known_ids: set) -> list | None:
    """The messages that ``writes`` append to a list whose ids are ``known_ids``, or None
    when a write replaces or removes one (the caller then does the full merge).

    Costs O(written messages): the engine keeps ``known_ids`` between steps.
    """
    added: list = []
    seen: set = set()
    for w in writes:
        for m in _normalise(w)[0]:
            if m.type == "remove":
                return None
            if m.id is None:
                m = _with_new_id(m)
            elif m.id in known_ids or m.id in seen:
                return None
            seen.add(m.id)
            added.append(m)
    return added


def add_messages(left: Any, right: Any) -> list:
    """The ``messages`` reducer: append ``right`` to ``left``, replacing by id.

    Either side may be one message-like value or a list. Messages without an id get a
    uuid4 string id, set on the message itself as LangGraph does; a message whose id is
    already present replaces it in place; ``RemoveMessage(id)`` deletes that message (an
    unknown id is a ``ValueError``). Returns a new list and never changes the lists passed.
    """
    return merge_messages_delta(left, right)[0]


class MessagesState(TypedDict):
    """A graph state holding a conversation; subclass it to add keys."""

    messages: Annotated[list, add_messages]
