"""Graph building: ``StateGraph`` and what ``compile()`` returns."""

from .builder import END, START, StateGraph
from .compiled import CompiledStateGraph

__all__ = ["END", "START", "CompiledStateGraph", "StateGraph"]
