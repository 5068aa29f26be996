"""Seed 002 (LangGraph's interrupt how-to) and seed 004 (the same course text): the samples
run with only their imports changed; undefined helpers (generate_plan, llm, ...) are
filled in with deterministic stand-ins."""

from __future__ import annotations

from typing import TypedDict

import pytest

from hitl_notebook import END, START, Command, InMemorySaver, MemorySaver, StateGraph, interrupt


class State(TypedDict):
    some_text: str


def human_node(state: State):
    value = interrupt({"text_to_revise": state["some_text"]})
    return {"some_text": value}


def test_extended_example_interrupt_and_resume():
    """The extended example: the interrupt surfaces the payload; resume returns the edit."""
    graph_builder = StateGraph(State)
    graph_builder.add_node("human_node", human_node)
    graph_builder.add_edge(START, "human_node")
    graph = graph_builder.compile(checkpointer=InMemorySaver())
    thread = {"configurable": {"thread_id": "t"}}
    result = graph.invoke({"some_text": "original text"}, thread)
    print(result["__interrupt__"])
    assert result["__interrupt__"][0].value == {"text_to_revise": "original text"}
    assert graph.invoke(Command(resume="Edited text"), thread) == {"some_text": "Edited text"}


def test_extended_example_as_printed_has_no_checkpointer_and_says_so():
    """As printed the sample compiles without a checkpointer (the API server adds one);
    locally the interrupt() call fails with a message naming the fix."""
    graph_builder = StateGraph(State)
    graph_builder.add_node("human_node", human_node)
    graph_builder.add_edge(START, "human_node")
    graph = graph_builder.compile()
    with pytest.raises(
        RuntimeError, match="interrupt\\(\\) in node 'human_node' needs a checkpointer"
    ):
        graph.invoke({"some_text": "original text"})


class AgentState(TypedDict):
    task: str
    plan: str
    approved: bool
    result: str


executed: list[str] = []


def generate_plan(task: str) -> str:
    return f"Plan for: {task}"


def execute_plan(plan: str) -> str:
    executed.append(plan)
    return f"done: {plan}"


def plan_node(state: AgentState) -> AgentState:
    """Generate a plan for the task."""
    plan = generate_plan(state["task"])
    return {**state, "plan": plan}


def approval_node(state: AgentState) -> AgentState:
    """Pause and wait for human approval of the plan."""
    human_decision = interrupt(
        {
            "question": "Do you approve this plan?",
            "plan": state["plan"],
            "options": ["approve", "reject", "modify"],
        }
    )
    return {**state, "approved": human_decision == "approve"}


def execute_node(state: AgentState) -> AgentState:
    """Execute only if approved."""
    if not state["approved"]:
        return {**state, "result": "Plan rejected by user."}
    result = execute_plan(state["plan"])
    return {**state, "result": result}


def should_execute(state: AgentState) -> str:
    return "execute" if state["approved"] else END


def _plan_app(**compile_kwargs):
    checkpointer = MemorySaver()
    graph = StateGraph(AgentState)
    graph.add_node("plan", plan_node)
    graph.add_node("approval", approval_node)
    graph.add_node("execute", execute_node)
    graph.set_entry_point("plan")
    graph.add_edge("plan", "approval")
    graph.add_conditional_edges("approval", should_execute, {"execute": "execute", END: END})
    graph.add_edge("execute", END)
    return graph.compile(checkpointer=checkpointer, **compile_kwargs)


START_INPUT = {
    "task": "Delete all log files older than 30 days from the server",
    "plan": "",
    "approved": False,
    "result": "",
}


@pytest.mark.parametrize(
    "compile_kwargs", [{"interrupt_before": ["approval"]}, {}], ids=["as-printed", "interrupt-only"]
)
def test_plan_approve_execute(compile_kwargs):
    """As printed (breakpoint before approval *and* interrupt() inside it) and with only the
    interrupt(): Command(resume="approve") reaches the node's interrupt() and executes."""
    executed.clear()
    app = _plan_app(**compile_kwargs)
    config = {"configurable": {"thread_id": "task_001"}}
    result = app.invoke(dict(START_INPUT), config)
    print("Agent paused. Plan:", result["plan"])
    assert result["plan"] == "Plan for: Delete all log files older than 30 days from the server"
    assert executed == []
    user_says = "approve"
    final_result = app.invoke(Command(resume=user_says), config)
    print("Result:", final_result["result"])
    assert final_result["result"] == f"done: {result['plan']}"
    assert executed == [result["plan"]]


