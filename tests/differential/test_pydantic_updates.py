"""A node returning a pydantic state object: LangGraph keeps every field that is not
``None`` (a field left ``None`` counts only when set or when its default is not ``None``),
so a nested object mutated in place, or a default changed, reaches the state."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from .harness import Api, same

pytestmark = pytest.mark.langgraph


class Inner(BaseModel):
    a: int = 0


class WithDefault(BaseModel):
    inner: Inner = Inner()
    outer: int = 0
    note: str | None = None


class WithFactory(BaseModel):
    inner: Inner = Field(default_factory=Inner)
    outer: int = 0
    note: str | None = None


@pytest.mark.parametrize("state_class", [WithDefault, WithFactory])
def test_a_node_returning_its_mutated_state(state_class):
    """``state.inner.a = 5; state.outer = 10; return state``: both reach the state."""

    def scenario(api: Api):
        def node(state):
            state.inner.a = 5
            state.outer = 10
            return state

        graph = api.StateGraph(state_class).add_node("n", node).add_edge(api.START, "n").compile()
        out = graph.invoke({"outer": 1})
        return {k: v.model_dump() if isinstance(v, BaseModel) else v for k, v in out.items()}

    same(scenario)
