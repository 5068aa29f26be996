"""The metadata a run's checkpoints carry, taken from its config.

As LangGraph's savers do, a checkpoint keeps the config's ``metadata`` and the plain
values (str, int, float, bool) of its ``configurable``: what a user passed to tell runs
apart (a user id, an experiment name) can then filter ``get_state_history``. The
checkpoint's own coordinates and ``__``-prefixed internals are left out; ``metadata``
wins a clash.
"""

from __future__ import annotations

from typing import Any

__all__ = ["config_metadata"]

#: ``configurable`` keys that say where a checkpoint is, not what the run was.
_COORDINATES = frozenset(
    {
        "thread_id",
        "checkpoint_id",
        "checkpoint_ns",
        "checkpoint_map",
        "langgraph_step",
        "langgraph_node",
        "langgraph_triggers",
        "langgraph_path",
        "langgraph_checkpoint_ns",
    }
)


def config_metadata(config: dict) -> dict[str, Any]:
    """The run's metadata, then its ``configurable`` scalars (NUL characters dropped).
    Coordinates in the metadata are left out too: a node passing its own config to a
    subgraph hands it the task's ``langgraph_*`` metadata (see ``context.node_config``)."""
    given = config.get("metadata")
    conf = config.get("configurable")
    if not given and (not conf or conf.keys() <= _COORDINATES):  # the usual: a thread id only
        return {}
    metadata = {k: v for k, v in given.items() if k not in _COORDINATES} if given else {}
    for key, value in (conf or {}).items():
        if not isinstance(key, str) or key in metadata or key in _COORDINATES or key[:2] == "__":
            continue
        if isinstance(value, str):
            metadata[key] = value.replace("\0", "")
        elif isinstance(value, (bool, int, float)):
            metadata[key] = value
    return metadata
