"""Serde: builtin subclasses, classes registered when written or when a graph is built,
Command/Send/Interrupt, and names read back that are never imported.

Classes are defined inside the tests on purpose: their ``module.QualName`` (with
``<locals>``) is unique to the test, so the process-wide registry these tests fill cannot
collide with another test's. No ``from __future__ import annotations`` here: the schemas'
local classes must be real objects in their annotations, as in a notebook cell.
"""

import collections
import dataclasses
import enum
import json
import operator
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Annotated, Literal, NamedTuple, Optional, TypedDict

import pydantic
import pytest

from hitl_notebook import Command, Interrupt, Send, StateGraph
from hitl_notebook.checkpoint import codec, serde
from hitl_notebook.checkpoint.base import TaskPlan
from hitl_notebook.checkpoint.serde import (
    DeserializationError,
    SerializationError,
    dumps,
    loads,
    register_schema_types,
    register_type,
)

ROOT = Path(__file__).resolve().parents[2]


def round_trip(value):
    return loads(dumps(value))


def name_of(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# --- subclasses of builtins ------------------------------------------------------------------


class Point(NamedTuple):
    x: int
    y: int


class Loud(str):
    def __str__(self) -> str:  # must not be what gets stored
        return "LOUD"


class Bag(list):
    def __iter__(self):  # must not be what gets stored
        return iter(["wrong"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Loud("quiet"), "quiet"),
        (type("MyInt", (int,), {})(2**70), 2**70),
        (type("MyFloat", (float,), {})(float("inf")), float("inf")),
        (Bag([1, Loud("a")]), [1, "a"]),
        (collections.defaultdict(list, {"k": [1]}), {"k": [1]}),
        (collections.OrderedDict([("b", 1), ("a", (2,))]), {"b": 1, "a": (2,)}),
        (Point(1, 2), (1, 2)),
        ({"nested": [Point(3, 4), {Loud("key"): Loud("v")}]}, {"nested": [(3, 4), {"key": "v"}]}),
    ],
    ids=[
        "str",
        "big int",
        "float inf",
        "list",
        "defaultdict",
        "OrderedDict",
        "NamedTuple",
        "nested",
    ],
)
def test_builtin_subclasses_are_stored_as_their_base(value, expected):
    """An unregistered subclass of str/int/float/list/dict/tuple comes back as the exact base
    type with the same contents (read with the base's methods, not the subclass's)."""
    back = round_trip(value)
    assert back == expected
    assert json.dumps(_types(back)) == json.dumps(_types(expected))


def _types(v):
    """A value's shape with exact type names, to compare types as well as values."""
    if isinstance(v, dict):
        return [type(v).__name__, [[_types(k), _types(x)] for k, x in v.items()]]
    if isinstance(v, (list, tuple)):
        return [type(v).__name__, [_types(x) for x in v]]
    return type(v).__name__


def test_langchain_message_text_is_stored_as_str():
    """LangChain 1.x ``message.text`` is a str subclass (TextAccessor); users put it in state."""
    from langchain_core.messages import AIMessage

    text = AIMessage("hello").text
    assert type(text) is not str
    back = round_trip({"result": text})
    assert back == {"result": "hello"} and type(back["result"]) is str


def test_enum_subclasses_of_builtins_stay_enums():
    """A str/int enum is an Enum first: stored by name, not coerced to its value."""

    class Mode(str, enum.Enum):
        FAST = "fast"

    class Level(enum.IntEnum):
        HIGH = 2

    assert round_trip([Mode.FAST, Level.HIGH]) == [Mode.FAST, Level.HIGH]
    assert type(round_trip(Mode.FAST)) is Mode


def test_other_objects_are_still_refused():
    """Plain classes, functions and the like remain errors naming the path."""

    class Resource:
        pass

    with pytest.raises(
        SerializationError, match=r"^value\['r'\]: object of type .*Resource is not serialisable"
    ):
        dumps({"r": Resource()})
    with pytest.raises(SerializationError, match=r"^value\[0\]: object of type function"):
        dumps([lambda: 0])


# --- registration when a value is written ------------------------------------------------------


def test_writing_a_value_registers_its_class():
    """A dataclass, pydantic model or enum is registered under module.QualName when written,
    and the same process reads it back as that class."""

    @dataclasses.dataclass
    class Item:
        name: str
        qty: int = 1

    class Inner(pydantic.BaseModel):
        when: tuple[int, int]

    class Colour(enum.Enum):
        RED = "red"

    for cls in (Item, Inner, Colour):
        assert cls not in serde._by_type
    value = {"item": Item("a", 2), "inner": Inner(when=(1, 2)), "colour": Colour.RED}
    data = dumps(value)
    for cls in (Item, Inner, Colour):
        assert name_of(cls).encode() in data
        assert serde._by_name[name_of(cls)] is cls
    back = loads(data)
    assert back == value
    assert (
        type(back["item"]) is Item and type(back["inner"]) is Inner and back["colour"] is Colour.RED
    )


