"""A structural diff as the browser gets it: a page of the operations, and of each long
append a page of the appended items, with the totals.

Appending 1,000 messages then sends twenty of them, not the whole tail of the list (the
browser shows a page anyway); "Show more" asks for the next items with ``appended_items``.
"""

from __future__ import annotations

from typing import Any

from ..errors import ActionError

__all__ = ["ITEMS_PAGE", "MAX_OPS", "appended_items", "diff_page"]

#: Operations sent per section; the rest are counted.
MAX_OPS = 200
#: Appended items sent per append operation, at first and per "Show more".
ITEMS_PAGE = 20


def diff_page(ops: list[dict], max_ops: int = MAX_OPS, items: int = ITEMS_PAGE) -> dict:
    """``{"ops", "total"}``: the first ``max_ops`` of ``ops``, each longer append cut to
    its first ``items`` items with ``count`` giving how many it appends in all."""
    return {"ops": [_cut(op, items) for op in ops[:max_ops]], "total": len(ops)}


def _cut(op: dict, items: int) -> dict:
    if op["op"] != "append" or len(op["items"]) <= items:
        return op
    return {**op, "items": op["items"][:items], "count": len(op["items"])}


def appended_items(ops: list[dict], path: Any, offset: Any, limit: Any = ITEMS_PAGE) -> dict:
    """Items ``offset`` .. ``offset + limit`` of the append at ``path`` among ``ops``."""
    if not isinstance(path, list):
        raise ActionError(f"path must be a list of keys and indexes, not {path!r}")
    try:
        start, size = int(offset), min(max(int(limit), 1), 1000)
    except (TypeError, ValueError):
        raise ActionError(f"offset and limit must be integers, not {offset!r}, {limit!r}") from None
    if start < 0:
        raise ActionError(f"offset must be >= 0, not {start}")
    op = next((op for op in ops if op["op"] == "append" and op["path"] == path), None)
    if op is None:
        raise ActionError(f"the diff appends nothing at {path!r}")
    return {
        "path": path,
        "offset": start,
        "items": op["items"][start : start + size],
        "count": len(op["items"]),
    }
