"""A ``PregelTask`` whose ``result`` is read from storage the first time someone asks.

A history snapshot's one task shows what it wrote, which the next checkpoint records as
references into that checkpoint's values: resolving them rebuilds its state, the very cost
lazy snapshots avoid. Listing a long history for configs, metadata and task names must not
pay it, so the result is found on first access (then kept). Every way of reading the task as
a tuple (unpacking, indexing, ``==``, ``hash``, ``repr``, ``_asdict``, copying, pickling)
sees the result; a copy or a pickle is a plain ``PregelTask``.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable
from typing import Any

from ..types import PregelTask

__all__ = ["LazyTask"]

_LOADING = threading.Lock()
_RESULT = PregelTask._fields.index("result")


class LazyTask(PregelTask):
    """A task whose ``result`` comes from ``load()`` on first access."""

    def __new__(cls, load: Callable[[], Any], **fields: Any) -> LazyTask:
        self = tuple.__new__(cls, PregelTask(**fields))
        self.__dict__["_load"] = load
        return self

    @property
    def result(self) -> Any:
        """What the task wrote (found on first access, then kept)."""
        found = self.__dict__
        if "_load" in found:
            with _LOADING:
                load = found.get("_load")
                if load is not None:  # a failing load is retried on the next access
                    found["_result"] = load()
                    del found["_load"]
        return found.get("_result", tuple.__getitem__(self, _RESULT))

    @property
    def is_loaded(self) -> bool:
        """Whether ``result`` has been read (for tests and diagnostics)."""
        return "_load" not in self.__dict__

    def _full(self) -> tuple:
        return (*tuple.__getitem__(self, slice(0, _RESULT)), self.result)

    def _replace(self, **changes: Any) -> PregelTask:  # type: ignore[override]
        return PregelTask._make(self._full())._replace(**changes)

    def __iter__(self):
        return iter(self._full())

    def __getitem__(self, key: Any) -> Any:
        return self._full()[key]

    def __contains__(self, item: Any) -> bool:
        return item in self._full()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyTask):
            other = other._full()
        return self._full() == other

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._full())

    def __repr__(self) -> str:
        return repr(PregelTask._make(self._full()))

    def __reduce__(self) -> tuple:
        return (PregelTask, self._full())

    def __copy__(self) -> PregelTask:
        return PregelTask._make(self._full())

    def __deepcopy__(self, memo: dict) -> PregelTask:
        return PregelTask._make(copy.deepcopy(self._full(), memo))
