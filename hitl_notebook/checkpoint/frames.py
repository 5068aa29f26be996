"""A checkpoint's stored bytes: named sections, each serialised on its own.

Keeping every channel in its own section means a damaged value is reported with the
channel it belongs to, and reading a checkpoint's ``next``/``writes`` never has to decode
its (possibly large) values. Large sections are zlib-compressed; small ones are deflated
with a preset dictionary of the JSON our serialiser writes most (``DICTIONARY``), which is
what makes a one-message delta smaller than the message text. Reading a blob is bounded (see ``bounds``): its sections
may inflate to at most ``MAX_RECORD_BYTES`` and hold at most ``MAX_VALUES`` JSON values in
all, checked before anything is parsed.

Layout: ``MAGIC`` then, per section, a header ``tag (1 byte) | flags (1 byte) | name
length | data length`` followed by the UTF-8 name and the data. The lengths are LEB128
varints (usually 1 and 1-2 bytes: a one-message delta's three headers take 13 bytes, not
24); blobs of schema versions 1-4 start with ``MAGIC_1`` and have fixed u16 and u32 lengths.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from . import bounds

__all__ = [
    "FrameError",
    "Section",
    "decode_sections",
    "encode_section",
    "join",
    "pack",
    "pack_plain",
    "pack_unnamed",
]

MAGIC = b"HNF2"
#: Blobs written before schema version 5, with fixed-width ``_HEADER_1`` section headers.
MAGIC_1 = b"HNF1"
_HEADER_1 = struct.Struct(">cBHI")
#: A name or data length takes at most this many varint bytes (u32).
_MAX_VARINT = 5
_COMPRESSED = 0x01
#: Raw deflate with ``DICTIONARY`` preset (small sections, schema versions 2 and 3)...
_WITH_DICTIONARY = 0x02
#: ...or with ``DICTIONARY_4`` (schema versions 4 and 5)...
_WITH_DICTIONARY_4 = 0x04
#: ...or with ``DICTIONARY_6`` (written since schema version 6).
_WITH_DICTIONARY_6 = 0x08
#: Every flags value a section may carry (one way of compressing at most).
_FLAGS = frozenset({0, _COMPRESSED, _WITH_DICTIONARY, _WITH_DICTIONARY_4, _WITH_DICTIONARY_6})
#: zlib level of large sections unless the caller asks for another (fast: most are deltas).
LEVEL = 1
#: Sections at least this long are zlib-compressed...
COMPRESS_FROM = 512
#: ...and from this long up to there, deflated with the dictionary (when that is smaller).
DICTIONARY_FROM = 48
#: Fragments our serialiser writes on most steps, the most frequent last (deflate reaches
#: the end of its dictionary most cheaply). Stored data depends on these exact bytes:
#: never change them; a new dictionary needs a new flag.
DICTIONARY = (
    b'{"$t":"tuple","v":[{"$t":"obj","n":"{"$t":"enum","n":"{"$t":"interrupt","v":{"value":'
    b'"response_schema":null,"ns":"","id":"{"$t":"dict","v":[["'
    b'"additional_kwargs":{},"response_metadata":{},"name":null,"usage_metadata":null,'
    b'"invalid_tool_calls":[],"tool_call_id":"","status":"success","artifact":null,'
    b'{"task_id":"","name":"","writes":null,"answers":[],"interrupts":[],"error":null,'
    b'"goto":[],"child_answers":{}}"__start__","messages":null}},false]]'
    b'{"role":"user","content":"{"role":"assistant","content":"'
    b'[{"$t":"msg","v":{"type":"system","content":"'
    b'[{"$t":"msg","v":{"type":"tool","content":"'
    b'[{"$t":"msg","v":{"type":"human","content":"'
    b'","tool_calls":[]}}]","tool_calls":[]}}]'
    b'[{"$t":"msg","v":{"type":"ai","content":"'
)
#: ``DICTIONARY`` plus what a step's writes that refer to its values look like (see
#: ``write_refs``: a message's text is stored once, in the values) and message ids: the
#: writes section of a message step deflates to about 15 bytes instead of 37. The same
#: rule holds: never change these bytes.
DICTIONARY_4 = DICTIONARY + (
    b'"id":null,[[["'
    b'","messages",1,0,"content"]],{"'
    b'":{"messages":[{"role":"assistant","content":null}]}}]'
    b'","id":"'
    b'[{"$t":"msg","v":{"type":"ai","content":"'
)

#: ``DICTIONARY_4`` plus how LangChain's messages are written (our ``add_messages`` makes
#: them whenever LangChain is loaded): a 200-character AI message deflates to about 8 bytes
#: less than with ``DICTIONARY_4``. Written since schema version 6; never change these bytes.
DICTIONARY_6 = DICTIONARY_4 + (
    b'"}}]'
    b'[{"$t":"lc","n":"system","v":{"content":"'
    b'[{"$t":"lc","n":"tool","v":{"content":"'
    b'[{"$t":"lc","n":"human","v":{"content":"'
    b'[{"$t":"lc","n":"ai","v":{"content":"'
)

#: The preset dictionary of each dictionary flag.
_DICTIONARIES = {
    _WITH_DICTIONARY: DICTIONARY,
    _WITH_DICTIONARY_4: DICTIONARY_4,
    _WITH_DICTIONARY_6: DICTIONARY_6,
}

#: A raw deflater with ``DICTIONARY_6`` already loaded, copied for each small section. A
#: new ``compressobj`` per section cost a sixth of a pause or resume: loading the
#: dictionary, and allocating (zeroing) deflate's default 256 KB state. Small sections need
#: only a 2 KB window (dictionary plus data) and little hash memory; ``_inflate``'s 32 KB
#: window reads them as before.
_PRIMED = zlib.compressobj(6, zlib.DEFLATED, -11, 4, zdict=DICTIONARY_6)


class FrameError(ValueError):
    """The bytes are not a well-formed frame (truncated, wrong magic, bad flags)."""


@dataclass(slots=True)
class Section:
    """One named piece of a checkpoint: ``tag`` says what it is, ``data`` is serde bytes."""

    tag: bytes
    name: str
    data: bytes


def encode_section(section: Section) -> bytes:
    """One section's stored bytes (header, name, data; large data compressed)."""
    return pack(section.tag, section.name, section.data)


