"""Routing without humans: chains, conditional edges, joins, fan-out, ``Send`` and
``Command`` routing, reducer defaults, the recursion limit and async nodes behave as in
LangGraph (outputs, stream chunks, state and history)."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict

import pytest

from .harness import (
    Api,
    assert_same,
    both,
    by_step,
    history,
    observe,
    plain,
    same,
    thread,
)

pytestmark = pytest.mark.langgraph


class Trail(TypedDict):
    text: str
    trail: Annotated[list, operator.add]


def step(name: str):
    """A node that appends its name to ``text`` and to ``trail``."""

    def node(state: Trail) -> dict:
        return {"text": state["text"] + name, "trail": [name]}

    return node


def mark(name: str):
    """A node that only appends its name to ``trail`` (safe in parallel branches)."""

    def node(state: Trail) -> dict:
        return {"trail": [name]}

    return node


def test_linear_chain():
    """A chain runs its nodes in order, one super-step each, over two runs of one thread."""

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Trail)
        for name in "abc":
            builder.add_node(name, step(name))
        builder.add_edge(api.START, "a")
        builder.add_edge("a", "b")
        builder.add_edge("b", "c")
        builder.add_edge("c", api.END)
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return observe(graph, [{"text": ">"}, {"text": "again:"}])

    seen = same(scenario)
    assert seen["invoke"][0] == {"text": ">abc", "trail": ["a", "b", "c"]}
    assert len(seen["history"]) == 10


def test_conditional_edges_with_path_map():
    """A router's labels go through the path map, including a label that maps to END."""

    class Number(TypedDict):
        n: int
        trail: Annotated[list, operator.add]

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Number)
        builder.add_node("classify", lambda s: {"trail": ["classify"]})
        builder.add_node("shout", lambda s: {"trail": ["shout"]})
        builder.add_node("whisper", lambda s: {"trail": ["whisper"]})
        builder.add_edge(api.START, "classify")
        route = {"big": "shout", "small": "whisper", "zero": api.END}
        builder.add_conditional_edges(
            "classify", lambda s: "big" if s["n"] > 5 else "small" if s["n"] else "zero", route
        )
        builder.add_edge("shout", api.END)
        builder.add_edge("whisper", api.END)
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return observe(graph, [{"n": 10}, {"n": 1}, {"n": 0}])

    seen = same(scenario)
    assert seen["invoke"][-1]["trail"] == ["classify", "shout", "classify", "whisper", "classify"]


def test_join_waits_for_every_source():
    """``add_edge([a, b2], c)`` runs ``c`` once, after the longer branch has finished."""

    class Marks(TypedDict):
        trail: Annotated[list, operator.add]

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Marks)
        for name in ("a", "b1", "b2", "c"):
            builder.add_node(name, mark(name))
        builder.add_edge(api.START, "a")
        builder.add_edge(api.START, "b1")
        builder.add_edge("b1", "b2")
        builder.add_edge(["a", "b2"], "c")
        builder.add_edge("c", api.END)
        graph = builder.compile(checkpointer=api.InMemorySaver())
        seen = observe(graph, [{"trail": []}])
        midway = seen["history"][2]
        seen["history"][2] = {k: v for k, v in midway.items() if k not in ("next", "tasks")}
        return seen, midway["next"]

    (seen, langgraph_next), (ours, our_next) = both(scenario)
    assert_same(seen, ours)
    assert seen["invoke"][0]["trail"] == ["a", "b1", "b2", "c"]
    # After step 1 only b2 can run (step 2's values show it ran alone). LangGraph's snapshot
    # there sometimes also lists 'c', depending on which parallel branch finished first,
    # although 'c' does not run then (nor on a replay from there); so its `next` is not compared.
    assert our_next == ("b2",)
    assert langgraph_next in {("b2",), ("b2", "c")}


