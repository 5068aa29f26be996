"""Issue 10's list of known differences, each run on LangGraph and on our engine with the
same scenario: streams' default mode, ``invoke(stream_mode=)``, ``Command`` as input,
``__copy__``, root state schemas, what past snapshots keep, durability, dynamic breakpoints."""

from __future__ import annotations

import asyncio
import operator
from typing import Annotated, TypedDict
from unittest.mock import Mock

import pytest

from .harness import Api, history, plain, same, state, thread

pytestmark = pytest.mark.langgraph


class Foo(TypedDict):
    foo: Annotated[str, operator.add]


def _two_nodes(api: Api, **compile_options):
    """``node1 -> node2``, each appending its name to ``foo``."""
    builder = api.StateGraph(Foo)
    builder.add_node("node1", lambda s: {"foo": "|node-1"})
    builder.add_node("node2", lambda s: {"foo": "|node-2"})
    builder.add_edge(api.START, "node1")
    builder.add_edge("node1", "node2")
    return builder.compile(checkpointer=api.InMemorySaver(), **compile_options)


class Question(TypedDict, total=False):
    answer: str
    note: str


def _one_question(api: Api):
    """``START -> ask``: ``ask`` stores the answer to one question."""

    def ask(state):
        return {"answer": api.interrupt("q")}

    builder = api.StateGraph(Question)
    builder.add_node("ask", ask)
    builder.add_edge(api.START, "ask")
    return builder.compile(checkpointer=api.InMemorySaver())


def test_stream_defaults_to_updates_and_invoke_honours_stream_mode():
    """``for chunk in graph.stream(...)`` prints ``{node: update}``; ``invoke`` with another
    mode returns the list of chunks."""

    def scenario(api: Api):
        graph = _two_nodes(api)
        streamed = list(graph.stream({"foo": "a"}, thread("s")))
        invoked = graph.invoke({"foo": "b"}, thread("i"), stream_mode="updates")
        values = graph.invoke({"foo": "c"}, thread("v"), stream_mode="values")
        return {"stream": streamed, "invoke_updates": invoked, "invoke_values": values}

    seen = same(scenario)
    assert seen["stream"] == [{"node1": {"foo": "|node-1"}}, {"node2": {"foo": "|node-2"}}]


def test_command_update_as_input_at_a_static_breakpoint():
    """Paused before ``node1``, ``Command(update=...)`` changes the state ``node1`` reads."""

    class Text(TypedDict):
        foo: str

    def scenario(api: Api):
        builder = api.StateGraph(Text)
        builder.add_node("node1", lambda s: {"foo": s["foo"] + "|node-1"})
        builder.add_node("node2", lambda s: {"foo": s["foo"] + "|node-2"})
        builder.add_edge(api.START, "node1")
        builder.add_edge("node1", "node2")
        graph = builder.compile(checkpointer=api.InMemorySaver(), interrupt_before=["node1"])
        config = thread("t")
        graph.invoke({"foo": "abc"}, config)
        result = graph.invoke(api.Command(update={"foo": "def"}), config)
        return {"result": result, "history": history(graph, config)}

    assert same(scenario)["result"] == {"foo": "def|node-1|node-2"}


def test_command_goto_as_input_joins_the_waiting_step():
    """``Command(goto=["node2"])`` at a breakpoint runs node2 beside the waiting node1."""

    def scenario(api: Api):
        graph = _two_nodes(api, interrupt_before=["node1"])
        config = thread("t")
        graph.invoke({"foo": "abc"}, config)
        return graph.invoke(api.Command(goto=["node2"]), config)

    assert same(scenario) == {"foo": "abc|node-1|node-2|node-2"}


def test_resume_with_update_applies_the_update():
    """``Command(resume=..., update=...)`` answers and writes; the paused checkpoint shows it."""

    def scenario(api: Api):
        graph = _one_question(api)
        config = thread("t")
        graph.invoke({"answer": "", "note": ""}, config)
        result = graph.invoke(api.Command(resume="yes", update={"note": "edited"}), config)
        return {"result": result, "history": history(graph, config)}

    assert same(scenario)["result"] == {"answer": "yes", "note": "edited"}


def test_a_resume_streams_the_state_with_earlier_updates_folded_in():
    """A node asks twice; the first answer comes with an update. Streaming the second
    answer's run in ``values`` mode starts from the state with that update in it."""

    class Text(TypedDict):
        text: Annotated[str, operator.add]

    def scenario(api: Api):
        def node(state):
            first, second = api.interrupt(1), api.interrupt(2)
            return {"text": f"{first} {second}"}

        builder = api.StateGraph(Text)
        builder.add_node("node", node)
        builder.add_edge(api.START, "node")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        graph.invoke({"text": "DE"}, config)
        graph.invoke(api.Command(resume="a1", update={"text": "+"}), config)
        return list(graph.stream(api.Command(resume="a2"), config, stream_mode="values"))

    assert same(scenario) == [{"text": "DE+"}, {"text": "DE+a1 a2"}]


