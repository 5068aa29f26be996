"""Small sections since schema version 4 deflate with ``DICTIONARY_4`` (issue 14, storage):
a message step's writes, which refer to the values, shrink to about 15 bytes; sections
deflated with the first dictionary (versions 2 and 3) read as before."""

from __future__ import annotations

import zlib

import pytest

from hitl_notebook.checkpoint import frames

WRITES = b'[[["talk","messages",1,0,"content"]],{"talk":{"messages":[{"role":"assistant","content":null}]}}]'


def _section(flags: int, data: bytes) -> bytes:
    return frames.MAGIC_1 + frames._HEADER_1.pack(b"X", flags, 0, len(data)) + data


def test_a_message_steps_writes_deflate_to_a_few_bytes():
    """The writes section of a step appending one message (its text referred to) is stored
    in at most 20 bytes of data (37 with the first dictionary)."""
    stored = frames.pack(b"X", "", WRITES)
    assert len(stored) - 4 <= 20  # tag, flags, two one-byte lengths
    assert frames.decode_sections(frames.join([stored]))[0].data == WRITES


def test_a_section_deflated_with_the_first_dictionary_still_reads():
    """Data written by schema versions 2 and 3 (flag 0x02, ``DICTIONARY``) decodes."""
    deflater = zlib.compressobj(6, zlib.DEFLATED, -15, zdict=frames.DICTIONARY)
    old = deflater.compress(WRITES) + deflater.flush()
    assert frames.decode_sections(_section(0x02, old))[0].data == WRITES


@pytest.mark.parametrize("flags", [0x03, 0x05, 0x06, 0x09, 0x0C, 0x10, 0xFF])
def test_unknown_or_combined_flags_are_refused(flags):
    """Only one way of compressing per section, and only known ones."""
    with pytest.raises(frames.FrameError, match="unknown section flags"):
        frames.decode_sections(_section(flags, b"xx"))
