"""Read the structure of a Yjs v1 update: which client wrote which clock ranges, with what text.

pycrdt applies updates but does not expose their structs; the engine reads them once per update, to refuse
one whose dependencies are missing and to check that pycrdt integrated it (`crdt.StoryDoc`), and so do
comment anchors (which root type an item sits in, `root_of`). Authorship does not: it follows pycrdt's own
text events (`history.Replay`).

This is a strict reader of the Yjs v1 encoding, on `lib0`'s bounded reader; it never changes a document and
raises `UpdateFormatError` on anything it cannot read to the end.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from stories.cowriting.lib0 import Reader

# Content refs (the low 5 bits of a struct's info byte); 0 is a GC struct and 10 a Skip struct.
GC, DELETED, JSON, BINARY, STRING, EMBED, FORMAT, TYPE, ANY, DOC, SKIP = range(11)
XML_ELEMENT, XML_HOOK = 3, 5  # type refs followed by a key
ORIGIN, RIGHT_ORIGIN, PARENT_SUB = 0x80, 0x40, 0x20


class UpdateFormatError(ValueError):
    """The bytes are not a well-formed Yjs v1 update."""


class _UpdateReader(Reader):
    error = UpdateFormatError


@dataclass(frozen=True)
class Struct:
    """One struct of an update: `length` clock units of `client` from `clock`; `text` for string content."""

    client: int
    clock: int
    length: int
    text: str | None = None
    deleted: bool = False  # a GC or ContentDeleted struct: nothing visible
    # Where the item sits: a root type's name, or the id of a nested type's item; else it shares the parent
    # of the item it was inserted after (origin) or before (right origin).
    parent: str | tuple[int, int] | None = None
    origin: tuple[int, int] | None = None
    right_origin: tuple[int, int] | None = None
    skip: bool = False  # a gap in a merged update: these clocks are not in it

    @property
    def neighbour(self) -> tuple[int, int] | None:
        return self.origin or self.right_origin


@dataclass
class DecodedUpdate:
    structs: list[Struct] = field(default_factory=list)
    deletes: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # client -> [(clock, length)]
    # Only text (valid UTF-8), deletions and gaps: what this reader checks to the end, so that pycrdt need
    # not try the update first (`crdt.check_update`). Other content (JSON, embeds, formats, nested types)
    # is read past, and pycrdt decides.
    plain: bool = True
    # The longest string (in characters) among its JSON-like values (`Y.Map`/`Y.Array` entries: a board
    # card's text, docs/protocol.md), not counting the story's text.
    longest_value: int = 0

    @property
    def clients(self) -> set[int]:
        """Client ids that wrote structs in this update (not those that only deleted)."""
        return {s.client for s in self.structs if not s.skip}


def utf16_length(text: str) -> int:
    """Length in UTF-16 code units: how Yjs counts clock units of string content."""
    return len(text.encode("utf-16-le", errors="surrogatepass")) // 2


# (length in clock units, text if string content, deleted, plain: checked to the end, see DecodedUpdate)
Content = tuple[int, str | None, bool, bool]


def _deleted(reader: Reader) -> Content:
    return reader.uint(), None, True, True


def _json(reader: Reader) -> Content:
    count = reader.uint()
    for _ in range(count):
        reader.var_bytes()
    return count, None, False, False


def _one_string(reader: Reader) -> Content:  # binary or embed content: one clock unit
    reader.var_bytes()
    return 1, None, False, False


def _string(reader: Reader) -> Content:
    raw = reader.var_bytes()
    try:
        text, plain = raw.decode("utf-8"), True
    except UnicodeDecodeError:  # read as a JavaScript reader would, and left to pycrdt
        text, plain = raw.decode("utf-8", errors="replace"), False
    return utf16_length(text), text, False, plain


def _format(reader: Reader) -> Content:
    reader.var_bytes()
    reader.var_bytes()
    return 1, None, False, False


def _type(reader: Reader) -> Content:
    if reader.uint() in (XML_ELEMENT, XML_HOOK):
        reader.var_bytes()
    return 1, None, False, False


def _any(reader: Reader, decoded: DecodedUpdate | None = None) -> Content:
    count = reader.uint()
    for _ in range(count):
        longest = reader.skip_any()
        if decoded is not None and longest > decoded.longest_value:
            decoded.longest_value = longest
    return count, None, False, False


def _subdoc(reader: Reader) -> Content:
    reader.var_bytes()
    reader.skip_any()
    return 1, None, False, False


_CONTENT: dict[int, Callable[[Reader], Content]] = {  # by content ref
    DELETED: _deleted,
    JSON: _json,
    BINARY: _one_string,
    STRING: _string,
    EMBED: _one_string,
    FORMAT: _format,
    TYPE: _type,
    ANY: _any,
    DOC: _subdoc,
}


def _id(reader: Reader) -> tuple[int, int]:
    """An item's id: (client, clock)."""
    return reader.uint(), reader.uint()


def _parent(reader: Reader, info: int, decoded: DecodedUpdate) -> str | tuple[int, int] | None:
    """Where an item without neighbours sits: a root type's name, or the id of a nested type's item."""
    parent: str | tuple[int, int] | None
    if reader.uint() == 1:
        _, parent, _, plain = _string(reader)
        decoded.plain = decoded.plain and plain
    else:
        parent = _id(reader)
    if info & PARENT_SUB:  # a map entry: not the story's text
        reader.var_bytes()
        decoded.plain = False
    return parent