def test_two_writes_to_a_plain_key_in_one_step_fail():
    """Two parallel branches writing one last-value key is an update error on both engines,
    raised before the step's checkpoint is saved."""

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Trail)
        builder.add_node("a", step("a"))
        builder.add_node("b", step("b"))
        builder.add_edge(api.START, "a")
        builder.add_edge(api.START, "b")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        with pytest.raises(Exception) as raised:
            graph.invoke({"text": ""}, thread("clash"))
        return {"error": type(raised.value).__name__, "history": history(graph, thread("clash"))}

    assert same(scenario)["error"] == "InvalidUpdateError"


def test_parallel_fan_out_with_operator_add():
    """Branches of one super-step all append to an ``operator.add`` key, in a fixed order,
    and a node they all lead to runs once."""

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Trail)
        for name in ("x", "y", "z"):
            builder.add_node(name, mark(name))
            builder.add_edge(api.START, name)
            builder.add_edge(name, "collect")
        builder.add_node("collect", lambda s: {"trail": [f"collected {len(s['trail'])}"]})
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return observe(graph, [{"text": "", "trail": ["seed"]}])

    seen = same(scenario)
    assert seen["invoke"][0] == {"text": "", "trail": ["seed", "x", "y", "z", "collected 4"]}


def test_node_parameter_with_a_default_is_not_given_the_config():
    """Only a parameter named ``config`` receives the run config: a lambda's defaulted second
    parameter (the usual loop-variable capture) keeps its default."""

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Trail)
        for name in ("x", "y"):
            builder.add_node(name, lambda s, name=name: {"trail": [name]})
        builder.add_edge(api.START, "x")
        builder.add_edge("x", "y")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return plain(graph.invoke({"text": ""}, thread("capture")))

    assert same(scenario) == {"text": "", "trail": ["x", "y"]}


def test_send_map_reduce():
    """``Send`` fans one node out over a list with its own input each; results reduce."""

    class Job(TypedDict):
        xs: list
        squares: Annotated[list, operator.add]
        total: int

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Job)
        builder.add_node("square", lambda arg: {"squares": [arg["x"] * arg["x"]]})
        builder.add_node("total", lambda s: {"total": sum(s["squares"])})
        builder.add_conditional_edges(
            api.START, lambda s: [api.Send("square", {"x": x}) for x in s["xs"]], ["square"]
        )
        builder.add_edge("square", "total")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return observe(graph, [{"xs": [1, 2, 3]}])

    seen = same(scenario)
    assert seen["invoke"][0] == {"xs": [1, 2, 3], "squares": [1, 4, 9], "total": 14}


class Goto(TypedDict):
    go: object
    trail: Annotated[list, operator.add]


def test_command_goto_with_update():
    """A node's ``Command(goto=..., update=...)`` routes to one node, to several, or to END,
    with its update applied in the same step."""

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Goto)
        builder.add_node(
            "decide", lambda s: api.Command(goto=s["go"], update={"trail": ["decide"]})
        )
        builder.add_node("left", lambda s: {"trail": ["left"]})
        builder.add_node("right", lambda s: {"trail": ["right"]})
        builder.add_edge(api.START, "decide")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return observe(graph, [{"go": "left"}, {"go": ["left", "right"]}, {"go": api.END}])

    seen = same(scenario)
    assert seen["invoke"][-1]["trail"] == ["decide", "left", "decide", "left", "right", "decide"]


def test_command_goto_alongside_static_edge():
    """A ``Command(goto=...)`` adds to the node's static edges rather than replacing them."""

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Goto)
        builder.add_node("decide", lambda s: api.Command(goto="left", update={"trail": ["decide"]}))
        builder.add_node("left", lambda s: {"trail": ["left"]})
        builder.add_node("right", lambda s: {"trail": ["right"]})
        builder.add_edge(api.START, "decide")
        builder.add_edge("decide", "right")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return observe(graph, [{"go": None}])

    assert same(scenario)["invoke"][0]["trail"] == ["decide", "left", "right"]


def test_reducer_key_defaults_to_empty_list():
    """An ``Annotated[list, operator.add]`` key nobody wrote reads as ``[]`` everywhere."""

    class Partial(TypedDict):
        name: str
        notes: Annotated[list, operator.add]

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Partial)
        builder.add_node("greet", lambda s: {"name": "Hello " + s["name"]})
        builder.add_edge(api.START, "greet")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return observe(graph, [{"name": "Ada"}])

    seen = same(scenario)
    assert seen["invoke"][0] == {"name": "Hello Ada", "notes": []}