def test_an_explicit_name_is_kept():
    """A class registered under a custom name keeps writing under it."""

    @dataclasses.dataclass
    class Named:
        a: int

    register_type(Named, name="tests.registration.Named.v1")
    data = dumps(Named(1))
    assert b'"tests.registration.Named.v1"' in data and b"<locals>" not in data
    assert loads(data) == Named(1)


def _define_twin(field: str):
    """Two calls give two different classes with the same module.QualName (like a re-run cell)."""
    cls = dataclasses.make_dataclass("Twin", [(field, int)])
    cls.__module__ = __name__
    cls.__qualname__ = "_define_twin.<locals>.Twin"
    return cls


def test_newest_class_under_a_name_wins():
    """Two classes with one name: the newest registered is what loads builds, also for data
    written with the older one. The older class keeps writing under the name but never takes
    it back. With different fields the mismatch is a clear error, not a wrong object."""
    old = _define_twin("a")
    old_data = dumps(old(1))
    assert loads(old_data) == old(1)

    new = _define_twin("a")
    assert new is not old and name_of(new) == name_of(old)
    assert type(loads(dumps(new(2)))) is new  # writing `new` registered it
    back = loads(old_data)  # the documented trade-off: old data, same fields -> the newest class
    assert type(back) is new and back.a == 1
    assert type(loads(dumps(old(3)))) is new  # `old` did not take the name back

    other = _define_twin("b")  # newest, with other fields
    dumps(other(1))
    with pytest.raises(
        DeserializationError, match=r"bad 'obj' value: TypeError: .*unexpected keyword argument 'a'"
    ):
        loads(old_data)


# --- registration when a graph is built ---------------------------------------------------------


def test_building_a_graph_registers_the_classes_its_schema_names():
    """Annotated, Optional, unions, containers, Literal enum members and nested dataclass,
    pydantic and TypedDict fields are followed; nothing is written to register them."""

    class Mode(enum.Enum):
        A = "a"

    class Flag(enum.Enum):
        ON = 1

    @dataclasses.dataclass
    class Leaf:
        n: int

    class Address(pydantic.BaseModel):
        leaf: Leaf

    @dataclasses.dataclass
    class Item:
        address: Optional[Address]  # noqa: UP045 - the typing spelling is what we walk here

    class Inner(TypedDict):
        items: dict[str, tuple[Item, ...]]

    class Node(pydantic.BaseModel):  # refers to itself: the walk must not loop
        children: list["Node"] = []

    class State(TypedDict):
        log: Annotated[list[Inner], operator.add]
        mode: Mode | None
        flag: Literal[Flag.ON]
        tree: Node

    classes = (Mode, Flag, Leaf, Address, Item, Node)
    assert not any(cls in serde._by_type for cls in classes)
    StateGraph(State)
    for cls in classes:
        assert serde._by_name[name_of(cls)] is cls, cls
    assert Inner not in serde._by_type and State not in serde._by_type  # TypedDicts are dicts


def test_pydantic_and_dataclass_state_schemas_register_themselves():
    @dataclasses.dataclass
    class Part:
        x: int

    class PState(pydantic.BaseModel):
        parts: list[Part] = []

    @dataclasses.dataclass
    class DState:
        other: dict[str, Part] = dataclasses.field(default_factory=dict)

    StateGraph(PState)
    StateGraph(DState)
    for cls in (Part, PState, DState):
        assert serde._by_name[name_of(cls)] is cls


def test_schema_walk_leaves_messages_and_unresolvable_names_alone():
    """LangChain and our messages keep their own tags; a string annotation naming a local
    class cannot be resolved and is skipped without failing the build."""
    from langchain_core.messages import AnyMessage
    from langchain_core.messages import HumanMessage as LCHuman

    from hitl_notebook import MessagesState

    class State(TypedDict):
        lc: list[AnyMessage]
        later: "list[NotDefinedAnywhere]"  # noqa: F821 - unresolvable on purpose

    StateGraph(MessagesState)
    register_schema_types(State)
    assert LCHuman not in serde._by_type
    assert dumps(LCHuman("x")).startswith(b'{"$t":"lc"')


