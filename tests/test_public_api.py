"""The public API is exactly what __init__ exports: adding or removing a name is a decision."""

import hitl_notebook

EXPECTED = {
    "END",
    "START",
    "REMOVE_ALL_MESSAGES",
    "AIMessage",
    "BaseCheckpointSaver",
    "BaseMessage",
    "CheckpointNotFoundError",
    "CheckpointerRequiredError",
    "CheckpointTuple",
    "Command",
    "Durability",
    "CompiledStateGraph",
    "DeserializationError",
    "ConcurrentUpdateError",
    "EmptyInputError",
    "ExecutionInfo",
    "GraphDrained",
    "GraphOutput",
    "GraphRecursionError",
    "GraphValidationError",
    "HITLError",
    "HITLWarning",
    "HumanMessage",
    "InMemorySaver",
    "InjectedState",
    "InjectedToolCallId",
    "Interrupt",
    "InvalidUpdateError",
    "MemorySaver",
    "MessagesState",
    "NodeInterrupt",
    "OutsideNodeError",
    "Overwrite",
    "PregelTask",
    "RemoveMessage",
    "ResumeError",
    "RetryPolicy",
    "RunControl",
    "Runtime",
    "ScriptedChatModel",
    "Send",
    "SerializationError",
    "StateGraph",
    "StateSnapshot",
    "StateUpdate",
    "StreamMode",
    "StreamWriter",
    "SystemMessage",
    "ThreadRequiredError",
    "ThreadWidget",
    "ToolMessage",
    "ToolNode",
    "UnknownInterruptError",
    "UntrackedValue",
    "add_messages",
    "entrypoint",
    "get_config",
    "get_runtime",
    "get_stream_writer",
    "interrupt",
    "is_invalid_resume",
    "register_type",
    "show",
    "task",
    "to_langchain_messages",
    "tools_condition",
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


def test_importing_the_engine_does_not_load_the_widget_stack():
    """anywidget is imported only when show/ThreadWidget is used (fast headless imports)."""
    import subprocess
    import sys

    code = "import sys, hitl_notebook; print('anywidget' in sys.modules); hitl_notebook.show; print('anywidget' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == ["False", "True"]