def pack(tag: bytes, name: str, data: bytes, level: int = LEVEL) -> bytes:
    """``encode_section`` without building a ``Section`` first; large data is compressed at
    zlib ``level``."""
    if len(data) < DICTIONARY_FROM and len(name) < 0x80 and name.isascii():
        # Small data (most sections of a step): stored as it is, one-byte lengths.
        if not name:  # a step's writes and next tasks
            return tag + bytes((0, 0, len(data))) + data
        return tag + bytes((0, len(name), len(data))) + name.encode("ascii") + data
    encoded_name = name.encode("utf-8")
    flags = 0
    if len(data) >= COMPRESS_FROM:
        packed = zlib.compress(data, level)
        if len(packed) < len(data):
            data, flags = packed, _COMPRESSED
    elif len(data) >= DICTIONARY_FROM:
        deflater = _PRIMED.copy()
        packed = deflater.compress(data) + deflater.flush()
        if len(packed) < len(data):
            data, flags = packed, _WITH_DICTIONARY_6
    if len(encoded_name) < 0x80 and len(data) < 0x80:  # the usual: one-byte lengths
        header = tag + bytes((flags, len(encoded_name), len(data)))
    else:
        header = tag + bytes((flags,)) + _varint(len(encoded_name)) + _varint(len(data))
    return header + encoded_name + data


def pack_unnamed(tag: bytes, data: bytes, tag2: bytes, data2: bytes) -> bytes:
    """Two unnamed sections (a step's writes and next tasks), as two ``pack`` calls."""
    if len(data) < DICTIONARY_FROM and len(data2) < DICTIONARY_FROM:  # stored as they are
        return tag + bytes((0, 0, len(data))) + data + tag2 + bytes((0, 0, len(data2))) + data2
    return pack(tag, "", data) + pack(tag2, "", data2)


def pack_plain(tag: bytes, name: str, data: bytes) -> bytes:
    """A section stored as it is, whatever its size (for blobs compressed as a whole)."""
    encoded_name = name.encode("utf-8")
    return tag + b"\x00" + _varint(len(encoded_name)) + _varint(len(data)) + encoded_name + data


