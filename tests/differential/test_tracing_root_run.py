"""A call with LangChain ``callbacks`` is one LangChain run on both engines: a tracer sees
one root run (Send to a subgraph that pauses included), and ``astream_events`` /
``astream_log`` report the graph's start and its final values."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict
from uuid import UUID

import pytest
from langchain_core.tracers import BaseTracer

from .harness import Api, same, thread

pytestmark = pytest.mark.langgraph


class _Roots(BaseTracer):
    """Records the root runs it is told about, as LangChain's tracers persist them."""

    def __init__(self) -> None:
        super().__init__()
        self.roots: list = []

    def _persist_run(self, run) -> None:
        self.roots.append(run)


class Jokes(TypedDict):
    subjects: list[str]
    jokes: Annotated[list[str], operator.add]


class Joke(TypedDict):
    subject: str


def _jokes_graph(api: Api):
    """Each subject is sent to a subgraph that pauses before its second node."""
    sub = api.StateGraph(Joke, output_schema=Jokes)
    sub.add_node("edit", lambda s: {"subject": s["subject"] + "!"})
    sub.add_node("write", lambda s: {"jokes": [f"joke about {s['subject']}"]})
    sub.add_edge(api.START, "edit")
    sub.add_edge("edit", "write")
    builder = api.StateGraph(Jokes)
    builder.add_node("joke", sub.compile(interrupt_before=["write"]))
    builder.add_conditional_edges(
        api.START, lambda s: [api.Send("joke", {"subject": x}) for x in s["subjects"]]
    )
    return builder.compile(checkpointer=api.InMemorySaver())


def test_a_traced_call_is_one_root_run():
    """Sending to a subgraph that pauses, then resuming: one root run per call, named as
    the graph, its inputs the call's input."""

    def scenario(api: Api):
        graph = _jokes_graph(api)
        tracer = _Roots()
        config = {**thread("t"), "callbacks": [tracer]}
        graph.invoke({"subjects": ["cats", "dogs"]}, config)
        graph.invoke(None, config)
        return [(r.name, r.inputs, r.error) for r in tracer.roots]

    assert same(scenario) == [
        ("LangGraph", {"subjects": ["cats", "dogs"]}, None),
        ("LangGraph", {"input": None}, None),
    ]


class Text(TypedDict):
    text: str


def _two_steps(api: Api):
    builder = api.StateGraph(Text)
    builder.add_node("a", lambda s: {"text": s["text"] + "a"})
    builder.add_node("b", lambda s: {"text": s["text"] + "b"})
    builder.add_edge(api.START, "a")
    builder.add_edge("a", "b")
    return builder.compile()


@pytest.mark.parametrize("stream_mode", ["updates", "values"])
def test_astream_events_report_the_graphs_start_and_final_values(stream_mode):
    """The root run's own events: its start with the input, its end with the final values
    whatever the stream mode, under the ``run_id`` the config gives."""

    def scenario(api: Api):
        async def main():
            root = UUID(int=7)
            events = [
                e
                async for e in _two_steps(api).astream_events(
                    {"text": ""}, {"run_id": root}, version="v2", stream_mode=stream_mode
                )
            ]
            return [
                (e["event"], e["name"], e["data"].get("input"), e["data"].get("output"))
                for e in events
                if e["run_id"] == str(root) and e["event"] != "on_chain_stream"
            ]

        return asyncio.run(main())

    assert same(scenario) == [
        ("on_chain_start", "LangGraph", {"text": ""}, None),
        ("on_chain_end", "LangGraph", None, {"text": "ab"}),
    ]


@pytest.mark.filterwarnings("ignore:astream_log is deprecated")
def test_astream_log_ends_with_the_final_values():
    """``astream_log``'s root state: the streamed chunks and the final output."""

    def scenario(api: Api):
        async def main():
            final = None
            async for log in _two_steps(api).astream_log({"text": ""}, diff=False):
                final = log
            return final.state["streamed_output"], final.state["final_output"]

        return asyncio.run(main())

    assert same(scenario) == ([{"a": {"text": "a"}}, {"b": {"text": "ab"}}], {"b": {"text": "ab"}})


@pytest.mark.filterwarnings("ignore:astream_log is deprecated")
def test_astream_log_has_a_run_per_runnable_node():
    """A node that is a LangChain chain runs as a run named after the node, streamed, so the
    log shows ``/logs/<node>/streamed_output`` and each visit's final output."""
    from langchain_core.language_models.fake import FakeStreamingListLLM
    from langchain_core.prompts import PromptTemplate

    def scenario(api: Api):
        llm = FakeStreamingListLLM(responses=["one", "two"])
        agent = PromptTemplate.from_template("Hi") | llm | (lambda text: {"text": text})
        builder = api.StateGraph(Text)
        builder.add_node("agent", agent)
        builder.add_conditional_edges("agent", lambda s: api.END if s["text"] == "two" else "agent")
        builder.add_edge(api.START, "agent")
        graph = builder.compile()

        async def main():
            return [log async for log in graph.astream_log({"text": ""})]

        patches = asyncio.run(main())
        paths = {op["path"] for log in patches for op in log.ops}
        finals = [
            (op["path"], op["value"])
            for log in patches
            for op in log.ops
            if op["path"].startswith("/logs/agent") and op["path"].endswith("/final_output")
        ]
        return "/logs/agent/streamed_output/-" in paths, finals

    assert same(scenario) == (
        True,
        [
            ("/logs/agent/final_output", {"text": "one"}),
            ("/logs/agent:2/final_output", {"text": "two"}),
        ],
    )
