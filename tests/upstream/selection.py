"""Which of LangGraph's test modules the harness runs: the HITL scope, in one place.

To widen the scope, add a module name here; its helper modules (``tests.*`` imports) are
found and extracted by following its imports.
"""

from __future__ import annotations

__all__ = ["DEFAULT_VERSION", "MODULES", "TIMEOUT_SECONDS"]

#: The LangGraph release whose sdist the harness takes its tests from by default.
DEFAULT_VERSION = "1.2.22"

#: Test modules of LangGraph's ``tests/`` package that are in our scope.
MODULES = (
    "test_pregel.py",
    "test_pregel_async.py",
    "test_interruption.py",
    "test_time_travel.py",
    "test_time_travel_async.py",
    "test_subgraph_persistence.py",
    "test_subgraph_persistence_async.py",
    "test_large_cases.py",
    "test_large_cases_async.py",
    "test_interrupt_state.py",
    "test_strict_resume.py",
)

#: pytest-timeout per test case: a hang in our engine is a failure, not a CI stall.
TIMEOUT_SECONDS = 60
