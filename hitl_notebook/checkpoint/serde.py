"""Checkpoint serialisation: JSON with tagged values, and nothing read back can run code.

``dumps`` writes strict UTF-8 JSON. Plain JSON values are written as they are; every other
supported value becomes a small tagged object ``{"$t": <tag>, "v": <payload>}`` (registered
classes add ``"n": <registered name>``). A user dict that has a ``"$t"`` key, or a key that is
not a ``str``, is written in the tagged ``"dict"`` form, so no stored value is ever mistaken
for a tag.

``loads`` revives tags through a fixed table and the classes registered in this process with
``register_type``; it never imports a module or resolves a name found in the data. A name
that is not registered is a ``DeserializationError`` naming it and saying to register it.

Supported: ``None``, ``bool``, ``int`` (any size), ``float`` (nan/inf too), ``str``, ``list``,
``dict`` (any hashable keys), ``tuple``, ``set``, ``frozenset``, ``bytes``, ``bytearray``,
``datetime``/``date``/``time`` (naive, ``timezone`` or ``ZoneInfo``), ``timedelta``,
``timezone``, ``ZoneInfo``, ``UUID``, ``Decimal``, our messages, LangChain messages (when
``langchain_core`` is installed), ``Command``, ``Send`` and ``Interrupt``, and enums,
dataclasses and pydantic v2 models (see registration below).

Subclasses of ``str``, ``int``, ``float``, ``list``, ``dict`` and ``tuple`` that are neither
enums nor registered are stored as their base value and read back as it: LangChain's
``message.text`` (a ``str`` subclass) comes back a ``str``, a ``NamedTuple`` a ``tuple``, a
``defaultdict`` a ``dict``.

Registration. Enums, dataclasses and pydantic models are stored by name (``module.QualName``
unless ``register_type`` gave another) and rebuilt from their fields. Two things register
them without a ``register_type`` call, neither of which imports anything (each has the class
object in hand): ``dumps`` registers the class of a value it writes, and building a graph
registers the classes its state schemas name (``register_schema_types``: through
``Annotated``, ``Optional``/unions, container arguments and nested dataclass, pydantic and
``TypedDict`` fields), so that a restarted kernel that builds the same graph again can read
the thread's old checkpoints. Annotations that cannot be resolved (a string naming a
function's local class) are skipped; such a class is registered when a value of it is
written, or by ``register_type``.

A name maps to one class, the newest registered under it: re-running a notebook cell that
redefines a class makes old checkpoints load into the new class, which is the point. A class
keeps writing under its name after a newer class took it, and is never registered again by
``dumps`` or a schema, so an old definition still in memory cannot take the name back. The
price: when two *different* live classes share a ``module.QualName`` (two function-local
classes of the same name, say), data written with the older one is read back as the newer
one; with other fields that is a ``DeserializationError`` naming the type, with the same
fields it is silently an instance of the newer class. We accept that rather than make names
depend on the order of definition (which a restarted kernel could not reproduce); give such
classes distinct names with ``register_type(cls, name=...)`` when both must be read back.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import enum
import json
import sys
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from functools import cache, lru_cache
from typing import (
    Annotated,
    Any,
    ForwardRef,
    Literal,
    TypeGuard,
    get_args,
    get_origin,
    get_type_hints,
)
from uuid import UUID
from zoneinfo import ZoneInfo

import orjson

from ..errors import DeserializationError, SerializationError
from ..messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
    message_from_dict,
    message_to_dict,
)
from ..types import _UNSET, Command, Interrupt, Send
from . import bounds
from .langchain_revive import revive_langchain

__all__ = [
    "DeserializationError",
    "SerializationError",
    "check_serialisable",
    "dumps",
    "json_ready",
    "loads",
    "register_schema_types",
    "register_type",
]

TAG = "$t"
_INT_LIMIT = 2**63  # ints outside +-2**63 are written as hex strings (exact, and 64-bit safe)


# --- registry ---------------------------------------------------------------------------

_by_name: dict[str, type] = {}
_by_type: dict[type, str] = {}


def _pydantic_model(cls: type) -> TypeGuard[type[Any]]:
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(cls, type) and issubclass(cls, pydantic.BaseModel)


def register_type(cls: type, name: str | None = None) -> type:
    """Allow instances of ``cls`` (an Enum, a dataclass or a pydantic v2 model) in checkpoints.

    ``name`` (default ``module.QualName``) is what the stored data records; loading looks it
    up in this registry, so register your classes before loading. Registering a class again
    under the same name (a re-run notebook cell) points the name to the new class. Usable as
    a decorator.

    Writing a value, or building a graph whose state schema names the class, registers it
    under ``module.QualName`` if it is not registered yet (see the module docstring); call
    this for a custom name, or to read checkpoints before either has happened.
    """
    if not isinstance(cls, type) or not (
        issubclass(cls, enum.Enum) or dataclasses.is_dataclass(cls) or _pydantic_model(cls)
    ):
        raise TypeError(
            f"register_type accepts Enum classes, dataclasses and pydantic models, not {cls!r}"
        )
    name = f"{cls.__module__}.{cls.__qualname__}" if name is None else name
    if not isinstance(name, str) or not name:
        raise TypeError(f"register_type needs a non-empty str name, not {name!r}")
    _by_name[name] = cls
    _by_type[cls] = name
    return cls


def _auto_register(cls: type) -> str | None:
    """Register ``cls`` under ``module.QualName`` when it is an enum, dataclass or pydantic
    model that is not registered yet and has no encoder of its own; its registered name."""
    name = _by_type.get(cls)
    if name is not None:
        return name
    if cls in _ENCODERS or not (
        issubclass(cls, enum.Enum) or dataclasses.is_dataclass(cls) or _pydantic_model(cls)
    ):
        return None
    if _langchain_name(cls) is not None:  # LangChain messages have their own tag
        return None
    register_type(cls)
    return _by_type[cls]


def register_schema_types(schema: Any) -> None:
    """Register the enums, dataclasses and pydantic models named by a state schema (a class
    with annotations, or a type hint such as ``Annotated[list[Item], reducer]``).

    Called when a graph is built, so that a restarted kernel that builds the same graph can
    read the thread's old checkpoints. Follows ``Annotated``, unions, the arguments of
    generics (``list``, ``dict``, ``tuple``, ``set``, ...), ``Literal`` enum members and the
    fields of nested dataclasses, pydantic models and ``TypedDict``s. Classes that are already
    registered are left as they are; annotations it cannot resolve are skipped. Never imports.
    """
    seen: set[type] = set()
    if isinstance(schema, type):
        _walk_class(schema, seen, any_class=True)
    else:
        _walk_hint(schema, seen)


def _class_hints(cls: type) -> list[Any]:
    """The annotations of ``cls`` (a dataclass, TypedDict or annotated class), resolved when
    possible; string annotations that cannot be resolved are skipped by ``_walk_hint``."""
    if _pydantic_model(cls):
        return [f.annotation for f in cls.model_fields.values()]
    try:
        return list(get_type_hints(cls, include_extras=True).values())
    except Exception:
        hints: list[Any] = []
        for klass in reversed(cls.__mro__):
            hints.extend(getattr(klass, "__annotations__", {}).values())
        return hints


def _walk_hint(hint: Any, seen: set[type]) -> None:
    if hint is None or isinstance(hint, (str, ForwardRef)):
        return
    origin = get_origin(hint)
    if origin is Annotated:
        _walk_hint(get_args(hint)[0], seen)  # the metadata (reducers) is not a type
        return
    if origin is Literal:
        for value in get_args(hint):
            if isinstance(value, enum.Enum):
                _walk_class(type(value), seen)
        return
    if origin is not None:
        for arg in get_args(hint):
            if isinstance(arg, (list, tuple)):  # Callable[[A, B], C]
                for a in arg:
                    _walk_hint(a, seen)
            else:
                _walk_hint(arg, seen)
        if isinstance(origin, type):
            _walk_class(origin, seen)  # a user generic: Box[int]
        return
    supertype = getattr(hint, "__supertype__", None)  # typing.NewType
    if supertype is not None:
        _walk_hint(supertype, seen)
        return
    if type(hint).__name__ == "TypeAliasType":  # `type X = ...` (Python 3.12+)
        try:
            value = hint.__value__
        except Exception:
            return
        _walk_hint(value, seen)
        return
    if isinstance(hint, type):
        _walk_class(hint, seen)


def _is_typeddict(cls: type) -> bool:
    """``typing.is_typeddict`` misses ``typing_extensions.TypedDict`` classes on older Pythons."""
    return issubclass(cls, dict) and hasattr(cls, "__required_keys__")


def _walk_class(cls: type, seen: set[type], any_class: bool = False) -> None:
    """Register ``cls`` if it is storable by name, then walk its fields' annotations. Only
    registered classes and ``TypedDict``s are walked into (``any_class``: any annotated class,
    for the state schema itself); LangChain messages and our own types stop the walk."""
    if cls in seen or cls.__module__ == "builtins":
        return
    seen.add(cls)
    if _auto_register(cls) is None:
        if (
            cls in _ENCODERS
            or not (_is_typeddict(cls) or any_class)
            or _langchain_name(cls) is not None
        ):
            return
    elif issubclass(cls, enum.Enum):
        return
    for hint in _class_hints(cls):
        _walk_hint(hint, seen)


# --- encoding ---------------------------------------------------------------------------


class _Unencodable(Exception):
    """Raised inside the walk; collects the path on the way out."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        self.segments: list[str] = []


