"""Graph building and compile-time validation name the node or edge at fault."""

from __future__ import annotations

import dataclasses
from typing import TypedDict

import pytest

from hitl_notebook import END, START, GraphValidationError, InvalidUpdateError, StateGraph

from .helpers import Vals


def test_add_node_infers_name_from_function():
    """add_node(fn) uses the function's name."""

    def greet(state):
        return {"text": "hi"}

    graph = (
        StateGraph(Vals)
        .add_node(greet)
        .set_entry_point("greet")
        .set_finish_point("greet")
        .compile()
    )
    assert graph.invoke({}) == {"vals": [], "text": "hi"}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda b: b.add_edge(START, "nope"), "points to unknown node 'nope'"),
        (
            lambda b: b.add_edge(START, "a").add_edge("a", "ab"),
            "unknown node 'ab'.*did you mean 'a'",
        ),
        (lambda b: b.add_edge("ghost", "a").add_edge(START, "a"), "starts at unknown node 'ghost'"),
        (lambda b: b.add_edge("a", END), "no entry point"),
        (
            lambda b: b.add_edge(START, "a").add_conditional_edges(
                "a", lambda s: "x", {"x": "missing"}
            ),
            "maps to unknown node 'missing'",
        ),
        (
            lambda b: b.add_edge(START, "a").add_edge(["a", "zz"], END),
            "waits for unknown node 'zz'",
        ),
    ],
)
def test_compile_names_the_problem(build, message):
    """Unknown nodes, dangling edges and a missing entry point fail at compile()."""
    builder = StateGraph(Vals).add_node("a", lambda s: {})
    build(builder)
    with pytest.raises(GraphValidationError, match=message):
        builder.compile()


def test_unknown_breakpoint_node_fails_at_compile():
    """interrupt_before naming a missing node is caught at compile()."""
    builder = StateGraph(Vals).add_node("a", lambda s: {}).add_edge(START, "a")
    with pytest.raises(GraphValidationError, match="interrupt_before names unknown node 'b'"):
        builder.compile(interrupt_before=["b"])


def test_breakpoints_are_read_per_call():
    """A call's own breakpoints apply to that call only; breakpoints set on the compiled
    graph after compile() apply from the next call, and an unknown name there is refused
    at the call (compile() never saw it)."""
    from hitl_notebook import InMemorySaver

    graph = (
        StateGraph(Vals)
        .add_node("a", lambda s: {"vals": ["a"]})
        .add_node("b", lambda s: {"vals": ["b"]})
        .add_edge(START, "a")
        .add_edge("a", "b")
        .compile(checkpointer=InMemorySaver())
    )

    def run(thread: str, **kwargs) -> tuple:
        config = {"configurable": {"thread_id": thread}}
        graph.invoke({}, config, **kwargs)
        return graph.get_state(config).next

    assert run("1", interrupt_before=["b"]) == ("b",)
    assert run("2") == ()
    graph.interrupt_after_nodes = ("a",)
    assert run("3") == ("b",)
    assert run("4", interrupt_after=[]) == ()
    graph.interrupt_before_nodes = ("c",)
    with pytest.raises(ValueError, match="interrupt_before names unknown node"):
        run("5")


def test_duplicate_and_reserved_node_names_are_rejected():
    """Node names must be unique and not START/END or contain namespace separators."""
    builder = StateGraph(Vals).add_node("a", lambda s: {})
    with pytest.raises(GraphValidationError, match="already"):
        builder.add_node("a", lambda s: {})
    with pytest.raises(GraphValidationError, match="reserved"):
        builder.add_node(END, lambda s: {})
    with pytest.raises(GraphValidationError, match="may not contain"):
        builder.add_node("x|y", lambda s: {})


def test_node_writing_an_unknown_key_is_a_clear_error():
    """A write outside the schema is not dropped silently (LangGraph ignores it)."""
    graph = (
        StateGraph(Vals).add_node("a", lambda s: {"txet": "typo"}).add_edge(START, "a").compile()
    )
    with pytest.raises(InvalidUpdateError, match="Node 'a' wrote key 'txet'"):
        graph.invoke({})


def test_node_returning_a_non_dict_is_a_clear_error():
    """Returning e.g. a string names the node and what is allowed."""
    graph = StateGraph(Vals).add_node("a", lambda s: "oops").add_edge(START, "a").compile()
    with pytest.raises(InvalidUpdateError, match="Node 'a' returned str"):
        graph.invoke({})


def test_conditional_edge_value_outside_path_map_is_a_clear_error():
    """A path function returning a key missing from its map names the key and the map."""
    graph = (
        StateGraph(Vals)
        .add_node("a", lambda s: {})
        .add_node("b", lambda s: {})
        .add_edge(START, "a")
        .add_conditional_edges("a", lambda s: "c", {"b": "b"})
        .compile()
    )
    with pytest.raises(InvalidUpdateError, match="returned 'c', which is not in its path map"):
        graph.invoke({})


