"""A compiled graph as a LangChain ``Runnable``, so ``graph | runnable`` builds a chain
that invokes and streams the graph, as it does with LangGraph's graphs.

LangChain is optional: the adapter class is made on first use, from ``langchain_core``.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .compiled import CompiledStateGraph

__all__ = ["as_runnable"]


def as_runnable(graph: CompiledStateGraph) -> Any:
    """``graph`` wrapped as a ``langchain_core`` runnable (``TypeError`` without it)."""
    return _adapter()(graph)


@functools.cache
def _adapter() -> type:
    try:
        from langchain_core.runnables import Runnable
    except ImportError as error:
        raise TypeError(
            "Composing a graph with `|` builds a LangChain chain: install langchain-core."
        ) from error

    class GraphRunnable(Runnable):
        """Each call goes to the graph's own method of that name."""

        def __init__(self, graph: CompiledStateGraph) -> None:
            self.graph = graph
            self.name = graph.name

        def invoke(self, input: Any, config: Any = None, **kwargs: Any) -> Any:
            return self.graph.invoke(input, config, **kwargs)

        async def ainvoke(self, input: Any, config: Any = None, **kwargs: Any) -> Any:
            return await self.graph.ainvoke(input, config, **kwargs)

        def stream(self, input: Any, config: Any = None, **kwargs: Any) -> Iterator[Any]:
            yield from self.graph.stream(input, config, **kwargs)

        async def astream(
            self, input: Any, config: Any = None, **kwargs: Any
        ) -> AsyncIterator[Any]:
            async for chunk in self.graph.astream(input, config, **kwargs):
                yield chunk

    return GraphRunnable