def _enc(o: Any) -> Any:
    """The JSON-ready form of ``o``; ``o`` itself when it is plain JSON (no copy)."""
    t = type(o)
    if t is str or t is bool or o is None:
        return o
    if t is int:
        return o if -_INT_LIMIT <= o < _INT_LIMIT else {TAG: "int", "v": hex(o)}
    if t is float:
        return o if o - o == 0.0 else {TAG: "float", "v": repr(o)}  # o - o is nan for nan/inf
    if t is dict:
        return _enc_dict(o)
    if t is list:
        return _enc_seq(o)
    encoder = _ENCODERS.get(t)
    if encoder is not None:
        return encoder(o)
    return _enc_other(o)


# The container walks inline the plain-scalar test (the common case) to skip a call per item.


def _enc_seq(o: list | tuple) -> list | tuple:
    for i, v in enumerate(o):
        t = type(v)
        if t is str or t is bool or v is None or (t is int and -_INT_LIMIT <= v < _INT_LIMIT):
            continue
        try:
            e = _enc_dict(v) if t is dict else _enc_seq(v) if t is list else _enc(v)
        except _Unencodable as exc:
            exc.segments.append(f"[{i}]")
            raise
        if e is not v:
            out = list(o[:i])
            out.append(e)
            for j in range(i + 1, len(o)):
                try:
                    out.append(_enc(o[j]))
                except _Unencodable as exc:
                    exc.segments.append(f"[{j}]")
                    raise
            return out
    return o


