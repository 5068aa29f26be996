"""State channels: how the writes of one super-step combine into a key's new value.

Each channel also reports the *change* it made (``Replace`` or ``Append``) so checkpoint
stores can keep deltas: an append-style reducer records only the new items.
"""

from __future__ import annotations

import operator
import threading
from collections.abc import Callable
from typing import Any

from ..checkpoint.base import Append, Change, Replace
from ..checkpoint.serde import register_type
from ..errors import InvalidUpdateError
from ..messages import merge_messages_delta, messages_with_ids, new_messages_fast
from ..types import Overwrite

__all__ = [
    "MISSING",
    "Channel",
    "LastValue",
    "ReducerChannel",
    "UntrackedChannel",
    "UntrackedValue",
    "overwrite_value",
]

#: The key of ``Overwrite``'s dict forms.
OVERWRITE = "__overwrite__"

# A step's writes (with any Overwrite in them) are stored with its checkpoint.
register_type(Overwrite, "hitl_notebook.Overwrite")


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


#: Marks a channel that has never been written.
MISSING: Any = _Missing()


class Channel:
    """A state key. ``reduce`` folds one step's writes into the old value."""

    __slots__ = ("key",)

    #: Whether ``prepare`` does anything (so the engine can skip calling it).
    prepares_writes = False

    def __init__(self, key: str) -> None:
        self.key = key

    def prepare(self, value: Any) -> Any:
        """A written value in the form ``reduce`` folds in, computed once per write."""
        return value

    def initial(self) -> Any:
        """The value before any write (``MISSING`` when the key starts absent)."""
        return MISSING

    def reduce(self, old: Any, writes: list[Any], remember: bool = True) -> tuple[Any, Change]:
        """``remember=False`` for a throwaway preview (a task's own view for its routing)."""
        raise NotImplementedError


class LastValue(Channel):
    """A plain key: the one value written in a step replaces the old one."""

    __slots__ = ()

    def reduce(self, old: Any, writes: list[Any], remember: bool = True) -> tuple[Any, Change]:
        if len(writes) != 1:
            raise InvalidUpdateError(
                f"At key '{self.key}': Can receive only one value per step. Use an Annotated key to handle "
                f"multiple values. State key '{self.key}' received {len(writes)} values in one step, but it "
                "keeps only the last value: give it a reducer, e.g. Annotated[list, operator.add], or let only "
                "one node write it per step."
            )
        value = writes[0]
        if type(value) is Overwrite:  # no reducer to bypass: the value itself
            value = value.value
        return value, Replace(value)


class UntrackedValue:
    """Marks a state key as never stored: ``Annotated[T, UntrackedValue]`` (or
    ``UntrackedValue(T, guard=False)`` to take the last of several writes in one step).

    For what cannot or should not be checkpointed (a client, a lock, a secret): nodes read
    and write it during a run and the run's output shows it, but no checkpoint keeps it,
    so a resumed or later call starts without it.
    """

    __slots__ = ("guard", "typ")

    def __init__(self, typ: Any = Any, guard: bool = True) -> None:
        #: The value's type (documentation only).
        self.typ = typ
        #: Refuse two writes in one step (as a plain key does); False keeps the last.
        self.guard = guard

    def __repr__(self) -> str:
        return f"UntrackedValue(guard={self.guard})"


class UntrackedChannel(LastValue):
    """The channel of an ``UntrackedValue`` key: a plain value the engine never stores."""

    __slots__ = ("guard",)

    def __init__(self, key: str, guard: bool = True) -> None:
        super().__init__(key)
        self.guard = guard

    def reduce(self, old: Any, writes: list[Any], remember: bool = True) -> tuple[Any, Change]:
        if self.guard or len(writes) == 1:
            return super().reduce(old, writes, remember)
        return super().reduce(old, writes[-1:], remember)


