"""Checkpoint ids and creation times as the SQL tables of schema version 4 store them.

Engine ids are UUID-shaped text (36 characters) and creation times ISO-8601 text (32): in
a 1,000-turn message loop the id, parent id and time of each row weighed about half as much
as the message it stored. Packed, an id in the UUID form takes 17 bytes (a marker byte and
its 16 bytes) and a UTC time with or without microseconds 10 (marker, microseconds since
1970, form); anything else is stored as its UTF-8 text behind a lower marker byte. Byte
order is then the text order within each form, and text ids sort before UUID-form ones
(``order`` gives every saver that same order). Tables of earlier versions keep text.

Since schema version 5 a time may also be stored relative to its checkpoint's id: engine
ids begin with the nanoseconds they were made at, and the time is taken microseconds
later, so ``pack_time(t, id)`` keeps only that difference (2 to 5 bytes instead of 10).
"""

from __future__ import annotations

import functools
import re
from datetime import datetime, timedelta

from .serde import DeserializationError

__all__ = ["order", "pack_id", "pack_time", "unpack_id", "unpack_time", "uuid_form"]

_TEXT, _PACKED, _AFTER_ID = b"\x00", b"\x01", b"\x02"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_TIME = re.compile(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d{6})?\+00:00")
_EPOCH = datetime(1970, 1, 1)


def pack_id(checkpoint_id: str) -> bytes:
    """A checkpoint id's stored bytes."""
    if len(checkpoint_id) == 36 and _UUID.fullmatch(checkpoint_id):
        return _PACKED + bytes.fromhex(checkpoint_id.replace("-", ""))
    return _TEXT + checkpoint_id.encode("utf-8")


def unpack_id(stored: bytes | memoryview) -> str:
    """Inverse of ``pack_id``."""
    data = bytes(stored)
    if data[:1] == _PACKED and len(data) == 17:
        h = data[1:].hex()
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
    if data[:1] == _TEXT:
        try:
            return data[1:].decode("utf-8")
        except UnicodeDecodeError:
            pass
    raise DeserializationError(f"a stored checkpoint id is malformed: {data[:40]!r}")


#: The order of checkpoint ids in every saver (``pack_id``'s byte order).
order = pack_id


def uuid_form(checkpoint_id: str) -> bool:
    """Whether the id is in the UUID form: two such ids are in ``order`` as text (hex
    digits and dashes at the same places sort as the bytes they pack to)."""
    return len(checkpoint_id) == 36 and _UUID.fullmatch(checkpoint_id) is not None


def pack_time(created_at: str, checkpoint_id: str | bytes | None = None) -> bytes:
    """A creation time's stored bytes; given its checkpoint's id, relative to the time at
    the start of a UUID-form id when that is shorter (``unpack_time`` then needs the id)."""
    packed = _pack_absolute(created_at)
    if checkpoint_id is None or packed[:1] != _PACKED or packed[9] != 1:
        return packed
    base = _id_micros(checkpoint_id)
    if base is None:
        return packed
    offset = int.from_bytes(packed[1:9], "big") - base
    if not -(2**31) <= offset < 2**31:
        return packed
    return _AFTER_ID + offset.to_bytes((offset.bit_length() + 8) // 8, "big", signed=True)


def _id_micros(checkpoint_id: str | bytes) -> int | None:
    """The microseconds an engine id's first 64 bits count (as nanoseconds), if UUID-form;
    the id as text or as ``pack_id`` stored it."""
    if isinstance(checkpoint_id, bytes):
        if len(checkpoint_id) != 17 or checkpoint_id[:1] != _PACKED:
            return None
        return int.from_bytes(checkpoint_id[1:9], "big") // 1000
    if len(checkpoint_id) != 36 or not _UUID.fullmatch(checkpoint_id):
        return None
    return int(checkpoint_id[:8] + checkpoint_id[9:13] + checkpoint_id[14:18], 16) // 1000


def _pack_absolute(created_at: str) -> bytes:
    m = _TIME.fullmatch(created_at)
    if m and m[1] >= "1970":
        try:
            seconds = datetime.fromisoformat(m[1])
        except ValueError:
            seconds = None
        if seconds is not None:
            micros = (seconds - _EPOCH) // timedelta(microseconds=1)
            micros += int(m[2][1:]) if m[2] else 0
            return _PACKED + micros.to_bytes(8, "big") + (b"\x01" if m[2] else b"\x00")
    return _TEXT + created_at.encode("utf-8")


def unpack_time(stored: bytes | memoryview, checkpoint_id: str | bytes | None = None) -> str:
    """Inverse of ``pack_time`` (given the same checkpoint id, as text or packed)."""
    data = bytes(stored)
    if data[:1] == _AFTER_ID and 2 <= len(data) <= 5 and checkpoint_id is not None:
        base = _id_micros(checkpoint_id)
        if base is not None:
            micros = base + int.from_bytes(data[1:], "big", signed=True)
            if not 0 <= micros < 2**64:
                raise DeserializationError("a stored creation time is out of range")
            data = _PACKED + micros.to_bytes(8, "big") + b"\x01"
    if data[:1] == _PACKED and len(data) == 10 and data[9] in (0, 1):
        seconds, micros = divmod(int.from_bytes(data[1:9], "big"), 1_000_000)
        fraction = f".{micros:06d}" if data[9] else ""
        return f"{_second_text(seconds)}{fraction}+00:00"
    if data[:1] == _TEXT:
        try:
            return data[1:].decode("utf-8")
        except UnicodeDecodeError:
            pass
    raise DeserializationError(f"a stored creation time is malformed: {data[:40]!r}")


@functools.lru_cache(maxsize=4096)
def _second_text(seconds: int) -> str:
    try:
        return f"{_EPOCH + timedelta(seconds=seconds):%Y-%m-%dT%H:%M:%S}"
    except OverflowError:
        raise DeserializationError("a stored creation time is out of range") from None
