"""The ``%load_ext hitl_notebook`` extension in a real IPython shell (no kernel, no browser)."""

from __future__ import annotations

import asyncio
from typing import TypedDict

import pytest
from IPython.terminal.interactiveshell import TerminalInteractiveShell
from IPython.testing.globalipapp import start_ipython
from ipywidgets.widgets.widget import _instances

from hitl_notebook import (
    END,
    START,
    Command,
    CompiledStateGraph,
    InMemorySaver,
    StateGraph,
    interrupt,
)
from hitl_notebook import ipython as ext
from hitl_notebook.display import graph_mimebundle, interrupt_card_html
from hitl_notebook.widgets import ThreadWidget

WIDGET = "application/vnd.jupyter.widget-view+json"
HOSTILE = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


class State(TypedDict, total=False):
    topic: str
    answer: str


def approval_graph(question: object = "Publish?") -> CompiledStateGraph:
    """draft -> review (interrupts with ``question``) -> END."""

    def review(state: State) -> dict:
        return {"answer": str(interrupt(question))}

    builder = StateGraph(State)
    builder.add_node("draft", lambda s: {"answer": f"draft about {s['topic']}"})
    builder.add_node("review", review)
    builder.add_edge(START, "draft")
    builder.add_edge("draft", "review")
    builder.add_edge("review", END)
    return builder.compile(checkpointer=InMemorySaver())


def ipython_shell():
    """IPython's test shell (created on first use, then shared)."""
    start_ipython()
    return TerminalInteractiveShell.instance()


@pytest.fixture
def shell():
    """The IPython test shell with the extension loaded, unloaded afterwards."""
    ip = ipython_shell()
    ext.load_ipython_extension(ip)
    yield ip
    ext.unload_ipython_extension(ip)


def formatted(ip, value) -> dict:
    data, _ = ip.display_formatter.format(value)
    return data


def test_loading_twice_installs_the_hooks_once(shell):
    """A second load registers the run observer once and keeps working."""
    from hitl_notebook.engine.loop import run_observers

    ext.load_ipython_extension(shell)
    assert run_observers.count(ext._loaded.registry.note) == 1
    assert len(run_observers) == 1
    graph = approval_graph()
    result = graph.invoke({"topic": "x"}, {"configurable": {"thread_id": "twice"}})
    assert WIDGET in formatted(shell, result)


def test_load_ext_command_loads_once_and_unloads(shell):
    """``%load_ext hitl_notebook`` (the documented command) loads the extension, a second
    one is a no-op, and ``%unload_ext hitl_notebook`` removes it."""
    ext.unload_ipython_extension(shell)
    manager = shell.extension_manager
    assert manager.load_extension("hitl_notebook") is None
    assert manager.load_extension("hitl_notebook") == "already loaded"
    assert ext._loaded.shell is shell and "hitl" in shell.magics_manager.magics["line"]
    assert manager.unload_extension("hitl_notebook") is None
    assert ext._loaded is None


def test_graph_displays_as_widget_with_static_diagram(shell):
    """A compiled graph shows the thread widget, plus an HTML/SVG diagram for static views."""
    graph = approval_graph()
    data = formatted(shell, graph)
    assert WIDGET in data
    assert "<svg" in data["text/html"] and "review" in data["text/html"]
    assert data["text/plain"] == repr(graph)


def test_graph_without_checkpointer_displays_static_diagram_only(shell):
    """A graph that cannot hold threads still shows its diagram, without a widget."""
    builder = StateGraph(State)
    builder.add_node("only", lambda s: {})
    builder.add_edge(START, "only")
    data = formatted(shell, builder.compile())
    assert WIDGET not in data
    assert "only" in data["text/html"]


def test_interrupted_result_binds_a_widget_to_its_thread(shell):
    """The dict ``invoke`` returns at an interrupt displays a widget on that thread, and
    answering it through the widget finishes the run."""
    graph = approval_graph()
    config = {"configurable": {"thread_id": "bound"}}
    result = graph.invoke({"topic": "cats"}, config)
    data = formatted(shell, result)
    assert WIDGET in data and "Publish?" in data["text/html"]
    bound = _instances[data[WIDGET]["model_id"]]
    assert isinstance(bound, ThreadWidget)
    assert bound.thread_id == "bound" and bound.status == "interrupted"
    bound.resume("yes")
    assert graph.get_state(config).values["answer"] == "yes"


def test_result_from_stream_and_ainvoke_is_bound_too(shell):
    """Runs started with ``stream`` and ``ainvoke`` are noted like ``invoke``."""
    graph = approval_graph()
    list(graph.stream({"topic": "s"}, {"configurable": {"thread_id": "streamed"}}))
    assert shell.run_line_magic("hitl", "").thread_id == "streamed"
    result = asyncio.run(graph.ainvoke({"topic": "a"}, {"configurable": {"thread_id": "async"}}))
    assert WIDGET in formatted(shell, result)
    assert shell.run_line_magic("hitl", "").thread_id == "async"


