"""Seed 003 (the langgraph-human-in-the-loop skill): approval, review-and-route, validation
loops, parallel interrupts resumed by id, idempotency, and subgraph re-execution."""

from __future__ import annotations

import operator
from typing import Annotated, Literal, TypedDict

from hitl_notebook import END, START, Command, InMemorySaver, StateGraph, interrupt


def test_approval_node_chained_builder():
    """The basic approval sample, built with the chained builder API."""

    class State(TypedDict):
        approved: bool

    def approval_node(state: State):
        approved = interrupt("Do you approve this action?")
        return {"approved": approved}

    checkpointer = InMemorySaver()
    graph = (
        StateGraph(State)
        .add_node("approval", approval_node)
        .add_edge(START, "approval")
        .add_edge("approval", END)
        .compile(checkpointer=checkpointer)
    )
    config = {"configurable": {"thread_id": "thread-1"}}
    result = graph.invoke({"approved": False}, config)
    print(result["__interrupt__"])
    assert [i.value for i in result["__interrupt__"]] == ["Do you approve this action?"]
    result = graph.invoke(Command(resume=True), config)
    print(result["approved"])
    assert result["approved"] is True


def _email_graph():
    class EmailAgentState(TypedDict):
        email_content: str
        draft_response: str
        classification: dict

    sent: list[str] = []

    def human_review(state: EmailAgentState) -> Command[Literal["send_reply", "END"]]:
        """Pause for human review using interrupt and route based on decision."""
        classification = state.get("classification", {})
        human_decision = interrupt(
            {
                "email_id": state.get("email_content", ""),
                "draft_response": state.get("draft_response", ""),
                "urgency": classification.get("urgency"),
                "action": "Please review and approve/edit this response",
            }
        )
        if human_decision.get("approved"):
            return Command(
                update={
                    "draft_response": human_decision.get(
                        "edited_response", state.get("draft_response", "")
                    )
                },
                goto="send_reply",
            )
        else:
            return Command(update={}, goto=END)

    def send_reply(state: EmailAgentState):
        sent.append(state["draft_response"])
        return {}

    graph = (
        StateGraph(EmailAgentState)
        .add_node("human_review", human_review)
        .add_node("send_reply", send_reply)
        .add_edge(START, "human_review")
        .compile(checkpointer=InMemorySaver())
    )
    return graph, sent


def test_email_review_dict_answer_is_the_answer_itself():
    """With one interrupt pending, a dict resume value is the human's answer (not an id map)."""
    graph, sent = _email_graph()
    config = {"configurable": {"thread_id": "e1"}}
    paused = graph.invoke(
        {"email_content": "hi", "draft_response": "Thanks!", "classification": {"urgency": "high"}},
        config,
    )
    assert paused["__interrupt__"][0].value["urgency"] == "high"
    graph.invoke(Command(resume={"approved": True, "edited_response": "Thanks a lot!"}), config)
    assert sent == ["Thanks a lot!"]


def test_email_review_rejected_goes_to_end():
    """Rejecting returns Command(goto=END): nothing is sent."""
    graph, sent = _email_graph()
    config = {"configurable": {"thread_id": "e2"}}
    graph.invoke({"email_content": "hi", "draft_response": "Thanks!", "classification": {}}, config)
    out = graph.invoke(Command(resume={"approved": False}), config)
    assert sent == [] and out["draft_response"] == "Thanks!"
    assert graph.get_state(config).next == ()


def test_validation_loop_reasks_until_valid():
    """get_age_node re-interrupts with a clearer prompt until the answer is valid."""

    class State(TypedDict):
        age: int | None

    def get_age_node(state):
        prompt = "What is your age?"
        while True:
            answer = interrupt(prompt)
            if isinstance(answer, int) and answer > 0:
                break
            else:
                prompt = f"'{answer}' is not a valid age. Please enter a positive number."
        return {"age": answer}

    graph = (
        StateGraph(State)
        .add_node("get_age", get_age_node)
        .add_edge(START, "get_age")
        .compile(checkpointer=InMemorySaver())
    )
    config = {"configurable": {"thread_id": "form-1"}}
    first = graph.invoke({"age": None}, config)
    assert first["__interrupt__"][0].value == "What is your age?"
    retry = graph.invoke(Command(resume="thirty"), config)
    assert (
        retry["__interrupt__"][0].value
        == "'thirty' is not a valid age. Please enter a positive number."
    )
    assert retry["__interrupt__"][0].id != first["__interrupt__"][0].id
    final = graph.invoke(Command(resume=30), config)
    print(final["age"])
    assert final["age"] == 30


