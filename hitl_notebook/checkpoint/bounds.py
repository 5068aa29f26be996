"""How much one stored record may expand to when it is read, checked before it is parsed.

A few kilobytes of crafted (or corrupt) data can inflate to gigabytes: a compressed section
of zeros, or a run of ``[],`` that parses into millions of lists. Reading a record is
therefore bounded three ways, each failing with a ``DeserializationError`` that names the
limit, in memory and time proportional to the limit, not to what the data claims:

- ``MAX_RECORD_BYTES``: the sections of one record inflate to at most this many bytes;
- ``MAX_VALUES``: the JSON of one record (or one stored task outcome) holds at most this
  many values (containers and scalars);
- ``MAX_DEPTH``: JSON nests at most this deep (also enforced when writing, so everything
  written reads back; deeper data would exhaust Python's stack in whatever walks it).

The limits are module attributes: a notebook that really keeps bigger states can raise them
(``hitl_notebook.checkpoint.bounds.MAX_VALUES = ...``) before reading.
"""

from __future__ import annotations

import re

__all__ = ["MAX_DEPTH", "MAX_RECORD_BYTES", "MAX_VALUES", "ShapeError", "json_shape"]

#: Total inflated size of one record's sections (64 MiB: far above a notebook's state).
MAX_RECORD_BYTES = 64 * 1024 * 1024
#: JSON values in one record or outcome (a 1,000-message state holds about 10,000).
MAX_VALUES = 1_000_000
#: JSON nesting levels (orjson's own limit when writing).
MAX_DEPTH = 255

#: A JSON string literal, escapes included (unrolled so that long strings scan fast).
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')
#: Every byte but those the cheap bound counts: value openers and separators.
_NOT_COUNTED = bytes(range(256)).translate(None, b"[{,")
#: Every byte but JSON structure, quotes and backslashes (what ``_structure`` splits).
_NOT_STRUCTURE_OR_QUOTE = bytes(range(256)).translate(None, b'[]{},"\\')
#: Every byte that is not JSON structure (for ``bytes.translate``'s delete argument).
_NOT_STRUCTURE = bytes(range(256)).translate(None, b"[]{},")


class ShapeError(ValueError):
    """The JSON holds more values or nests deeper than the limits allow."""


def json_shape(data: bytes, budget: int | None = None, *, depth: bool = True) -> int:
    """How many values ``data`` (JSON text) can hold at most, after checking that it stays
    within ``budget`` values (``MAX_VALUES`` by default) and (with ``depth``) ``MAX_DEPTH``
    levels.

    The count is exact up to commas and brackets inside strings (an overcount, which only a
    string-heavy record near the limit notices); strings are skipped, at a cost, only when
    the cheap bound is over a limit.
    """
    budget = MAX_VALUES if budget is None else budget
    counted = data.translate(None, _NOT_COUNTED)  # one pass: cheaper than three counts
    bound = len(counted) + 1
    if bound <= budget and (not depth or bound - 1 - counted.count(b",") <= MAX_DEPTH):
        return bound
    structure = _structure(data)
    opens = structure.count(b"[") + structure.count(b"{")
    count = opens + structure.count(b",") + 1
    if count > budget:
        raise ShapeError(
            f"holds about {count:,} JSON values, more than the {budget:,} allowed "
            "(hitl_notebook.checkpoint.bounds.MAX_VALUES); refusing to load it"
        )
    if depth and opens > MAX_DEPTH and _deeper_than(structure.replace(b",", b""), MAX_DEPTH):
        raise ShapeError(
            f"nests deeper than {MAX_DEPTH} levels (hitl_notebook.checkpoint.bounds.MAX_DEPTH); "
            "refusing to load it"
        )
    return count


def _structure(data: bytes) -> bytes:
    """The JSON structure (brackets, braces, commas) of ``data`` outside string literals."""
    kept = data.translate(None, _NOT_STRUCTURE_OR_QUOTE)
    if b"\\" in kept:  # escapes: find the strings in the text itself
        return _STRING.sub(b"", data).translate(None, _NOT_STRUCTURE)
    # No escapes: every other quote opens a string. Split what is left of the text rather
    # than the text: its pieces are mostly the shared empty and one-byte ``bytes``.
    return b"".join(kept.split(b'"')[::2])


def _deeper_than(brackets: bytes, limit: int) -> bool:
    """Whether balanced-looking ``brackets`` nest deeper than ``limit``: each pass removes
    the innermost pairs, so ``limit`` passes empty anything not deeper."""
    for _ in range(limit):
        shorter = brackets.replace(b"[]", b"").replace(b"{}", b"")
        if not shorter:
            return False
        if len(shorter) == len(brackets):  # unbalanced: the parser will say what is wrong
            return False
        brackets = shorter
    return True