def test_register_schema_types_accepts_hints_and_plain_types():
    @dataclasses.dataclass
    class Thing:
        a: int

    for hint in (int, list, dict, None, "Thing", Annotated[list[int], operator.add]):
        register_schema_types(hint)
    assert Thing not in serde._by_type
    register_schema_types(Annotated[list[Thing], operator.add])
    assert serde._by_name[name_of(Thing)] is Thing


_GRAPH_MODULE = """
import dataclasses, enum, operator
from typing import Annotated, TypedDict
import pydantic
from hitl_notebook import StateGraph, START, END

class Mood(enum.Enum):
    HAPPY = "happy"

@dataclasses.dataclass
class Note:
    text: str
    mood: Mood

class Card(pydantic.BaseModel):
    title: str
    notes: list[Note] = []

class State(TypedDict):
    cards: Annotated[list[Card], operator.add]

def build(saver):
    g = StateGraph(State)
    g.add_node("add", lambda s: {"cards": [Card(title="t", notes=[Note("n", Mood.HAPPY)])]})
    g.add_edge(START, "add")
    g.add_edge("add", END)
    return g.compile(checkpointer=saver)
"""

_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[1])
from hitl_notebook.checkpoint.sqlite import SqliteSaver
saver = SqliteSaver.from_conn_string(sys.argv[2])
config = {"configurable": {"thread_id": "t"}}
if sys.argv[3] == "write":
    import graphmod
    graphmod.build(saver).invoke({"cards": []}, config)
elif sys.argv[3] == "build-then-read":
    import graphmod
    cards = graphmod.build(saver).get_state(config).values["cards"]
    assert type(cards[0]) is graphmod.Card, type(cards[0])
    assert cards[0].notes[0].mood is graphmod.Mood.HAPPY
    print("OK", cards[0].title, cards[0].notes[0].text)
