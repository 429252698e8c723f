"""The story document in pycrdt and the y-protocols messages that carry it (docs/protocol.md).

Pure functions, no I/O: parse and build the binary messages of one `yjs` event, check that an update is
well formed before anything stores it, tell whether a document integrated an update, read a log's text.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from pycrdt import (
    Doc,
    Encoder,
    Text,
    YMessageType,
    YSyncMessageType,
    create_awareness_message,
    create_update_message,
    get_update,
    write_message,
)

from stories.cowriting.lib0 import Reader, uints
from stories.cowriting.yupdate import (
    DecodedUpdate,
    UpdateFormatError,
    decode_update,
    dependencies_met,
    reached,
)

log = logging.getLogger(__name__)
BODY = "body"  # the name of the story's text in every Yjs document
EMPTY_UPDATE = b"\x00\x00"  # no structs, no deletions
BINARY = (bytes, bytearray, memoryview)
BOARD = "board"  # the group's board: a Y.Array of Y.Map cards beside the text (docs/protocol.md, "The board")
MAX_VALUE_CHARS = 500  # the longest string a map or array value may hold: a board card's text


class MalformedError(ValueError):
    """A message or update that cannot be read or applied; nothing was changed."""


class Kind(Enum):
    SYNC_STEP1 = "sync_step1"  # payload: a state vector
    SYNC_STEP2 = "sync_step2"  # payload: an update
    SYNC_UPDATE = "sync_update"  # payload: an update
    AWARENESS = "awareness"  # payload: an awareness update


SYNC_KINDS = {
    YSyncMessageType.SYNC_STEP1: Kind.SYNC_STEP1,
    YSyncMessageType.SYNC_STEP2: Kind.SYNC_STEP2,
    YSyncMessageType.SYNC_UPDATE: Kind.SYNC_UPDATE,
}


@dataclass(frozen=True)
class Message:
    """One y-protocols message: its kind and its payload (the varUint8Array after the type bytes)."""

    kind: Kind
    payload: bytes

    @property
    def is_update(self) -> bool:
        return self.kind in (Kind.SYNC_STEP2, Kind.SYNC_UPDATE)


class _MessageReader(Reader):
    error = MalformedError


def _payload(data: bytes) -> bytes:
    """The varUint8Array after a message's type bytes: its length must match the bytes left exactly."""
    reader = _MessageReader(data)
    payload = reader.var_bytes()
    if reader.length != 0:
        raise MalformedError("payload length does not match the message")
    return payload


def parse_message(data: object) -> Message:
    """Read one y-protocols message (sync step 1, step 2, update, or awareness); raise `MalformedError`.

    The type and sync type are varuints, but every type there is fits in one byte, and pycrdt reads them so
    (`handle_sync_message`): a first byte of 0x80 or more (a type beyond those, or one encoded in more bytes
    than it needs, which no lib0 encoder writes) is refused as unsupported.
    """
    if type(data) is not bytes:
        if not isinstance(data, BINARY):
            raise MalformedError("a yjs message is binary")
        data = bytes(data)
    if len(data) < 2:
        raise MalformedError("truncated message")
    message_type = data[0]
    if message_type == YMessageType.SYNC:
        kind = SYNC_KINDS.get(data[1])  # type: ignore[call-overload]
        if kind is None:
            raise MalformedError(f"unknown sync message type {data[1]}")
        return Message(kind, _payload(data[2:]))
    if message_type == YMessageType.AWARENESS:  # its states are read where they are used (cursors.py)
        return Message(Kind.AWARENESS, _payload(data[1:]))
    raise MalformedError(f"unsupported message type {message_type}")


def awareness_entries(payload: bytes) -> list[tuple[int, int, str]]:
    """(client id, clock, state JSON text) of an awareness update, as sent; raise `MalformedError`."""
    reader = _MessageReader(payload)
    entries = [(reader.uint(), reader.uint(), reader.string()) for _ in range(reader.uint())]
    if reader.length != 0:
        raise MalformedError("trailing bytes after the awareness update")
    return entries


def awareness_clients(payload: bytes) -> dict[int, tuple[int, bool]]:
    """Client id -> (clock, present) of an awareness update; checks that every state is JSON."""
    clients: dict[int, tuple[int, bool]] = {}
    for client, clock, state in awareness_entries(payload):
        try:
            clients[client] = (clock, json.loads(state) is not None)
        except ValueError as exc:
            raise MalformedError("an awareness state is not JSON") from exc
    return clients


def awareness_removal(clients: dict[int, int]) -> bytes:
    """An awareness message saying that these clients (id -> last clock) are gone."""
    encoder = Encoder()
    encoder.write_var_uint(len(clients))
    for client, clock in clients.items():
        encoder.write_var_uint(client)
        encoder.write_var_uint(clock + 1)
        encoder.write_var_string("null")
    return create_awareness_message(encoder.to_bytes())