def _enc_dict(o: dict, attrs: bool = False) -> dict:
    out = None
    for k, v in o.items():
        if type(k) is not str or k == TAG:
            return _enc_pairs(o)
        t = type(v)
        if t is str or t is bool or v is None or (t is int and -_INT_LIMIT <= v < _INT_LIMIT):
            e = v
        else:
            try:  # containers walked directly (``_enc`` would only dispatch)
                e = _enc_dict(v) if t is dict else _enc_seq(v) if t is list else _enc(v)
            except _Unencodable as exc:
                exc.segments.append(f".{k}" if attrs else f"[{k!r}]")
                raise
        if out is not None:
            out[k] = e
        elif e is not v:
            out = {}
            for k2, v2 in o.items():
                if k2 == k:
                    break
                out[k2] = v2
            out[k] = e
    return o if out is None else out


def _enc_pairs(o: dict) -> dict:
    pairs = []
    for k, v in o.items():
        try:
            pairs.append([_enc(k), _enc(v)])
        except _Unencodable as exc:
            exc.segments.append(f"[{k!r}]")
            raise
    return {TAG: "dict", "v": pairs}


def _enc_tz(tz: Any) -> Any:
    if tz is None:
        return None
    if type(tz) not in (timezone, ZoneInfo):
        raise _Unencodable(
            f"time zone of type {type(tz).__qualname__} is not serialisable; use datetime.timezone or zoneinfo.ZoneInfo"
        )
    return _ENCODERS[type(tz)](tz)


