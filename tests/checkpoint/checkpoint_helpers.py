"""Building checkpoint records the way the engine does, for saver tests."""

from __future__ import annotations

from typing import Any

from hitl_notebook.checkpoint.base import (
    Append,
    CheckpointRecord,
    Replace,
    TaskPlan,
    new_checkpoint_id,
)
from hitl_notebook.checkpoint.store import DeltaSaver

#: Strings that break naive SQL (quotes, comments, statement separators, LIKE wildcards).
HOSTILE_STRINGS = [
    "x'; DROP TABLE hitl_checkpoints; --",
    'x"); DELETE FROM hitl_outcomes; --',
    "' OR '1'='1",
    "%_%",
    "?",
    "%s",
    "$1",
    "\\'; SELECT 1; --",
    "Robert'); DROP TABLE hitl_schema_version;--",
    "ünïcødé ☃ 🧵",
]


def record(
    thread_id: str = "t",
    *,
    id: str | None = None,
    parent: CheckpointRecord | None = None,
    values: dict[str, Any] | None = None,
    step: int | None = None,
    source: str = "loop",
    ns: str = "",
    metadata: dict[str, Any] | None = None,
    writes: dict[str, Any] | None = None,
    next: list[TaskPlan] | None = None,
) -> CheckpointRecord:
    """A checkpoint record (defaults chosen so that each field is non-trivial)."""
    return CheckpointRecord(
        thread_id=thread_id,
        ns=ns,
        id=id or new_checkpoint_id(),
        parent_id=parent.id if parent else None,
        step=step if step is not None else (parent.step + 1 if parent else -1),
        source=source,
        writes=writes,
        values=values if values is not None else {},
        next=next if next is not None else [TaskPlan(id="task-1", name="node")],
        created_at="2026-01-01T00:00:00+00:00",
        metadata=metadata or {},
    )


def put_chain(
    saver: DeltaSaver,
    steps: int,
    *,
    thread_id: str = "t",
    ns: str = "",
    parent: CheckpointRecord | None = None,
) -> list[CheckpointRecord]:
    """Write ``steps`` checkpoints, each appending one message and bumping a counter, as
    the engine would (changes relative to the parent). Returns the records in order."""
    out = []
    values = dict(parent.values) if parent else {"messages": [], "count": 0}
    for _ in range(steps):
        n = values["count"] + 1
        message = {"role": "ai", "content": f"message {n} " + "lorem ipsum " * 3}
        values = {"messages": [*values["messages"], message], "count": n}
        rec = record(
            thread_id, parent=parent, values=values, ns=ns, writes={"node": {"messages": [message]}}
        )
        changes = {"messages": Append([message]), "count": Replace(n)}
        saver.put(rec, changes)
        out.append(rec)
        parent = rec
    return out