def test_copy_forks_a_sibling_checkpoint():
    """``update_state(past, None, as_node="__copy__")``: same parent, values and next."""

    def scenario(api: Api):
        graph = _two_nodes(api)
        config = thread("t")
        graph.invoke({"foo": "a"}, config)
        past = list(graph.get_state_history(config))[2]
        copied = graph.update_state(past.config, None, as_node="__copy__")
        snapshot = graph.get_state(copied)
        parent_is_shared = (
            snapshot.parent_config["configurable"]["checkpoint_id"]
            == past.parent_config["configurable"]["checkpoint_id"]
        )
        return {
            "copy": state(graph, copied),
            "metadata": snapshot.metadata,
            "same_parent": parent_is_shared,
            "then": graph.invoke(None, copied),
        }

    seen = same(scenario)
    assert seen["same_parent"] and seen["metadata"]["source"] == "fork"


def test_root_state_schema():
    """``StateGraph(Annotated[list, operator.add])``: nodes read and return the list itself."""

    def scenario(api: Api):
        builder = api.StateGraph(Annotated[list, operator.add])
        builder.add_node("a", lambda s: ["a"])
        builder.add_node("b", lambda s: [f"b saw {len(s)}"])
        builder.add_edge(api.START, "a")
        builder.add_edge("a", "b")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        return {
            "invoke": graph.invoke(["in"], config),
            "values": graph.get_state(config).values,
            "updates": list(graph.stream(["x"], thread("u"))),
        }

    assert same(scenario)["invoke"] == ["in", "a", "b saw 2"]


def test_past_snapshot_keeps_its_interrupts_and_interrupts_compare_equal():
    """After the answer, the checkpoint where the run paused still lists the question, and
    an ``Interrupt`` built from value and id equals the one the engine returns."""

    def scenario(api: Api):
        graph = _one_question(api)
        config = thread("t")
        pending = graph.invoke({"answer": ""}, config)["__interrupt__"][0]
        rebuilt = api.Interrupt(value="q", id=pending.id)
        graph.invoke(api.Command(resume="a"), config)
        paused = list(graph.get_state_history(config))[1]
        return {
            "equal": rebuilt == pending,
            "kept": plain(paused.interrupts),
            "same": paused.interrupts == (pending,),
        }

    assert same(scenario) == {"equal": True, "kept": ("q",), "same": True}


def test_update_state_on_a_fresh_thread_is_step_zero_and_input_keys_outside_the_schema_are_dropped():
    def scenario(api: Api):
        graph = _two_nodes(api)
        config = thread("fresh")
        graph.update_state(config, {"foo": "x"})
        first = graph.get_state(config).metadata
        other = thread("extra")
        result = graph.invoke({"foo": "a", "unknown": 1}, other)
        return {"metadata": first, "result": result}

    assert same(scenario)["metadata"]["step"] == 0


def test_durability_exit_saves_one_checkpoint_per_call():
    """``durability="exit"`` writes only where the call stops; "sync" writes every step."""

    def scenario(api: Api):
        counts = {}
        for mode in ("sync", "async", "exit"):
            graph = _two_nodes(api, interrupt_after="*")
            config = thread(mode)
            seen = []
            for turn in ({"foo": "a"}, None, None):
                graph.invoke(turn, config, durability=mode)
                seen.append(
                    (len(list(graph.get_state_history(config))), graph.get_state(config).next)
                )
            counts[mode] = seen
        return counts

    seen = same(scenario)
    assert [n for n, _ in seen["exit"]] == [1, 2, 2]  # the third call has nothing left to run


def test_node_interrupt_reruns_its_node_on_the_next_call():
    """A dynamic breakpoint (``NodeInterrupt``) pauses; ``invoke(None)`` runs the node again
    (it pauses again while the condition holds; after an edit it goes through)."""

    class Text(TypedDict):
        text: str

    def scenario(api: Api):
        calls = []

        def check(state):
            calls.append(state["text"])
            if len(state["text"]) > 5:
                raise api.NodeInterrupt(f"too long: {state['text']}")
            return {"text": state["text"] + "!"}

        builder = api.StateGraph(Text)
        builder.add_node("check", check)
        builder.add_edge(api.START, "check")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        with pytest.warns(DeprecationWarning):
            first = graph.invoke({"text": "hello world"}, config)
            again = graph.invoke(None, config)
        graph.update_state(config, {"text": "hi"})
        done = graph.invoke(None, config)
        return {
            "first": plain(first),
            "again": plain(again),
            "done": done,
            "calls": calls,
            "state": state(graph, config),
        }

    assert same(scenario)["calls"] == ["hello world", "hello world", "hi"]


