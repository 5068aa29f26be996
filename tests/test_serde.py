"""Checkpoint serialisation: exact round trips, precise errors, and nothing executes on load."""

import dataclasses
import enum
import json
import math
import os
import pickle
import subprocess
import sys
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from uuid import UUID
from zoneinfo import ZoneInfo

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hitl_notebook.checkpoint.serde import (
    DeserializationError,
    SerializationError,
    check_serialisable,
    dumps,
    loads,
    register_type,
)
from hitl_notebook.messages import (
    AIMessage,
    HumanMessage,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
)
from hitl_notebook.types import Command, Interrupt, Send


def same(a, b) -> bool:
    """Deep equality that also requires identical types (so 1 != 1.0 != True, set != frozenset)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (
            a == b and math.copysign(1, a) == math.copysign(1, b)
        )
    if isinstance(a, Decimal):
        return str(a) == str(b)
    if isinstance(a, (datetime, time)):
        return repr(a) == repr(b)  # includes tzinfo (zone key or offset and name) and fold
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return len(a) == len(b) and all(
            same(k1, k2) and same(v1, v2) for (k1, v1), (k2, v2) in zip(a.items(), b.items())
        )
    if isinstance(a, (set, frozenset)):
        return len(a) == len(b) and all(any(same(x, y) for y in b) for x in a)
    if dataclasses.is_dataclass(a):
        return same(
            [getattr(a, f.name) for f in dataclasses.fields(a)],
            [getattr(b, f.name) for f in dataclasses.fields(b)],
        )
    return a == b


def round_trip(value):
    return loads(dumps(value))


# --- registered user types used below -------------------------------------------------------


class Colour(enum.Enum):
    RED = "red"
    BLUE = (0, 0, 255)


class Level(enum.IntEnum):
    LOW = 1
    HIGH = 2


class Perm(enum.Flag):
    R = 1
    W = 2


@dataclasses.dataclass
class Point:
    x: int
    y: object = None


@dataclasses.dataclass(frozen=True)
class Frozen:
    name: str
    tags: tuple = ()


class Address(pydantic.BaseModel):
    city: str


class Person(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")
    name: str
    born: date
    address: Address
    anything: object = None


class Aliased(pydantic.BaseModel):
    max_items: int = pydantic.Field(alias="maxItems")


for cls in (Colour, Level, Perm, Point, Frozen, Address, Person, Aliased):
    register_type(cls, name=f"serde-test.{cls.__name__}")


# --- round trips ------------------------------------------------------------------------

SAMPLES = {
    "none": None,
    "bools": [True, False],
    "ints": [0, -1, 2**63 - 1, -(2**63), 2**63, -(2**63) - 1, 10**5000],
    "floats": [0.5, -0.0, 1e308, float("inf"), float("-inf"), float("nan")],
    "text": [
        "",
        "héllo ✓ 🐍",
        "\x00",
        "\ud800 lone surrogate",
        "\ud800\udc00 split pair",
        {"\udfff key": 1},
    ],
    "tuple": (1, (2, "x"), []),
    "set": {1, "a", (2, 3)},
    "frozenset": frozenset({frozenset({1}), "b"}),
    "bytes": b"\x00\xff binary",
    "bytearray": bytearray(b"abc"),
    "non-str keys": {1: "a", 2.5: "b", None: "c", (1, 2): "d", frozenset({3}): "e"},
    "bool keys": {True: "t", False: "f"},
    "enum keys": {Level.LOW: 1, Colour.RED: 2},
    "tag-looking dict": {"$t": "tuple", "v": [1, 2]},
    "nested tag-looking dict": {"a": [{"$t": "obj", "n": "os.system", "v": {}}]},
    "lc-looking dict": {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain", "schema", "messages", "HumanMessage"],
    },
    "naive datetime": datetime(2024, 5, 6, 7, 8, 9, 123456),
    "utc datetime": datetime(2024, 5, 6, 7, 8, 9, tzinfo=timezone.utc),
    "named offset": datetime(
        2024, 1, 1, tzinfo=timezone(timedelta(hours=-5, microseconds=7), "EST-ish")
    ),
    "zoneinfo": datetime(2024, 3, 31, 2, 30, tzinfo=ZoneInfo("Europe/Paris")),
    "fold": datetime(2024, 10, 27, 2, 30, fold=1, tzinfo=ZoneInfo("Europe/Paris")),
    "date": date(1999, 12, 31),
    "time": time(23, 59, 59, 999999, tzinfo=timezone.utc),
    "timedelta": timedelta(days=-3, seconds=5, microseconds=1),
    "uuid": UUID("12345678-1234-5678-1234-567812345678"),
    "decimals": [
        Decimal("1.10"),
        Decimal("-0"),
        Decimal("NaN"),
        Decimal("-Infinity"),
        Decimal("1E+999999"),
    ],
    "enums": [Colour.RED, Colour.BLUE, Level.HIGH, Perm.R | Perm.W],
    "dataclasses": [Point(1, (2, 3)), Frozen("f", ("a",)), Point(2, Point(3))],
    "pydantic": Person(
        name="Ada",
        born=date(1815, 12, 10),
        address=Address(city="London"),
        anything=(1, {2}),
        nickname="countess",
    ),
    "pydantic with alias": Aliased(maxItems=3),
    "our messages": [
        HumanMessage("hi", id="1", name="u"),
        SystemMessage("s"),
        AIMessage(
            "", id="2", tool_calls=[{"name": "f", "args": {"when": date(2024, 1, 1)}, "id": "c"}]
        ),
        ToolMessage("r", tool_call_id="c", status="error"),
        RemoveMessage("2"),
    ],
    "command, send, interrupt": [
        Command(),
        Command(update={"a": (1,)}, goto=[Send("n", Command(resume=None))], graph=Command.PARENT),
        Send("n", {"x": Point(1)}),
        Interrupt({"q": "ok?"}, "id-1", response_schema={"type": "string"}, ns="sub:1"),
    ],
}


@pytest.mark.parametrize("value", list(SAMPLES.values()), ids=list(SAMPLES))
def test_supported_values_round_trip_exactly(value):
    """Every supported value comes back equal and of the very same type, nested types included."""
    assert same(round_trip(value), value)


def test_langchain_messages_round_trip_as_langchain_objects():
    """LangChain messages come back as the same LangChain classes with every field intact."""
    from langchain_core import messages as lc

    values = [
        lc.HumanMessage("hi", id="1"),
        lc.AIMessage(
            "x",
            id="2",
            tool_calls=[{"name": "f", "args": {"a": (1, 2)}, "id": "c"}],
            usage_metadata={"input_tokens": 1, "output_tokens": 2, "total_tokens": 3},
        ),
        lc.SystemMessage("s"),
        lc.ToolMessage("r", tool_call_id="c", artifact={"raw": b"bytes"}),
        lc.RemoveMessage(id="1"),
        lc.AIMessageChunk("partial"),
    ]
    back = round_trip(values)
    assert [type(m) for m in back] == [type(m) for m in values]
    assert back == values
    assert back[1].tool_calls[0]["args"]["a"] == (1, 2)


def test_plain_json_is_written_as_is():
    """Plain JSON values are stored as compact ordinary JSON, readable by any tool."""
    value = {"a": [1, 2.5, "x", None, True], "b": {"c": {}}}
    assert dumps(value) == b'{"a":[1,2.5,"x",null,true],"b":{"c":{}}}'


@pytest.mark.parametrize("value", list(SAMPLES.values()), ids=list(SAMPLES))
def test_output_is_strict_utf8_json(value):
    """What is stored parses as standard JSON (no NaN/Infinity literals), e.g. for a jsonb column."""

    def refuse(constant):
        raise AssertionError(f"non-standard JSON constant {constant}")

    json.loads(dumps(value).decode("utf-8"), parse_constant=refuse)


def test_deep_nesting_round_trips_up_to_the_limit_and_is_refused_past_it():
    """Nesting up to ``bounds.MAX_DEPTH`` round-trips; deeper is a SerializationError naming
    the limit (reading it back would exhaust the stack of whatever walks it)."""
    value: list = []
    for _ in range(250):
        value = [value]
    assert round_trip(value) == value
    for _ in range(150):
        value = [value]
    with pytest.raises(SerializationError, match="deeper than 255 levels"):
        dumps(value)


def test_inputs_are_not_modified():
    """Serialising never changes the caller's value."""
    value = {"t": (1, 2), "d": {1: "x"}, "m": [HumanMessage("a")]}
    dumps(value)
    assert same(value, {"t": (1, 2), "d": {1: "x"}, "m": [HumanMessage("a")]})