def decode_update(data: bytes) -> DecodedUpdate:
    """The structs and delete set of a v1 update; `UpdateFormatError` unless it reads exactly to the end."""
    reader = _UpdateReader(data)
    decoded = DecodedUpdate()
    for _ in range(reader.uint()):
        count, client, clock = reader.uint(), reader.uint(), reader.uint()
        for _ in range(count):
            info = reader.byte()
            ref = info & 0x1F
            if ref in (GC, SKIP):
                length = reader.uint()
                decoded.structs.append(Struct(client, clock, length, deleted=True, skip=ref == SKIP))
                clock += length
                continue
            origin = _id(reader) if info & ORIGIN else None
            right_origin = _id(reader) if info & RIGHT_ORIGIN else None
            parent = None if info & (ORIGIN | RIGHT_ORIGIN) else _parent(reader, info, decoded)
            try:
                read_content = _CONTENT[ref]
            except KeyError:
                raise UpdateFormatError(f"unknown content ref {ref}") from None
            length, text, deleted, plain = _any(reader, decoded) if ref == ANY else read_content(reader)
            decoded.plain = decoded.plain and plain
            decoded.structs.append(Struct(client, clock, length, text, deleted, parent, origin, right_origin))
            clock += length
    for _ in range(reader.uint()):
        client = reader.uint()
        ranges = decoded.deletes.setdefault(client, [])
        for _ in range(reader.uint()):
            ranges.append((reader.uint(), reader.uint()))
    if reader.length != 0:
        raise UpdateFormatError("trailing bytes after the update")
    return decoded


def reached(decoded: DecodedUpdate, known: dict[int, int]) -> dict[int, int] | None:
    """The state vector (a new dict) of a document whose state vector is `known` once it integrated the whole
    update, or None when it cannot integrate it now.

    Each client's structs must follow on from what is known (no gap, no skipped range still missing), and
    every item it refers to (origin, right origin, parent) and every deletion must fall within what is
    known or what the update itself brings.
    """
    have = dict(known)
    for item in decoded.structs:  # structs come grouped by client, in clock order
        if item.clock > have.get(item.client, 0):
            return None  # a gap before this struct
        if not item.skip:
            have[item.client] = max(have.get(item.client, 0), item.clock + item.length)
    for item in decoded.structs:
        if item.skip and item.clock + item.length > known.get(item.client, 0):
            return None
        for ref in (item.origin, item.right_origin, item.parent):
            if isinstance(ref, tuple) and ref[1] >= have.get(ref[0], 0):
                return None
    deletions_known = all(
        clock + length <= have.get(client, 0)
        for client, ranges in decoded.deletes.items()
        for clock, length in ranges
    )
    return have if deletions_known else None


def dependencies_met(decoded: DecodedUpdate, known: dict[int, int]) -> bool:
    """Whether a document whose state vector is `known` can integrate the whole update now (`reached`)."""
    return reached(decoded, known) is not None


class _Index:
    """Finds the struct that holds a given (client, clock) among a list of structs."""

    def __init__(self, structs: list[Struct]) -> None:
        self.structs = structs
        self.by_client: dict[int, list[tuple[int, int]]] = {}  # client -> [(clock, index)], sorted by clock
        for index, item in enumerate(structs):
            self.by_client.setdefault(item.client, []).append((item.clock, index))
        for entries in self.by_client.values():
            entries.sort()

    def find(self, client: int, clock: int) -> int | None:
        entries = self.by_client.get(client, [])
        at = bisect_right(entries, (clock, len(self.structs))) - 1
        if at >= 0:
            index = entries[at][1]
            if clock < self.structs[index].clock + self.structs[index].length:
                return index
        return None


def _walk_to_root(index: _Index, start: int, roots: dict[int, str | None]) -> None:
    """Follow neighbours from struct `start` to a struct whose parent is known; record the root in `roots`
    for every struct on the way."""
    chain: list[int] = []
    current: int | None = start
    root: str | None = None
    while current is not None:
        if current in roots:
            root = roots[current]
            break
        if current in chain:
            break  # a cycle: only a forged update has one
        chain.append(current)
        item = index.structs[current]
        if isinstance(item.parent, str):
            root = item.parent
            break
        if item.parent is not None or item.neighbour is None:
            break  # a nested type (its items are not the story's text), or a GC struct
        current = index.find(*item.neighbour)
    for seen in chain:
        roots[seen] = root


@lru_cache(maxsize=4)
def _indexed(data: bytes) -> _Index:
    """The structs of a document's update, indexed (kept for the next look-up: an export resolves every
    comment's anchors in the same document)."""
    return _Index(decode_update(data).structs)


def root_of(data: bytes, client: int, clock: int) -> str | None:
    """The root type that item (`client`, `clock`) of a whole-document update sits in; None when it sits in
    a nested type, is not in the update, or its place cannot be told."""
    index = _indexed(data)
    found = index.find(client, clock)
    if found is None:
        return None
    roots: dict[int, str | None] = {}
    _walk_to_root(index, found, roots)
    return roots[found]


__all__ = ["DecodedUpdate", "Struct", "UpdateFormatError", "decode_update", "root_of"]
