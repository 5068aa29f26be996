"""LangChain callbacks cost nothing when the call's config has none."""

from __future__ import annotations

import operator
from typing import Annotated, TypedDict

import pytest

from hitl_notebook import START, StateGraph
from hitl_notebook.engine.context import current_task


class _State(TypedDict):
    log: Annotated[list, operator.add]


def _graph(seen: list):
    def node(state: _State) -> dict:
        seen.append(current_task().trace)
        return {"log": ["x"]}

    builder = StateGraph(_State)
    builder.add_node("node", node)
    builder.add_edge(START, "node")
    return builder.compile()


def test_no_callbacks_no_callback_manager():
    """Without ``callbacks`` in the config a node runs with no callback manager (the
    check is made once per call, not per task)."""
    seen: list = []
    _graph(seen).invoke({"log": []}, {"tags": ["t"]})
    assert seen == [None]


def test_callbacks_give_the_node_a_manager():
    """With a handler in ``callbacks`` the node's context carries the manager its run
    reports under (the counterpart of the test above)."""
    callbacks = pytest.importorskip("langchain_core.callbacks")

    seen: list = []
    _graph(seen).invoke({"log": []}, {"callbacks": [callbacks.BaseCallbackHandler()]})
    assert len(seen) == 1 and seen[0] is not None
