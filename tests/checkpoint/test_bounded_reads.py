"""Hostile stored records fail with a clear error in bounded memory and time (issue 14,
defect 4), and what is written always reads back under the same bounds.

The hostile loads run in a subprocess with an address-space limit, which reports its peak
resident memory: a regression shows as a failed assertion, not as a test machine
swapping.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from checkpoint_helpers import record

from hitl_notebook.checkpoint import bounds, frames, serde
from hitl_notebook.checkpoint.base import Replace
from hitl_notebook.checkpoint.serde import DeserializationError, SerializationError

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
#: The child may map at most this much (a runaway inflate dies instead of swapping).
ADDRESS_LIMIT = 1536 * 1024 * 1024
PEAK_LIMIT_MB = 300

CHILD = textwrap.dedent(
    """
    import json, resource, sys, time, zlib
    kind, target, shape = sys.argv[1], sys.argv[2], sys.argv[3]
    resource.setrlimit(resource.RLIMIT_AS, (int(sys.argv[4]), int(sys.argv[4])))
    from hitl_notebook.checkpoint import frames
    from hitl_notebook.checkpoint.base import CheckpointRecord, TaskPlan

    def deflated(chunk, times, head=b"", tail=b""):
        # head + chunk * times + tail, compressed without ever holding it whole.
        z = zlib.compressobj(9)
        parts = [z.compress(head), *(z.compress(chunk) for _ in range(times))]
        return b"".join([*parts, z.compress(tail), z.flush()])

    def section(tag, name, data):
        head = frames._HEADER_1.pack(tag, frames._COMPRESSED, len(name), len(data))
        return head + name.encode() + data

    if shape == "bomb":  # 4 sections of 255 MiB of zeros each
        body = deflated(b"0" * (1 << 20), 255)
        sections = [section(b"R", f"channel{i}", body) for i in range(4)]
    else:  # ~30 MB of "[]," (ten million empty lists) in one ~31 KB section
        sections = [section(b"R", "channel", deflated(b"[]," * 100_000, 100, b"[", b"[]]"))]
    blob = frames.MAGIC_1 + b"".join(sections)

    if kind == "sqlite":
        from hitl_notebook.checkpoint.sqlite import SqliteSaver
        saver = SqliteSaver(target)
    else:
        from hitl_notebook.checkpoint.postgres import PostgresSaver
        saver = PostgresSaver.from_conn_string(target)
        saver.setup()
    rec = CheckpointRecord("t", "", "00000000-0000-0000-0000-000000000001", None, -1, "input",
                           None, {"channel": []}, [TaskPlan("task", "node")], "2026-01-01", {})
    saver.put(rec, {})
    if shape == "tail":  # PostgreSQL's tail blob itself: 1 GiB of zeros in about 1 MB
        saver._conn.execute("UPDATE hitl_tails SET data = %s", [deflated(b"0" * (1 << 20), 1024)])
    elif kind == "sqlite":
        saver._conn.execute("UPDATE hitl_checkpoints SET data = ?", [blob])
    else:  # the record's data, inside its (well-formed) tail
        sys.path.insert(0, sys.argv[5])
        import pg_rows
        pg_rows.set_row(target, rec.id, data=blob)
    saver.clear_cache()
    started = time.process_time()
    try:
        saver.get("t")
        error = None
    except Exception as exc:
        error = f"{type(exc).__name__}: {exc}"
    seconds = time.process_time() - started
    # VmHWM, not ru_maxrss: Linux carries a forked parent's resident size over exec into
    # ru_maxrss, so a large pytest process would count as this child's peak.
    with open("/proc/self/status") as status:
        hwm = next(line for line in status if line.startswith("VmHWM:"))
    peak = int(hwm.split()[1]) / 1024
    print(json.dumps({"error": error, "peak_mb": peak, "cpu_s": seconds, "blob": len(blob)}))
    """
)


def _load_in_child(kind: str, target: str, shape: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, kind, target, shape, str(ADDRESS_LIMIT), str(HERE)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _target(kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if kind == "sqlite":
        return str(tmp_path / "hostile.db")
    return request.getfixturevalue("postgres_schema")


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize(
    ("shape", "reason"),
    [("bomb", "past 67,108,864 bytes"), ("lists", "more than the 1,000,000 allowed")],
)
def test_hostile_blob_fails_clearly_in_bounded_memory(kind, shape, reason, tmp_path, request):
    """A ~1 MB blob inflating to 4 x 255 MiB, and a 31 KB one of ten million ``[],``, are
    refused with a DeserializationError naming the limit, under 300 MB peak memory."""
    result = _run_checked(kind, shape, reason, tmp_path, request)
    print(f"\n{kind} {shape}: {result}")  # the figures, for the closing note


@pytest.mark.postgres
def test_a_hostile_postgres_tail_fails_clearly_in_bounded_memory(tmp_path, request):
    """A PostgreSQL tail blob inflating to 1 GiB is refused with a DeserializationError
    naming the bound, under 300 MB peak memory."""
    result = _run_checked("postgres", "tail", "inflates past", tmp_path, request)
    print(f"\npostgres tail: {result}")


def _run_checked(kind: str, shape: str, reason: str, tmp_path: Path, request) -> dict:
    result = _load_in_child(kind, _target(kind, tmp_path, request), shape)
    assert result["error"] is not None, result
    assert result["error"].startswith("DeserializationError"), result
    assert reason in result["error"], result
    assert result["peak_mb"] < PEAK_LIMIT_MB, result
    return result


def test_deep_nesting_fails_clearly_on_write_and_on_read(saver):
    """JSON nesting past ``MAX_DEPTH`` is refused when written and when read (a tampered
    record), with the library's errors, never a raw ``RecursionError``."""
    deep: list = []
    for _ in range(bounds.MAX_DEPTH + 1):
        deep = [deep]
    with pytest.raises(SerializationError, match="nests deeper than 255 levels"):
        saver.put(record(values={"v": deep}), {})
    text = b"[" * 600 + b"]" * 600
    with pytest.raises(DeserializationError, match="nests deeper than 255 levels"):
        serde.loads(text)
    tagged = b'[{"$t":"tuple","v":' * 300 + b"[]" + b"}]" * 300
    with pytest.raises(DeserializationError, match="nests deeper than 255 levels"):
        serde.loads(tagged)