def sync_step1(state: bytes) -> bytes:
    """Sync step 1 carrying a state vector."""
    return bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP1]) + write_message(state)


def sync_step2(update: bytes) -> bytes:
    """Sync step 2 carrying what the other side lacks."""
    return bytes([YMessageType.SYNC, YSyncMessageType.SYNC_STEP2]) + write_message(update)


def update_message(update: bytes) -> bytes:
    """A sync update message (what a client sends on each local change)."""
    return create_update_message(update)


def new_doc() -> tuple[Doc[Any], Text]:
    doc: Doc[Any] = Doc()
    return doc, doc.get(BODY, type=Text)


def check_update(update: bytes) -> DecodedUpdate | None:
    """Raise `MalformedError` unless `update` will apply to a document; its structure, if read here.

    Read once here (`yupdate`), strictly: an update of text and deletions that reads to the end is
    checked; any other (or one this reader cannot read) is tried on a scratch document, where pycrdt
    decides. A string value (a board card's text) over `MAX_VALUE_CHARS` is refused. The structure goes with
    the update to the writer (`StoryDoc.offer`), which reads it no more.
    """
    try:
        decoded = decode_update(update)
    except UpdateFormatError:
        decoded = None
    if decoded is not None and decoded.longest_value > MAX_VALUE_CHARS:
        raise MalformedError("a value longer than a board card may be")
    if decoded is not None and decoded.plain:
        return decoded
    try:
        new_doc()[0].apply_update(update)
    except Exception as exc:
        raise MalformedError("the update does not decode") from exc
    except BaseException as exc:  # a Rust panic in the CRDT surfaces as pyo3's PanicException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise MalformedError("the update does not apply") from exc
    return decoded


def apply(doc: Doc[Any], update: bytes) -> None:
    """Apply a checked update; raise `MalformedError` if the document refuses it (then the doc is suspect)."""
    try:
        doc.apply_update(update)
    except Exception as exc:
        raise MalformedError("the update does not apply") from exc
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        raise MalformedError("the update does not apply") from exc


def state_vector(state: bytes) -> dict[int, int]:
    """Decode a state vector into {client id: next clock}."""
    values = uints(state, MalformedError)
    if not values or len(values) != 1 + 2 * values[0]:
        raise MalformedError("malformed state vector")
    return dict(zip(values[1::2], values[2::2], strict=True))


NOTHING_MISSING = b"\x00\x00"  # an update of no structs and no deletions


def integrated(
    doc: Doc[Any], update: bytes, state: bytes | None = None, known: dict[int, int] | None = None
) -> bool:
    """True when everything in `update` is part of `doc`: none of its structs or deletions is pending.

    pycrdt says what the document lacks of the update (its structs past the state vector, and every deletion
    it carries); only deletions are then read here. Reading the whole update and the document's state vector
    in Python for each row was half of a history replay's time, and grew with the story's writers (a
    state vector has an entry per Yjs client, one per page opened). `state`: the document's state vector,
    if the caller has it; `known`: the same decoded, if the caller knows it (else it is decoded here)."""
    state = doc.get_state() if state is None else state
    missing = get_update(update, state)
    if missing == NOTHING_MISSING:
        return True
    reader = _MessageReader(missing)
    if reader.uint() != 0:
        return False  # structs the doc has not integrated
    known = state_vector(state) if known is None else known
    for _ in range(reader.uint()):
        client = reader.uint()
        for _ in range(reader.uint()):
            clock, length = reader.uint(), reader.uint()
            if clock + length > known.get(client, 0):
                return False  # deletes structs the doc does not have yet
    return True