def test_loads_accepts_memoryview_and_str():
    """Stores hand back bytes in several forms (e.g. psycopg returns memoryview); all load."""
    data = dumps({"x": (1,)})
    assert loads(memoryview(data)) == {"x": (1,)}
    assert loads(data.decode()) == {"x": (1,)}
    with pytest.raises(TypeError, match="bytes or str"):
        loads(None)


# --- registration ----------------------------------------------------------------------


def test_register_type_is_a_decorator_and_takes_a_name():
    """`@register_type` returns the class; a custom name is what the stored data records."""

    @dataclasses.dataclass
    class Renamed:
        a: int

    assert register_type(Renamed, name="tests.renamed.v1") is Renamed
    data = dumps(Renamed(1))
    assert b'"tests.renamed.v1"' in data
    assert loads(data) == Renamed(1)


def test_re_registering_a_redefined_class_loads_into_the_new_one():
    """Re-running a notebook cell that redefines and registers a class makes loads use the new class."""

    def define():
        @dataclasses.dataclass
        class Card:
            rank: int

        return register_type(Card, name="tests.Card")

    old, new = define(), define()
    data = dumps(old(3))
    back = loads(data)
    assert type(back) is new and back.rank == 3


def test_register_type_refuses_other_classes():
    """Only enums, dataclasses and pydantic models can be registered (they have a safe rebuild)."""
    with pytest.raises(TypeError, match="Enum classes, dataclasses and pydantic models"):
        register_type(object)
    with pytest.raises(TypeError):
        register_type(Point(1))