def test_what_is_written_within_the_bounds_reads_back(kit):
    """Nesting at the limit and strings full of brackets and commas (counted as strings, not
    structure) store and read back exactly on every saver."""
    nested: list = []
    for _ in range(bounds.MAX_DEPTH - 3):  # the channel's own list and its JSON frame
        nested = [nested]
    brackets = "[[[{,,,}]]]" * 50_000
    rec = record(values={"nested": nested, "text": brackets, "quoted": 'a "quoted" \\ ]'})
    kit.saver.put(rec, {})
    assert kit.reopen().get("t").values == rec.values


def test_a_checkpoint_too_big_to_read_is_refused_when_written(saver, monkeypatch):
    """The writer refuses what a reader would refuse, so a stored thread never becomes
    unreadable: the error names the limits."""
    monkeypatch.setattr(bounds, "MAX_VALUES", 1000)
    with pytest.raises(SerializationError, match="at most .* 1,000 values"):
        saver.put(record(values={"many": list(range(2000))}), {})
    assert saver.get("t") is None


def test_record_value_budget_is_shared_by_its_sections(monkeypatch):
    """Two sections under the limit each but over it together are refused as a record."""
    monkeypatch.setattr(bounds, "MAX_VALUES", 1000)
    half = frames.encode_section(frames.Section(b"R", "a", b"[" + b"1," * 600 + b"1]"))
    other = frames.encode_section(frames.Section(b"R", "b", b"[" + b"1," * 600 + b"1]"))
    assert len(frames.decode_sections(frames.join([half]))) == 1
    with pytest.raises(frames.FrameError, match="'b' holds about"):
        frames.decode_sections(frames.join([half, other]))