def test_parallel_interrupts_resumed_with_an_id_map():
    """Both parallel branches pause; one Command maps each interrupt id to its answer."""

    class State(TypedDict):
        vals: Annotated[list[str], operator.add]

    def node_a(state):
        answer = interrupt("question_a")
        return {"vals": [f"a:{answer}"]}

    def node_b(state):
        answer = interrupt("question_b")
        return {"vals": [f"b:{answer}"]}

    graph = (
        StateGraph(State)
        .add_node("a", node_a)
        .add_node("b", node_b)
        .add_edge(START, "a")
        .add_edge(START, "b")
        .add_edge("a", END)
        .add_edge("b", END)
        .compile(checkpointer=InMemorySaver())
    )
    config = {"configurable": {"thread_id": "1"}}
    result = graph.invoke({"vals": []}, config)
    assert sorted(i.value for i in result["__interrupt__"]) == ["question_a", "question_b"]
    resume_map = {i.id: f"answer for {i.value}" for i in result["__interrupt__"]}
    result = graph.invoke(Command(resume=resume_map), config)
    assert result["vals"] == ["a:answer for question_a", "b:answer for question_b"]


def test_idempotent_side_effects_before_and_after_interrupt():
    """Code before interrupt() re-runs on resume (upsert stays single; insert duplicates);
    code after it runs once."""

    class FakeDB:
        def __init__(self) -> None:
            self.users: dict = {}
            self.audit: list = []

        def upsert_user(self, user_id, status):
            self.users[user_id] = status

        def create_audit_log(self, entry=None, **kwargs):
            self.audit.append(entry or kwargs)
            return len(self.audit)

    class State(TypedDict):
        user_id: str
        approved: bool

    def run(node):
        db = FakeDB()
        graph = (
            StateGraph(State)
            .add_node("node_a", node(db))
            .add_edge(START, "node_a")
            .compile(checkpointer=InMemorySaver())
        )
        cfg = {"configurable": {"thread_id": "x"}}
        graph.invoke({"user_id": "u1", "approved": False}, cfg)
        graph.invoke(Command(resume=True), cfg)
        return db

    def good_upsert(db):
        def node_a(state: State):
            db.upsert_user(user_id=state["user_id"], status="pending_approval")
            approved = interrupt("Approve this change?")
            return {"approved": approved}

        return node_a

    def good_after(db):
        def node_a(state: State):
            approved = interrupt("Approve this change?")
            if approved:
                db.create_audit_log(user_id=state["user_id"], action="approved")
            return {"approved": approved}

        return node_a

    def bad_insert(db):
        def node_a(state: State):
            db.create_audit_log({"user_id": state["user_id"], "action": "pending_approval"})
            approved = interrupt("Approve this change?")
            return {"approved": approved}

        return node_a

    assert run(good_upsert).users == {"u1": "pending_approval"}
    assert run(good_after).audit == [{"user_id": "u1", "action": "approved"}]
    assert len(run(bad_insert).audit) == 2, "the pitfall the seed warns about: the insert re-ran"


def test_subgraph_invoked_inside_a_node_reexecutes_parent_and_child():
    """Resuming re-runs the parent node and the subgraph node; the answer reaches the
    subgraph's interrupt() and earlier parent nodes do not re-run."""
    calls: list[str] = []

    class State(TypedDict, total=False):
        name: str
        greeting: str

    def node_in_subgraph(state: State):
        calls.append("subgraph node")
        result = interrupt("What's your name?")
        return {"name": result}

    subgraph = StateGraph(State).add_node("ask", node_in_subgraph).add_edge(START, "ask").compile()

    def before(state: State):
        calls.append("before")
        return {}

    def node_in_parent_graph(state: State):
        calls.append("parent node")
        some_input = {"name": ""}
        subgraph_result = subgraph.invoke(some_input)
        return {"greeting": f"hello {subgraph_result['name']}"}

    parent = (
        StateGraph(State)
        .add_node("before", before)
        .add_node("parent", node_in_parent_graph)
        .add_edge(START, "before")
        .add_edge("before", "parent")
        .compile(checkpointer=InMemorySaver())
    )
    config = {"configurable": {"thread_id": "sub"}}
    paused = parent.invoke({"name": ""}, config)
    assert paused["__interrupt__"][0].value == "What's your name?"
    assert paused["__interrupt__"][0].ns.startswith("parent:")
    done = parent.invoke(Command(resume="Ada"), config)
    assert done["greeting"] == "hello Ada"
    assert calls == ["before", "parent node", "subgraph node", "parent node", "subgraph node"]