def test_stale_result_shows_static_card_only(shell):
    """A result whose interrupt was already answered is not bound to the thread's new state."""
    graph = approval_graph()
    config = {"configurable": {"thread_id": "stale"}}
    old = graph.invoke({"topic": "x"}, config)
    graph.invoke(Command(resume="no"), config)
    data = formatted(shell, old)
    assert WIDGET not in data
    assert "Not bound to a thread" in data["text/html"]


def test_hostile_payload_is_escaped_in_the_card(shell):
    """Payload text is shown as text: no tag from the payload reaches the HTML."""
    graph = approval_graph(question={"html": HOSTILE})
    result = graph.invoke({"topic": HOSTILE}, {"configurable": {"thread_id": "hostile"}})
    html = formatted(shell, result)["text/html"]
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_plain_dicts_keep_their_default_display(shell):
    """Dicts that are not paused runs display exactly as without the extension."""
    data = formatted(shell, {"a": 1, "__interrupt__": []})
    assert set(data) == {"text/plain"}


def test_hitl_magic_opens_a_thread_by_id_or_config(shell):
    """``%hitl graph, "id"`` and ``%hitl graph, config`` open that thread's widget."""
    shell.user_ns["g"] = approval_graph()
    shell.user_ns["cfg"] = {"configurable": {"thread_id": "from-config"}}
    assert shell.run_line_magic("hitl", "g, 'by-id'").thread_id == "by-id"
    assert shell.run_line_magic("hitl", "g, cfg").thread_id == "from-config"
    assert shell.run_line_magic("hitl", "g").status == "no_thread"


def test_hitl_magic_without_a_run_says_what_to_do():
    """A bare ``%hitl`` before any run raises an error naming the explicit form."""
    ip = ipython_shell()
    ext.load_ipython_extension(ip)
    try:
        with pytest.raises(ValueError, match="%hitl graph, thread_id"):
            ext._loaded.hitl_magic("")
    finally:
        ext.unload_ipython_extension(ip)


def test_unload_removes_every_hook(shell):
    """After unload: no run observer, no formatters, no magic; results display as before."""
    from hitl_notebook.engine.loop import run_observers

    ext.unload_ipython_extension(shell)
    assert run_observers == []
    assert "hitl" not in shell.magics_manager.magics["line"]
    graph = approval_graph()
    result = graph.invoke({"topic": "x"}, {"configurable": {"thread_id": "after"}})
    assert WIDGET not in formatted(shell, result)
    ext.load_ipython_extension(shell)  # the fixture unloads again


def test_subgraph_run_is_not_mistaken_for_the_parent_thread(shell):
    """An interrupt raised inside a subgraph binds the widget to the parent thread."""
    inner = StateGraph(State)
    inner.add_node("ask", lambda s: {"answer": str(interrupt("inner question"))})
    inner.add_edge(START, "ask")
    outer = StateGraph(State)
    outer.add_node("child", inner.compile())
    outer.add_edge(START, "child")
    graph = outer.compile(checkpointer=InMemorySaver())
    result = graph.invoke({"topic": "x"}, {"configurable": {"thread_id": "parent"}})
    assert WIDGET in formatted(shell, result)
    assert shell.run_line_magic("hitl", "").thread_id == "parent"


def test_static_graph_bundle_is_svg_without_the_dot_binary(monkeypatch):
    """With no ``dot`` on PATH (pip installs none) the graph still shows as an SVG diagram."""
    monkeypatch.setenv("PATH", "")
    bundle = graph_mimebundle(approval_graph())
    svg = bundle["image/svg+xml"]
    assert svg.startswith("<svg") and svg in bundle["text/html"]
    assert ">draft</text>" in svg and ">review</text>" in svg


def test_card_lists_every_pending_interrupt():
    """Parallel interrupts all appear in the card, with the map form of the answer."""
    builder = StateGraph(State)
    builder.add_node("left", lambda s: {"topic": str(interrupt("left?"))})
    builder.add_node("right", lambda s: {"answer": str(interrupt("right?"))})
    builder.add_edge(START, "left")
    builder.add_edge(START, "right")
    graph = builder.compile(checkpointer=InMemorySaver())
    result = graph.invoke({}, {"configurable": {"thread_id": "p"}})
    html = interrupt_card_html(result)
    assert "2 interrupts" in html and "left?" in html and "right?" in html
    assert "interrupt_id: answer" in html


def test_graph_displays_its_diagram_without_the_extension():
    """A compiled graph has a static diagram (HTML, and SVG when ``dot`` exists) even with
    the extension not loaded: what nbconvert HTML and GitHub's viewer show."""
    ip = ipython_shell()
    assert ext._loaded is None or ext._loaded.shell is not ip
    data = formatted(ip, approval_graph())
    assert WIDGET not in data
    assert "draft" in data["text/html"] and "review" in data["text/html"]


def test_unload_gives_back_a_dict_printer_it_replaced():
    """Another extension's dict display survives a load/unload cycle of ours."""
    ip = ipython_shell()
    bundles = ip.display_formatter.mimebundle_formatter

    def theirs(value):
        return {"text/markdown": "theirs"}

    bundles.for_type(dict, theirs)
    try:
        ext.load_ipython_extension(ip)
        ext.unload_ipython_extension(ip)
        assert bundles.lookup_by_type(dict) is theirs
    finally:
        bundles.type_printers.pop(dict, None)
