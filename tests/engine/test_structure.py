"""The engine's shape (issue 10): ``compile()`` freezes the graph, the compiled graph shows
LangGraph's surface only, keywords are checked, and ``engine`` never imports ``graph`` at run
time (types only), so the two packages do not import each other in a circle."""

from __future__ import annotations

import ast
import operator
import re
from pathlib import Path
from typing import Annotated, TypedDict

import pytest

from hitl_notebook import END, START, GraphValidationError, StateGraph, entrypoint

ENGINE = Path(__file__).resolve().parents[2] / "hitl_notebook" / "engine"


class Trail(TypedDict):
    trail: Annotated[list, operator.add]


def _builder() -> StateGraph:
    return (
        StateGraph(Trail)
        .add_node("a", lambda s: {"trail": ["a"]})
        .add_node("b", lambda s: {"trail": ["b"]})
        .add_edge(START, "a")
        .add_edge("a", "b")
        .add_edge("b", END)
    )


def test_editing_the_builder_after_compile_does_not_change_the_compiled_graph():
    builder = _builder()
    graph = builder.compile()
    builder.add_node("c", lambda s: {"trail": ["c"]})
    builder.add_edge("b", "c")
    builder.add_conditional_edges("a", lambda s: "c")
    assert graph.invoke({"trail": []}) == {"trail": ["a", "b"]}
    assert list(graph.nodes) == ["a", "b"]
    assert (
        builder.compile().invoke({"trail": []})["trail"][-1] == "c"
    )  # a new compile sees the edits


def test_compiled_graph_shows_langgraph_methods_not_engine_helpers():
    public = {name for name in dir(_builder().compile()) if not name.startswith("_")}
    for helper in (
        "apply_writes",
        "channel",
        "check_keys",
        "input_dict",
        "output_values",
        "visible_values",
        "values_with_finished_tasks",
        "require_saver",
        "thread_coordinates",
        "breakpoints",
        "node_order",
    ):
        assert helper not in public
    assert {
        "invoke",
        "stream",
        "ainvoke",
        "astream",
        "get_state",
        "get_state_history",
        "update_state",
        "bulk_update_state",
        "get_graph",
        "nodes",
        "checkpointer",
        "builder",
        "name",
    } <= public


@pytest.mark.parametrize(
    "call",
    [
        lambda g: g.invoke({"trail": []}, interupt_before=["a"]),
        lambda g: list(g.stream({"trail": []}, stream_modes="values")),
        lambda g: g.update_state({"configurable": {"thread_id": "t"}}, {}, asnode="a"),
    ],
)
def test_a_misspelt_keyword_is_a_type_error(call):
    with pytest.raises(TypeError, match="unexpected keyword"):
        call(_builder().compile())


def test_compile_and_add_node_reject_misspelt_keywords():
    with pytest.raises(TypeError, match="unexpected keyword"):
        _builder().compile(interupt_before=["a"])
    with pytest.raises(TypeError, match="unexpected keyword"):
        StateGraph(Trail).add_node("a", lambda s: {}, retrypolicy=None)


def _runtime_imports(node: ast.AST):
    """``from ..x import`` statements anywhere except under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
            continue
        if isinstance(child, ast.ImportFrom) and child.level == 2:
            yield child.module or ""
        yield from _runtime_imports(child)


def test_engine_imports_graph_only_for_type_hints():
    for module in sorted(ENGINE.glob("*.py")):
        for imported in _runtime_imports(ast.parse(module.read_text())):
            assert not imported.startswith("graph"), (
                f"{module.name} imports hitl_notebook.{imported} at run time"
            )


@pytest.mark.parametrize(
    ("keyword", "value"),
    [("error_handler", lambda state: {}), ("timeout", 5.0), ("trace_policy", object())],
)
def test_unsupported_node_options_are_refused_by_name(keyword, value):
    """LangGraph's ``add_node(error_handler=...)`` and ``timeout=`` are not built here:
    ``add_node`` says which keyword, rather than a bare unexpected-keyword error."""
    builder = _builder()
    with pytest.raises(NotImplementedError, match=rf"add_node\({keyword}=\.\.\.\)"):
        builder.add_node("extra", lambda state: {}, **{keyword: value})


@pytest.mark.parametrize(
    ("call", "keyword"),
    [
        (lambda: _builder().compile(transformers=[object]), "compile(transformers=...)"),
        (lambda: entrypoint(timeout=5.0), "@entrypoint(timeout=...)"),
    ],
)
def test_unbuilt_compile_and_entrypoint_options_are_refused_by_name(call, keyword):
    with pytest.raises(NotImplementedError, match=re.escape(keyword)):
        call()


def test_validate_checks_the_builder_as_compile_does():
    """LangGraph's ``builder.validate()``: returns the builder, raises what compile would."""
    builder = _builder()
    assert builder.validate() is builder
    with pytest.raises(GraphValidationError, match="nowhere"):
        builder.validate(interrupt=["nowhere"])
    broken = StateGraph(dict)
    with pytest.raises(GraphValidationError, match="no nodes"):
        broken.validate()