def test_dataclass_state_is_given_to_nodes_as_an_object():
    """A dataclass schema: nodes read attributes; output is a dict."""

    @dataclasses.dataclass
    class DState:
        name: str = ""
        greeting: str = ""

    graph = (
        StateGraph(DState)
        .add_node("greet", lambda s: {"greeting": f"hi {s.name}"})
        .add_edge(START, "greet")
        .compile()
    )
    assert graph.invoke({"name": "Ada"}) == {"name": "Ada", "greeting": "hi Ada"}


def test_pydantic_state_validates_node_input():
    """A pydantic schema: nodes get a model instance."""
    pydantic = pytest.importorskip("pydantic")

    class PState(pydantic.BaseModel):
        count: int = 0

    graph = (
        StateGraph(PState)
        .add_node("inc", lambda s: {"count": s.count + 1})
        .add_edge(START, "inc")
        .compile()
    )
    assert graph.invoke({"count": 1}) == {"count": 2}


def test_recursion_limit_stops_an_endless_loop():
    """A loop without exit raises GraphRecursionError naming the limit and how to raise it."""
    from hitl_notebook import GraphRecursionError

    graph = (
        StateGraph(Vals)
        .add_node("loop", lambda s: {"vals": [1]})
        .add_edge(START, "loop")
        .add_edge("loop", "loop")
        .compile()
    )
    with pytest.raises(GraphRecursionError, match="recursion_limit"):
        graph.invoke({}, {"recursion_limit": 5})


def test_get_graph_lists_nodes_and_marks_conditional_edges():
    """The drawable graph has START/END, every node, and conditional edges flagged."""

    class S(TypedDict):
        x: int

    graph = (
        StateGraph(S)
        .add_node("a", lambda s: {})
        .add_node("b", lambda s: {})
        .add_edge(START, "a")
        .add_conditional_edges("a", lambda s: "b", {"b": "b", "stop": END})
        .compile()
    )
    drawn = graph.get_graph()
    assert set(drawn.nodes) == {START, "a", "b", END}
    edges = {(e.source, e.target, e.conditional) for e in drawn.edges}
    assert (START, "a", False) in edges and ("a", "b", True) in edges and ("a", END, True) in edges


def test_unresolvable_reducer_annotation_is_a_clear_error():
    """A string annotation naming a reducer that cannot be resolved fails loudly instead of
    silently becoming a plain key."""
    namespace: dict = {}
    exec(
        "from __future__ import annotations\n"
        "from typing import Annotated, TypedDict\n"
        "def make():\n"
        "    import operator\n"
        "    class Local(TypedDict):\n"
        "        items: Annotated[list, operator.add]\n"
        "    return Local\n",
        namespace,
    )
    with pytest.raises(GraphValidationError, match="reducers of \\['items'\\] would be lost"):
        StateGraph(namespace["make"]())


def test_add_sequence_chains_nodes_in_order():
    """add_sequence adds the functions as nodes joined one after another."""

    def first(state):
        return {"vals": ["first"]}

    def second(state):
        return {"vals": ["second"]}

    graph = (
        StateGraph(Vals).add_sequence([first, ("named", second)]).set_entry_point("first").compile()
    )
    assert graph.invoke({})["vals"] == ["first", "second"]


def test_add_sequence_names_the_callable_it_cannot_name():
    """A callable without a name in add_sequence is refused with the fix, not 'got None'."""

    class Step:
        def __call__(self, state):
            return {}

    step = Step()
    with pytest.raises(
        GraphValidationError, match=r"Cannot infer a node name from .*Step.*\('name', fn\)"
    ):
        StateGraph(Vals).add_sequence([step])


def test_conditional_entry_point_routes_the_input():
    """set_conditional_entry_point picks the first node from the input."""
    graph = (
        StateGraph(Vals)
        .add_node("short", lambda s: {"vals": ["short"]})
        .add_node("long", lambda s: {"vals": ["long"]})
        .set_conditional_entry_point(lambda s: "long" if len(s["text"]) > 3 else "short")
        .compile()
    )
    assert graph.invoke({"text": "hi"})["vals"] == ["short"]
    assert graph.invoke({"text": "hello"})["vals"] == ["long"]


def test_graph_json_names_what_runs_at_each_node():
    """``get_graph().to_json()`` names a subgraph node and a callable object by their class
    path (ours: LangGraph's JSON names its own classes there), a function node as LangGraph
    does, and gives END no data."""

    class S(TypedDict):
        x: int

    class Doubler:
        def __call__(self, state: S) -> dict:
            return {"x": state["x"] * 2}

    inner = StateGraph(S).add_node("a", lambda s: {}).add_edge(START, "a").compile()
    graph = (
        StateGraph(S)
        .add_node("sub", inner)
        .add_node("double", Doubler())
        .add_node("f", lambda s: {})
        .add_edge(START, "sub")
        .add_edge("sub", "double")
        .add_edge("double", "f")
        .compile()
    )
    kinds = {n["id"]: n.get("data", {}).get("id") for n in graph.get_graph().to_json()["nodes"]}
    assert kinds == {
        START: ["langgraph", "_internal", "_runnable", "RunnableCallable"],
        "sub": ["hitl_notebook", "graph", "compiled", "CompiledStateGraph"],
        "double": [*__name__.split("."), "Doubler"],
        "f": ["langgraph", "_internal", "_runnable", "RunnableCallable"],
        END: None,
    }