# --- serialisation errors -----------------------------------------------------------------


class Opaque:
    pass


def test_error_names_the_key_path_and_the_fix():
    """A value that cannot be stored is reported with its exact path inside the state.

    (An unregistered dataclass is no longer an error: writing it registers it; see
    tests/checkpoint/test_serde_registration.py.)"""
    state = {
        "messages": ["a", "b", "c", AIMessage(tool_calls=[{"name": "f", "args": {"x": Opaque()}}])]
    }
    with pytest.raises(SerializationError) as info:
        dumps(state, path="state")
    assert str(info.value) == (
        "state['messages'][3].tool_calls[0]['args']['x']: object of type Opaque is not serialisable; "
        "use JSON-like values, the standard types listed in hitl_notebook.checkpoint.serde, "
        "or an enum, dataclass or pydantic model"
    )


@pytest.mark.parametrize(
    ("value", "where", "words"),
    [
        (Opaque(), "value", "object of type Opaque is not serialisable; use JSON-like values"),
        ({"k": (1, {2: lambda: 0})}, "value['k'][1][2]", "object of type function"),
        ({"s": {Opaque()}}, "value['s'][0]", "Opaque"),
        (Point(1, Opaque()), "value.y", "Opaque"),
        (
            datetime(2024, 1, 1, tzinfo=type("TZ", (__import__("datetime").tzinfo,), {})()),
            "value",
            "time zone of type TZ is not serialisable",
        ),
        ({1: Opaque()}, "value[1]", "Opaque"),
    ],
)
def test_unserialisable_values_are_reported_where_they_are(value, where, words):
    """Unsupported objects (and odd time zones) fail with their path."""
    with pytest.raises(SerializationError) as info:
        dumps(value)
    assert str(info.value).startswith(f"{where}: ")
    assert words in str(info.value)


def test_reference_cycle_is_an_error_not_a_crash():
    """A self-referencing value gives a SerializationError instead of a RecursionError."""
    cycle: list = []
    cycle.append(cycle)
    with pytest.raises(SerializationError, match="reference cycle"):
        dumps(cycle)


def test_langchain_subclass_is_not_silently_downgraded():
    """A user subclass of a LangChain message is stored as itself (a pydantic model, registered
    when written), never as its LangChain base class."""
    from langchain_core.messages import HumanMessage as LCHumanMessage

    class Custom(LCHumanMessage):
        pass

    data = dumps(Custom("x", id="1"))
    assert b'"$t":"obj"' in data and b"Custom" in data
    back = loads(data)
    assert type(back) is Custom and back == Custom("x", id="1")


def test_check_serialisable_validates_without_output():
    """`check_serialisable` accepts what `dumps` accepts and raises the same error otherwise."""
    assert (
        check_serialisable({"question": "ok?", "options": ("yes", "no")}, "interrupt value") is None
    )
    with pytest.raises(
        SerializationError, match=r"^interrupt value\['cb'\]: object of type function"
    ):
        check_serialisable({"cb": lambda: 0}, "interrupt value")


