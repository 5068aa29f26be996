"""Seed 000 (LangChain blog + its Chinese walkthrough): every Python sample runs on our
engine with only its imports changed; undefined helpers are filled in minimally."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict

from hitl_notebook import END, START, Command, InMemorySaver, MessagesState, StateGraph, interrupt


def test_blog_input_style_interrupt_and_resume():
    """`response = interrupt("Your question here")` then `invoke(Command(resume=...), thread)`."""

    class State(TypedDict):
        response: str

    def ask(state: State):
        response = interrupt("Your question here")
        return {"response": response}

    graph = (
        StateGraph(State)
        .add_node("ask", ask)
        .add_edge(START, "ask")
        .compile(checkpointer=InMemorySaver())
    )
    thread = {"configurable": {"thread_id": "blog"}}
    first = graph.invoke({"response": ""}, thread)
    assert first["__interrupt__"][0].value == "Your question here"
    assert graph.invoke(Command(resume="Your response here"), thread) == {
        "response": "Your response here"
    }


def test_review_and_edit_state_sample():
    """human_editing: interrupt with the LLM summary, resume with the edited text.

    As printed the node reads result["编辑后的文本"] while the resume sends "edited_text"
    (a mismatched key); we run the evident intent: read "edited_text"."""

    class State(TypedDict):
        messages: str

    def human_editing(state: State):
        result = interrupt(
            {
                "task": "审查大模型的输出,来进行必要的修改.",
                "llm_generated_summary": state["messages"],
            }
        )
        return {"messages": result["edited_text"]}

    graph_builder = StateGraph(State)
    graph_builder.add_node("human_editing", human_editing)
    graph_builder.add_edge(START, "human_editing")
    checkpointer = InMemorySaver()
    graph = graph_builder.compile(checkpointer=checkpointer)
    thread_config = {"configurable": {"thread_id": "some_id"}}
    paused = graph.invoke({"messages": "draft summary"}, thread_config)
    assert paused["__interrupt__"][0].value["llm_generated_summary"] == "draft summary"
    out = graph.invoke(Command(resume={"edited_text": "The edited text"}), config=thread_config)
    assert out == {"messages": "The edited text"}


def _tool_review_graph():
    class State(MessagesState):
        pass

    tool_call = {
        "name": "search",
        "args": {"query": "weather in SF"},
        "id": "call_1",
        "type": "tool_call",
    }
    runs: list[str] = []

    def call_llm(state):
        runs.append("call_llm")
        return {
            "messages": [
                {"role": "ai", "content": "", "tool_calls": [tool_call], "id": f"ai-{len(runs)}"}
            ]
        }

    def get_updated_msg(review_data):
        last = review_data["message"]
        return {
            "role": "ai",
            "content": "",
            "id": last,
            "tool_calls": [{**tool_call, "args": review_data["args"]}],
        }

    def get_feedback_msg(review_data):
        return {"role": "tool", "content": review_data, "tool_call_id": tool_call["id"]}

    def human_review_node(state) -> Command[Literal["call_llm", "run_tool"]]:
        human_review = interrupt({"question": "Is this correct?", "tool_call": tool_call})
        review_action, review_data = human_review
        if review_action == "continue":
            return Command(goto="run_tool")
        elif review_action == "update":
            updated_message = get_updated_msg({**review_data, "message": state["messages"][-1].id})
            return Command(goto="run_tool", update={"messages": [updated_message]})
        elif review_action == "feedback":
            feedback_msg = get_feedback_msg(review_data)
            return Command(goto="call_llm", update={"messages": [feedback_msg]})

    def run_tool(state):
        call = state["messages"][-1].tool_calls[0]
        return {
            "messages": [
                {
                    "role": "tool",
                    "content": f"ran {call['args']['query']}",
                    "tool_call_id": call["id"],
                }
            ]
        }

    builder = StateGraph(State)
    builder.add_node("call_llm", call_llm)
    builder.add_node("human_review_node", human_review_node)
    builder.add_node("run_tool", run_tool)
    builder.add_edge(START, "call_llm")
    builder.add_edge("call_llm", "human_review_node")
    builder.add_edge("run_tool", END)
    return builder.compile(checkpointer=InMemorySaver()), runs


def test_tool_call_review_continue():
    """'continue' approves the tool call and routes to run_tool."""
    graph, _ = _tool_review_graph()
    cfg = {"configurable": {"thread_id": "t"}}
    assert (
        graph.invoke({"messages": [("user", "weather?")]}, cfg)["__interrupt__"][0].value[
            "question"
        ]
        == "Is this correct?"
    )
    out = graph.invoke(Command(resume=("continue", None)), cfg)
    assert out["messages"][-1].content == "ran weather in SF"


def test_tool_call_review_update_replaces_message_by_id():
    """'update' rewrites the AI message in place (same id) and runs the edited call."""
    graph, _ = _tool_review_graph()
    cfg = {"configurable": {"thread_id": "t"}}
    graph.invoke({"messages": [("user", "weather?")]}, cfg)
    out = graph.invoke(Command(resume=("update", {"args": {"query": "weather in LA"}})), cfg)
    assert [m.type for m in out["messages"]] == ["human", "ai", "tool"]
    assert out["messages"][1].tool_calls[0]["args"] == {"query": "weather in LA"}
    assert out["messages"][-1].content == "ran weather in LA"


def test_tool_call_review_feedback_loops_back_to_llm():
    """'feedback' adds a tool message and routes back to call_llm, which asks again."""
    graph, runs = _tool_review_graph()
    cfg = {"configurable": {"thread_id": "t"}}
    graph.invoke({"messages": [("user", "weather?")]}, cfg)
    again = graph.invoke(Command(resume=("feedback", "use celsius")), cfg)
    assert runs == ["call_llm", "call_llm"]
    assert "__interrupt__" in again
    assert any(m.type == "tool" and m.content == "use celsius" for m in again["messages"])


def test_multi_turn_human_input_node():
    """The human_input node loops with an agent: each resume adds a human message."""

    class State(TypedDict):
        messages: Annotated[list, operator.add]

    def human_input(state: State):
        human_message = interrupt("human_input")
        return {"messages": [{"role": "human", "content": human_message}]}

    def agent(state: State):
        said = state["messages"][-1]["content"]
        return {"messages": [{"role": "ai", "content": f"echo {said}"}]}

    def route(state: State):
        return END if state["messages"][-1]["content"] == "echo bye" else "human_input"

    graph_builder = StateGraph(State)
    graph_builder.add_node("human_input", human_input)
    graph_builder.add_node("agent", agent)
    graph_builder.add_edge(START, "human_input")
    graph_builder.add_edge("human_input", "agent")
    graph_builder.add_conditional_edges("agent", route)
    graph = graph_builder.compile(checkpointer=InMemorySaver())
    thread_config = {"configurable": {"thread_id": "chat"}}
    graph.invoke({"messages": []}, thread_config)
    middle = graph.invoke(Command(resume="hello!"), config=thread_config)
    assert middle["messages"][-1] == {"role": "ai", "content": "echo hello!"}
    assert middle["__interrupt__"][0].value == "human_input"
    done = graph.invoke(Command(resume="bye"), config=thread_config)
    assert "__interrupt__" not in done
    assert [m["content"] for m in done["messages"]] == ["hello!", "echo hello!", "bye", "echo bye"]


def test_single_human_node_routes_to_active_agent():
    """One human node collects input and routes with Command(goto=active_agent)."""

    class State(MessagesState):
        active: str

    def human_node(state: MessagesState) -> Command[Literal["agent_1", "agent_2"]]:
        """A node for collecting user input."""
        user_input = interrupt(value="Ready for user input.")
        active_agent = state["active"]
        return Command(
            update={"messages": [{"role": "human", "content": user_input}]}, goto=active_agent
        )

    def agent_1(state):
        return {"messages": [{"role": "ai", "content": "agent 1 here"}]}

    def agent_2(state):
        return {"messages": [{"role": "ai", "content": "agent 2 here"}]}

    graph = (
        StateGraph(State)
        .add_node("human_node", human_node)
        .add_node("agent_1", agent_1)
        .add_node("agent_2", agent_2)
        .add_edge(START, "human_node")
        .compile(checkpointer=InMemorySaver())
    )
    cfg = {"configurable": {"thread_id": "x"}}
    graph.invoke({"messages": [], "active": "agent_2"}, cfg)
    out = graph.invoke(Command(resume="hi"), cfg)
    assert [m.content for m in out["messages"]] == ["hi", "agent 2 here"]