"""


def _run(tmp_path: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(tmp_path), str(tmp_path / "c.db"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_a_restarted_process_reads_old_checkpoints_after_building_the_graph(tmp_path):
    """Kernel 1 writes checkpoints holding a pydantic model, a dataclass and an enum; kernel 2
    builds the same graph (registering what its schema names), writes nothing, and reads them."""
    (tmp_path / "graphmod.py").write_text(_GRAPH_MODULE)
    _run(tmp_path, "write")
    assert _run(tmp_path, "build-then-read").split() == ["OK", "t", "n"]


# --- unknown and hostile names ----------------------------------------------------------------


def test_unknown_name_is_a_clear_error_saying_to_register():
    """Data naming a class this process has not registered fails naming the class and the fix."""
    data = b'{"state":{"$t":"obj","n":"myapp.models.Order","v":{"id":1}}}'
    with pytest.raises(DeserializationError) as info:
        loads(data, path="values")
    message = str(info.value)
    assert message.startswith(
        "values['state']: bad 'obj' value: unknown type name 'myapp.models.Order'"
    )
    assert "hitl_notebook.register_type" in message


def test_a_restarted_process_that_did_not_build_the_graph_gets_that_error(tmp_path):
    """The same data in a process where nothing registered the class: DeserializationError
    naming it (through the saver's own error wrapping)."""
    (tmp_path / "graphmod.py").write_text(_GRAPH_MODULE)
    _run(tmp_path, "write")
    code = textwrap.dedent(
        """
        import sys
        from hitl_notebook import START, StateGraph
        from hitl_notebook.checkpoint.serde import DeserializationError
        from hitl_notebook.checkpoint.sqlite import SqliteSaver
        from typing import TypedDict
        class Anything(TypedDict):
            cards: list
        g = StateGraph(Anything)
        g.add_node("add", lambda s: {})
        g.add_edge(START, "add")
        graph = g.compile(checkpointer=SqliteSaver.from_conn_string(sys.argv[1]))
        try:
            graph.get_state({"configurable": {"thread_id": "t"}})
        except DeserializationError as exc:
            print(exc)
        print("graphmod" in sys.modules)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "c.db")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    message, imported = proc.stdout.strip().splitlines()
    # Revived innermost first, so the first unknown name is the dataclass's enum field; the
    # step's writes (the node's update, stored as returned) are read before the values.
    assert re.search(
        r"is unreadable: (values|writes\['add'\])\['cards'\]\[0\]\['notes'\]\[0\]\['mood'\]: "
        r"bad 'enum' value: ",
        message,
    ), message
    assert (
        "unknown type name 'graphmod.Mood'; register the class with hitl_notebook.register_type"
        in message
    )
    assert imported == "False"  # the stored name did not import the module that defines it


_AUDITED = {"import", "exec", "compile", "os.system", "subprocess.Popen", "pickle.find_class"}


@pytest.mark.parametrize(
    "name",
    [
        "hitl_never_imported_mod.Evil",
        "os.system",
        "subprocess.Popen",
        "builtins.eval",
        "antigravity.fly",
    ],
)
def test_a_hostile_stored_name_is_never_imported(name, tmp_path):
    """Loading data naming modules and callables imports and runs nothing, even though writing
    now registers classes by name: only class objects this process registered are used."""
    code = textwrap.dedent(
        f"""
        import json, sys
        from hitl_notebook.checkpoint.serde import DeserializationError, loads
        seen = []
        on = False
        sys.addaudithook(lambda event, args: on and event in {sorted(_AUDITED)!r} and seen.append((event, args)))
        before = set(sys.modules)
        on = True
        errors = []
        for tag in ("obj", "enum"):
            try:
                loads(json.dumps({{"$t": tag, "n": {name!r}, "v": {{}} if tag == "obj" else 1}}))
            except DeserializationError as exc:
                errors.append(str(exc))
        on = False
        print(json.dumps({{"seen": [e for e, _ in seen], "new": sorted(set(sys.modules) - before), "errors": errors}}))
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["seen"] == [] and result["new"] == []
    assert len(result["errors"]) == 2
    assert all(f"unknown type name {name!r}" in e for e in result["errors"])


# --- Command, Send, Interrupt ------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        Send("node", {"x": 1}),
        Send("node", None),
        Send("node", Command(update={"a": 1}, goto=Send("other", (1, 2)))),
        Command(),
        Command(resume=None),
        Command(resume={"id-1": "yes"}),
        Command(update=[("k", "v")], goto=["a", Send("b", 3)], graph=Command.PARENT),
        Command(goto=("a", "b")),
        Interrupt({"question": "ok?"}, "abc"),
        Interrupt("v", "id", response_schema={"type": "object"}, ns="sub:1"),
        [Interrupt(1), Send("n", [Command(resume=0)])],
    ],
    ids=repr,
)
def test_command_send_interrupt_round_trip(value):
    """Exact round trips, including an unset resume (not the same as resume=None), a goto's
    container type, and an Interrupt's namespace (which equality ignores)."""
    back = round_trip(value)
    assert back == value
    assert repr(back) == repr(value)
    for b, v in zip(
        back if isinstance(back, list) else [back], value if isinstance(value, list) else [value]
    ):
        assert type(b) is type(v)
        if isinstance(v, Command):
            assert b.has_resume == v.has_resume and type(b.goto) is type(v.goto)
        if isinstance(v, Interrupt):
            assert b.ns == v.ns


def test_a_send_carrying_a_command_is_storable_in_next_tasks():
    """What LangGraph's test_send_dedupe_on_resume stores: a Send's argument is a Command."""
    plans = [TaskPlan("1", "a"), TaskPlan("2", "b", Command(goto=Send("c", {"n": 1})), True)]
    where = codec.CheckpointLocation("t", "", "x")
    data = codec.dump_plans(plans, where)
    assert codec.load_plans(data, where) == plans


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"$t":"cmd","v":{"bogus":1}}', "bad 'cmd' value: unexpected fields ['bogus']"),
        (b'{"$t":"cmd","v":[1]}', "bad 'cmd' value: payload must be dict"),
        (
            b'{"$t":"send","v":{"node":1,"arg":2}}',
            "bad 'send' value: payload must have a str 'node'",
        ),
        (b'{"$t":"send","v":{"node":"n"}}', "bad 'send' value"),
        (
            b'{"$t":"interrupt","v":{"id":"x"}}',
            "bad 'interrupt' value: payload must have a 'value'",
        ),
        (
            b'{"$t":"interrupt","v":{"value":1,"__class__":"os.system"}}',
            "unexpected fields ['__class__']",
        ),
    ],
)
def test_bad_command_send_interrupt_data_is_a_clear_error(data, words):
    with pytest.raises(DeserializationError) as info:
        loads(data)
    assert words in str(info.value)


def test_typing_extensions_typeddict_fields_are_walked():
    """pydantic users often write typing_extensions.TypedDict, a different class on 3.11."""
    import typing_extensions

    @dataclasses.dataclass
    class Deep:
        z: int

    class Inner(typing_extensions.TypedDict):
        deep: Deep

    class State(TypedDict):
        inner: Inner

    StateGraph(State)
    assert serde._by_name[name_of(Deep)] is Deep