def test_callable_object_and_mock_work_as_nodes():
    def scenario(api: Api):
        node = Mock(return_value={"foo": "|mock"})
        builder = api.StateGraph(Foo)
        builder.add_node("mocked", node)
        builder.add_edge(api.START, "mocked")
        graph = builder.compile()
        return {"result": graph.invoke({"foo": "a"}), "calls": node.call_count}

    assert same(scenario) == {"result": {"foo": "a|mock"}, "calls": 1}


def test_async_conditional_edge_under_ainvoke():
    def scenario(api: Api):
        async def route(state) -> str:
            await asyncio.sleep(0)
            return "node2"

        builder = api.StateGraph(Foo)
        builder.add_node("node1", lambda s: {"foo": "|1"})
        builder.add_node("node2", lambda s: {"foo": "|2"})
        builder.add_edge(api.START, "node1")
        builder.add_conditional_edges("node1", route, ["node2"])
        return asyncio.run(builder.compile().ainvoke({"foo": "a"}))

    assert same(scenario) == {"foo": "a|1|2"}


def test_messages_stream_from_a_langchain_chat_model():
    """``stream_mode="messages"`` yields the model's tokens with the node in the metadata."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage as LangChainAIMessage

    def scenario(api: Api):
        model = GenericFakeChatModel(messages=iter([LangChainAIMessage(content="token by token")]))

        def chat(state):
            return {"messages": [model.invoke("hi")]}

        builder = api.StateGraph(api.MessagesState)
        builder.add_node("chat", chat)
        builder.add_edge(api.START, "chat")
        graph = builder.compile()
        return [
            (type(m).__name__, m.content, meta["langgraph_node"], meta["langgraph_step"])
            for m, meta in graph.stream({"messages": []}, stream_mode="messages")
        ]

    assert [content for _, content, _, _ in same(scenario)] == ["token", " ", "by", " ", "token"]


def test_messages_stream_emits_returned_messages_not_streamed():
    """A message a node returns without an LLM (a tool result, say) is emitted whole."""

    from langchain_core.messages import ToolMessage

    def scenario(api: Api):
        builder = api.StateGraph(api.MessagesState)
        builder.add_node(
            "tool", lambda s: {"messages": [ToolMessage(content="42", tool_call_id="c1", id="t1")]}
        )
        builder.add_edge(api.START, "tool")
        return [
            (m.type, m.content, meta["langgraph_node"])
            for m, meta in builder.compile().stream({"messages": []}, stream_mode="messages")
        ]

    assert same(scenario) == [("tool", "42", "tool")]


def test_subgraph_with_its_own_checkpointer_keeps_state_across_parent_runs():
    """A subgraph compiled with ``checkpointer=True`` and invoked from a node function
    pauses, resumes, and starts its next run from where its last one ended; the parent's
    ``get_state(subgraphs=True)`` shows the waiting subgraph's own snapshot."""

    class Log(TypedDict):
        log: Annotated[list, operator.add]

    class Parent(TypedDict):
        result: str

    def scenario(api: Api):
        def work(state):
            return {"log": [f"work {api.interrupt('ok?')}"]}

        inner = api.StateGraph(Log)
        inner.add_node("work", work)
        inner.add_edge(api.START, "work")
        inner = inner.compile(checkpointer=True)

        def call(state):
            return {"result": ",".join(inner.invoke({"log": ["in"]})["log"])}

        builder = api.StateGraph(Parent)
        builder.add_node("call", call)
        builder.add_edge(api.START, "call")
        parent = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        outputs = [plain(parent.invoke({"result": ""}, config))]
        waiting = parent.get_state(config, subgraphs=True).tasks[0].state
        outputs.append(plain(parent.invoke(api.Command(resume="y"), config)))
        outputs.append(plain(parent.invoke({"result": ""}, config)))
        outputs.append(plain(parent.invoke(api.Command(resume="z"), config)))
        return {
            "outputs": outputs,
            "waiting": (
                waiting.values,
                waiting.next,
                waiting.config["configurable"]["checkpoint_ns"],
            ),
        }

    seen = same(scenario)
    assert seen["outputs"][-1] == {"result": "in,work y,in,work z"}
    assert seen["waiting"] == ({"log": ["in"]}, ("work",), "call")


