"""Runs LangGraph's own HITL tests, taken from its sdist at test time, against our engine.

``python -m tests.upstream`` (see README.md in this directory). None of LangGraph's code is
committed here: ``harness.py`` downloads the sdist into a git-ignored cache, extracts the
modules listed in ``selection.py``, rewrites their imports (``rewrite.py``; ``langgraph``
becomes ``lgshim``, served by ``shim.py``) and runs them with our fixtures
(``fixtures.py``), minus ``leave_out.py``, ratcheted by ``expected_failures.txt``.
"""
