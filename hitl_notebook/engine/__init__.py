"""The super-step engine: runs compiled graphs against a checkpointer."""

from .context import get_config, get_stream_writer, interrupt

__all__ = ["get_config", "get_stream_writer", "interrupt"]