def test_error_after_a_resume_keeps_the_tasks_interrupts():
    class Text(TypedDict):
        a: str

    def scenario(api: Api):
        def node(state):
            raise ValueError(f"bad {api.interrupt('q')}")

        builder = api.StateGraph(Text)
        builder.add_node("n", node)
        builder.add_edge(api.START, "n")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        graph.invoke({"a": ""}, config)
        with pytest.raises(ValueError, match="bad x"):
            graph.invoke(api.Command(resume="x"), config)
        snapshot = graph.get_state(config)
        return {
            "next": snapshot.next,
            "interrupts": plain(snapshot.interrupts),
            "tasks": [(t.error, plain(t.interrupts)) for t in snapshot.tasks],
        }

    assert same(scenario)["tasks"] == [("ValueError('bad x')", ("q",))]


def test_interrupt_before_given_to_a_subgraph_is_honoured():
    """``compile(interrupt_before=["b"])`` on a subgraph pauses the parent there; the
    parent's snapshot shows the subgraph waiting before b, and ``invoke(None)`` goes on."""

    class Items(TypedDict):
        items: Annotated[list, operator.add]

    def scenario(api: Api):
        sub = api.StateGraph(Items)
        sub.add_node("a", lambda s: {"items": ["a"]})
        sub.add_node("b", lambda s: {"items": ["b"]})
        sub.add_edge(api.START, "a")
        sub.add_edge("a", "b")
        builder = api.StateGraph(Items)
        builder.add_node("sub", sub.compile(interrupt_before=["b"]))
        builder.add_edge(api.START, "sub")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        paused = graph.invoke({"items": []}, config)
        snapshot = graph.get_state(config, subgraphs=True)
        return {
            "paused": paused,
            "next": snapshot.next,
            "sub_next": snapshot.tasks[0].state.next,
            "sub_values": snapshot.tasks[0].state.values,
            "done": graph.invoke(None, config),
        }

    assert same(scenario)["done"] == {"items": ["a", "b"]}


def test_command_parent_from_a_subgraph_routes_the_parent():
    """A subgraph node returning ``Command(graph=Command.PARENT, goto=..., update=...)``
    stops the subgraph; the parent applies the update and goes where it says."""

    class Dialog(TypedDict):
        dialog_state: Annotated[list, operator.add]

    def scenario(api: Api):
        def child_b(state):
            return api.Command(
                graph=api.Command.PARENT, goto="parent_b", update={"dialog_state": ["b_child"]}
            )

        sub = api.StateGraph(Dialog)
        sub.add_node("child_a", lambda s: {"dialog_state": ["a_child"]})
        sub.add_node("child_b", child_b)
        sub.add_edge(api.START, "child_a")
        sub.add_edge("child_a", "child_b")
        builder = api.StateGraph(Dialog)
        builder.add_node("parent_b", lambda s: {"dialog_state": ["parent_b"]})
        builder.add_node("sub", sub.compile(), destinations=("parent_b",))
        builder.add_edge(api.START, "sub")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        return {
            "result": graph.invoke({"dialog_state": ["init"]}, config),
            "history": history(graph, config),
        }

    assert same(scenario)["result"] == {"dialog_state": ["init", "b_child", "parent_b"]}


def test_command_parent_at_the_top_is_a_clear_error():
    """Our difference: a top-level node addressing a parent it does not have fails with a
    message saying so; the error is also the ``ParentCommand`` LangGraph raises."""
    from hitl_notebook import START, Command, InvalidUpdateError, StateGraph

    graph = (
        StateGraph(Foo)
        .add_node("node", lambda s: Command(graph=Command.PARENT, goto="x"))
        .add_edge(START, "node")
        .compile()
    )
    with pytest.raises(InvalidUpdateError, match="not running inside a parent graph") as ours:
        graph.invoke({"foo": "a"})
    # ... and still the ParentCommand carrying the command that LangGraph raises there.
    from langgraph.errors import ParentCommand as LangGraphParentCommand
    from langgraph.graph import START as LG_START
    from langgraph.graph import StateGraph as LangGraphStateGraph
    from langgraph.types import Command as LangGraphCommand

    from hitl_notebook.types import ParentCommand

    reference = (
        LangGraphStateGraph(Foo)
        .add_node("node", lambda s: LangGraphCommand(graph=LangGraphCommand.PARENT, goto="x"))
        .add_edge(LG_START, "node")
        .compile()
    )
    with pytest.raises(LangGraphParentCommand) as theirs:
        reference.invoke({"foo": "a"})
    assert isinstance(ours.value, ParentCommand)
    assert ours.value.args[0].goto == theirs.value.args[0].goto == "x"


