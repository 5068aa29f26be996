"""Review of the tool calls a thread is paused before: the classic LangGraph pattern
(``compile(interrupt_before=["tools"])``, edit the call with ``update_state``, resume) as
one card in the interrupt panel.

When the thread waits to run a ``ToolNode`` (ours or LangGraph's) and no ``interrupt()``
is pending, the last AI message's unanswered calls form a pending review. Each call gets
one decision:

- ``{"type": "approve"}``: run it as proposed;
- ``{"type": "edit", "args": {...}}``: run it with these arguments (the AI message is
  replaced under its own id, so the history shows the edit);
- ``{"type": "reject", "message": "why"}``: do not run it; the model gets an error tool
  message, written as the tool node.

A tool node runs every call of the message, so either all calls are rejected or none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..prebuilt.calls import (
    is_ai_message,
    is_langchain_message,
    messages_of,
    tool_calls_of,
    tool_message,
)
from .jsonable import to_jsonable

__all__ = ["KIND", "pending_review", "plan_review"]

#: The interrupt-panel kind of the card.
KIND = "tool_calls"
DECISIONS = ("approve", "edit", "reject")


def pending_review(
    snapshot: Any, tool_nodes: Mapping[str, str], checkpoint: str | None
) -> dict | None:
    """The card spec for ``snapshot`` (None when no tool call waits for review)."""
    if checkpoint is None or not isinstance(snapshot.values, Mapping):
        return None
    if any(task.interrupts for task in snapshot.tasks):
        return None
    node = next((n for n in snapshot.next if n in tool_nodes), None)
    if node is None:
        return None
    ai = _last_ai(snapshot.values, tool_nodes[node])
    calls = tool_calls_of(ai) if ai is not None else []
    if not calls:
        return None
    return {
        "id": f"{KIND}:{checkpoint}",
        "kind": KIND,
        "node": node,
        "value": {"tool_calls": to_jsonable(calls)},
        "actions": [
            {
                "name": c["name"],
                "args": to_jsonable(c["args"]),
                "call_id": c["id"],
                "allowed": list(DECISIONS),
            }
            for c in calls
        ],
    }


def plan_review(
    snapshot: Any, spec: dict, tool_nodes: Mapping[str, str], answer: Any
) -> list[tuple[dict, str | None]]:
    """Check ``answer`` (``{"decisions": [...]}``, one per call) against the pending review
    and return the ``(values, as_node)`` state updates to write before resuming. Raises
    ``ValueError`` naming the problem; nothing is written."""
    decisions = answer.get("decisions") if isinstance(answer, Mapping) else None
    if not isinstance(decisions, list):
        raise ValueError('a tool-call review needs {"decisions": [...]}, one decision per call')
    actions = spec["actions"]
    if len(decisions) != len(actions):
        raise ValueError(
            f"{len(actions)} tool calls await review but {len(decisions)} decisions were given"
        )
    kinds = [_check(action, d) for action, d in zip(actions, decisions)]
    node, key = spec["node"], tool_nodes[spec["node"]]
    ai = _last_ai(snapshot.values, key)
    calls = tool_calls_of(ai)
    if "reject" in kinds:
        if set(kinds) != {"reject"}:
            raise ValueError(
                f"reject every call or none: {node!r} runs all the calls of the message; "
                "edit the ones to change, or reject them all and let the model ask again"
            )
        answers = [
            tool_message(_rejection(d), call, status="error", like=ai)
            for call, d in zip(calls, decisions)
        ]
        return [({key: answers}, node)]
    if "edit" not in kinds:
        return []
    edited = [
        {**call, "args": dict(d["args"])} if kind == "edit" else call
        for call, kind, d in zip(calls, kinds, decisions)
    ]
    return [({key: [_with_calls(ai, edited)]}, None)]


def _last_ai(values: Mapping, key: str) -> Any:
    messages = messages_of(values, key) or []
    last = messages[-1] if messages else None
    return last if last is not None and is_ai_message(last) else None


def _check(action: dict, decision: Any) -> str:
    name = action["name"]
    if not isinstance(decision, Mapping) or decision.get("type") not in DECISIONS:
        raise ValueError(
            f"the decision for {name!r} must be an object with type one of {list(DECISIONS)}"
        )
    kind = decision["type"]
    if kind == "edit" and not isinstance(decision.get("args"), Mapping):
        raise ValueError(f'editing {name!r} needs "args": an object of the new arguments')
    if kind == "reject" and not isinstance(decision.get("message", ""), str):
        raise ValueError(f'the reason for rejecting {name!r} ("message") must be text')
    return kind


def _rejection(decision: Mapping) -> str:
    reason = decision.get("message", "").strip()
    return f"Rejected by the reviewer: {reason}" if reason else "Rejected by the reviewer."


def _with_calls(ai: Any, calls: list[dict]) -> Any:
    """``ai`` with ``calls``, same id and class (so ``add_messages`` replaces it in place)."""
    if isinstance(ai, Mapping):
        return {**ai, "tool_calls": calls}
    if is_langchain_message(ai):
        return ai.model_copy(update={"tool_calls": calls})
    return replace(ai, tool_calls=calls)
