"""A ``StateSnapshot`` whose ``values`` are built the first time someone reads them.

Listing a long history or paging a timeline needs each checkpoint's config, metadata and
tasks, not its state: copying a 1,000-message list for each of 2,000 snapshots is most of
what a listing would cost. A lazy snapshot holds a loader instead and fills its ``values``
dict on first access (then keeps it). As with an eager snapshot, the dict is the
snapshot's own: mutating it changes no other snapshot and nothing stored.

``snapshot.values`` is a plain ``dict`` (exactly: C code and libraries that read dicts
directly see its items). Every way of reading the snapshot as a tuple (unpacking,
indexing, ``==``, ``repr``, ``_asdict``, ``_replace``, copying, pickling) loads it first;
a copy or a pickle is a plain ``StateSnapshot``.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any, cast

from ..types import StateSnapshot

__all__ = ["LazySnapshot"]

#: Serialises loading, so two threads reading one snapshot fill its dict once.
_LOADING = threading.Lock()


class LazySnapshot(StateSnapshot):
    """A snapshot whose ``values`` come from ``load()`` on first access.

    No ``__slots__``: the instance dict holds the loader until it has run.
    """

    def __new__(
        cls,
        load: Callable[[], dict],
        next: tuple,
        config: dict,
        metadata: dict | None,
        created_at: str | None,
        parent_config: dict | None,
        tasks: tuple,
        interrupts: tuple = (),
    ) -> LazySnapshot:
        self = tuple.__new__(
            cls, ({}, next, config, metadata, created_at, parent_config, tasks, interrupts)
        )
        self.__dict__["_load"] = load
        return self

    @property
    def values(self) -> dict:
        """The state at this checkpoint (built on first access, then kept)."""
        values = cast(dict, tuple.__getitem__(self, 0))
        if "_load" in self.__dict__:
            with _LOADING:
                load = self.__dict__.get("_load")
                if load is not None:  # a failing load is retried on the next access
                    values.update(load())
                    del self.__dict__["_load"]
        return values

    @property
    def is_loaded(self) -> bool:
        """Whether ``values`` have been built (for tests and diagnostics)."""
        return "_load" not in self.__dict__

    def _loaded(self) -> LazySnapshot:
        self.values  # noqa: B018 - loading is the point
        return self

    def _replace(self, **changes: Any) -> StateSnapshot:  # type: ignore[override]
        """A copy with ``changes``; still lazy (its own copy of the values, on first
        access) unless ``values`` is among them or were already built."""
        load = self.__dict__.get("_load")
        if load is None or "values" in changes:
            return StateSnapshot._replace(self, **changes)
        fields = dict(zip(self._fields, tuple.__iter__(self)))
        del fields["values"]
        unknown = set(changes) - set(self._fields)
        if unknown:
            raise ValueError(f"Got unexpected field names: {sorted(unknown)!r}")
        return LazySnapshot(load, **{**fields, **changes})

    def __iter__(self):
        return tuple.__iter__(self._loaded())

    def __getitem__(self, key: Any) -> Any:
        return tuple.__getitem__(self._loaded(), key)

    def __contains__(self, item: Any) -> bool:
        return tuple.__contains__(self._loaded(), item)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazySnapshot):
            other._loaded()
        return tuple.__eq__(self._loaded(), other)

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    __hash__ = StateSnapshot.__hash__

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self))
        return f"StateSnapshot({fields})"

    def __reduce__(self) -> tuple:
        return (StateSnapshot, tuple(self))

    def __copy__(self) -> StateSnapshot:
        return StateSnapshot._make(self)

    def __deepcopy__(self, memo: dict) -> StateSnapshot:
        return StateSnapshot._make(copy.deepcopy(tuple(self), memo))