# --- deserialisation errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"a":[1,{"$t":"nope","v":1}]}', "value['a'][1]: unknown tag 'nope'"),
        (
            b'{"$t":"obj","n":"os.system","v":{}}',
            "value: bad 'obj' value: unknown type name 'os.system'",
        ),
        (b'{"$t":"enum","n":"tests.nothing","v":1}', "unknown type name 'tests.nothing'"),
        (b'{"$t":"tuple","v":[1],"x":2}', "bad 'tuple' value: unexpected keys"),
        (b'{"$t":"tuple","v":"abc"}', "bad 'tuple' value: payload must be list, not str"),
        (b'{"$t":"bytes","v":"!!!"}', "bad 'bytes' value"),
        (b'{"$t":"float","v":"1e5"}', "bad 'float' value"),
        (b'{"$t":"set","v":[[1]]}', "bad 'set' value: TypeError"),
        (b'{"$t":"dict","v":[[1]]}', "key, value"),
        (b'{"$t":"msg","v":{"type":"wizard","content":"x"}}', "unknown message role 'wizard'"),
        (b'{"$t":"datetime","v":["2024-01-01T00:00:00+01:00",null,0]}', "must not carry an offset"),
        (b'{"$t":"zoneinfo","v":"../../etc/passwd"}', "bad 'zoneinfo' value"),
        (
            b'{"$t":"lc","n":"langchain_core.messages.HumanMessage","v":{}}',
            "unknown LangChain message type",
        ),
        (b'{"$t":7,"v":1}', "unknown tag 7"),
        (
            b'{"x":{"$t":"enum","n":"serde-test.Point","v":1}}',
            "value['x']: bad 'enum' value: registered type",
        ),
        (b'{"$t":"obj","n":"serde-test.Point","v":{"nope":1}}', "bad 'obj' value: TypeError"),
    ],
)
def test_bad_stored_data_names_path_and_tag(data, words):
    """Invalid stored data is a DeserializationError that says where and which tag, never a None."""
    with pytest.raises(DeserializationError) as info:
        loads(data)
    assert words in str(info.value)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"{",
        b"\x80\x04\x95\x00",
        b'{"a":1} trailing',
        "\udcff".encode("utf-8", "surrogatepass") + b"\xff",
    ],
    ids=["empty", "truncated", "pickle", "trailing", "bad utf-8"],
)
def test_non_json_is_a_deserialization_error(data):
    """Bytes that are not JSON at all (truncated, pickled, binary) raise DeserializationError."""
    with pytest.raises(DeserializationError, match="not valid checkpoint data"):
        loads(data)