def test_replay_and_resume_from_a_subgraphs_checkpoint():
    """``invoke(None, subgraph_config)`` (a config from ``get_state(subgraphs=True)``) runs
    the parent again towards that subgraph checkpoint: only the subgraph's waiting node runs
    again and asks again; a resume with the same config answers that replay."""

    class Value(TypedDict):
        value: Annotated[list, operator.add]

    def scenario(api: Api):
        called = []

        def step_a(state):
            called.append("step_a")
            return {"value": ["a"]}

        def ask(n: int):
            def node(state):
                called.append(f"ask_{n}")
                return {"value": [f"ask_{n}:{api.interrupt(f'Question {n}?')}"]}

            return node

        executor = api.StateGraph(Value)
        executor.add_node("step_a", step_a)
        executor.add_node("ask_1", ask(1))
        executor.add_node("ask_2", ask(2))
        executor.add_edge(api.START, "step_a")
        executor.add_edge("step_a", "ask_1")
        executor.add_edge("ask_1", "ask_2")
        builder = api.StateGraph(Value)
        builder.add_node("executor", executor.compile(checkpointer=True))
        builder.add_edge(api.START, "executor")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        graph.invoke({"value": []}, config)
        graph.invoke(api.Command(resume="one"), config)
        at_second = graph.get_state(config, subgraphs=True).tasks[0].state.config
        done = graph.invoke(api.Command(resume="two"), config)
        called.clear()
        replayed = plain(graph.invoke(None, at_second))
        replay_calls = list(called)
        answered = graph.invoke(api.Command(resume="again"), at_second)
        return {
            "done": done,
            "replayed": replayed,
            "replay_calls": replay_calls,
            "answered": answered,
        }

    seen = same(scenario)
    assert seen["replay_calls"] == ["ask_2"]
    assert seen["answered"] == {"value": ["a", "ask_1:one", "ask_2:again"]}


def test_messages_stream_does_not_resend_input_or_streamed_messages():
    """A node passing on the whole state (input message and an earlier reply included)
    sends nothing again on the ``messages`` stream."""
    from langchain_core.messages import AIMessage as LangChainAIMessage

    def scenario(api: Api):
        builder = api.StateGraph(api.MessagesState)
        builder.add_node("reply", lambda s: {"messages": LangChainAIMessage("hi", id="1")})
        builder.add_node("echo", lambda s: s)
        builder.add_edge(api.START, "reply")
        builder.add_edge("reply", "echo")
        return [
            (m.type, m.content, meta["langgraph_node"])
            for m, meta in builder.compile().stream({"messages": "hello"}, stream_mode="messages")
        ]

    assert same(scenario) == [("ai", "hi", "reply")]


def test_stateful_subgraph_replayed_by_its_parent_starts_from_its_state_back_then():
    """Parent replay from before the subgraph's second run: the ``checkpointer=True``
    subgraph starts from what it had after its first run, not from its latest state."""

    class Sub(TypedDict):
        value: Annotated[list, operator.add]

    class Parent(TypedDict):
        results: Annotated[list, operator.add]

    def scenario(api: Api):
        started = []

        def step(name: str):
            def node(state):
                started.append((name, list(state["value"])))
                return {"value": [f"{name}:{api.interrupt(name)}"]}

            return node

        sub = api.StateGraph(Sub)
        sub.add_node("step_a", step("a"))
        sub.add_node("step_b", step("b"))
        sub.add_edge(api.START, "step_a")
        sub.add_edge("step_a", "step_b")
        builder = api.StateGraph(Parent)
        builder.add_node("parent_node", lambda s: {"results": ["p"]})
        builder.add_node("sub_node", sub.compile(checkpointer=True))
        builder.add_edge(api.START, "parent_node")
        builder.add_edge("parent_node", "sub_node")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        for turn in (
            {"results": []},
            api.Command(resume="a1"),
            api.Command(resume="b1"),
            {"results": []},
            api.Command(resume="a2"),
            api.Command(resume="b2"),
        ):
            graph.invoke(turn, config)
        before_second = next(s for s in graph.get_state_history(config) if s.next == ("sub_node",))
        started.clear()
        replay = plain(graph.invoke(None, before_second.config))
        return {"replay": replay, "started": started}

    assert same(scenario)["started"] == [("a", ["a:a1", "b:b1"])]