def _varint(n: int) -> bytes:
    if n < 0x80:
        return bytes((n,))
    out = bytearray()
    while n >= 0x80:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _read_varint(blob: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it; a ``FrameError`` if malformed."""
    n = shift = 0
    for i in range(pos, min(pos + _MAX_VARINT, len(blob))):
        byte = blob[i]
        n |= (byte & 0x7F) << shift
        if byte < 0x80:
            return n, i + 1
        shift += 7
    raise FrameError(f"truncated or overlong section length at byte {pos}")


def _header(blob: bytes, pos: int, fixed: bool) -> tuple[bytes, int, int, int, int]:
    """``tag, flags, name length, data length`` of the section header at ``pos``, and the
    position after it."""
    if fixed:
        if pos + _HEADER_1.size > len(blob):
            raise FrameError(f"truncated section header at byte {pos}")
        return (*_HEADER_1.unpack_from(blob, pos), pos + _HEADER_1.size)
    if pos + 4 > len(blob):
        raise FrameError(f"truncated section header at byte {pos}")
    if blob[pos + 2] < 0x80 and blob[pos + 3] < 0x80:  # the usual: two one-byte lengths
        return blob[pos : pos + 1], blob[pos + 1], blob[pos + 2], blob[pos + 3], pos + 4
    name_len, after = _read_varint(blob, pos + 2)
    data_len, after = _read_varint(blob, after)
    return blob[pos : pos + 1], blob[pos + 1], name_len, data_len, after


def join(encoded: list[bytes]) -> bytes:
    """A blob made of sections encoded by ``encode_section``."""
    return MAGIC + b"".join(encoded)


def decode_sections(blob: bytes, tags: frozenset[bytes] | None = None) -> list[Section]:
    """The sections of ``blob`` (only those whose tag is in ``tags``, when given).

    Sections that are skipped are not decompressed. The returned sections' data is bounded
    in size, JSON values and nesting (a ``FrameError`` otherwise), so that loading it need
    not check again (``serde.loads(..., shaped=True)``).
    """
    blob = bytes(blob)
    fixed = blob.startswith(MAGIC_1)
    if not fixed and not blob.startswith(MAGIC):
        raise FrameError("does not start with the checkpoint frame marker")
    sections = []
    pos = len(MAGIC)
    end_of_blob = len(blob)
    size = values = 0  # inflated bytes and JSON values of the sections returned so far
    while pos < end_of_blob:
        if not fixed and pos + 4 <= end_of_blob and blob[pos + 2] < 0x80 and blob[pos + 3] < 0x80:
            # The usual header, read inline: two one-byte lengths.
            tag, flags, name_len, data_len = blob[pos : pos + 1], *blob[pos + 1 : pos + 4]
            pos += 4
        else:
            tag, flags, name_len, data_len, pos = _header(blob, pos, fixed)
        end = pos + name_len + data_len
        if end > end_of_blob:
            raise FrameError(f"truncated section at byte {pos}")
        if flags not in _FLAGS:
            raise FrameError(f"unknown section flags {flags:#x} at byte {pos}")
        if tags is not None and tag not in tags:
            pos = end
            continue
        if name_len:
            try:
                name = blob[pos : pos + name_len].decode("utf-8")
            except UnicodeDecodeError:
                raise FrameError(f"section name at byte {pos} is not UTF-8") from None
        else:
            name = ""
        data = blob[pos + name_len : end]
        pos = end
        if flags:
            data = _inflate(data, name, bounds.MAX_RECORD_BYTES - size, flags)
        size += len(data)
        if size > bounds.MAX_RECORD_BYTES:
            raise FrameError(_too_big(name))
        try:
            values += bounds.json_shape(data, bounds.MAX_VALUES - values)
        except bounds.ShapeError as exc:
            raise FrameError(f"section {name!r} {exc}") from None
        sections.append(Section(tag, name, data))
    return sections


def _too_big(name: str) -> str:
    return (
        f"section {name!r} takes the record past {bounds.MAX_RECORD_BYTES:,} bytes "
        "(hitl_notebook.checkpoint.bounds.MAX_RECORD_BYTES); refusing to load it"
    )


def _inflate(data: bytes, name: str, room: int, flags: int) -> bytes:
    """``data`` decompressed, or a ``FrameError`` as soon as it would pass ``room`` bytes."""
    if flags == _COMPRESSED:
        inflater = zlib.decompressobj()
    else:
        inflater = zlib.decompressobj(-15, zdict=_DICTIONARIES[flags])
    try:
        out = inflater.decompress(data, max(room, 0) + 1)
    except zlib.error as exc:
        raise FrameError(f"section {name!r} does not decompress: {exc}") from None
    if len(out) > room or inflater.unconsumed_tail:
        raise FrameError(_too_big(name))
    if not inflater.eof:
        raise FrameError(f"section {name!r} does not decompress: truncated data")
    return out
