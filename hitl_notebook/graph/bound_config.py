"""``with_config``: configs merged as LangChain merges them, so a graph bound to a config
(``graph.with_config(recursion_limit=50, tags=[...])``) runs as LangGraph's does."""

from __future__ import annotations

from typing import Any

__all__ = ["merge_configs"]

#: Keys whose dicts merge key by key (the later config's values win).
_MERGED_DICTS = ("metadata", "configurable")


def merge_configs(*configs: dict | None) -> dict:
    """``configs`` merged left to right: ``metadata`` and ``configurable`` key by key,
    ``tags`` as the sorted union, ``callbacks`` lists one after the other; any other key
    (``recursion_limit``, ``run_name``...) from the last config that has it."""
    merged: dict[str, Any] = {}
    for config in configs:
        for key, value in (config or {}).items():
            if key in _MERGED_DICTS:
                merged[key] = {**(merged.get(key) or {}), **(value or {})}
            elif key == "tags":
                merged[key] = sorted({*(merged.get(key) or ()), *(value or ())})
            elif key == "callbacks" and isinstance(value, list):
                earlier = merged.get(key)
                merged[key] = [*earlier, *value] if isinstance(earlier, list) else value
            else:
                merged[key] = value
    return merged
