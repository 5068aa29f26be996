"""Which response form an interrupt payload gets, and checks on the answers given to it.

The browser renders a form per ``kind``; the kinds are decided here so that headless use
and tests see the same classification:

- ``options``: a mapping payload with an ``options`` list -> one button per option;
- ``hitl``: LangChain ``HumanInTheLoopMiddleware`` batched request (``action_requests`` +
  ``review_configs``) -> approve / edit / reject / respond per action, answered with
  ``{"decisions": [...]}``;
- ``tool_approval``: the middleware's per-call request -> the same choices for one call,
  answered with a single decision;
- ``text``: a string payload -> a text box;
- ``json``: anything else -> a JSON editor.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .jsonable import to_jsonable

__all__ = ["DECISIONS", "check_answer", "interrupt_spec"]

DECISIONS = ("approve", "edit", "reject", "respond")


def interrupt_spec(interrupt: Any, node: str) -> dict:
    """The JSON description of one pending interrupt that the interrupt panel renders."""
    value = interrupt.value
    spec = {"id": interrupt.id, "node": node, "value": to_jsonable(value), "kind": "json"}
    if isinstance(value, str):
        spec["kind"] = "text"
    elif isinstance(value, Mapping) and isinstance(value.get("action_requests"), list):
        spec["kind"] = "hitl"
        spec["actions"] = _hitl_actions(value)
    elif isinstance(value, Mapping) and value.get("type") == "tool_approval":
        spec["kind"] = "tool_approval"
        spec["actions"] = [
            {
                "name": value.get("name", ""),
                "args": to_jsonable(value.get("args", {})),
                "description": value.get("description", ""),
                "allowed": _schema_decisions(getattr(interrupt, "response_schema", None)),
            }
        ]
    elif (
        isinstance(value, Mapping)
        and isinstance(value.get("options"), (list, tuple))
        and value["options"]
    ):
        spec["kind"] = "options"
        spec["options"] = to_jsonable(list(value["options"]))
    return spec


def _hitl_actions(value: Mapping) -> list[dict]:
    allowed = {
        cfg.get("action_name"): list(cfg.get("allowed_decisions", DECISIONS))
        for cfg in value.get("review_configs", [])
        if isinstance(cfg, Mapping)
    }
    return [
        {
            "name": req.get("name", ""),
            "args": to_jsonable(req.get("args", {})),
            "description": req.get("description", ""),
            "allowed": allowed.get(req.get("name"), list(DECISIONS)),
        }
        for req in value["action_requests"]
    ]


def _schema_decisions(schema: Any) -> list[str]:
    """Decision types a per-call response schema (JSON Schema) allows; all if unknown."""
    if not isinstance(schema, Mapping):
        return list(DECISIONS)
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            type_prop = (
                node.get("properties", {}).get("type")
                if isinstance(node.get("properties"), Mapping)
                else None
            )
            if isinstance(type_prop, Mapping):
                const = type_prop.get("const", (type_prop.get("enum") or [None])[0])
                if const in DECISIONS and const not in found:
                    found.append(const)
            for child in node.values():
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(schema)
    return [d for d in DECISIONS if d in found] or list(DECISIONS)


def check_answer(spec: dict, answer: Any) -> None:
    """Raise ``ValueError`` when ``answer`` cannot be a valid response to ``spec``, before
    anything is sent to the graph (so a bad answer never consumes the interrupt)."""
    kind = spec["kind"]
    if kind == "hitl":
        if not isinstance(answer, Mapping) or not isinstance(answer.get("decisions"), list):
            raise ValueError(
                'a tool-call review needs {"decisions": [...]}, one decision per action'
            )
        decisions = answer["decisions"]
        if len(decisions) != len(spec["actions"]):
            raise ValueError(
                f"{len(spec['actions'])} actions await review but {len(decisions)} decisions were given"
            )
        for action, decision in zip(spec["actions"], decisions):
            _check_decision(action, decision)
    elif kind == "tool_approval":
        _check_decision(spec["actions"][0], answer)


def _check_decision(action: dict, decision: Any) -> None:
    if not isinstance(decision, Mapping) or decision.get("type") not in DECISIONS:
        raise ValueError(f"a decision must be an object with type one of {list(DECISIONS)}")
    kind = decision["type"]
    if kind not in action["allowed"]:
        raise ValueError(
            f"{kind!r} is not allowed for {action['name']!r} (allowed: {action['allowed']})"
        )
    if kind == "edit":
        edited = decision.get("edited_action")
        if (
            not isinstance(edited, Mapping)
            or not isinstance(edited.get("args"), Mapping)
            or "name" not in edited
        ):
            raise ValueError('an edit decision needs "edited_action": {"name": ..., "args": {...}}')
    if kind == "respond" and not isinstance(decision.get("message"), str):
        raise ValueError('a respond decision needs a "message" string')
