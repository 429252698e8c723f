"""Passage anchors: a pair of Yjs relative positions (start, end) read against a story's pycrdt document.

Pure functions, no I/O. A relative position is the bytes that `Y.encodeRelativePosition` (or pycrdt's
`StickyIndex.encode`) writes: a varuint kind (0 an item id: client and clock; 1 a root type's name), then
an optional varint `assoc`. Each is checked here before pycrdt sees it, since pycrdt panics on malformed
bytes and on an item that its document does not have. Offsets are counted in UTF-16 code units, like
CodeMirror and Yjs in the browser.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from pycrdt import Assoc, Doc, StickyIndex, Text

from stories.cowriting import crdt, yupdate

MAX_ANCHOR_BYTES = 64


class AnchorError(ValueError):
    """Bytes that are not a relative position into the story's text."""


@dataclass(frozen=True)
class Position:
    """A decoded relative position: an item (client, clock), or the start/end of the text named `body`."""

    client: int | None
    clock: int | None
    assoc: int


def _uint(data: bytes, pos: int) -> tuple[int, int]:
    value, shift = 0, 0
    while True:
        if pos >= len(data) or shift > 63:
            raise AnchorError("truncated varuint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def _int(data: bytes, pos: int) -> tuple[int, int]:
    """lib0's varint: sign in bit 6 of the first byte, 6 bits then 7 bits per byte."""
    if pos >= len(data):
        raise AnchorError("truncated varint")
    byte = data[pos]
    value, negative, pos, shift = byte & 0x3F, bool(byte & 0x40), pos + 1, 6
    while byte & 0x80:
        if pos >= len(data) or shift > 63:
            raise AnchorError("truncated varint")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
    return (-value if negative else value), pos


def parse(data: bytes) -> Position:
    """Decode a relative position into the text `body`; raise `AnchorError` for anything else."""
    if not isinstance(data, bytes) or not 0 < len(data) <= MAX_ANCHOR_BYTES:
        raise AnchorError("not a relative position")
    kind, pos = _uint(data, 0)
    client = clock = None
    if kind == 0:
        client, pos = _uint(data, pos)
        clock, pos = _uint(data, pos)
    elif kind == 1:
        length, pos = _uint(data, pos)
        if data[pos : pos + length] != crdt.BODY.encode():
            raise AnchorError("a position in another type")
        pos += length
    else:
        raise AnchorError("a position in a nested type")
    assoc = 0
    if pos < len(data):
        assoc, pos = _int(data, pos)
    if pos != len(data) or assoc not in (0, -1):
        raise AnchorError("trailing bytes")
    return Position(client, clock, assoc)


def from_base64(value: object) -> bytes:
    """The bytes of a relative position sent as base64 text (what the wire protocol carries)."""
    if not isinstance(value, str) or not 0 < len(value) <= 4 * MAX_ANCHOR_BYTES:
        raise AnchorError("not base64")
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise AnchorError("not base64") from exc
    parse(data)
    return data


def to_base64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data else None


def _known(doc: Doc, position: Position) -> bool:
    known = crdt.state_vector(doc.get_state()).get(position.client or 0, 0)
    return position.clock is not None and position.clock < known


def index(doc: Doc, text: Text, data: bytes) -> int | None:
    """Where the relative position stands in `text` now (UTF-16 offset), or None if the doc lacks its item."""
    position = parse(data)
    if position.client is None:  # no item beside it: the start (assoc -1) or the end of the text
        return 0 if position.assoc < 0 else len(str(text).encode("utf-16-le")) // 2
    if not _known(doc, position):
        return None
    if yupdate.root_of(doc.get_update(), position.client, position.clock) != crdt.BODY:
        raise AnchorError("a position in another type")  # its index would be in that type, not the story
    return StickyIndex.decode(data, text).get_index()


def utf16_slice(value: str, start: int, end: int) -> str:
    """`value[start:end]`, counted in UTF-16 code units."""
    units = value.encode("utf-16-le")
    return units[2 * start : 2 * end].decode("utf-16-le", errors="replace")


@dataclass(frozen=True)
class Resolved:
    """Where an anchored passage stands now: offsets, its text, and whether it is gone."""

    start: int
    end: int
    text: str

    @property
    def deleted(self) -> bool:
        return self.end <= self.start


def resolve(doc: Doc, text: Text, start: bytes, end: bytes) -> Resolved | None:
    """The passage between two relative positions now, or None when the document does not know them."""
    a, b = index(doc, text, start), index(doc, text, end)
    if a is None or b is None:
        return None
    return Resolved(a, b, utf16_slice(str(text), a, b) if b > a else "")


def anchor(text: Text, start: int, end: int) -> tuple[bytes, bytes]:
    """Relative positions around the passage [start, end) of `text` (UTF-16 offsets), as a browser makes them:
    the start sticks to the passage's first character, the end to its last."""
    return (
        StickyIndex.new(text, start, Assoc.AFTER).encode(),
        StickyIndex.new(text, end, Assoc.BEFORE).encode(),
    )
