"""hitl-notebook: human-in-the-loop agent graphs, runnable and answerable inside Jupyter.

The engine mirrors LangGraph's API (``StateGraph``, ``interrupt``, ``Command``, checkpoints,
breakpoints, ``update_state``, time travel), so LangGraph code runs with its imports changed.
"""

from .checkpoint.base import BaseCheckpointSaver
from .checkpoint.langgraph_api import CheckpointTuple
from .checkpoint.memory import InMemorySaver
from .checkpoint.serde import DeserializationError, SerializationError, register_type
from .engine.context import get_config, get_runtime, get_stream_writer, interrupt
from .errors import (
    CheckpointerRequiredError,
    CheckpointNotFoundError,
    ConcurrentUpdateError,
    EmptyInputError,
    GraphDrained,
    GraphRecursionError,
    GraphValidationError,
    HITLError,
    HITLWarning,
    InvalidUpdateError,
    OutsideNodeError,
    ResumeError,
    ThreadRequiredError,
    UnknownInterruptError,
    is_invalid_resume,
)
from .functional import entrypoint, task
from .graph.builder import END, START, StateGraph
from .graph.channels import UntrackedValue
from .graph.compiled import CompiledStateGraph
from .langchain_messages import to_langchain_messages
from .messages import (
    REMOVE_ALL_MESSAGES,
    AIMessage,
    BaseMessage,
    HumanMessage,
    MessagesState,
    RemoveMessage,
    SystemMessage,
    ToolMessage,
    add_messages,
)
from .prebuilt import ToolNode, tools_condition
from .scripted import ScriptedChatModel
from .types import (
    Command,
    Durability,
    ExecutionInfo,
    GraphOutput,
    Interrupt,
    NodeInterrupt,
    Overwrite,
    PregelTask,
    RetryPolicy,
    RunControl,
    Runtime,
    Send,
    StateSnapshot,
    StateUpdate,
    StreamMode,
    StreamWriter,
)

#: LangGraph's older name for ``InMemorySaver``.
MemorySaver = InMemorySaver


def __getattr__(name: str):
    """``show``/``ThreadWidget`` load the widget stack (anywidget), the IPython hooks of
    ``%load_ext hitl_notebook`` load IPython, and the tool-injection markers load LangChain
    (when installed), only when used."""
    if name in ("show", "ThreadWidget"):
        from . import widgets

        return getattr(widgets, name)
    if name in ("InjectedState", "InjectedToolCallId"):
        from . import prebuilt

        return getattr(prebuilt, name)
    if name in ("load_ipython_extension", "unload_ipython_extension"):
        from . import ipython

        return getattr(ipython, name)
    raise AttributeError(f"module 'hitl_notebook' has no attribute {name!r}")


__version__ = "0.1.0"

__all__ = [
    "END",
    "REMOVE_ALL_MESSAGES",
    "START",
    "AIMessage",
    "BaseCheckpointSaver",
    "BaseMessage",
    "CheckpointNotFoundError",
    "CheckpointTuple",
    "CheckpointerRequiredError",
    "Command",
    "CompiledStateGraph",
    "ConcurrentUpdateError",
    "DeserializationError",
    "Durability",
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
]
