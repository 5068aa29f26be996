"""LangGraph's ``Runtime``: ``invoke(..., context=...)`` reaches every node, conditional
edge, subgraph, entrypoint and ``@task`` that takes a ``runtime`` parameter (or calls
``get_runtime()``), as LangGraph's does; the context is per call, never stored."""

from __future__ import annotations

import asyncio
import operator
from dataclasses import dataclass
from typing import Annotated, Any, TypedDict

import pytest

from .harness import LANGGRAPH, OURS, Api, plain, same, thread

pytestmark = pytest.mark.langgraph


@dataclass
class Who:
    user: str
    level: int = 1


class Log(TypedDict, total=False):
    log: Annotated[list, operator.add]


def _seen(runtime: Any) -> str:
    return repr(runtime.context)


def asking_graph(api: Api, **compile_options: Any) -> Any:
    """``START -> greet -(route)-> ask -> END``: every piece reads the runtime."""

    def greet(state: Log, runtime: Any) -> dict:
        return {"log": [f"greet {_seen(runtime)}"]}

    def route(state: Log, runtime: Any) -> str:
        return "ask" if runtime.context is None or runtime.context.level > 0 else api.END

    def ask(state: Log) -> dict:
        before = repr(api.get_runtime().context)
        answer = api.interrupt("ok?")
        return {"log": [f"ask {before} -> {answer} {api.get_runtime().context!r}"]}

    builder = api.StateGraph(Log, context_schema=Who)
    builder.add_node("greet", greet)
    builder.add_node("ask", ask)
    builder.add_edge(api.START, "greet")
    builder.add_conditional_edges("greet", route, ["ask", api.END])
    builder.add_edge("ask", api.END)
    return builder.compile(checkpointer=api.InMemorySaver(), **compile_options)


@pytest.mark.parametrize(
    "context",
    [Who("ann", 2), {"user": "bob"}, {"user": "cy", "level": 0}, None],
    ids=["dataclass", "dict-coerced", "routes-to-end", "none"],
)
def test_nodes_routing_and_get_runtime_read_the_calls_context(context):
    """A dict becomes the ``context_schema`` dataclass; a resume without ``context`` runs
    with none, one with a new context with that one."""

    def scenario(api: Api) -> list:
        graph, config = asking_graph(api), thread("ctx")
        first = plain(graph.invoke({"log": []}, config, context=context))
        if "__interrupt__" not in first:  # routed to the end: nothing to answer
            return [first]
        again = plain(graph.invoke(api.Command(resume="yes"), config))
        graph.invoke({"log": []}, thread("ctx2"), context=context)
        newer = plain(graph.invoke(api.Command(resume="y2"), thread("ctx2"), context=Who("di")))
        return [first, again, newer]

    same(scenario)


def test_a_typed_dict_context_stays_a_dict():
    class Settings(TypedDict):
        user: str

    def scenario(api: Api) -> Any:
        def node(state: Log, runtime: Any) -> dict:
            return {"log": [type(runtime.context).__name__, runtime.context["user"]]}

        builder = api.StateGraph(Log, context_schema=Settings)
        builder.add_node("node", node)
        builder.add_edge(api.START, "node")
        return builder.compile().invoke({"log": []}, context={"user": "td"})

    assert same(scenario) == {"log": ["dict", "td"]}


def test_subgraphs_inherit_the_context_unless_given_their_own():
    """A subgraph added as a node, and one a node invokes, see the parent call's context;
    a node invoking a subgraph with ``context=`` gives it that one."""

    def scenario(api: Api) -> Any:
        def inner(state: Log, runtime: Any) -> dict:
            return {"log": [f"inner {_seen(runtime)}"]}

        sub_builder = api.StateGraph(Log)
        sub_builder.add_node("inner", inner)
        sub_builder.add_edge(api.START, "inner")
        sub = sub_builder.compile()

        def calls(state: Log) -> dict:
            plain_call = sub.invoke({"log": []})["log"]
            own = sub.invoke({"log": []}, context=Who("own"))["log"]
            return {"log": plain_call + own}

        builder = api.StateGraph(Log, context_schema=Who)
        builder.add_node("sub", sub)
        builder.add_node("calls", calls)
        builder.add_edge(api.START, "sub")
        builder.add_edge("sub", "calls")
        return builder.compile().invoke({"log": []}, context=Who("parent"))

    same(scenario)