def test_saver_read_api_lists_and_gets_checkpoint_tuples():
    """LangGraph code reads a checkpointer with configs: ``list(config, limit=, before=,
    filter=)``, ``get_tuple``, ``get`` (the checkpoint dict) give the same checkpoints,
    parents, metadata and channel values on both engines."""

    def scenario(api: Api):
        graph = _two_nodes(api)
        saver = graph.checkpointer
        config = thread("t")
        graph.invoke({"foo": "a"}, config)
        tuples = list(saver.list(config))
        ids = [t.config["configurable"]["checkpoint_id"] for t in tuples]
        parents = [
            t.parent_config["configurable"]["checkpoint_id"] if t.parent_config else None
            for t in tuples
        ]
        latest = saver.get_tuple(config)
        second = saver.get_tuple({"configurable": {"thread_id": "t", "checkpoint_id": ids[1]}})
        return {
            "count": len(tuples),
            "parents_are_next_in_list": parents == [*ids[1:], None],
            "metadata": [{k: t.metadata[k] for k in ("source", "step")} for t in tuples],
            # the input checkpoint's values differ (LangGraph: none yet; ours: the
            # channels' empty values), as they do in get_state_history
            "values": [t.checkpoint["channel_values"].get("foo") for t in tuples[:-1]],
            "latest_is_first": latest.config["configurable"]["checkpoint_id"] == ids[0],
            "latest_ns": latest.config["configurable"]["checkpoint_ns"],
            "second_values": second.checkpoint["channel_values"].get("foo"),
            "limit_2": len(list(saver.list(config, limit=2))),
            "before": [
                t.metadata["step"]
                for t in saver.list(config, before={"configurable": {"checkpoint_id": ids[1]}})
            ],
            "filter_input": [
                t.metadata["step"] for t in saver.list(config, filter={"source": "input"})
            ],
            "get": saver.get(config)["channel_values"]["foo"],
            "ts_is_text": isinstance(latest.checkpoint["ts"], str),
            "pending": latest.pending_writes,
            "unknown_thread": saver.get_tuple(thread("nobody")),
            "async": asyncio.run(_alist_and_aget(saver, config)),
        }

    seen = same(scenario)
    assert seen["values"] == ["a|node-1|node-2", "a|node-1", "a"]


async def _alist_and_aget(saver, config):
    listed = [t.metadata["step"] async for t in saver.alist(config, limit=3)]
    latest = await saver.aget_tuple(config)
    return listed, latest.metadata["step"], (await saver.aget(config))["channel_values"]["foo"]


def test_saver_pending_writes_show_a_finished_sibling_and_an_error():
    """A step where one task finished and its sibling raised: ``get_tuple`` of the thread
    lists the finished task's write and the sibling's error as pending writes."""

    class Total(TypedDict):
        value: Annotated[int, operator.add]

    def scenario(api: Api):
        def two(state):
            raise ConnectionError("down")

        builder = api.StateGraph(Total)
        builder.add_node("one", lambda s: {"value": 2})
        builder.add_node("two", two)
        builder.add_edge(api.START, "one")
        builder.add_edge(api.START, "two")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        with pytest.raises(ConnectionError):
            graph.invoke({"value": 1}, config)
        writes = graph.checkpointer.get_tuple(config).pending_writes
        by_task = {}
        for task_id, channel, value in writes:
            by_task.setdefault(task_id, []).append(
                channel if channel == "__error__" else (channel, value)
            )
        return sorted(sorted(map(str, v)) for v in by_task.values())

    assert same(scenario) == [["('value', 2)"], ["__error__"]]


def test_a_paused_steps_record_shows_the_values_it_started_from():
    """A finished sibling's write shows in the thread's live ``get_state`` but not in the
    step's record (``get_state`` by checkpoint id, history), which lists every task."""

    class Vals(TypedDict):
        vals: Annotated[list, operator.add]

    def scenario(api: Api):
        def ask(state):
            return {"vals": [api.interrupt("q")]}

        builder = api.StateGraph(Vals)
        builder.add_node("ask", ask)
        builder.add_node("work", lambda s: {"vals": ["work"]})
        builder.add_edge(api.START, "ask")
        builder.add_edge(api.START, "work")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        graph.invoke({}, config)
        live = graph.get_state(config)
        record = graph.get_state(live.config)
        latest = next(iter(graph.get_state_history(config)))
        return {
            "live": (live.values, live.next),
            "record": (record.values, record.next),
            "history": (latest.values, latest.next),
        }

    seen = same(scenario)
    assert seen["record"] == ({"vals": []}, ("ask", "work"))


def _drawn(graph, **options) -> dict:
    """What a user reads off ``get_graph()``: the edges and the Mermaid text, both ways."""
    drawn = graph.get_graph(**options)
    return {
        "edges": [tuple(e) for e in drawn.edges],
        "plain": drawn.draw_mermaid(with_styles=False),
        "styled": drawn.draw_mermaid(),
    }


def test_draw_mermaid_writes_langgraphs_text():
    """Edges in LangGraph's order (sorted, then the ends of the graph), labelled and
    conditional edges, a breakpoint in the node's label, names that need escaping."""

    class Route(TypedDict):
        n: int

    def scenario(api: Api):
        builder = api.StateGraph(Route)
        builder.add_node("fetch data", lambda s: {"n": 1})
        builder.add_node("b", lambda s: {"n": 2})
        builder.add_node("_c_", lambda s: {"n": 3})
        builder.add_node("d", lambda s: {"n": 4})
        builder.add_edge(api.START, "fetch data")
        builder.add_conditional_edges(
            "fetch data",
            lambda s: "left",
            {"left": "b", "right side of the graph that is long enough to wrap": "_c_"},
        )
        builder.add_edge("b", "d")
        builder.add_edge("_c_", "d")
        graph = builder.compile(checkpointer=api.InMemorySaver(), interrupt_before=["d"])
        return _drawn(graph)

    seen = same(scenario)
    assert seen["plain"].startswith("graph TD;\n\t__start__ --> fetch\\20data;\n")


