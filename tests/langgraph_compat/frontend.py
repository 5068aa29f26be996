"""A simulated browser for the thread widget, and the engine-neutral view of what it shows.

``FrontEnd`` sends the action/query messages the widget's buttons send and records what
comes back (replies, pushed messages, every live ``node_status`` change). ``FrontEnd.view``
reduces what the user sees to plain data without ids or timestamps, so one flow's view on
LangGraph can be compared with the same flow's view on our engine.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pprint import pformat
from typing import Any

from hitl_notebook.widgets import ThreadWidget, show

from .flavours import Flavour

__all__ = ["FrontEnd", "assert_same_view", "plain"]


class FrontEnd:
    """Plays the widget's front end: every request gets exactly one reply, checked here."""

    def __init__(self, graph: Any, thread_id: str = "t1", **options: Any) -> None:
        self.widget: ThreadWidget = show(graph, thread_id=thread_id, **options)
        self.received: list[dict] = []
        self.widget.send = self.received.append
        #: Every ``node_status`` value the browser was sent, in order (live status).
        self.status_trace: list[dict] = []
        self.widget.observe(
            lambda change: self.status_trace.append(dict(change["new"])), names=["node_status"]
        )
        self._request = 0

    def _send(self, message: dict) -> dict:
        self._request += 1
        self.widget._on_frontend_msg(self.widget, {**message, "request_id": self._request}, [])
        replies = [
            m
            for m in self.received
            if m.get("type") == "reply" and m["request_id"] == self._request
        ]
        assert len(replies) == 1, f"expected one reply to request {self._request}, got {replies}"
        return replies[0]

    def act(self, action: str, **args: Any) -> dict:
        """Click a button (based on the checkpoint the widget shows); the reply must be ok."""
        reply = self.try_act(action, **args)
        assert reply["ok"], reply
        return reply

    def try_act(self, action: str, **args: Any) -> dict:
        """Click a button and return the reply, whatever it is."""
        reply = self._send(
            {"type": "action", "action": action, "args": args, "base": self.widget.head.get("id")}
        )
        assert self.widget.wait(timeout=60), "the run did not end within 60 s"
        return reply

    def query(self, query: str, **args: Any) -> Any:
        reply = self._send({"type": "query", "query": query, "args": args})
        assert reply["ok"], reply
        return reply["result"]

    def answer(self, by_value: Callable[[Any], Any]) -> dict:
        """Fill in every pending interrupt's form (``by_value(payload) -> answer``) and press
        "Send answer(s)": one resume map, as the interrupt panel sends it."""
        answers = {spec["id"]: by_value(spec["value"]) for spec in self.widget.interrupts}
        return self.act("resume", answers=answers)

    def history(self) -> list[dict]:
        """Every checkpoint summary of the timeline, newest first (paged as the browser does)."""
        items: list[dict] = []
        while True:
            page = self.query("history", offset=len(items), limit=2)
            items.extend(page["items"])
            if len(items) >= page["size"]:
                return items

    def checkpoint_id(self, predicate: Callable[[dict], bool]) -> str:
        """The id of the newest timeline entry matching ``predicate``."""
        return next(item["id"] for item in self.history() if predicate(item))

    def view(self) -> dict:
        """What the user sees now, as engine-neutral data."""
        w = self.widget
        history = self.history()
        position = {item["id"]: index for index, item in enumerate(history)}
        return {
            "status": w.status,
            "error": w.error,
            "node_status": dict(w.node_status),
            "head": {k: w.head.get(k) for k in ("step", "source", "next")},
            "interrupts": [{k: v for k, v in spec.items() if k != "id"} for spec in w.interrupts],
            "values": plain(w.state.values),
            "history": [
                {
                    "parent": position.get(item["parent"]),
                    **{
                        k: item[k]
                        for k in ("step", "source", "next", "interrupts", "errors", "lane", "fork")
                    },
                    # The input's "__start__" write is listed on the step -1 checkpoint for
                    # our engine and on step 0 for LangGraph (reported; not a node).
                    "writers": [w for w in item["writers"] if w != "__start__"],
                }
                for item in history
            ],
        }


def plain(value: Any) -> Any:
    """``value`` with messages reduced to what a reader compares (type, content, tool calls)."""
    if _is_message(value):
        out = {"type": value.type, "content": value.content}
        if getattr(value, "tool_calls", None):
            out["tool_calls"] = [{"name": c["name"], "args": c["args"]} for c in value.tool_calls]
        if getattr(value, "tool_call_id", None):
            out["tool_call_id"] = value.tool_call_id
        return out
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def _is_message(value: Any) -> bool:
    return any(cls.__name__ == "BaseMessage" for cls in type(value).__mro__)


def assert_same_view(flavour: Flavour, seen: Any, reference_name: str, reference: Any) -> None:
    """Fail with a readable diff when a flow looked different on the two engines."""
    if seen != reference:
        lines = difflib.unified_diff(
            pformat(reference, width=110).splitlines(),
            pformat(seen, width=110).splitlines(),
            reference_name,
            flavour.name,
            lineterm="",
        )
        raise AssertionError("the widget showed different things:\n" + "\n".join(lines))
