"""Checkpoint values that a shared read (``get``/``list`` with ``shared=True``) decodes
only when someone uses them.

Listing a long history for its configs, metadata and tasks must not rebuild every
checkpoint's state: the saver hands out a ``DeferredValues`` that calls its loader on first
use and then reads like the (read-only, shared) dict it loaded. When its keys are known
without loading (a step's writes: only their references to the values need the values),
membership, length and iteration answer from them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Mapping
from typing import Any

__all__ = ["DeferredValues"]


class DeferredValues(Mapping):
    """A read-only mapping over values loaded on first access; never mutate what it returns."""

    __slots__ = ("_keys", "_load", "_lock", "_values")

    def __init__(
        self, load: Callable[[], dict[str, Any]], keys: tuple[str, ...] | None = None
    ) -> None:
        self._load: Callable[[], dict[str, Any]] | None = load
        self._values: dict[str, Any] | None = None
        self._lock = threading.Lock()
        #: The loaded dict's keys, in order, when known beforehand.
        self._keys = keys

    @property
    def is_loaded(self) -> bool:
        """Whether the loader has run (for tests and diagnostics)."""
        return self._values is not None

    def load(self) -> dict[str, Any]:
        """The loaded values (the saver's shared objects: copy before mutating)."""
        if self._values is None:
            with self._lock:
                if self._values is None:
                    assert self._load is not None  # dropped only once the values are in
                    self._values = self._load()
                    self._load = None
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self.load()[key]

    def __contains__(self, key: object) -> bool:
        if self._values is None and self._keys is not None:
            return key in self._keys
        return key in self.load()

    def __iter__(self) -> Iterator[str]:
        if self._values is None and self._keys is not None:
            return iter(self._keys)
        return iter(self.load())

    def __len__(self) -> int:
        if self._values is None and self._keys is not None:
            return len(self._keys)
        return len(self.load())

    def __repr__(self) -> str:
        state = "unloaded" if self._values is None else repr(self._values)
        return f"DeferredValues({state})"