def _enc_zoneinfo(z: ZoneInfo) -> dict:
    if z.key is None:
        raise _Unencodable(
            "a ZoneInfo built from a file (no key) is not serialisable; use ZoneInfo(key)"
        )
    return {TAG: "zoneinfo", "v": z.key}


def _enc_message(m: BaseMessage) -> dict:
    return {TAG: "msg", "v": _enc_dict(message_to_dict(m), attrs=True)}


def _enc_send(o: Send) -> dict:
    return {TAG: "send", "v": _enc_dict({"node": o.node, "arg": o.arg}, attrs=True)}


def _enc_command(o: Command) -> dict:
    fields = {"update": o.update, "goto": o.goto, "graph": o.graph}
    if o.resume is not _UNSET:  # an unset resume is left out; ``None`` is a real answer
        fields["resume"] = o.resume
    return {TAG: "cmd", "v": _enc_dict(fields, attrs=True)}


def _enc_interrupt(o: Interrupt) -> dict:
    fields = {"value": o.value, "id": o.id, "response_schema": o.response_schema, "ns": o.ns}
    return {TAG: "interrupt", "v": _enc_dict(fields, attrs=True)}


def _wrap(tag: str, payload: Callable[[Any], Any]) -> Callable[[Any], dict]:
    return lambda o: {TAG: tag, "v": payload(o)}


_ENCODERS: dict[type, Callable[[Any], Any]] = {
    tuple: _wrap("tuple", _enc_seq),
    set: _wrap("set", lambda o: _enc_seq(list(o))),
    frozenset: _wrap("frozenset", lambda o: _enc_seq(list(o))),
    bytes: _wrap("bytes", lambda o: base64.b64encode(o).decode("ascii")),
    bytearray: _wrap("bytearray", lambda o: base64.b64encode(o).decode("ascii")),
    datetime: _wrap(
        "datetime", lambda o: [o.replace(tzinfo=None).isoformat(), _enc_tz(o.tzinfo), o.fold]
    ),
    date: _wrap("date", date.isoformat),
    time: _wrap("time", lambda o: [o.replace(tzinfo=None).isoformat(), _enc_tz(o.tzinfo), o.fold]),
    timedelta: _wrap("timedelta", lambda o: [o.days, o.seconds, o.microseconds]),
    timezone: _wrap("timezone", lambda o: [_enc(o.utcoffset(None)), *o.__getinitargs__()[1:]]),
    ZoneInfo: _enc_zoneinfo,
    UUID: _wrap("uuid", str),
    Decimal: _wrap("decimal", str),
    HumanMessage: _enc_message,
    AIMessage: _enc_message,
    SystemMessage: _enc_message,
    ToolMessage: _enc_message,
    RemoveMessage: _enc_message,
    Send: _enc_send,
    Command: _enc_command,
    Interrupt: _enc_interrupt,
}

#: Builtin bases whose unregistered subclasses are stored as the base value, each with the
#: base's own copy (an exact instance of the base; overridden methods of the subclass such as
#: ``__iter__`` or ``__str__`` are not called).
_BUILTIN_BASES: tuple[tuple[type, Callable[[Any], Any]], ...] = (
    (str, str.__str__),
    (int, int.__int__),
    (float, float.__float__),
    (list, list.copy),
    (dict, dict.copy),
    (tuple, lambda o: tuple.__getitem__(o, slice(None))),
)


