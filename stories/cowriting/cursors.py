"""Who is where in each story: the Yjs awareness states (cursors, selections, names) held by this process.

Awareness never waits for the database. A socket may publish states only for Yjs client ids it owns (the
first socket to use a client id in a story owns it) and only under the name and colour the server knows it
by: the state is rewritten with them before anyone sees it. A state is bounded in size, and one socket's
states are relayed at most every `MIN_INTERVAL` seconds: what comes sooner waits, and only its latest
version goes out at the next flush. A newcomer gets every state on open; a socket that leaves takes its
states with it. Pure bookkeeping: the caller emits what these methods return.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field

from pycrdt import Decoder, YMessageType, write_var_uint

from stories.cowriting.crdt import MalformedError

MAX_STATE_BYTES = 2048  # one client's state: a user, a cursor and a selection as relative positions
MAX_CLIENTS_PER_SOCKET = 4  # Yjs client ids one socket may hold in one story (a page has one)
MIN_INTERVAL = 0.05  # seconds between two relays of one socket's states


class CursorError(Exception):
    """An awareness update this socket may not send: `code` is the error code of the ack."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Entry:
    """One client's awareness state as relayed: its clock and its JSON text (None: the client left)."""

    clock: int
    state: str | None


@dataclass
class _Client:
    sid: str
    clock: int
    state: str  # JSON, as rewritten by the server


@dataclass
class _Story:
    clients: dict[int, _Client] = field(default_factory=dict)
    pending: dict[str, dict[int, Entry]] = field(default_factory=dict)  # sid -> entries not relayed yet
    last_relay: dict[str, float] = field(default_factory=dict)  # sid -> when its states last went out


def decode(payload: bytes) -> list[tuple[int, int, str]]:
    """(client, clock, state JSON) of an awareness update; `MalformedError` if it does not read."""
    try:
        decoder = Decoder(payload)
        entries = [
            (decoder.read_var_uint(), decoder.read_var_uint(), decoder.read_var_string())
            for _ in range(decoder.read_var_uint())
        ]
    except (RuntimeError, IndexError, ValueError) as exc:
        raise MalformedError("malformed awareness update") from exc
    if decoder.length != 0:
        raise MalformedError("trailing bytes after the awareness update")
    return entries


def encode(entries: dict[int, Entry]) -> bytes:
    """One y-protocols awareness message carrying these clients' states."""
    body = write_var_uint(len(entries))
    for client, entry in entries.items():
        text = (entry.state if entry.state is not None else "null").encode()
        body += write_var_uint(client) + write_var_uint(entry.clock) + write_var_uint(len(text)) + text
    return bytes([YMessageType.AWARENESS]) + write_var_uint(len(body)) + body


def rewrite(state_json: str, user: dict[str, str]) -> str | None:
    """The state with the server's `user` in it (None for a removal); `MalformedError` if not an object."""
    if len(state_json) > MAX_STATE_BYTES:
        raise CursorError("too_large")
    try:
        state = json.loads(state_json)
    except ValueError as exc:
        raise MalformedError("awareness state is not JSON") from exc
    if state is None:
        return None
    if not isinstance(state, dict):
        raise MalformedError("awareness state is not an object")
    state["user"] = dict(user)
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"))


class Cursors:
    """The awareness of every story this process serves (thread- and greenlet-safe)."""

    def __init__(self) -> None:
        self._stories: dict[int, _Story] = {}
        self._lock = threading.Lock()

    def receive(
        self, story_id: int, sid: str, payload: bytes, user: dict[str, str], now: float | None = None
    ) -> bytes | None:
        """Take an awareness update from socket `sid`; return the message to relay now, or None.

        Raises `CursorError("forbidden")` for another socket's client id, `("too_large")` for an
        oversized state, and `MalformedError` for what does not read. Nothing is kept from a refused update.
        """
        now = time.monotonic() if now is None else now
        decoded = [(client, clock, rewrite(text, user)) for client, clock, text in decode(payload)]
        with self._lock:
            story = self._stories.setdefault(story_id, _Story())
            mine = {c for c, entry in story.clients.items() if entry.sid == sid}
            for client, _, _ in decoded:
                owner = story.clients.get(client)
                if owner is not None and owner.sid != sid:
                    raise CursorError("forbidden")
            if len(mine | {client for client, _, _ in decoded}) > MAX_CLIENTS_PER_SOCKET:
                raise CursorError("forbidden")
            changes: dict[int, Entry] = {}
            for client, clock, state in decoded:
                known = story.clients.get(client)
                if known is not None and clock < known.clock:
                    continue  # an older state than the one we hold
                if state is None:
                    story.clients.pop(client, None)
                else:
                    story.clients[client] = _Client(sid, clock, state)
                changes[client] = Entry(clock, state)
            if not changes:
                return None
            pending = story.pending.setdefault(sid, {})
            pending.update(changes)
            if now - story.last_relay.get(sid, -MIN_INTERVAL) < MIN_INTERVAL:
                return None  # goes out with the next flush
            story.last_relay[sid] = now
            return encode(story.pending.pop(sid))

    def due(self, now: float | None = None) -> list[tuple[int, str, bytes]]:
        """(story id, sender, message) for the states that waited out their socket's interval."""
        now = time.monotonic() if now is None else now
        out = []
        with self._lock:
            for story_id, story in self._stories.items():
                for sid in [s for s in story.pending if now - story.last_relay.get(s, 0) >= MIN_INTERVAL]:
                    story.last_relay[sid] = now
                    out.append((story_id, sid, encode(story.pending.pop(sid))))
        return out

    def snapshot(self, story_id: int) -> bytes | None:
        """Every state of the story, for a socket that just opened it (None when nobody is there)."""
        with self._lock:
            story = self._stories.get(story_id)
            if story is None or not story.clients:
                return None
            return encode({c: Entry(entry.clock, entry.state) for c, entry in story.clients.items()})

    def leave(self, story_id: int, sid: str) -> bytes | None:
        """Forget socket `sid` in the story; the removal message of its states for the others, if any."""
        with self._lock:
            story = self._stories.get(story_id)
            if story is None:
                return None
            story.pending.pop(sid, None)
            story.last_relay.pop(sid, None)
            gone = {c: Entry(e.clock + 1, None) for c, e in story.clients.items() if e.sid == sid}
            for client in gone:
                del story.clients[client]
            if not story.clients and not story.pending:
                del self._stories[story_id]
            return encode(gone) if gone else None

    def clients_of(self, story_id: int, sid: str) -> set[int]:
        """The client ids that socket `sid` holds in the story."""
        with self._lock:
            story = self._stories.get(story_id)
            return {c for c, e in story.clients.items() if e.sid == sid} if story else set()
