"""Who is where in each story: the Yjs awareness states (cursors, selections, names) held by this process.

Awareness never waits for the database. A socket may publish states only for Yjs client ids it owns (the
first socket to use a client id in a story owns it) and only under the name and colour the server knows it
by: the state is rewritten with them before anyone sees it. A state is bounded in size. A story's states go
out at most every `RELAY_INTERVAL` seconds, whoever sends them: the first change after a quiet spell at
once; what comes sooner waits for the next flush, where every waiting change of every writer goes out as
one message with each client's latest state only (so a group typing at once costs each member a frame a
tenth of a second, not one per peer's keystroke: `make bench`). A newcomer gets every state on open; a
socket that leaves takes its states with it. Pure bookkeeping: the caller emits what these methods return.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import orjson
from pycrdt import YMessageType, write_var_uint

from stories.cowriting.crdt import MalformedError, awareness_entries

MAX_STATE_BYTES = 2048  # one client's state: a user, a cursor and a selection as relative positions
MAX_CLIENTS_PER_SOCKET = 4  # Yjs client ids one socket may hold in one story (a page has one)
RELAY_INTERVAL = 0.1  # seconds between two relays of a story's states


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
    pending: dict[int, Entry] = field(default_factory=dict)  # client -> its latest state not relayed yet
    senders: set[str] = field(default_factory=set)  # the sockets whose states are pending
    last_relay: float = float("-inf")  # when the story's states last went out


@dataclass(frozen=True)
class Relay:
    """An awareness message for a story's room; `skip`: the one socket whose own states it all holds."""

    story_id: int
    message: bytes
    skip: str | None


def _flush(story_id: int, story: _Story, now: float) -> Relay:
    """The story's pending states as one message (taken out of `story`)."""
    skip = next(iter(story.senders)) if len(story.senders) == 1 else None
    relay = Relay(story_id, encode(story.pending), skip)
    story.pending, story.senders, story.last_relay = {}, set(), now
    return relay


def encode(entries: dict[int, Entry]) -> bytes:
    """One y-protocols awareness message carrying these clients' states."""
    body = write_var_uint(len(entries))
    for client, entry in entries.items():
        text = (entry.state if entry.state is not None else "null").encode()
        body += write_var_uint(client) + write_var_uint(entry.clock) + write_var_uint(len(text)) + text
    return bytes([YMessageType.AWARENESS]) + write_var_uint(len(body)) + body


def rewrite(state_json: str, user: dict[str, str]) -> str | None:
    """The state with the server's `user` in it (None for a removal); `MalformedError` if not an object.

    orjson reads and writes it (six times faster than `json` here, where every keystroke's cursor passes),
    and refuses what `json` would take and a browser's `JSON.parse` would not (NaN, lone surrogates) or
    what would overflow Python's stack (nesting deeper than 1,024).
    """
    if len(state_json) > MAX_STATE_BYTES:
        raise CursorError("too_large")
    try:
        state = orjson.loads(state_json)
    except orjson.JSONDecodeError as exc:
        raise MalformedError("awareness state is not JSON") from exc
    if state is None:
        return None
    if not isinstance(state, dict):
        raise MalformedError("awareness state is not an object")
    state["user"] = dict(user)
    return orjson.dumps(state).decode()


class Cursors:
    """The awareness of every story this process serves (thread- and greenlet-safe)."""

    def __init__(self) -> None:
        self._stories: dict[int, _Story] = {}
        self._lock = threading.Lock()

    def receive(
        self, story_id: int, sid: str, payload: bytes, user: dict[str, str], now: float | None = None
    ) -> Relay | None:
        """Take an awareness update from socket `sid`; return what to relay now, or None.

        Raises `CursorError("forbidden")` for another socket's client id, `("too_large")` for an
        oversized state, and `MalformedError` for what does not read. Nothing is kept from a refused update.
        """
        now = time.monotonic() if now is None else now
        entries = awareness_entries(payload)
        decoded = [(client, clock, rewrite(text, user)) for client, clock, text in entries]
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
            story.pending.update(changes)
            story.senders.add(sid)
            if now - story.last_relay < RELAY_INTERVAL:
                return None  # goes out with the next flush
            return _flush(story_id, story, now)

    def due(self, now: float | None = None) -> list[Relay]:
        """The stories' states that waited out their story's interval."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return [
                _flush(story_id, story, now)
                for story_id, story in self._stories.items()
                if story.pending and now - story.last_relay >= RELAY_INTERVAL
            ]

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
            gone = {c: Entry(e.clock + 1, None) for c, e in story.clients.items() if e.sid == sid}
            for client in gone:
                del story.clients[client]
                story.pending.pop(client, None)  # the removal says it all
            story.senders.discard(sid)
            if not story.pending:
                story.senders.clear()
            if not story.clients and not story.pending:
                del self._stories[story_id]
            return encode(gone) if gone else None

    def clients_of(self, story_id: int, sid: str) -> set[int]:
        """The client ids that socket `sid` holds in the story."""
        with self._lock:
            story = self._stories.get(story_id)
            return {c for c, e in story.clients.items() if e.sid == sid} if story else set()