def test_plan_rejected_ends_without_executing():
    """Rejecting routes to END: nothing is executed."""
    executed.clear()
    app = _plan_app()
    config = {"configurable": {"thread_id": "task_002"}}
    app.invoke(dict(START_INPUT), config)
    final = app.invoke(Command(resume="reject"), config)
    assert final["approved"] is False and final["result"] == "" and executed == []


class _Reply:
    def __init__(self, content: str) -> None:
        self.content = content


class ScriptedLLM:
    """Stands in for the sample's `llm`: answers deterministically."""

    def __init__(self) -> None:
        self.prompts: list[str] = []

    def invoke(self, prompt: str) -> _Reply:
        self.prompts.append(prompt)
        if prompt.startswith("Is this task clear"):
            return _Reply("CLEAR" if "tomorrow" in prompt else "1. Which server?\n2. Which logs?")
        if prompt.startswith("Revise"):
            return _Reply("Revised body")
        return _Reply("Draft body")


def test_email_review_send_cancel_and_revise():
    """The email approval workflow: 'send' approves, other text revises and asks again.

    As printed, review_email writes 'approved'/'needs_review', which EmailState lacks (a
    mismatched key); we add them to the schema, the sample's evident intent."""
    llm = ScriptedLLM()
    outbox: list[dict] = []

    class EmailState(TypedDict, total=False):
        recipient: str
        subject: str
        body: str
        sent: bool
        approved: bool
        needs_review: bool

    def compose_email(state: EmailState) -> EmailState:
        body = llm.invoke(
            f"Write an email to {state['recipient']} about {state['subject']}"
        ).content
        return {**state, "body": body}

    def review_email(state: EmailState) -> EmailState:
        response = interrupt(
            {
                "message": "Review this email before sending:",
                "to": state["recipient"],
                "subject": state["subject"],
                "body": state["body"],
                "instructions": "Reply with 'send', 'cancel', or provide new instructions",
            }
        )
        if response == "send":
            return {**state, "approved": True}
        elif response == "cancel":
            return {**state, "approved": False}
        else:
            revised_body = llm.invoke(
                f"Revise the email with these changes: {response}\n\nOriginal:\n{state['body']}"
            ).content
            return {**state, "body": revised_body, "needs_review": True}

    def send_email_node(state: EmailState) -> EmailState:
        outbox.append(
            {"to": state["recipient"], "subject": state["subject"], "body": state["body"]}
        )
        return {**state, "sent": True}

    def after_review(state: EmailState) -> str:
        if state.get("needs_review"):
            return "review_again"
        return "send" if state.get("approved") else END

    def clear_flag(state: EmailState) -> EmailState:
        return {"needs_review": False}

    builder = StateGraph(EmailState)
    builder.add_node("compose_email", compose_email)
    builder.add_node("review_email", review_email)
    builder.add_node("clear_flag", clear_flag)
    builder.add_node("send_email_node", send_email_node)
    builder.add_edge(START, "compose_email")
    builder.add_edge("compose_email", "review_email")
    builder.add_conditional_edges(
        "review_email",
        after_review,
        {"review_again": "clear_flag", "send": "send_email_node", END: END},
    )
    builder.add_edge("clear_flag", "review_email")
    app = builder.compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "mail"}}
    first = app.invoke({"recipient": "ann@example.com", "subject": "Q3"}, config)
    assert first["__interrupt__"][0].value["body"] == "Draft body"
    second = app.invoke(Command(resume="make it shorter"), config)
    assert second["__interrupt__"][0].value["body"] == "Revised body"
    done = app.invoke(Command(resume="send"), config)
    assert done["sent"] is True
    assert outbox == [{"to": "ann@example.com", "subject": "Q3", "body": "Revised body"}]


