"""Markers for tool parameters that ``ToolNode`` fills itself instead of the model.

``Annotated[dict, InjectedState]`` gets the graph state, ``Annotated[str,
InjectedState("key")]`` one key of it, ``Annotated[str, InjectedToolCallId]`` the id of
the call being run. With ``langchain_core`` installed they are LangChain's injected-argument
markers too, so a ``@tool`` leaves them out of the schema the model sees.
"""

from __future__ import annotations

__all__ = ["InjectedState", "InjectedToolCallId"]

try:  # LangChain hides parameters marked by subclasses of these from the model.
    from langchain_core.tools import InjectedToolArg as _Base
    from langchain_core.tools import InjectedToolCallId as _CallIdBase
except ImportError:

    class _Base:  # type: ignore[no-redef]
        """Without LangChain, the markers need no base."""

    _CallIdBase = _Base  # type: ignore[misc,assignment]


class InjectedState(_Base):
    """The graph state (or, as ``InjectedState("key")``, one key of it) for a tool parameter."""

    #: How ``ToolNode`` recognises the marker without importing this module.
    hitl_injects = "state"

    def __init__(self, field: str | None = None) -> None:
        #: The state key to pass; ``None`` passes the whole state.
        self.field = field


class InjectedToolCallId(_CallIdBase):
    """The ``id`` of the tool call being run, for a tool parameter (to answer with a
    ``ToolMessage`` or a ``Command`` of its own)."""

    hitl_injects = "tool_call_id"