class StoryDoc:
    """A story's pycrdt document that only ever integrates updates whose dependencies it has.

    Updates can arrive out of order (parallel handler threads, several workers). pycrdt 0.14 keeps such an
    update aside itself, but loses text when two of them wait with different gaps (e.g. clocks 3, then 2,
    then 1 of one client: the update at 3 vanishes). So an update waits here, as the exact bytes received,
    until what it refers to is integrated; `answer` sends waiting updates along as they are.
    """

    replaying_a_log = False  # True: apply first, check after (`_admit`); the document may then be rebuilt

    def __init__(self) -> None:
        self.doc, self.body = new_doc()
        self.pending: list[bytes] = []
        self._state: tuple[bytes, dict[int, int]] = (b"", {})  # the last state vector read, and as bytes

    def known(self) -> dict[int, int]:
        """The document's state vector (decoded again only when it moved; do not change it)."""
        state = self.doc.get_state()
        if state != self._state[0]:
            self._state = (state, state_vector(state))
        return self._state[1]

    def apply(self, update: bytes) -> None:
        """Integrate the update now, or keep it until its dependencies arrive; `MalformedError` if refused."""
        self._admit(update)

    def _admit(self, update: bytes, decoded: DecodedUpdate | None = None) -> None:
        if self.replaying_a_log and not self.pending:
            # A stored log comes mostly in order: pycrdt reads the update once, and `_integrate` checks that
            # it integrated, keeping it waiting (the document rebuilt) otherwise. Reading its structs first to
            # decide (below) cost three times the whole replay (5,000 rows: 1.7 s against 0.55 s).
            self._integrate(update)
            return
        if not self._ready(update, decoded):
            self.pending.append(update)
            return
        self._integrate(update)
        progress = True
        while progress and self.pending:
            progress = False
            for waiting in list(self.pending):
                if self._ready(waiting):
                    self.pending.remove(waiting)
                    try:
                        progress = self._integrate(waiting) or progress
                    except MalformedError:
                        log.warning("a waiting update was refused by the document and dropped")

    def can_integrate(self, update: bytes) -> bool:
        """Whether everything the update refers to is in the document or in an update waiting here.

        An update that refers to what the document does not have (a gap in a client's clocks, a deletion of
        clocks nobody wrote yet, an origin that does not exist) would wait forever, and a Yjs client would
        read it differently from pycrdt: the server refuses it, and the sender re-syncs instead.
        """
        try:
            decoded = decode_update(update)
        except UpdateFormatError:
            return True  # pycrdt decides when it applies it
        return self._integrable(decoded)

    def offer(self, update: bytes, decoded: DecodedUpdate | None = None) -> bool:
        """Apply the update if it can integrate (`can_integrate`); False, nothing changed, if it cannot.

        `decoded`: its structure, when the caller has read it (`check_update`); the update is read once.
        """
        if decoded is None:
            try:
                decoded = decode_update(update)
            except UpdateFormatError:
                self._admit(update)  # pycrdt decides
                return True
        after = reached(decoded, self._reachable())
        if after is None:
            return False
        if self.pending:
            self._admit(update, decoded)  # it may close a gap: the waiting updates follow it
        else:
            self._integrate(update, after)
        return True

    def _integrable(self, decoded: DecodedUpdate) -> bool:
        """Whether what `decoded` refers to is in the document or in an update waiting here."""
        return dependencies_met(decoded, self._reachable())

    def _reachable(self) -> dict[int, int]:
        """The state vector the document has, extended with what the updates waiting here will bring."""
        return self._coming(dict(self.known())) if self.pending else self.known()

    def _coming(self, known: dict[int, int]) -> dict[int, int]:
        """The state vector `known` extended with what the updates waiting here will bring."""
        for waiting in self.pending:
            try:
                structs = decode_update(waiting).structs
            except UpdateFormatError:
                continue
            for item in structs:
                if not item.skip and item.clock <= known.get(item.client, 0):
                    known[item.client] = max(known.get(item.client, 0), item.clock + item.length)
        return known

    def _ready(self, update: bytes, decoded: DecodedUpdate | None = None) -> bool:
        if decoded is None:
            try:
                decoded = decode_update(update)
            except UpdateFormatError:
                return True  # pycrdt decides (it read the update before we stored it); checked after applying
        return dependencies_met(decoded, self.known())

    def _integrate(self, update: bytes, after: dict[int, int] | None = None) -> bool:
        """Apply the update and check that pycrdt integrated all of it; else keep it waiting (False).

        `after`: the state vector the document will have once it integrated the update (`reached`), which the
        document then keeps without decoding its state vector again (as it did for every keystroke)."""
        apply(self.doc, update)
        state = self.doc.get_state()
        if integrated(self.doc, update, state, after):  # pycrdt's reading, not ours (`decoded` said ready)
            if after is not None:
                self._state = (state, after)
            return True
        # Our reading disagreed with pycrdt: drop what pycrdt keeps aside by rebuilding from what it
        # integrated, and keep the update waiting.
        doc, body = new_doc()
        doc.apply_update(self.doc.get_update())
        self.doc, self.body = doc, body
        self.pending.append(update)
        return False

    def answer(self, state: bytes) -> list[bytes]:
        """The updates a peer with state vector `state` lacks: one diff, then any waiting updates."""
        try:
            diff = self.doc.get_update(state)
        except Exception as exc:
            raise MalformedError("malformed state vector") from exc
        return [diff, *self.pending]

    def text(self) -> str:
        return str(self.body)


def replay(updates: Iterable[bytes]) -> StoryDoc:
    """The document that a sequence of updates (e.g. a whole log) builds."""
    story = StoryDoc()
    story.replaying_a_log = True
    for update in updates:
        story.apply(update)
    return story


def text_of(updates: Iterable[bytes]) -> str:
    """The story text that a sequence of updates builds."""
    return replay(updates).text()
