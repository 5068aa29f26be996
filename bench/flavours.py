"""The two engines under test, behind one shape, so each scenario is written once."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

__all__ = ["ENGINES", "Flavour", "load_flavour"]


@dataclass(frozen=True)
class Flavour:
    """The names a scenario needs, taken from one engine's package."""

    name: str
    StateGraph: Any
    START: Any
    END: Any
    interrupt: Any
    Command: Any
    InMemorySaver: Any
    add_messages: Any
    entrypoint: Any
    task: Any
    MessagesState: Any
    AIMessage: Any
    ToolNode: Any
    tools_condition: Any


#: Engine name -> ``{attribute: (module, name)}`` to import it from.
ENGINES: dict[str, dict[str, tuple[str, str]]] = {
    "ours": {
        attr: ("hitl_notebook", attr)
        for attr in (
            "StateGraph",
            "START",
            "END",
            "interrupt",
            "Command",
            "InMemorySaver",
            "add_messages",
            "entrypoint",
            "task",
            "MessagesState",
            "AIMessage",
            "ToolNode",
            "tools_condition",
        )
    },
    "langgraph": {
        "StateGraph": ("langgraph.graph", "StateGraph"),
        "START": ("langgraph.graph", "START"),
        "END": ("langgraph.graph", "END"),
        "interrupt": ("langgraph.types", "interrupt"),
        "Command": ("langgraph.types", "Command"),
        "InMemorySaver": ("langgraph.checkpoint.memory", "InMemorySaver"),
        "add_messages": ("langgraph.graph.message", "add_messages"),
        "entrypoint": ("langgraph.func", "entrypoint"),
        "task": ("langgraph.func", "task"),
        "MessagesState": ("langgraph.graph", "MessagesState"),
        "AIMessage": ("langchain_core.messages", "AIMessage"),
        "ToolNode": ("langgraph.prebuilt", "ToolNode"),
        "tools_condition": ("langgraph.prebuilt", "tools_condition"),
    },
}


def load_flavour(engine: str) -> Flavour:
    """Import ``engine``'s names; raises ImportError naming what is missing."""
    names = {}
    for attr, (module, name) in ENGINES[engine].items():
        try:
            names[attr] = getattr(importlib.import_module(module), name)
        except (ImportError, AttributeError) as exc:
            raise ImportError(f"cannot import {name} from {module}: {exc}") from exc
    return Flavour(name=engine, **names)
