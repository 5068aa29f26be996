"""``bench.pg_layouts`` (what other PostgreSQL layouts would store) measures what it says:
its sizes are complete, its copy of the saver's rows is faithful, and a row split in parts
keeps every byte."""

from __future__ import annotations

import pytest

from bench.pg_layouts import PART, _parts, measure


@pytest.mark.postgres
def test_each_layout_is_measured_whole_and_the_shipped_copy_matches_the_saver(postgres_dsn):
    """The parts of every measured size add up to its total, the shipped layout holding the
    copied rows takes exactly what the saver's own tables took, and the floor layout is
    smaller than the shipped one (the comparison has something to show)."""
    payload, ran, found = measure(postgres_dsn, 60)
    assert payload == 60 * 200
    for sizes in (ran, *(s for _, s in found)):
        assert sizes["heap"] + sizes["maps"] + sizes["indexes"] + sizes["toast"] == sizes["total"]
        assert sizes["heap"] > 0 and sizes["indexes"] > 0
    by_name = dict(found)
    assert by_name["shipped (PostgresSaver.setup)"] == ran
    assert found[-1][1]["total"] < ran["total"]


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
