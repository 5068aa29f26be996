"""``lgshim``: the package LangGraph's extracted tests import instead of ``langgraph``.

The harness rewrites ``from langgraph.types import Command`` to
``from lgshim.types import Command``. ``install()`` puts a finder on ``sys.meta_path`` that
creates ``lgshim`` and every ``lgshim.<path>`` module on demand; their attributes are looked
up in ``MAPPING`` (one table: LangGraph's module path -> names -> where ours live). A name
with no entry, or whose target our engine does not have, becomes a *placeholder*: importing
it works, so one missing name does not break a whole test module at import time, but using
it (calling, instantiating, reading an attribute) raises
``NotImplementedError("hitl_notebook has no langgraph.<path>.<name>")``, so only the tests
that use it fail.

Module level code of a test module must not fail either, or every test of the module
would. So three uses are deferred rather than raised:

- a class defined with a placeholder base is created and inherits the poison:
  instantiating it raises the same error, naming the missing base;
- calling a placeholder from module level (or from a class body run at import, such as a
  ``TypedDict`` field ``Annotated[list, DeltaChannel(...)]``) returns a *poisoned value*
  instead of raising: any use of that value (call, attribute, item, iteration) raises the
  same error, so the tests that use it fail and the others run;
- subscripting a placeholder (``Checkpoint[...]`` in an annotation) returns it unchanged:
  an annotation is not a use.

A placeholder for one of ``langgraph.errors``' exceptions is also an ``Exception``
subclass, so ``pytest.raises(UnknownInterruptError)`` fails by showing what our engine
raised instead.

A mapping target written ``"~module:Class"`` is one of our classes seen through a lenient
subclass: ``isinstance``/``issubclass`` answer for our class, and a class attribute we lack
(``BaseCheckpointSaver.get_next_version`` read in a class body) is a placeholder instead of
an ``AttributeError`` at import.

Nothing here imports LangGraph.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import inspect
import sys
import types
from abc import ABCMeta
from collections.abc import Callable
from typing import Any, Literal

__all__ = ["MAPPING", "PREFIX", "Missing", "install", "is_placeholder", "resolve"]

#: The top-level package name the rewritten imports use.
PREFIX = "lgshim"

#: Type aliases LangGraph exports that carry no behaviour: spelled here, not mapped.
_ALIASES: dict[str, Any] = {
    "Durability": Literal["sync", "async", "exit"],
    "StreamWriter": Callable[[Any], None],
    "StreamMode": Literal[
        "values", "updates", "checkpoints", "tasks", "debug", "messages", "custom"
    ],
}


def _ours(module: str, *names: str) -> dict[str, str]:
    """Names that keep their name: ``{name: "module:name"}``."""
    return {name: f"{module}:{name}" for name in names}


_GRAPH = _ours("hitl_notebook", "StateGraph", "START", "END", "MessagesState", "add_messages")
_CONSTANTS = _ours("hitl_notebook", "START", "END")
_PREBUILT = _ours(
    "hitl_notebook", "ToolNode", "tools_condition", "InjectedState", "InjectedToolCallId"
)

#: LangGraph module path (without ``langgraph.``) -> {name: "our_module:attribute"}.
#: A target may also be ``"=alias"``: one of the behaviour-free type aliases above.
#: To map a name our engine gains, add one line here.
MAPPING: dict[str, dict[str, str]] = {
    "": _ours("hitl_notebook", "StateGraph", "START", "END"),
    "constants": _CONSTANTS,
    "graph": {**_GRAPH, **_ours("hitl_notebook", "CompiledStateGraph")},
    "graph.state": _ours("hitl_notebook", "StateGraph", "CompiledStateGraph"),
    "graph.message": _ours("hitl_notebook", "MessagesState", "add_messages"),
    "channels": _ours("hitl_notebook", "UntrackedValue"),
    "channels.untracked_value": _ours("hitl_notebook", "UntrackedValue"),
    "types": {
        **_ours(
            "hitl_notebook",
            "Command",
            "Interrupt",
            "interrupt",
            "Send",
            "PregelTask",
            "StateSnapshot",
            "RetryPolicy",
            "StateUpdate",
            "Overwrite",
            "GraphOutput",
        ),
        "Durability": "=Durability",
        "StreamWriter": "=StreamWriter",
        "StreamMode": "=StreamMode",
    },
    "errors": {
        **_ours(
            "hitl_notebook",
            "GraphDrained",
            "GraphRecursionError",
            "InvalidUpdateError",
            "NodeInterrupt",
            "UnknownInterruptError",
            "is_invalid_resume",
        ),
        "GraphInterrupt": "hitl_notebook.types:GraphInterrupt",
        "ParentCommand": "hitl_notebook.types:ParentCommand",
    },
    "config": _ours("hitl_notebook", "get_config", "get_stream_writer"),
    "runtime": _ours("hitl_notebook", "RunControl", "Runtime", "get_runtime", "ExecutionInfo"),
    "func": _ours("hitl_notebook", "entrypoint", "task"),
    "_internal._constants": _ours(
        "hitl_notebook.constants",
        "PULL",
        "PUSH",
        "INTERRUPT",
        "ERROR",
        "RESUME",
        "NULL_TASK_ID",
        "CONFIG_KEY_NODE_FINISHED",
        "START",
        "END",
    ),
    "checkpoint.base": {
        "BaseCheckpointSaver": "~hitl_notebook:BaseCheckpointSaver",
        "CheckpointTuple": "hitl_notebook:CheckpointTuple",
    },
    "checkpoint.memory": _ours("hitl_notebook", "InMemorySaver", "MemorySaver"),
    "checkpoint.sqlite": _ours("hitl_notebook.checkpoint.sqlite", "SqliteSaver"),
    "prebuilt": _PREBUILT,
    "prebuilt.tool_node": _PREBUILT,
}


def is_placeholder(obj: Any) -> bool:
    """True for a placeholder (or a class built on one)."""
    return isinstance(obj, Missing)


def _at_import_time() -> bool:
    """True when the code calling into the shim runs at module level: walking up from the
    caller, only class bodies lie between it and a module body (no function frame)."""
    frame = sys._getframe(2)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "<module>":
            return True
        if code.co_flags & inspect.CO_OPTIMIZED:  # a function, not a class body
            return False
        frame = frame.f_back
    return False


class Missing(ABCMeta):
    """Metaclass of placeholders. ``ABCMeta`` so that a helper class mixing a placeholder
    with one of our (ABC-based) savers still gets created."""

    _hitl_missing: str

    def _missing_error(cls) -> NotImplementedError:
        return NotImplementedError(f"hitl_notebook has no {cls._hitl_missing}")

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if _at_import_time():
            return object.__new__(cls)  # a poisoned value: see _Poisoned
        raise cls._missing_error()

    def __getattr__(cls, name: str) -> Any:
        # Dunder probes (pytest collection, typing, copy, inspect) get a plain "no such
        # attribute", so only real uses fail.
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        raise cls._missing_error()

    def __getitem__(cls, item: Any) -> Any:
        return cls

    def __repr__(cls) -> str:
        return f"<placeholder for {cls._hitl_missing}>"


class _Poisoned:
    """Instances of placeholders (made only at import time): every use raises."""

    _hitl_missing: str

    def _fail(self) -> NotImplementedError:
        return NotImplementedError(f"hitl_notebook has no {self._hitl_missing}")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        raise self._fail()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise self._fail()

    def __getitem__(self, key: Any) -> Any:
        raise self._fail()

    def __iter__(self) -> Any:
        raise self._fail()

    def __repr__(self) -> str:
        return f"<value of placeholder {self._hitl_missing}>"


def _placeholder(path: str) -> Missing:
    name = path.rsplit(".", 1)[-1]
    # An exception we lack stays an exception, so `pytest.raises(UnknownInterruptError)`
    # fails by showing what our engine raised (or that it raised nothing).
    bases = (_Poisoned, Exception) if path.startswith("langgraph.errors.") else (_Poisoned,)
    return Missing(
        name, bases, {"_hitl_missing": path, "__module__": __name__, "__qualname__": name}
    )


class _Lenient(ABCMeta):
    """Metaclass of the lenient view of one of our classes (see the module docstring)."""

    _hitl_ours: type
    _hitl_path: str

    def __instancecheck__(cls, obj: Any) -> bool:
        return isinstance(obj, cls._hitl_ours)

    def __subclasscheck__(cls, sub: type) -> bool:
        # By the MRO, not issubclass(): ABCMeta's own check of our class walks its
        # subclasses, this view among them, and would come back here without end.
        return isinstance(sub, type) and cls._hitl_ours in sub.__mro__

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return _placeholder(f"{cls._hitl_path}.{name}")


_lenient_cache: dict[str, type] = {}


def _lenient(ours: type, path: str) -> type:
    if path not in _lenient_cache:
        _lenient_cache[path] = _Lenient(
            ours.__name__,
            (ours,),
            {
                "_hitl_ours": ours,
                "_hitl_path": path,
                "__module__": ours.__module__,
                "__qualname__": ours.__qualname__,
            },
        )
    return _lenient_cache[path]


def resolve(module: str, name: str) -> Any:
    """What ``langgraph.<module>.<name>`` is on our side: our object, or a placeholder."""
    full = ".".join(p for p in ("langgraph", module, name) if p)
    target = MAPPING.get(module, {}).get(name)
    if target is None:
        return _placeholder(full)
    if target.startswith("="):
        return _ALIASES[target[1:]]
    lenient = target.startswith("~")
    mod_name, _, attr = target.lstrip("~").partition(":")
    try:
        value = getattr(importlib.import_module(mod_name), attr)
    except (ImportError, AttributeError):
        return _placeholder(full)
    return _lenient(value, full) if lenient else value


class _ShimModule(types.ModuleType):
    """``lgshim.<path>``: every attribute resolves through ``MAPPING``."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        path = self.__dict__["_lg_path"]
        sub = f"{path}.{name}" if path else name
        if any(key == sub or key.startswith(sub + ".") for key in MAPPING):
            return importlib.import_module(f"{self.__name__}.{name}")  # a submodule
        value = resolve(path, name)
        setattr(self, name, value)
        return value


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname == PREFIX or fullname.startswith(PREFIX + "."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _ShimModule(spec.name)
        module._lg_path = spec.name[len(PREFIX) + 1 :]
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        module.__path__ = []


def install() -> None:
    """Make ``lgshim`` importable (idempotent)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