class ReducerChannel(Channel):
    """A key declared as ``Annotated[T, reducer]``: each write is folded in with ``reducer``."""

    __slots__ = ("_default_factory", "_delta", "_index", "reducer")

    def __init__(
        self,
        key: str,
        reducer: Callable[[Any, Any], Any],
        default_factory: Callable[[], Any] | None,
    ) -> None:
        super().__init__(key)
        self.reducer = reducer
        self._default_factory = default_factory
        self._delta = _delta_strategy(reducer)
        self._index = _MessageIndex() if self._delta is _append_messages else None

    @property
    def prepares_writes(self) -> bool:  # type: ignore[override]
        return self._index is not None

    def prepare(self, value: Any) -> Any:
        """``add_messages`` writes become lists of messages with ids: assigned once, so every
        later fold of the same write (routing preview, commit, resume) keeps the same ids."""
        if self._index is None:
            return value
        is_overwrite, replacement = overwrite_value(value)
        return (
            Overwrite(messages_with_ids(replacement)) if is_overwrite else messages_with_ids(value)
        )

    def initial(self) -> Any:
        if self._default_factory is None:
            return MISSING
        return self._default_factory()

    def reduce(self, old: Any, writes: list[Any], remember: bool = True) -> tuple[Any, Change]:
        for w in writes:
            if type(w) is Overwrite or (
                type(w) is dict and (OVERWRITE in w or w.get("type") == OVERWRITE)
            ):
                return self._overwrite(old, writes, remember)
        if self._delta is not None and isinstance(old, list):
            return self._delta(self, old, writes, remember)
        value = old
        for w in writes:
            value = w if value is MISSING else self.reducer(value, w)
        return value, Replace(value)

    def _overwrite(self, old: Any, writes: list[Any], remember: bool) -> tuple[Any, Change]:
        """A step whose writes hold an ``Overwrite``: it replaces what came before it, and
        what comes after it is ignored (LangGraph's rule)."""
        value, seen = old, False
        for w in writes:
            is_overwrite, replacement = overwrite_value(w)
            if is_overwrite:
                if seen:
                    raise InvalidUpdateError(
                        f"Can receive only one Overwrite value per super-step. State key '{self.key}' got "
                        "Overwrite values from several writes in one step; let one node overwrite it per step."
                    )
                value, seen = replacement, True
            elif not seen:
                value = w if value is MISSING else self.reducer(value, w)
        if remember and self._index is not None and isinstance(value, list):
            with self._index.lock:
                self._index.value, self._index.ids = value, {m.id for m in value}
        return value, Replace(value)


def _append_by_add(
    channel: ReducerChannel, old: list, writes: list[Any], remember: bool
) -> tuple[Any, Change]:
    """``operator.add`` on lists: the result is ``old`` plus the written items."""
    added: list = []
    for w in writes:
        if not isinstance(w, list):
            raise InvalidUpdateError(
                f"State key '{channel.key}' (reducer operator.add on a list) cannot add a "
                f"{type(w).__name__}: write a list, e.g. [{w!r}]."
            )
        added.extend(w)
    return old + added, Append(added)


class _MessageIndex:
    """Ids of the newest ``add_messages`` list this channel produced, so a step that only
    appends new messages costs O(new messages), not O(history)."""

    __slots__ = ("ids", "lock", "value")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: list | None = None
        self.ids: set = set()


def _append_messages(
    channel: ReducerChannel, old: list, writes: list[Any], remember: bool
) -> tuple[Any, Change]:
    """``add_messages``: an append unless a write replaces or removes a message by id."""
    cache = channel._index
    assert cache is not None, "only channels that keep a message index use this delta"
    with cache.lock:
        if cache.value is old:
            added = new_messages_fast(writes, cache.ids)
            if added is not None:
                value = old + added
                if remember:
                    cache.value = value
                    cache.ids.update(m.id for m in added)
                return value, Append(added)
    value = old
    appended_total: list | None = []
    for w in writes:
        value, appended = merge_messages_delta(value, w)
        if appended is None:
            appended_total = None
        elif appended_total is not None:
            appended_total.extend(appended)
    if remember:
        with cache.lock:
            cache.value, cache.ids = value, {m.id for m in value}
    if appended_total is None:
        return value, Replace(value)
    return value, Append(appended_total)


def _delta_strategy(reducer: Callable) -> Callable | None:
    if reducer is operator.add or reducer is operator.iadd:
        return _append_by_add
    if getattr(reducer, "__name__", "") == "add_messages" and getattr(
        reducer, "__module__", ""
    ).startswith("hitl_notebook"):
        return _append_messages
    return None


def overwrite_value(value: Any) -> tuple[bool, Any]:
    """``(True, new value)`` for an ``Overwrite`` or one of its dict forms
    (``{"__overwrite__": v}``, ``{"type": "__overwrite__", "value": v}``), else ``(False, None)``."""
    if type(value) is Overwrite:
        return True, value.value
    if type(value) is dict:
        if len(value) == 1 and OVERWRITE in value:
            return True, value[OVERWRITE]
        if value.get("type") == OVERWRITE and "value" in value:
            return True, value["value"]
    return False, None
