"""Checkpoint savers: in memory, SQLite and PostgreSQL, all with delta storage.

``PostgresSaver`` is imported on first use, so psycopg stays an optional dependency.
"""

from .memory import InMemorySaver
from .sql import SchemaVersionError
from .sqlite import SqliteSaver

__all__ = ["InMemorySaver", "PostgresSaver", "SchemaVersionError", "SqliteSaver"]


def __getattr__(name: str):
    if name == "PostgresSaver":
        from .postgres import PostgresSaver

        return PostgresSaver
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