def test_small_sections_over_the_value_bound_are_counted_before_being_refused(saver, monkeypatch):
    """A write bounds small sections' values by their bytes instead of counting them; a
    checkpoint whose bound passes the limit is counted exactly, so many short strings (few
    values, many bytes) are stored, as a snapshot and as a delta."""
    monkeypatch.setattr(bounds, "MAX_VALUES", 1000)
    wordy = {f"s{i}": "x" * 100 for i in range(30)}  # ~3,100 bytes, 30 values
    first = record(values=wordy)
    saver.put(first, {})
    changed = {k: v.upper() for k, v in wordy.items()}
    child = record(parent=first, values=changed)
    saver.put(child, {k: Replace(v) for k, v in changed.items()})
    assert saver.get("t", checkpoint_id=first.id).values == wordy
    assert saver.get("t").values == changed


def test_small_sections_over_the_value_limit_together_are_refused(saver, monkeypatch):
    """Sections each too small to be counted on their own still add up: a delta of small
    lists holding more values than the limit is refused, and nothing is stored."""
    monkeypatch.setattr(bounds, "MAX_VALUES", 1000)
    first = record(values={})
    saver.put(first, {})
    lists = {f"l{i}": list(range(60)) for i in range(20)}  # 20 x 61 values, ~230 bytes each
    child = record(parent=first, values=lists)
    with pytest.raises(SerializationError, match="at most .* 1,000 values"):
        saver.put(child, {k: Replace(v) for k, v in lists.items()})
    assert saver.get("t").id == first.id


def test_a_stored_value_nested_too_deeply_is_refused_when_read(tmp_path):
    """A tampered value section nested past ``MAX_DEPTH`` is refused by the read that
    replays it (its sections are bounded once, when their frame is decoded), naming the
    limit, never a ``RecursionError``."""
    from hitl_notebook.checkpoint.sqlite import SqliteSaver

    saver = SqliteSaver(str(tmp_path / "deep.db"))
    saver.put(record(values={"channel": []}), {})
    deep = b"[" * (bounds.MAX_DEPTH + 1) + b"]" * (bounds.MAX_DEPTH + 1)
    blob = frames.join([frames.pack(b"R", "channel", deep)])
    saver._conn.execute("UPDATE hitl_checkpoints SET data = ?", [blob])
    saver.clear_cache()
    with pytest.raises(DeserializationError, match="nests deeper than 255 levels"):
        saver.get("t")


def _structure_by_hand(text: bytes) -> bytes:
    """Brackets, braces and commas outside strings, one byte at a time (the reference)."""
    out, inside, escaped = bytearray(), False, False
    for byte in text:
        char = bytes((byte,))
        if inside:
            inside = escaped or char != b'"'
            escaped = not escaped and char == b"\\"
        elif char == b'"':
            inside = True
        elif char in b"[]{},":
            out += char
    return bytes(out)


def test_structure_outside_strings_matches_a_byte_by_byte_scan():
    """``json_shape``'s slow path skips strings exactly, escaped quotes and backslashes
    next to brackets included, with and without escapes in the text."""
    import random

    rng = random.Random(16)
    alphabet = ["[", "]", "{", "}", ",", "a", ":", "\\\\", '\\"', "\\n", "é"]
    for _ in range(300):
        items = []
        plain = rng.random() < 0.3  # no escapes at all: the split path
        for _ in range(rng.randint(0, 12)):
            chars = alphabet[:7] if plain else alphabet
            text = "".join(rng.choice(chars) for _ in range(rng.randint(0, 8)))
            items.append(rng.choice([f'"{text}"', "[]", "{}", "1", "[[{}]]"]))
        data = ("[" + ",".join(items) + "]").encode()
        json.loads(data)  # valid JSON
        assert bounds._structure(data) == _structure_by_hand(data), data
