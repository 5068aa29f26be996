"""LangGraph's prebuilt agent pieces (``langgraph.prebuilt``): run an AI message's tool calls
as a node, and route to it."""

from .tool_node import ToolNode
from .tools_condition import tools_condition


def __getattr__(name: str):
    """The injection markers subclass LangChain's when it is installed, which is slow to
    import: they load only when asked for."""
    if name in ("InjectedState", "InjectedToolCallId"):
        from . import injected

        return getattr(injected, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["InjectedState", "InjectedToolCallId", "ToolNode", "tools_condition"]
