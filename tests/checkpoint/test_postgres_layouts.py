"""``bench.pg_layouts`` (what other PostgreSQL layouts would store) measures what it says:
its sizes are complete, its copy of the saver's rows is faithful, a row split in parts
keeps every byte, and each design with fewer rows than checkpoints holds every checkpoint."""

from __future__ import annotations

import pytest

from bench.pg_layouts import (
    DESIGNS,
    PART,
    ROW_LAYOUT,
    SEGMENTED,
    _parts,
    create,
    measure,
    saver_rows,
    schema,
)


@pytest.mark.postgres
def test_each_layout_is_measured_whole_and_the_row_copy_matches_the_saver(postgres_dsn):
    """The parts of every measured size add up to its total, the row layout holding the
    copied rows takes exactly what a saver's own row-layout tables took, and the floor layout
    is smaller than the row layout (the comparison has something to show), as is the saver's
    tails and segments layout."""
    payload, ran, found = measure(postgres_dsn, 60)
    assert payload == 60 * 200
    for sizes in (ran, *(s for _, s in found)):
        assert sizes["heap"] + sizes["maps"] + sizes["indexes"] + sizes["toast"] == sizes["total"]
        assert sizes["heap"] > 0 and sizes["indexes"] > 0
    by_name = dict(found)
    assert by_name[ROW_LAYOUT] == ran
    assert by_name[SEGMENTED]["total"] < ran["total"]
    floor = next(sizes for name, sizes in found if name.startswith("floor"))
    assert floor["total"] < ran["total"]


def test_a_row_split_in_parts_keeps_its_bytes_in_order():
    """Data longer than a part becomes numbered pieces of at most ``PART`` bytes that join
    back to it; shorter data stays one part, numbered 0."""
    data = bytes(range(256)) * 80  # 20,480 bytes
    row = ("t", "", b"id", data)
    pieces = _parts(row)
    assert [p[-1] for p in pieces] == [0, 1, 2]
    assert all(p[:3] == row[:3] and len(p[-2]) <= PART for p in pieces)
    assert b"".join(p[-2] for p in pieces) == data
    assert _parts(("t", "", b"id", b"abc")) == [("t", "", b"id", b"abc", 0)]


@pytest.mark.postgres
def test_each_design_holds_every_checkpoint_once(postgres_dsn):
    """After a 200-turn loop (long enough for segments to form), every checkpoint is in
    exactly one place of each design: a plain row or a segment (compacted by delete), a
    segment or the tail (tail + segments), and both designs formed segments."""
    with schema(postgres_dsn) as conn:
        rows = saver_rows(conn, 200)
    for design in DESIGNS:
        with schema(postgres_dsn) as conn:
            create(conn, design)
            design.write(conn, rows)
            segments, in_segments = conn.execute(
                "SELECT COUNT(*), COALESCE(SUM(count), 0) FROM hitl_segments WHERE part = 0"
            ).fetchone()
            rest = (
                "SELECT COALESCE(SUM(count), 0) FROM hitl_tails"
                if "tail" in design.name
                else "SELECT COUNT(*) FROM hitl_checkpoints"
            )
            elsewhere = conn.execute(rest).fetchone()[0]
            assert segments > 0, design.name
            assert in_segments + elsewhere == len(rows), design.name