def test_clarification_before_starting():
    """An ambiguous task pauses with questions; the answers enrich the task."""
    llm = ScriptedLLM()

    class ClarifyState(TypedDict, total=False):
        task: str
        needs_clarification: bool

    def clarification_node(state: ClarifyState) -> ClarifyState:
        analysis = llm.invoke(
            f"Is this task clear enough to execute? Task: {state['task']}\n"
            "If yes, respond with 'CLEAR'. If not, list the 2-3 most important clarifying questions."
        ).content
        if analysis.strip() == "CLEAR":
            return {**state, "needs_clarification": False}
        questions = analysis
        human_answers = interrupt(
            {"type": "clarification_needed", "original_task": state["task"], "questions": questions}
        )
        enriched_task = f"{state['task']}\n\nAdditional context:\n{human_answers}"
        return {**state, "task": enriched_task, "needs_clarification": False}

    app = (
        StateGraph(ClarifyState)
        .add_node("clarify", clarification_node)
        .add_edge(START, "clarify")
        .compile(checkpointer=InMemorySaver())
    )
    clear = app.invoke({"task": "Send the report tomorrow"}, {"configurable": {"thread_id": "a"}})
    assert clear == {"task": "Send the report tomorrow", "needs_clarification": False}
    cfg = {"configurable": {"thread_id": "b"}}
    paused = app.invoke({"task": "Clean up logs"}, cfg)
    assert paused["__interrupt__"][0].value["type"] == "clarification_needed"
    out = app.invoke(Command(resume="web-1, nginx logs"), cfg)
    assert out["task"].endswith("Additional context:\nweb-1, nginx logs")


def test_rate_based_interrupts_every_tenth_item():
    """A quality check every 10 items; each resume replays earlier answers and moves on."""
    processed_calls: list[int] = []

    class BatchState(TypedDict, total=False):
        items: list
        processed: list
        error: str

    def process_one(item):
        processed_calls.append(item)
        return item * 2

    def process_items_with_sampling(state: BatchState) -> BatchState:
        processed = []
        for i, item in enumerate(state["items"]):
            result = process_one(item)
            processed.append(result)
            if (i + 1) % 10 == 0:
                human_feedback = interrupt(
                    {
                        "type": "quality_check",
                        "message": f"Sample check after {i + 1} items",
                        "sample_input": item,
                        "sample_output": result,
                        "question": "Does this look correct? Type 'continue' or describe a problem.",
                    }
                )
                if human_feedback != "continue":
                    return {**state, "error": human_feedback, "processed": processed}
        return {**state, "processed": processed}

    app = (
        StateGraph(BatchState)
        .add_node("batch", process_items_with_sampling)
        .add_edge(START, "batch")
        .compile(checkpointer=InMemorySaver())
    )
    cfg = {"configurable": {"thread_id": "batch"}}
    first = app.invoke({"items": list(range(25))}, cfg)
    assert first["__interrupt__"][0].value["message"] == "Sample check after 10 items"
    second = app.invoke(Command(resume="continue"), cfg)
    assert second["__interrupt__"][0].value["message"] == "Sample check after 20 items"
    ids = {first["__interrupt__"][0].id, second["__interrupt__"][0].id}
    assert len(ids) == 2, "two interrupt() call sites in one node get distinct ids"
    done = app.invoke(Command(resume="continue"), cfg)
    assert done["processed"] == [i * 2 for i in range(25)]
    stopped = app.invoke({"items": list(range(25))}, {"configurable": {"thread_id": "b2"}})
    assert "__interrupt__" in stopped
    bad = app.invoke(Command(resume="item 9 is wrong"), {"configurable": {"thread_id": "b2"}})
    assert bad["error"] == "item 9 is wrong" and len(bad["processed"]) == 10


def test_web_application_pattern_endpoints():
    """The FastAPI sample's handlers, called directly: start pauses, resume completes."""
    agent_app = _plan_app()
    agent_sessions: dict = {}
    counter = iter(range(1000))

    def generate_unique_id() -> str:
        return f"thread-{next(counter)}"

    def start_agent(request: dict):
        thread_id = generate_unique_id()
        config = {"configurable": {"thread_id": thread_id}}
        state = agent_app.invoke(request, config)
        if "__interrupt__" in state:
            interrupt_data = state["__interrupt__"][0].value
            return {"thread_id": thread_id, "status": "awaiting_human", "question": interrupt_data}
        return {"thread_id": thread_id, "status": "complete", "result": state}

    def resume_agent(thread_id: str, human_response: dict):
        config = {"configurable": {"thread_id": thread_id}}
        result = agent_app.invoke(Command(resume=human_response["response"]), config)
        if "__interrupt__" in result:
            return {"status": "awaiting_human", "question": result["__interrupt__"][0].value}
        return {"status": "complete", "result": result}

    started = start_agent(dict(START_INPUT))
    assert started["status"] == "awaiting_human"
    assert started["question"]["options"] == ["approve", "reject", "modify"]
    finished = resume_agent(started["thread_id"], {"response": "approve"})
    assert finished["status"] == "complete" and finished["result"]["approved"] is True
    assert agent_sessions == {}