@lru_cache(maxsize=1)
def _langchain_classes() -> dict[str, type]:
    """Stored LangChain type name -> class: the only LangChain classes we ever revive."""
    from langchain_core import messages as lc

    return {
        cls.model_fields["type"].default: cls
        for cls in (
            lc.HumanMessage,
            lc.AIMessage,
            lc.SystemMessage,
            lc.ToolMessage,
            lc.RemoveMessage,
            lc.ChatMessage,
            lc.FunctionMessage,
            lc.HumanMessageChunk,
            lc.AIMessageChunk,
            lc.SystemMessageChunk,
            lc.ToolMessageChunk,
            lc.ChatMessageChunk,
            lc.FunctionMessageChunk,
        )
    }


def _langchain_name(t: type) -> str | None:
    if "langchain_core.messages" not in sys.modules or not t.__module__.startswith(
        "langchain_core."
    ):
        return None
    spec = getattr(t, "model_fields", {}).get("type")
    name = spec.default if spec is not None else None
    return name if isinstance(name, str) and _langchain_classes().get(name) is t else None


def _langchain_defaults(t: type, fields: dict[str, Any]) -> list[str]:
    """The fields of a LangChain message still at their default (``{}``, ``[]``, None...):
    left out of the stored form, the class fills them in again when it is rebuilt."""
    defaults = _optional_field_defaults(t)
    return [
        key
        for key, value in fields.items()
        if key in defaults and type(value) is type(defaults[key]) and value == defaults[key]
    ]


@cache
def _optional_field_defaults(t: type) -> dict[str, Any]:
    """Each optional field's default, per class: pydantic's ``get_default`` inspects the
    default factory's signature on every call, which cost more than the encoding itself.
    (The defaults are only compared with, never handed out.)"""
    defaults = {}
    for key, spec in t.model_fields.items():  # type: ignore[attr-defined]
        if not spec.is_required():
            defaults[key] = spec.get_default(call_default_factory=True)
    return defaults


def _fields_of(o: Any) -> dict[str, Any]:
    """Constructor arguments that rebuild ``o`` (a dataclass or a pydantic model)."""
    if dataclasses.is_dataclass(o):
        return {f.name: getattr(o, f.name) for f in dataclasses.fields(o) if f.init}
    values = {name: getattr(o, name) for name in type(o).model_fields}
    values.update(o.__pydantic_extra__ or {})
    return values


def _enc_other(o: Any) -> Any:
    """Values of types without an exact-type encoder: registered or auto-registered classes,
    LangChain messages, subclasses of builtins; anything else is an error."""
    t = type(o)
    name = _by_type.get(t)
    if name is None:
        lc_name = _langchain_name(t)
        if lc_name is not None:
            fields = _fields_of(o)
            del fields["type"]
            for key in _langchain_defaults(t, fields):
                del fields[key]
            return {TAG: "lc", "n": lc_name, "v": _enc_dict(fields, attrs=True)}
        if not issubclass(t, enum.Enum):
            for base, copy in _BUILTIN_BASES:
                if issubclass(t, base):
                    return _enc(copy(o))
        name = _auto_register(t)
        if name is None:
            raise _Unencodable(
                f"object of type {t.__qualname__} is not serialisable; use JSON-like values, the standard "
                "types listed in hitl_notebook.checkpoint.serde, or an enum, dataclass or pydantic model"
            )
    if isinstance(o, enum.Enum):
        return {TAG: "enum", "n": name, "v": _enc(o.value)}
    return {TAG: "obj", "n": name, "v": _enc_dict(_fields_of(o), attrs=True)}


#: What ``dumps`` hands to the JSON writer for a value (the value itself when it is plain
#: JSON), raising some exception for one it cannot write: a caller that builds a plain frame
#: around user values encodes just the values, and calls ``dumps`` to say what failed.
#: Not checked: depth and lone surrogates (the writer refuses those).
json_ready = _enc


def _encode(obj: Any, path: str) -> Any:
    try:
        return _enc(obj)
    except _Unencodable as exc:
        raise SerializationError(f"{path}{''.join(reversed(exc.segments))}: {exc.reason}") from None
    except RecursionError:
        raise _too_deep(path) from None


