"""LangChain callbacks see the same run tree on both engines: the graph call, a child run
per node, and (Functional API) a child run per ``@task`` call with its arguments by name."""

from __future__ import annotations

import asyncio
import operator
import uuid
from typing import Annotated, Any, TypedDict

import pytest

from .harness import Api, same

pytestmark = pytest.mark.langgraph

tracers = pytest.importorskip("langchain_core.tracers")


class _Recorder(tracers.BaseTracer):
    """Keeps each finished top-level run."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[Any] = []

    def _persist_run(self, run: Any) -> None:
        self.runs.append(run)


def _tree(run: Any, keep: set[str]) -> tuple:
    """A run's name and inputs and, for the runs named in ``keep``, its children (sorted:
    parallel calls finish in any order)."""
    children = sorted(_tree(c, keep) for c in run.child_runs if c.name in keep)
    return (run.name, repr(run.inputs), tuple(children))


def test_entrypoint_and_task_runs_pause_and_resume():
    """Two async task calls under the entrypoint's run, one top-level run per call; the
    resume reuses the tasks' results, so only the entrypoint's run appears again, its
    input the run's stored input (not the engine's wrapper around it)."""

    def scenario(api: Api) -> list:
        @api.task
        async def t_double(n: int, *, suffix: str = "!") -> str:
            await asyncio.sleep(0.01 * n)
            return str(n) * 2 + suffix

        @api.entrypoint(checkpointer=api.InMemorySaver())
        async def flow(items: list[int]) -> list[str]:
            done = await asyncio.gather(*(t_double(i) for i in items))
            answer = api.interrupt("go?")
            return [d + answer for d in done]

        async def calls() -> list:
            recorder = _Recorder()
            config = {"configurable": {"thread_id": "t"}, "callbacks": [recorder]}
            [c async for c in flow.astream([1, 2], config)]
            await flow.ainvoke(api.Command(resume="y"), config)
            keep = {"flow", "t_double"}
            return [
                (r.name, len(r.child_runs), _tree(r.child_runs[0], keep)) for r in recorder.runs
            ]

        return asyncio.run(calls())

    runs = same(scenario)
    assert [(name, count) for name, count, _ in runs] == [("LangGraph", 1), ("LangGraph", 1)]
    assert runs[0][2] == (
        "flow",
        repr({"input": [1, 2]}),
        (
            ("t_double", repr({"n": 1, "suffix": "!"}), ()),
            ("t_double", repr({"n": 2, "suffix": "!"}), ()),
        ),
    )
    assert runs[1][2] == ("flow", repr({"input": [1, 2]}), ())


def test_sync_task_runs_nest_under_their_caller():
    """A sync task called from another task reports under that task's run."""

    def scenario(api: Api) -> tuple:
        @api.task
        def t_inner(x: int) -> int:
            return x + 1

        @api.task
        def t_outer(x: int) -> int:
            return t_inner(x).result() * 10

        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(x: int) -> int:
            return t_outer(x).result()

        recorder = _Recorder()
        out = flow.invoke(1, {"configurable": {"thread_id": "t"}, "callbacks": [recorder]})
        (root,) = recorder.runs
        return out, root.name, _tree(root.child_runs[0], {"flow", "t_outer", "t_inner"})

    out, root, tree = same(scenario)
    assert (out, root) == (20, "LangGraph")
    assert tree == (
        "flow",
        repr({"input": 1}),
        (("t_outer", repr({"x": 1}), (("t_inner", repr({"x": 1}), ()),)),),
    )


class _State(TypedDict):
    log: Annotated[list, operator.add]


def _deep_subgraph(api: Api) -> Any:
    """A compiled one-node graph (``deep``) a parent's node invokes."""
    inner = api.StateGraph(_State)
    inner.add_node("deep", lambda s: {"log": ["deep"]})
    inner.add_edge(api.START, "deep")
    return inner.compile()


def test_state_graph_node_runs_and_subgraph():
    """A node run per node of each step, and a subgraph's node runs nested under the node
    of the parent that called it."""

    def scenario(api: Api) -> tuple:
        sub = _deep_subgraph(api)

        builder = api.StateGraph(_State)
        builder.add_node("first", lambda s: {"log": ["first"]})
        builder.add_node("calls_sub", lambda s: sub.invoke({"log": []}))
        builder.add_edge(api.START, "first")
        builder.add_edge("first", "calls_sub")
        graph = builder.compile()

        recorder = _Recorder()
        out = graph.invoke({"log": []}, {"callbacks": [recorder]})
        (root,) = recorder.runs
        keep = {"first", "calls_sub", "deep", "LangGraph"}
        return out, [_tree(child, keep) for child in root.child_runs]

    out, runs = same(scenario)
    assert out == {"log": ["first", "deep"]}
    empty = repr({"log": []})
    assert runs == [
        ("first", empty, ()),
        ("calls_sub", repr({"log": ["first"]}), (("LangGraph", empty, (("deep", empty, ()),)),)),
    ]


def test_run_id_and_name_belong_to_the_top_level_run():
    """``run_id`` and ``run_name`` in the config name the graph call's run only: the run of
    a subgraph a node invokes (whose config inherits them) gets its own."""

    def scenario(api: Api) -> tuple:
        sub = _deep_subgraph(api)

        builder = api.StateGraph(_State)
        builder.add_node("calls_sub", lambda s: sub.invoke({"log": []}))
        builder.add_edge(api.START, "calls_sub")
        graph = builder.compile()

        recorder = _Recorder()
        run_id = uuid.UUID(int=7)
        config = {"callbacks": [recorder], "run_id": run_id, "run_name": "outer"}
        graph.invoke({"log": []}, config)
        (root,) = recorder.runs
        (node,) = root.child_runs
        (nested,) = node.child_runs
        return root.id == run_id, root.name, nested.id != run_id, nested.name

    assert same(scenario) == (True, "outer", True, "LangGraph")
