"""ScriptedChatModel: deterministic replies so notebooks run without keys or network."""

import pytest

from hitl_notebook import AIMessage, HumanMessage, ScriptedChatModel


def test_replies_in_order_and_records_calls():
    """Each invoke returns the next reply and records the conversation it saw."""
    model = ScriptedChatModel(["first", "second"])
    assert model.invoke("hi").content == "first"
    assert model.invoke([HumanMessage("again")]).content == "second"
    assert [m.content for m in model.calls[1]] == ["again"]


def test_tool_call_reply_shorthand():
    """A dict reply with tool_calls becomes an AIMessage with complete tool calls."""
    model = ScriptedChatModel([{"tool_calls": [{"name": "search", "args": {"q": "sf"}}]}])
    reply = model.invoke([("user", "weather?")])
    assert isinstance(reply, AIMessage)
    assert reply.tool_calls[0]["name"] == "search" and reply.tool_calls[0]["args"] == {"q": "sf"}
    assert reply.tool_calls[0]["id"]


def test_function_reply_sees_the_conversation():
    """A callable reply is computed from the conversation."""
    model = ScriptedChatModel([lambda msgs: f"you said {msgs[-1].content}"])
    assert model.invoke("ping").content == "you said ping"


def test_running_out_is_a_clear_error_unless_repeating():
    """An exhausted script says so; repeat=True cycles."""
    model = ScriptedChatModel(["only"])
    model.invoke("a")
    with pytest.raises(RuntimeError, match="ran out of replies"):
        model.invoke("b")
    looping = ScriptedChatModel(["x", "y"], repeat=True)
    assert [looping.invoke("q").content for _ in range(3)] == ["x", "y", "x"]


def test_bind_tools_returns_the_model():
    """bind_tools records tools and keeps the same script, like a real model's binding."""
    model = ScriptedChatModel(["ok"])
    assert model.bind_tools(["tool"]) is model and model.tools == ["tool"]