def test_runtime_stream_writer_sends_custom_chunks():
    def scenario(api: Api) -> Any:
        def node(state: Log, runtime: Any) -> dict:
            runtime.stream_writer({"progress": runtime.context.user})
            return {"log": ["done"]}

        builder = api.StateGraph(Log)
        builder.add_node("node", node)
        builder.add_edge(api.START, "node")
        graph = builder.compile()
        streamed = list(
            graph.stream({"log": []}, stream_mode=["custom", "updates"], context=Who("w"))
        )
        return streamed, graph.invoke({"log": []}, context=Who("quiet"))

    same(scenario)


def test_runtime_as_a_plain_positional_parameter():
    """Named ``runtime``, the parameter is the runtime, not the config (also third, after
    ``config``)."""

    def scenario(api: Api) -> Any:
        def second(state, runtime):
            return {"log": [f"second {_seen(runtime)}"]}

        def third(state, config, runtime):
            return {"log": [f"third {_seen(runtime)} {config['configurable']['thread_id']}"]}

        builder = api.StateGraph(Log)
        builder.add_node("second", second)
        builder.add_node("third", third)
        builder.add_edge(api.START, "second")
        builder.add_edge("second", "third")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return graph.invoke({"log": []}, thread("pos"), context=Who("p"))

    same(scenario)


def test_execution_info_says_where_the_task_runs():
    """Thread, attempt (a retry is attempt 2) and the task's own namespace."""

    def scenario(api: Api) -> Any:
        failed: list = []

        def flaky(state: Log, runtime: Any) -> dict:
            info = runtime.execution_info
            if not failed:
                failed.append(info.node_attempt)
                raise ValueError("first attempt fails")
            return {
                "log": [
                    info.thread_id,
                    info.node_attempt,
                    info.checkpoint_ns.split(":")[0],
                    info.checkpoint_ns.endswith(info.task_id),
                    bool(info.checkpoint_id),
                    info.node_first_attempt_time is not None,
                    runtime.store,
                ]
            }

        builder = api.StateGraph(Log)
        builder.add_node(
            "flaky", flaky, retry_policy=api.RetryPolicy(initial_interval=0.01, retry_on=ValueError)
        )
        builder.add_edge(api.START, "flaky")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return failed, graph.invoke({"log": []}, thread("where"))

    assert same(scenario)[1]["log"][:3] == ["where", 2, "flaky"]


def test_async_nodes_and_routing_get_the_runtime():
    def scenario(api: Api) -> Any:
        async def node(state: Log, runtime: Any) -> dict:
            await asyncio.sleep(0)
            return {"log": [f"node {_seen(runtime)}"]}

        async def route(state: Log, runtime: Any) -> str:
            return api.END if runtime.context.level > 1 else "node"

        builder = api.StateGraph(Log, context_schema=Who)
        builder.add_node("node", node)
        builder.add_edge(api.START, "node")
        builder.add_conditional_edges("node", route, ["node", api.END])
        graph = builder.compile()

        async def main() -> Any:
            return await graph.ainvoke({"log": []}, context={"user": "as", "level": 2})

        return asyncio.run(main())

    same(scenario)


def test_entrypoint_and_tasks_get_the_runtime():
    """An entrypoint's ``runtime`` carries the context and ``previous``; a ``@task`` taking
    ``runtime`` gets the same context."""

    def scenario(api: Api) -> Any:
        @api.task
        def shout(word: str, runtime: Any) -> str:
            return f"{word}!{runtime.context.user}"

        @api.entrypoint(checkpointer=api.InMemorySaver(), context_schema=Who)
        def flow(word: str, *, runtime: Any, previous: Any = None) -> dict:
            return {
                "context": _seen(runtime),
                "previous": runtime.previous,
                "same_previous": runtime.previous == previous,
                "task": shout(word).result(),
            }

        config = thread("flow")
        return [
            flow.invoke("hi", config, context={"user": "fn"}),
            flow.invoke("ho", config, context=Who("fn2")),
        ]

    same(scenario)


@pytest.mark.parametrize("api", [LANGGRAPH, OURS], ids=str)
def test_get_runtime_outside_a_node_is_a_runtime_error(api):
    with pytest.raises(RuntimeError):
        api.get_runtime()
