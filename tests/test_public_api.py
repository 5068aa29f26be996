"""The public API is exactly what __init__ exports: adding or removing a name is a decision."""

import hitl_notebook

EXPECTED = {
    "END", "START", "AIMessage", "BaseCheckpointSaver", "BaseMessage", "Command", "CompiledStateGraph",
    "DeserializationError", "EmptyInputError", "GraphRecursionError", "GraphValidationError", "HITLWarning",
    "HumanMessage", "InMemorySaver", "Interrupt", "InvalidUpdateError", "MemorySaver", "MessagesState",
    "NodeInterrupt", "PregelTask", "RemoveMessage", "ResumeError", "ScriptedChatModel", "Send", "SerializationError", "StateGraph",
    "StateSnapshot", "SystemMessage", "ToolMessage", "add_messages", "get_config", "get_stream_writer",
    "interrupt", "register_type",
}


def test_all_is_pinned():
    """__all__ lists exactly the supported names."""
    assert set(hitl_notebook.__all__) == EXPECTED
    assert len(hitl_notebook.__all__) == len(set(hitl_notebook.__all__))


def test_every_exported_name_exists():
    """Every name in __all__ is importable from the package."""
    for name in hitl_notebook.__all__:
        assert getattr(hitl_notebook, name) is not None


def test_memory_saver_is_the_in_memory_saver():
    """MemorySaver is LangGraph's older name for InMemorySaver."""
    assert hitl_notebook.MemorySaver is hitl_notebook.InMemorySaver
