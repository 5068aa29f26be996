"""LangGraph's Functional API on our engine: ``@entrypoint`` and ``@task``."""

from .entrypoint import Entrypoint, entrypoint
from .task import TaskFunction, task

__all__ = ["Entrypoint", "TaskFunction", "entrypoint", "task"]
