"""One exception class per condition: each is raised where the condition is met, keeps the
built-in base LangGraph raises (so ``except ValueError`` code keeps working), names the fix
in its message, and leaves the thread's history as it was."""

import re
from typing import TypedDict

import pytest

import hitl_notebook
from hitl_notebook import (
    CheckpointerRequiredError,
    CheckpointNotFoundError,
    HITLError,
    InMemorySaver,
    OutsideNodeError,
    StateGraph,
    ThreadRequiredError,
    get_config,
    interrupt,
)
from hitl_notebook import errors as errors_module


class S(TypedDict):
    x: int


def _graph(checkpointer=None):
    return (
        StateGraph(S)
        .add_node("step", lambda s: {"x": s["x"] + 1})
        .set_entry_point("step")
        .compile(checkpointer=checkpointer)
    )


def _history(graph, config):
    return [s.config["configurable"]["checkpoint_id"] for s in graph.get_state_history(config)]


def test_every_public_error_is_a_hitl_error():
    """`except HITLError` catches every error class the package exports."""
    error_classes = [
        getattr(hitl_notebook, n) for n in hitl_notebook.__all__ if n.endswith("Error")
    ]
    assert len(error_classes) >= 10
    for cls in error_classes:
        assert issubclass(cls, HITLError), cls


def test_the_hierarchy_in_the_module_docstring_lists_every_class():
    """The tree at the top of errors.py names every exception class the module defines."""
    doc = errors_module.__doc__ or ""
    defined = {
        name
        for name in errors_module.__all__
        if isinstance(getattr(errors_module, name), type)
        and issubclass(getattr(errors_module, name), (Exception, Warning))
    }
    # the first name on each line of the tree (the built-in bases follow in parentheses);
    # GraphDrained keeps LangGraph's name
    in_doc = set(re.findall(r"^[\s│├└─]*([A-Z][A-Za-z]+(?:Error|Warning|Drained))\b", doc, re.M))
    assert defined == in_doc


def test_state_without_a_checkpointer_is_a_checkpointer_required_error():
    """get_state on a graph compiled without a saver says how to add one (ValueError kept)."""
    graph = _graph()
    with pytest.raises(CheckpointerRequiredError, match=r"compile\(checkpointer="):
        graph.get_state({"configurable": {"thread_id": "t"}})
    with pytest.raises(ValueError):
        graph.get_state({"configurable": {"thread_id": "t"}})


def test_breakpoints_without_a_checkpointer_are_a_checkpointer_required_error():
    """interrupt_before without a saver is refused at the call, naming compile(checkpointer=)."""
    graph = (
        StateGraph(S)
        .add_node("step", lambda s: s)
        .set_entry_point("step")
        .compile(interrupt_before=["step"])
    )
    with pytest.raises(CheckpointerRequiredError, match=r"compile\(checkpointer=\.\.\.\)"):
        graph.invoke({"x": 1})


def test_interrupt_without_a_checkpointer_is_also_a_runtime_error():
    """interrupt() without a saver: our class, and LangGraph's RuntimeError."""

    def ask(state):
        interrupt("go?")
        return state

    graph = StateGraph(S).add_node("ask", ask).set_entry_point("ask").compile()
    with pytest.raises(CheckpointerRequiredError) as caught:
        graph.invoke({"x": 1})
    assert isinstance(caught.value, RuntimeError)


def test_a_call_without_a_thread_is_a_thread_required_error():
    """A graph with a saver called without thread_id is refused, showing the config to pass;
    nothing is written."""
    saver = InMemorySaver()
    graph = _graph(saver)
    with pytest.raises(ThreadRequiredError, match=r'"thread_id"'):
        graph.invoke({"x": 1})
    with pytest.raises(ThreadRequiredError, match=r'"thread_id"'):
        graph.get_state({"configurable": {}})
    assert saver.list_threads() == []


def test_an_unknown_checkpoint_is_a_checkpoint_not_found_error_and_changes_nothing():
    """get_state, invoke and update_state on a checkpoint id the thread lacks name the fix
    and leave the history as it was."""
    graph = _graph(InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"x": 1}, config)
    before = _history(graph, config)
    missing = {"configurable": {"thread_id": "t", "checkpoint_id": "nope"}}
    for call in (
        lambda: graph.get_state(missing),
        lambda: graph.invoke(None, missing),
        lambda: graph.update_state(missing, {"x": 5}),
    ):
        with pytest.raises(CheckpointNotFoundError, match=r"get_state_history\(config\)"):
            call()
    assert _history(graph, config) == before


def test_get_config_outside_a_node_is_an_outside_node_error():
    """get_config() at the top level says to call it from a node (RuntimeError kept)."""
    with pytest.raises(OutsideNodeError, match="node function") as caught:
        get_config()
    assert isinstance(caught.value, RuntimeError)


def test_old_import_paths_still_work():
    """Errors that moved to errors.py stay importable where they were public before."""
    from hitl_notebook.checkpoint import SchemaVersionError
    from hitl_notebook.checkpoint.serde import DeserializationError, SerializationError
    from hitl_notebook.widgets import ActionError, StaleWidgetError

    assert SchemaVersionError is errors_module.SchemaVersionError
    assert SerializationError is errors_module.SerializationError
    assert DeserializationError is errors_module.DeserializationError
    assert issubclass(StaleWidgetError, ActionError)
    assert ActionError is errors_module.ActionError
