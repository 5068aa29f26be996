"""The mechanical rewrite that turns LangGraph's ``tests`` package into ``lgtests``.

Only import paths change, token by token, so every line keeps its number (a traceback
line in the extracted copy is the same line in the sdist):

- ``tests`` as the first name of an import path becomes ``lgtests`` (their package is
  named ``tests``, like ours);
- ``langgraph`` as the first name of an import path, or as the head of a dotted name in
  code (``langgraph.types.Command``), becomes ``lgshim`` (see ``shim.py``).

String literals and comments are left alone. The harness's cache key includes this
file's hash, so a change here re-extracts.

Snapshots (``__snapshots__/*.ambr``) name classes by module path where a graph's JSON lists
its nodes (``"id": ["tests", "test_large_cases", "FakeFunctionChatModel"]``): the same
rename applies to such paths (``rewrite_snapshot``), since the class now lives in ``lgtests``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize

__all__ = [
    "OUR_PACKAGE",
    "SHIM_PACKAGE",
    "THEIR_PACKAGE",
    "helper_modules",
    "rewrite_snapshot",
    "rewrite_source",
]

THEIR_PACKAGE = "tests"
OUR_PACKAGE = "lgtests"
SHIM_PACKAGE = "lgshim"
_RENAMES = {THEIR_PACKAGE: OUR_PACKAGE, "langgraph": SHIM_PACKAGE}


def rewrite_source(source: str) -> str:
    """``source`` with its ``tests``/``langgraph`` import paths redirected."""
    tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    edits: list[tuple[int, int, str, str]] = []  # (row, col, old, new)
    for i, tok in enumerate(tokens):
        if tok.type != tokenize.NAME or tok.string not in _RENAMES:
            continue
        prev = _previous(tokens, i)
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        starts_import_path = (
            prev is not None and prev.type == tokenize.NAME and prev.string in ("from", "import")
        )
        # `import a, langgraph.x` and `from x import (...)` names: only paths count, and
        # a name after `from ... import` is never a path head we rename.
        in_import_list = (
            prev is not None and prev.string == "," and _line_starts_with_import(tokens, i)
        )
        dotted_head = (
            tok.string == "langgraph"
            and nxt is not None
            and nxt.string == "."
            and not (prev is not None and prev.string == ".")
        )
        if starts_import_path and _is_from_import_name(tokens, i):
            continue
        if starts_import_path or in_import_list or dotted_head:
            edits.append((tok.start[0], tok.start[1], tok.string, _RENAMES[tok.string]))
    lines = source.splitlines(keepends=True)
    for row, col, old, new in sorted(edits, reverse=True):
        line = lines[row - 1]
        assert line[col : col + len(old)] == old, (row, col, line)
        lines[row - 1] = line[:col] + new + line[col + len(old) :]
    return "".join(lines)


#: ``"id": ["tests", "<module>", ...`` in a snapshot's JSON (indented or on one line).
_SNAPSHOT_CLASS_PATH = re.compile(
    r'("id": \[\s*)"' + THEIR_PACKAGE + r'"(,\s*"[A-Za-z_][A-Za-z0-9_]*")'
)


def rewrite_snapshot(text: str) -> str:
    """``text`` (a ``.ambr`` file) with class paths under ``tests`` moved to ``lgtests``."""
    return _SNAPSHOT_CLASS_PATH.sub(rf'\1"{OUR_PACKAGE}"\2', text)


def _previous(tokens: list[tokenize.TokenInfo], i: int) -> tokenize.TokenInfo | None:
    for j in range(i - 1, -1, -1):
        if tokens[j].type not in (
            tokenize.NL,
            tokenize.NEWLINE,
            tokenize.COMMENT,
            tokenize.INDENT,
            tokenize.DEDENT,
        ):
            return tokens[j]
    return None


def _statement_start(tokens: list[tokenize.TokenInfo], i: int) -> tokenize.TokenInfo:
    j = i
    while j > 0 and tokens[j - 1].type not in (
        tokenize.NEWLINE,
        tokenize.INDENT,
        tokenize.DEDENT,
        tokenize.ENCODING,
    ):
        j -= 1
    while tokens[j].type in (tokenize.NL, tokenize.COMMENT):
        j += 1
    return tokens[j]


def _line_starts_with_import(tokens: list[tokenize.TokenInfo], i: int) -> bool:
    return _statement_start(tokens, i).string == "import"


def _is_from_import_name(tokens: list[tokenize.TokenInfo], i: int) -> bool:
    """True for ``x`` in ``from a.b import x``: a name imported, not a path."""
    prev = _previous(tokens, i)
    return (
        prev is not None
        and prev.string == "import"
        and _statement_start(tokens, i).string == "from"
    )


def helper_modules(source: str) -> set[str]:
    """First-level ``tests.<name>`` modules that ``source`` (not yet rewritten) imports."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            parts = node.module.split(".")
            if parts[0] == THEIR_PACKAGE:
                if len(parts) > 1:
                    found.add(parts[1])
                else:  # from tests import any_str
                    found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == THEIR_PACKAGE and len(parts) > 1:
                    found.add(parts[1])
    return found