class _Text(TypedDict):
    text: str


def _subgraph_then_side(api: Api):
    """A parent whose first node is a two-node compiled subgraph, then a plain node."""
    inner = api.StateGraph(_Text)
    inner.add_node("up", lambda s: {"text": s["text"].upper()})
    inner.add_node("down", lambda s: {"text": s["text"].lower()})
    inner.add_edge(api.START, "up")
    inner.add_edge("up", "down")
    builder = api.StateGraph(_Text)
    builder.add_node("inner", inner.compile())
    builder.add_node("side", lambda s: {"text": s["text"] + "!"})
    builder.add_edge(api.START, "inner")
    builder.add_edge("inner", "side")
    return builder.compile()


def test_draw_mermaid_of_a_subgraph_with_xray():
    """``get_graph(xray=True)`` draws a subgraph's nodes in a ``subgraph`` block, the
    parent's edges going straight to its first node and from its last."""

    def scenario(api: Api):
        graph = _subgraph_then_side(api)
        return {"flat": _drawn(graph), "xray": _drawn(graph, xray=True)}

    seen = same(scenario)
    assert "\tsubgraph inner\n" in seen["xray"]["styled"]


def test_xray_subgraph_nodes_in_graph_json():
    """With ``xray`` a subgraph's nodes appear as ``parent:child`` ids in ``to_json()``."""
    same(lambda api: _subgraph_then_side(api).get_graph(xray=True).to_json())


def test_get_graph_edges_of_command_destinations_carry_their_labels():
    """``add_node(..., destinations={"b": "yes", "c": "no"})`` draws labelled conditional
    edges to each destination."""

    class Foo(TypedDict):
        foo: str

    def scenario(api: Api):
        builder = api.StateGraph(Foo)
        builder.add_node("a", lambda s: api.Command(goto="b"), destinations={"b": "yes", "c": "no"})
        builder.add_node("b", lambda s: {"foo": "b"})
        builder.add_node("c", lambda s: {"foo": "c"})
        builder.add_edge(api.START, "a")
        return _drawn(builder.compile())

    seen = same(scenario)
    assert ("a", "b", "yes", True) in seen["edges"]


def test_state_messages_compare_equal_to_langchain_messages():
    """Code written for LangGraph compares a state's messages with LangChain's classes:
    ``result["messages"] == [HumanMessage(...)]`` holds on our engine too (both ways)."""
    from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

    def scenario(api: Api):
        def reply(state):
            return {
                "messages": [
                    {
                        "role": "assistant",
                        "content": "",
                        "tool_calls": [{"name": "look", "args": {"q": 1}, "id": "call-1"}],
                    },
                    {"role": "tool", "content": "found", "tool_call_id": "call-1"},
                ]
            }

        builder = api.StateGraph(api.MessagesState)
        builder.add_node("reply", reply)
        builder.add_edge(api.START, "reply")
        result = builder.compile().invoke({"messages": [("user", "hi")]})
        human, ai, tool = result["messages"]
        expected = [
            HumanMessage("hi", id=human.id),
            AIMessage(
                "", id=ai.id, tool_calls=[{"name": "look", "args": {"q": 1}, "id": "call-1"}]
            ),
            ToolMessage("found", tool_call_id="call-1", id=tool.id),
        ]
        return {
            "equal": result["messages"] == expected,
            "reflected": expected == result["messages"],
            "other_content": result["messages"][0] == HumanMessage("bye", id=human.id),
            "other_type": result["messages"][0] == AIMessage("hi", id=human.id),
        }

    assert same(scenario) == {
        "equal": True,
        "reflected": True,
        "other_content": False,
        "other_type": False,
    }


def test_send_tasks_paths_in_get_state():
    """Paused before the nodes two ``Send``s started, ``get_state`` lists each task with
    LangGraph's path ``("__pregel_push", index among the sends, False)``."""

    class Items(TypedDict):
        items: Annotated[list, operator.add]

    def scenario(api: Api):
        builder = api.StateGraph(Items)
        builder.add_node("plan", lambda s: {"items": ["p"]})
        builder.add_node("work", lambda arg: {"items": [arg]})
        builder.add_edge(api.START, "plan")
        builder.add_conditional_edges(
            "plan", lambda s: [api.Send("work", "a"), api.Send("work", "b")], ["work"]
        )
        graph = builder.compile(checkpointer=api.InMemorySaver(), interrupt_before=["work"])
        config = thread("t")
        graph.invoke({"items": []}, config)
        return [(t.name, t.path) for t in graph.get_state(config).tasks]

    assert same(scenario) == [
        ("work", ("__pregel_push", 0, False)),
        ("work", ("__pregel_push", 1, False)),
    ]