def _has_surrogates(s: str) -> bool:
    if s.isascii():
        return False
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _escape_surrogates(tree: Any) -> Any:
    """Replace strings holding lone surrogates (not valid UTF-8) with a tagged, exact form."""
    t = type(tree)
    if t is str:
        if _has_surrogates(tree):
            return {
                TAG: "str",
                "v": base64.b64encode(tree.encode("utf-8", "surrogatepass")).decode("ascii"),
            }
        return tree
    if t is list or t is tuple:
        return [_escape_surrogates(v) for v in tree]
    if t is dict:
        if any(_has_surrogates(k) for k in tree):
            return {
                TAG: "dict",
                "v": [[_escape_surrogates(k), _escape_surrogates(v)] for k, v in tree.items()],
            }
        return {k: _escape_surrogates(v) for k, v in tree.items()}
    return tree


def dumps(obj: Any, path: str = "value") -> bytes:
    """Serialise ``obj`` to UTF-8 JSON bytes; ``path`` labels the root in error messages.

    JSON deeper than ``bounds.MAX_DEPTH`` levels is refused (it could not be read back)."""
    tree = _encode(obj, path)
    try:
        return orjson.dumps(tree)
    except orjson.JSONEncodeError as exc:
        if "ecursion" in str(exc):  # orjson's own depth limit is MAX_DEPTH
            raise _too_deep(path) from None
        # lone surrogates in a string: escaped below
    try:
        tree = _escape_surrogates(tree)
        data = json.dumps(tree, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode(
            "utf-8"
        )
        bounds.json_shape(data, budget=len(data))
    except (RecursionError, bounds.ShapeError):
        raise _too_deep(path) from None
    return data


def _too_deep(path: str) -> SerializationError:
    return SerializationError(
        f"{path}: value nests deeper than {bounds.MAX_DEPTH} levels (as JSON, tagged values "
        "included), or contains a reference cycle"
    )


def check_serialisable(obj: Any, path: str = "value") -> None:
    """Raise ``SerializationError`` (naming the offending path) unless ``dumps(obj)`` would work."""
    _encode(obj, path)


# --- decoding ---------------------------------------------------------------------------


class _BadData(Exception):
    """A tagged object that cannot be revived."""


def _payload(d: dict, *types: type) -> Any:
    if set(d) != {TAG, "v"}:
        raise _BadData(f"unexpected keys {sorted(d)}")
    v = d["v"]
    if not isinstance(v, types):
        raise _BadData(
            f"payload must be {' or '.join(t.__name__ for t in types)}, not {type(v).__name__}"
        )
    return v


def _tz_arg(tz: Any) -> Any:
    if tz is not None and type(tz) not in (timezone, ZoneInfo):
        raise _BadData(f"time zone must be a timezone or zoneinfo, not {type(tz).__name__}")
    return tz


def _revive_clock(cls: type[datetime] | type[time], d: dict) -> Any:
    v = _payload(d, list)
    if len(v) != 3 or not isinstance(v[0], str) or v[2] not in (0, 1):
        raise _BadData("payload must be [isoformat, tz, fold]")
    value = cls.fromisoformat(v[0])
    if value.tzinfo is not None:
        raise _BadData("isoformat must not carry an offset")
    return value.replace(tzinfo=_tz_arg(v[1]), fold=v[2])


def _revive_int(d: dict) -> int:
    return int(_payload(d, str), 16)


def _revive_float(d: dict) -> float:
    v = _payload(d, str)
    if v not in ("nan", "inf", "-inf"):
        raise _BadData(f"payload must be 'nan', 'inf' or '-inf', not {v!r}")
    return float(v)


def _revive_pairs(d: dict) -> dict:
    v = _payload(d, list)
    if not all(isinstance(p, list) and len(p) == 2 for p in v):
        raise _BadData("payload must be a list of [key, value] pairs")
    return dict(v)


def _revive_timedelta(d: dict) -> timedelta:
    v = _payload(d, list)
    if len(v) != 3 or not all(type(x) is int for x in v):
        raise _BadData("payload must be [days, seconds, microseconds]")
    return timedelta(*v)


def _revive_timezone(d: dict) -> timezone:
    v = _payload(d, list)
    if not 1 <= len(v) <= 2 or type(v[0]) is not timedelta:
        raise _BadData("payload must be [offset] or [offset, name]")
    return timezone(*v)


def _registered(d: dict, kind: str) -> tuple[type[Any], Any]:
    if set(d) != {TAG, "n", "v"} or not isinstance(d["n"], str):
        raise _BadData(f"unexpected keys {sorted(d)}")
    cls = _by_name.get(d["n"])
    if cls is None:
        raise _BadData(
            f"unknown type name {d['n']!r}; register the class with hitl_notebook.register_type (or build "
            "the graph whose state schema names it) before loading"
        )
    if (kind == "enum") != issubclass(cls, enum.Enum):
        raise _BadData(
            f"registered type {d['n']!r} is not {'an enum' if kind == 'enum' else 'a dataclass or pydantic model'}"
        )
    if kind != "enum" and not isinstance(d["v"], dict):
        raise _BadData(f"payload must be dict, not {type(d['v']).__name__}")
    return cls, d["v"]


def _revive_enum(d: dict) -> enum.Enum:
    cls, value = _registered(d, "enum")
    return cls(value)


def _revive_obj(d: dict) -> Any:
    cls, values = _registered(d, "obj")
    if dataclasses.is_dataclass(cls):
        return cls(**values)
    return cls.model_validate(values, by_name=True)


def _fields_payload(d: dict, allowed: frozenset[str]) -> dict:
    v = _payload(d, dict)
    if not set(v) <= allowed:
        raise _BadData(f"unexpected fields {sorted(set(v) - allowed)}")
    return v


_SEND_FIELDS = frozenset({"node", "arg"})
_COMMAND_FIELDS = frozenset({"update", "goto", "resume", "graph"})
_INTERRUPT_FIELDS = frozenset({"value", "id", "response_schema", "ns"})


def _revive_send(d: dict) -> Send:
    v = _fields_payload(d, _SEND_FIELDS)
    if type(v.get("node")) is not str or "arg" not in v:
        raise _BadData("payload must have a str 'node' and an 'arg'")
    return Send(v["node"], v["arg"])


def _revive_interrupt(d: dict) -> Interrupt:
    v = _fields_payload(d, _INTERRUPT_FIELDS)
    if "value" not in v:
        raise _BadData("payload must have a 'value'")
    return Interrupt(**v)


def _revive_langchain(d: dict) -> Any:
    if len(d) != 3 or "n" not in d or not isinstance(d.get("v"), dict):  # keys: TAG, n, v
        raise _BadData(f"unexpected keys {sorted(d)}")
    try:
        classes = _langchain_classes()
    except ImportError:
        raise _BadData("a LangChain message needs langchain_core installed") from None
    cls = classes.get(d["n"]) if isinstance(d["n"], str) else None
    if cls is None:
        raise _BadData(f"unknown LangChain message type {d['n']!r}")
    return revive_langchain(cls, d["v"])


_REVIVERS: dict[str, Callable[[dict], Any]] = {
    "int": _revive_int,
    "float": _revive_float,
    "dict": _revive_pairs,
    "str": lambda d: base64.b64decode(_payload(d, str), validate=True).decode(
        "utf-8", "surrogatepass"
    ),
    "tuple": lambda d: tuple(_payload(d, list)),
    "set": lambda d: set(_payload(d, list)),
    "frozenset": lambda d: frozenset(_payload(d, list)),
    "bytes": lambda d: base64.b64decode(_payload(d, str), validate=True),
    "bytearray": lambda d: bytearray(base64.b64decode(_payload(d, str), validate=True)),
    "datetime": lambda d: _revive_clock(datetime, d),
    "date": lambda d: date.fromisoformat(_payload(d, str)),
    "time": lambda d: _revive_clock(time, d),
    "timedelta": _revive_timedelta,
    "timezone": _revive_timezone,
    "zoneinfo": lambda d: ZoneInfo(_payload(d, str)),
    "uuid": lambda d: UUID(_payload(d, str)),
    "decimal": lambda d: Decimal(_payload(d, str)),
    "msg": lambda d: message_from_dict(_payload(d, dict)),
    "enum": _revive_enum,
    "obj": _revive_obj,
    "lc": _revive_langchain,
    "send": _revive_send,
    "cmd": lambda d: Command(**_fields_payload(d, _COMMAND_FIELDS)),
    "interrupt": _revive_interrupt,
}


def _revive(d: dict) -> Any:
    tag = d[TAG]
    reviver = _REVIVERS.get(tag) if type(tag) is str else None
    if reviver is None:
        raise _BadData(f"unknown tag {tag!r}")
    try:
        return reviver(d)
    except _BadData as exc:
        raise _BadData(f"bad {tag!r} value: {exc}") from None
    except Exception as exc:
        raise _BadData(f"bad {tag!r} value: {type(exc).__name__}: {exc}") from None


def _hook(d: dict) -> Any:
    return _revive(d) if TAG in d else d


_decoder = json.JSONDecoder(
    object_hook=_hook
)  # built once: json.loads(..., object_hook=) rebuilds it per call
_scan = _decoder.scan_once  # type: ignore[attr-defined]  # set by JSONDecoder.__init__


def _locate(node: Any, path: str) -> Any:
    """Revive ``node`` depth-first like ``_hook`` does, so that an error names its path."""
    if isinstance(node, list):
        return [_locate(v, f"{path}[{i}]") for i, v in enumerate(node)]
    if not isinstance(node, dict):
        return node
    tagged = TAG in node
    node = {
        k: _locate(v, path if tagged and k == "v" else f"{path}[{k!r}]") for k, v in node.items()
    }
    if not tagged:
        return node
    try:
        return _revive(node)
    except _BadData as exc:
        raise DeserializationError(f"{path}: {exc}") from None


#: Digits made NUL (never raw in JSON text), so that a run of 19 (a number that may not fit
#: 64 bits, see ``loads``) is a plain substring search.
_DIGITS_TO_NUL = bytes.maketrans(b"0123456789", b"\0" * 10)
_LONG_NUMBER = b"\0" * 19


def loads(
    data: bytes | bytearray | memoryview | str, path: str = "value", *, shaped: bool = False
) -> Any:
    """Revive a value written by ``dumps``. Raises ``DeserializationError`` (naming the path
    and the tag) for anything else; never imports or runs code named by the data.

    ``shaped``: the caller has already checked ``data`` against ``bounds`` (values and
    depth), as ``frames.decode_sections`` does for every section it returns."""
    if not isinstance(data, (bytes, bytearray, memoryview, str)):
        raise TypeError(f"loads expects bytes or str, not {type(data).__name__}")
    # Data shorter than both limits can neither nest nor hold values beyond them.
    if not shaped and (len(data) > bounds.MAX_DEPTH or len(data) >= bounds.MAX_VALUES):
        try:
            bounds.json_shape(
                data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
            )
        except bounds.ShapeError as exc:
            raise DeserializationError(f"{path}: stored data {exc}") from None
    if (
        type(data) is bytes
        and b'"$t"' not in data
        and (len(data) < len(_LONG_NUMBER) or _LONG_NUMBER not in data.translate(_DIGITS_TO_NUL))
    ):
        # Nothing tagged and no number orjson could round (it reads an int beyond 64 bits
        # as a float): plain JSON, decoded in C.
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass  # the general path below accepts or names the problem exactly as before
    try:
        text = data if isinstance(data, str) else str(data, "utf-8")
        with contextlib.suppress(StopIteration):
            # ``decode`` less its two Python frames and whitespace regexes, for the data we
            # write (nothing around the value); anything else is decoded by ``decode``.
            value, end = _scan(text, 0)
            if end == len(text):
                return value
        return _decoder.decode(text)
    except _BadData as exc:
        reason = str(exc)
    except RecursionError:
        raise DeserializationError(f"{path}: stored data is nested too deeply") from None
    except ValueError as exc:  # JSON syntax, encoding, over-long ints
        raise DeserializationError(f"{path}: not valid checkpoint data ({exc})") from None
    # Rare path: walk again, tracking the path, so that the error says where it is.
    with contextlib.suppress(RecursionError):
        _locate(json.loads(text), path)
    raise DeserializationError(f"{path}: {reason}")
