"""The plan of an entrypoint: one node whose state is its return value.

An entrypoint is a graph with a single node (the decorated function). Its state is the
value the function returned (a root value, as ``StateGraph(int)`` has), and two hidden
keys: the run's input, which the input checkpoint holds so a resume re-runs the body with
it, and the value saved for the next run's ``previous`` (``entrypoint.final(save=...)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from ..constants import END, ROOT
from ..graph.channels import LastValue
from ..graph.plan import GraphPlan

__all__ = ["INPUT_KEY", "PREVIOUS_KEY", "BodyInput", "EntrypointPlan", "Final"]

#: The hidden key holding the run's input.
INPUT_KEY = "__input__"
#: The hidden key holding the value the next run receives as ``previous``.
PREVIOUS_KEY = "__previous__"


V = TypeVar("V")
S = TypeVar("S")


class BodyInput(NamedTuple):
    """What the entrypoint's node reads: the run's input and the last saved value."""

    input: Any
    previous: Any


@dataclass(frozen=True, slots=True)
class Final(Generic[V, S]):
    """``entrypoint.final(value=..., save=...)``: return ``value`` to the caller but save
    ``save`` as the next run's ``previous`` (annotate as ``entrypoint.final[V, S]``)."""

    value: V
    save: S


class EntrypointPlan(GraphPlan):
    """A ``GraphPlan`` whose input goes to a hidden key and whose state is one value."""

    input_is_state = True
    streams_while_running = True

    def __init__(self, builder: Any) -> None:
        super().__init__(builder)
        self.channels[INPUT_KEY] = LastValue(INPUT_KEY)
        self.channels[PREVIOUS_KEY] = LastValue(PREVIOUS_KEY)

    def input_dict(self, input: Any, *, nested: bool = False) -> dict:
        return {INPUT_KEY: input}

    def node_input(self, node: str, values: dict) -> BodyInput:
        return BodyInput(values.get(INPUT_KEY), values.get(PREVIOUS_KEY))

    def result_view(self, writes: list[tuple[str, Any]]) -> dict:
        """The returned value, under ``__end__`` as LangGraph shows an entrypoint's."""
        returned = [value for key, value in writes if key == ROOT]
        return {END: returned[-1]} if returned else {}

    def shown_input(self, node: str, values: dict) -> Any:
        return values.get(INPUT_KEY)

    def visible_values(self, values: dict) -> dict:
        return {ROOT: values[ROOT]} if ROOT in values else {}

    def update_writes(self, values: Any, as_node: str) -> list[tuple[str, Any]]:
        """``update_state(config, value)`` sets the returned value and ``previous``, as if
        the entrypoint had returned ``value`` (a ``Final`` sets them apart)."""
        return returned_writes(values)


def returned_writes(out: Any) -> list[tuple[str, Any]]:
    """The writes of an entrypoint that returned ``out``."""
    if isinstance(out, Final):
        return [(ROOT, out.value), (PREVIOUS_KEY, out.save)]
    return [(ROOT, out), (PREVIOUS_KEY, out)]