@pytest.mark.parametrize(
    "data",
    [
        b'{"a": 123456789012345678901234567890, "b": -1.5e300}',
        b'{"s": "$t", "l": [null, true]}',
        b"[-9223372036854775809, 18446744073709551616, 1e400]",
        b'"\\ud800"',
        b"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    ],
    ids=["big int", "tag-like string value", "beyond 64 bits", "lone surrogate escape", "nested"],
)
def test_untagged_json_reads_as_the_json_module_reads_it(data):
    """Untagged data takes a fast C decoder; what it returns must not depend on that."""
    assert loads(data) == json.loads(data)


def test_error_uses_the_callers_path_label():
    """`loads(data, path=...)` lets the store say which channel was damaged."""
    with pytest.raises(DeserializationError, match=r"^values\['x'\]\[0\]: unknown tag 'bad'"):
        loads(b'[{"$t":"bad"}]', path="values['x']")


# --- tampering: nothing is imported or executed -----------------------------------------------

_DANGEROUS_EVENTS = {
    "import",
    "exec",
    "compile",
    "os.system",
    "subprocess.Popen",
    "os.exec",
    "os.posix_spawn",
    "pickle.find_class",
    "marshal.loads",
    "ctypes.dlopen",
    "builtins.input",
}
_audit = {"on": False, "seen": []}


def _audit_hook(event, args):
    if _audit["on"] and (event in _DANGEROUS_EVENTS or event.startswith(("os.exec", "os.spawn"))):
        _audit["seen"].append(event)


sys.addaudithook(_audit_hook)


class PickleBomb:
    """Unpickling this would run os.system (the test asserts it never happens)."""

    def __reduce__(self):
        return (os.system, ("touch SENTINEL",))


TAMPERED = [
    b'{"$t":"obj","n":"os.system","v":{"command":"touch SENTINEL"}}',
    b'{"$t":"obj","n":"builtins.eval","v":{"source":"open(\'SENTINEL\',\'w\')"}}',
    b'{"$t":"enum","n":"subprocess.Popen","v":["touch","SENTINEL"]}',
    b'{"$t":"os.system","v":"touch SENTINEL"}',
    b'{"$t":"pickle","v":"gASVIQAAAAAAAACMBXBvc2l4lIwGc3lzdGVtlJOUjAx0b3VjaCBTRU5USU5FTJSFlFKULg=="}',
    b'{"$t":"lc","n":"human","v":{"content":"x","__reduce__":["os.system","touch SENTINEL"]}}',
    b'{"$t":"lc","n":["langchain","schema","messages","HumanMessage"],"v":{}}',
    b'{"__reduce__":["os.system",["touch SENTINEL"]],"__class__":"os._wrap_close"}',
    b'{"lc":1,"type":"constructor","id":["os","system"],"kwargs":{"command":"touch SENTINEL"}}',
    b'{"lc":1,"type":"constructor","id":["langchain","schema","messages","HumanMessage"],"kwargs":{"content":"x"}}',
    b'{"$t":"msg","v":{"type":"ai","content":"x","tool_calls":[{"name":"__import__","args":{"name":"os"}}]}}',
    pickle.dumps(PickleBomb()),
]


@pytest.mark.parametrize("data", TAMPERED, ids=range(len(TAMPERED)))
def test_tampered_data_never_imports_or_executes(data, tmp_path, monkeypatch):
    """Data naming os.system, eval, pickle or LangChain constructors loads as plain data or fails, and runs nothing."""
    import langchain_core.messages  # noqa: F401 - loaded up front so that only data-driven imports would show

    monkeypatch.chdir(tmp_path)
    _audit["seen"].clear()
    _audit["on"] = True
    try:
        try:
            result = loads(data)
        except DeserializationError:
            result = None
    finally:
        _audit["on"] = False
    assert _audit["seen"] == []
    assert not (tmp_path / "SENTINEL").exists()
    if result is not None:  # it loaded: then it is exactly the inert data that was stored
        assert type(result) is dict or result.content == "x"
        if type(result) is dict:
            assert result == json.loads(data)


def test_lc_constructor_form_is_plain_data():
    """LangChain's own `{"lc": 1, "type": "constructor"}` form is just a dict to us: never revived."""
    data = b'{"lc":1,"type":"constructor","id":["langchain","schema","messages","HumanMessage"],"kwargs":{"content":"x"}}'
    assert loads(data) == json.loads(data)


# --- property: round trip over nested mixtures ---------------------------------------------

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=-(2**200), max_value=2**200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.text(
        st.characters(min_codepoint=0xD7F0, max_codepoint=0xE010, exclude_categories=()), max_size=4
    ),
    st.binary(max_size=16),
    st.binary(max_size=8).map(bytearray),
    st.uuids(),
    st.decimals(allow_nan=False),
    st.datetimes(timezones=st.one_of(st.none(), st.timezones(), st.just(timezone.utc))),
    st.dates(),
    st.times(timezones=st.one_of(st.none(), st.just(timezone(timedelta(hours=3), "X")))),
    st.timedeltas(),
    st.sampled_from([Colour.RED, Colour.BLUE, Level.LOW, Perm.R | Perm.W]),
)
hashables = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.sampled_from(list(Level))
    ),
    lambda inner: st.one_of(st.tuples(inner, inner), st.frozensets(inner, max_size=3)),
    max_leaves=5,
)
messages = st.one_of(
    st.builds(HumanMessage, st.text(max_size=10), id=st.one_of(st.none(), st.text(max_size=5))),
    st.builds(
        AIMessage,
        st.text(max_size=10),
        tool_calls=st.lists(
            st.fixed_dictionaries(
                {
                    "name": st.text(max_size=5),
                    "args": st.dictionaries(
                        st.text(max_size=5),
                        st.one_of(st.integers(), st.tuples(st.text(max_size=3))),
                        max_size=2,
                    ),
                }
            ),
            max_size=2,
        ),
    ),
)
values = st.recursive(
    st.one_of(scalars, messages),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=4).map(tuple),
        st.dictionaries(
            st.one_of(st.text(max_size=5), st.sampled_from(["$t", "v", "n", "lc"])),
            inner,
            max_size=4,
        ),
        st.dictionaries(hashables, inner, max_size=3),
        st.sets(hashables, max_size=3),
        st.frozensets(hashables, max_size=3),
        st.builds(Point, inner, inner),
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_round_trip_property(value):
    """Any nested mixture of supported types loads back identical, types included."""
    assert same(round_trip(value), value)


def test_importing_does_not_load_langchain():
    """Serde and messages work without LangChain installed: importing them never imports it."""
    code = (
        "import sys, hitl_notebook.checkpoint.serde, hitl_notebook.messages; "
        "loaded = [m for m in sys.modules if m.startswith('langchain')]; assert not loaded, loaded"
    )
    subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=Path(__file__).resolve().parents[1]
    )