def test_recursion_limit_raises_and_keeps_the_steps_taken():
    """A loop that never ends raises a recursion error at the limit on both engines, and
    the checkpoints saved before it are the same."""

    class Counter(TypedDict):
        n: int

    def scenario(api: Api) -> dict:
        builder = api.StateGraph(Counter)
        builder.add_node("ping", lambda s: {"n": s["n"] + 1})
        builder.add_node("pong", lambda s: {"n": s["n"] + 1})
        builder.add_edge(api.START, "ping")
        builder.add_edge("ping", "pong")
        builder.add_edge("pong", "ping")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = {**thread("loop"), "recursion_limit": 5}
        with pytest.raises(api.RecursionError) as raised:
            graph.invoke({"n": 0}, config)
        return {
            "error": "Recursion" in type(raised.value).__name__,
            "history": history(graph, config),
        }

    seen = same(scenario)
    assert seen["error"] is True


@pytest.mark.parametrize("continued_by", ["none", "edit", "resume", "new input"])
def test_a_continued_run_takes_as_many_steps_as_langgraphs(continued_by):
    """A run that continues a thread (``None``, an answer, after an edit) stops at the
    recursion limit two steps later than a run given new input, as LangGraph counts it."""

    class Counter(TypedDict):
        n: int

    def scenario(api: Api) -> list:
        def ping(state: Counter) -> dict:
            if continued_by == "resume" and state["n"] == 2:
                api.interrupt("go on?")
            return {"n": state["n"] + 1}

        builder = api.StateGraph(Counter)
        builder.add_node("ping", ping)
        builder.add_node("pong", lambda s: {"n": s["n"] + 1})
        builder.add_edge(api.START, "ping")
        builder.add_edge("ping", "pong")
        builder.add_edge("pong", "ping")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = {**thread("loop"), "recursion_limit": 4}
        seen = []
        for call in range(2):
            given: object = {"n": 0} if call == 0 or continued_by == "new input" else None
            if call == 1 and continued_by == "edit":
                graph.update_state(config, {"n": 100}, as_node="pong")
            if call == 1 and continued_by == "resume":
                given = api.Command(resume="yes")
            try:
                graph.invoke(given, config)
                seen.append("finished")
            except Exception as exc:  # both engines must stop alike
                seen.append(type(exc).__name__.replace("GraphRecursionError", "RecursionError"))
            snapshot = graph.get_state(config)
            seen.append((snapshot.metadata["step"], snapshot.values["n"]))
        return seen

    same(scenario)


def test_async_nodes_via_ainvoke():
    """Async nodes, in a chain and in a parallel step, give the same results via ``ainvoke``
    and ``astream``."""

    def scenario(api: Api) -> dict:
        async def fetch(state: Trail) -> dict:
            await asyncio.sleep(0)
            return {"trail": ["fetch"]}

        async def branch_one(state: Trail) -> dict:
            await asyncio.sleep(0.01)
            return {"trail": ["one"]}

        async def branch_two(state: Trail) -> dict:
            return {"trail": ["two"], "text": state["text"] + "!"}

        builder = api.StateGraph(Trail)
        builder.add_node("fetch", fetch)
        builder.add_node("one", branch_one)
        builder.add_node("two", branch_two)
        builder.add_edge(api.START, "fetch")
        builder.add_edge("fetch", "one")
        builder.add_edge("fetch", "two")
        graph = builder.compile(checkpointer=api.InMemorySaver())

        async def run() -> dict:
            output = await graph.ainvoke({"text": "go"}, thread("a"))
            chunks = [
                plain(c)
                async for c in graph.astream(
                    {"text": "go"}, thread("b"), stream_mode=["updates", "values"]
                )
            ]
            return {
                "output": plain(output),
                "updates": by_step(chunks),
                "history": history(graph, thread("a")),
            }

        return asyncio.run(run())

    seen = same(scenario)
    assert seen["output"] == {"text": "go!", "trail": ["fetch", "one", "two"]}
