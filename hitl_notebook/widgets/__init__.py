"""Notebook widgets for one thread of a graph: ``show(graph, thread_id=...)``."""

from .runtime import GraphRuntime, LangGraphRuntime, Runtime, as_runtime
from .server_connect import ServerError
from .server_runtime import ServerRuntime
from .session import ActionError, Session, StaleWidgetError
from .widget import ThreadWidget, show

__all__ = [
    "ActionError",
    "GraphRuntime",
    "LangGraphRuntime",
    "Runtime",
    "ServerError",
    "ServerRuntime",
    "Session",
    "StaleWidgetError",
    "ThreadWidget",
    "as_runtime",
    "show",
]