@pytest.mark.parametrize("with_checkpointer", [False, True])
def test_tasks_stream_has_no_input_task(with_checkpointer):
    """``stream_mode="tasks"`` reports the nodes that ran, not the input being applied:
    no ``__start__`` task, and a failing node's result carries its error."""

    class X(TypedDict):
        x: str

    def scenario(api: Api):
        def failing(state):
            raise ValueError("boom")

        builder = api.StateGraph(X)
        builder.add_node("ok", lambda s: {"x": "a"})
        builder.add_node("failing", failing)
        builder.add_edge(api.START, "ok")
        builder.add_edge("ok", "failing")
        graph = builder.compile(checkpointer=api.InMemorySaver() if with_checkpointer else None)
        seen = []
        with pytest.raises(ValueError, match="boom"):
            for chunk in graph.stream({"x": ""}, thread("t"), stream_mode="tasks"):
                kind = "result" if "result" in chunk else "start"
                seen.append((chunk["name"], kind, type(chunk.get("error")).__name__))
        return seen

    assert same(scenario)[0][0] == "ok"


def test_durability_exit_saves_no_checkpoints_of_a_finished_subgraph():
    """``durability="exit"``: only the root graph's last checkpoint is written (a subgraph
    that finished leaves none), and the debug stream's last checkpoint names the same
    parent as the history."""

    class Log(TypedDict):
        log: Annotated[list, operator.add]

    def scenario(api: Api):
        child = api.StateGraph(Log)
        child.add_node("c", lambda s: {"log": ["c"]})
        child.add_edge(api.START, "c")
        parent = api.StateGraph(Log)
        parent.add_node("p", lambda s: {"log": ["p"]})
        parent.add_node("sub", child.compile())
        parent.add_edge(api.START, "p")
        parent.add_edge("p", "sub")
        graph = parent.compile(checkpointer=api.InMemorySaver())
        config = thread("t")
        events = list(
            graph.stream(
                {"log": []}, config, stream_mode="debug", durability="exit", subgraphs=True
            )
        )
        last = [e["payload"] for ns, e in events if not ns and e["type"] == "checkpoint"][-1]
        (saved,) = graph.get_state_history(config)
        namespaces = {
            t.config["configurable"]["checkpoint_ns"] for t in graph.checkpointer.list(config)
        }
        return {
            "values": saved.values,
            "namespaces": sorted(namespaces),
            "parents": (last["parent_config"], saved.parent_config),
        }

    assert same(scenario)["namespaces"] == [""]


def test_an_input_that_writes_nothing_streams_no_values_for_it():
    """``stream({}, stream_mode="values")`` starts with the first node's values: an input
    that writes no key shows no state of its own (a non-empty one does)."""

    class AB(TypedDict, total=False):
        a: str
        b: str

    def scenario(api: Api):
        builder = api.StateGraph(AB)
        builder.add_node("n", lambda s: {"a": "x"})
        builder.add_edge(api.START, "n")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        return [
            list(graph.stream({}, thread("1"), stream_mode="values")),
            list(graph.stream({"b": "y"}, thread("2"), stream_mode="values")),
            list(graph.stream({}, thread("1"), stream_mode="values")),
            list(builder.compile().stream({}, stream_mode="values")),
        ]

    assert same(scenario)[0] == [{"a": "x"}]


def test_a_state_class_with_only_a_root_key_is_one_value():
    """LangGraph's older spelling of a one-value state, a class whose only key is
    ``__root__``: nodes get and return the value itself, as for ``Annotated[list, ...]``."""

    def scenario(api: Api):
        class State(TypedDict):
            __root__: Annotated[list, operator.add]

        def grow(items: list) -> list:
            return [len(items)]

        builder = api.StateGraph(State)
        builder.add_node("grow", grow)
        builder.add_node("again", grow)
        builder.add_edge(api.START, "grow")
        builder.add_edge("grow", "again")
        graph = builder.compile(checkpointer=api.InMemorySaver())
        config = {"configurable": {"thread_id": "1"}}
        return {
            "result": graph.invoke(["a"], config),
            "updates": [*graph.stream(["b"], {"configurable": {"thread_id": "2"}})],
            "state": graph.get_state(config).values,
        }

    seen = same(scenario)
    assert seen["result"] == ["a", 1, 2]
