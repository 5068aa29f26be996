"""LangGraph 1.1's ``version="v2"`` output: ``stream``/``astream`` yield typed parts
(``{"type", "ns", "data"}``, a ``values`` part with its ``interrupts`` apart and its data
as the state's dataclass or pydantic object) and ``invoke`` returns a ``GraphOutput``."""

from __future__ import annotations

import asyncio
import operator
import re
import warnings
from dataclasses import dataclass, field
from typing import Annotated, Any, TypedDict

import pydantic
import pytest

from .harness import LANGGRAPH, OURS, Api, plain, same, thread

pytestmark = pytest.mark.langgraph


class Log(TypedDict, total=False):
    log: Annotated[list, operator.add]


@dataclass
class DataLog:
    log: Annotated[list, operator.add] = field(default_factory=list)
    note: str = "dc"


class ModelLog(pydantic.BaseModel):
    log: Annotated[list, operator.add] = []
    note: str = "model"


def _asking(api: Api, schema: Any = Log, **builder_options: Any) -> Any:
    """``START -> write -> ask -> END``; ``ask`` interrupts."""
    builder = api.StateGraph(schema, **builder_options)
    builder.add_node("write", lambda s: {"log": ["written"]})
    builder.add_node("ask", lambda s: {"log": [api.interrupt("ok?")]})
    builder.add_edge(api.START, "write")
    builder.add_edge("write", "ask")
    builder.add_edge("ask", api.END)
    return builder.compile(checkpointer=api.InMemorySaver())


_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}")


def _view(value: Any) -> Any:
    """A part or output as plain data, the state object's class kept by name and ids
    (checkpoint, task, interrupt: each engine makes its own) blanked."""
    if isinstance(value, str):
        return _ID.sub("<id>", value)
    if isinstance(value, (DataLog, ModelLog)):
        return (type(value).__name__, list(value.log), value.note)
    if isinstance(value, dict):  # (a debug event's time is its own on each engine)
        return {k: _view(v) for k, v in value.items() if k != "timestamp"}
    if isinstance(value, (list, tuple)):
        return type(value)(_view(v) for v in value)
    if type(value).__name__ == "GraphOutput":
        return ("GraphOutput", _view(value.value), plain(list(value.interrupts)))
    return plain(value)


@pytest.mark.parametrize(
    "schema", [Log, DataLog, ModelLog], ids=["typeddict", "dataclass", "pydantic"]
)
@pytest.mark.parametrize(
    "stream_mode",
    [None, "values", ["values", "updates", "tasks", "checkpoints"], ["debug"]],
    ids=str,
)
def test_stream_parts_of_a_pause_and_its_resume(schema, stream_mode):
    def scenario(api: Api) -> Any:
        graph, config = _asking(api, schema), thread("v2")
        paused = list(graph.stream(schema(), config, stream_mode=stream_mode, version="v2"))
        resumed = list(
            graph.stream(api.Command(resume="yes"), config, stream_mode=stream_mode, version="v2")
        )
        return _view(paused), _view(resumed)

    same(scenario)


@pytest.mark.parametrize(
    "schema", [Log, DataLog, ModelLog], ids=["typeddict", "dataclass", "pydantic"]
)
def test_invoke_returns_a_graph_output(schema):
    def scenario(api: Api) -> Any:
        graph, config = _asking(api, schema), thread("out")
        paused = graph.invoke(schema(), config, version="v2")
        done = graph.invoke(api.Command(resume="fine"), config, version="v2")
        updates = graph.invoke(schema(), thread("u"), stream_mode="updates", version="v2")
        return _view(paused), _view(done), _view(updates)

    same(scenario)


def test_subgraph_parts_carry_their_namespace_and_the_output_schema():
    """Values parts of a subgraph too are shown as the root graph's output schema (as
    LangGraph does)."""

    @dataclass
    class OnlyLog:
        log: Annotated[list, operator.add] = field(default_factory=list)

    @dataclass
    class Shown:
        log: list = field(default_factory=list)

    def scenario(api: Api) -> Any:
        # (A subgraph state with keys the output schema lacks fails in LangGraph: it builds
        # the output object from all of the subgraph's values.)
        inner = api.StateGraph(OnlyLog)
        inner.add_node("inner", lambda s: {"log": ["in"]})
        inner.add_edge(api.START, "inner")
        builder = api.StateGraph(OnlyLog, output_schema=Shown)
        builder.add_node("sub", inner.compile())
        builder.add_edge(api.START, "sub")
        graph = builder.compile()
        streamed = [
            (
                p["type"],
                tuple(n.split(":")[0] for n in p["ns"]),
                repr(p["data"]),
                p.get("interrupts"),
            )
            for p in graph.stream(
                OnlyLog(), stream_mode=["values", "updates"], subgraphs=True, version="v2"
            )
        ]
        return streamed, repr(graph.invoke(OnlyLog(), version="v2"))

    same(scenario)


def test_astream_and_ainvoke_v2():
    def scenario(api: Api) -> Any:
        graph, config = _asking(api), thread("async")

        async def main() -> Any:
            parts = [p async for p in graph.astream({"log": []}, config, version="v2")]
            done = await graph.ainvoke(api.Command(resume="a"), config, version="v2")
            return _view(parts), _view(done)

        return asyncio.run(main())

    same(scenario)


def test_an_entrypoints_value_is_shown_as_returned():
    def scenario(api: Api) -> Any:
        @api.entrypoint(checkpointer=api.InMemorySaver())
        def flow(topic: str) -> dict:
            return {"topic": topic, "answer": api.interrupt("why?")}

        # One mode per call: with both, LangGraph's updates part of an entrypoint's pause
        # comes out empty (its values part pops ``__interrupt__`` from the same dict).
        config = thread("flow")
        paused = [list(flow.stream("owls", config, stream_mode="updates", version="v2"))]
        paused.append(
            list(flow.stream("owls", thread("flow2"), stream_mode="values", version="v2"))
        )
        return _view(paused), _view(
            flow.invoke(api.Command(resume="because"), config, version="v2")
        )

    same(scenario)


@pytest.mark.parametrize("api", [LANGGRAPH, OURS], ids=str)
def test_reading_a_graph_output_as_a_dict_still_works_with_a_deprecation_warning(api):
    output = _asking(api).invoke({"log": []}, thread("dict"), version="v2")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert output["log"] == ["written"]
        assert "__interrupt__" in output and output["__interrupt__"] == output.interrupts
    assert [issubclass(w.category, DeprecationWarning) for w in caught] == [True] * 3


def test_an_unknown_version_is_refused():
    with pytest.raises(ValueError, match="Unknown version 'v3'"):
        _asking(OURS).invoke({"log": []}, thread("v3"), version="v3")
