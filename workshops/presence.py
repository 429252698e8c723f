"""Who is connected right now: the participants holding at least one socket, per workshop.

A participant may hold several sockets (two tabs, a phone and a laptop, a reconnect that overlaps the old
connection): they count as connected while any one of them is. Entries are keyed by socket id, so the order in
which a reconnect's connect and the old socket's disconnect arrive does not matter.

Two stores, chosen by configuration:

- :class:`LocalPresence` (no ``REDIS_URL``): a dict in this process. Right for the one-worker deployment,
  where every socket is in this process; forgotten on restart, which is correct since the sockets are too.
- :class:`RedisPresence` (``REDIS_URL`` set, several workers): each worker keeps its own sockets locally and
  mirrors them into a Redis sorted set per workshop, scored by a heartbeat that the worker refreshes every
  ``ttl / 3`` seconds. Readers ignore entries older than ``ttl``, so the sockets of a worker that crashed
  without saying goodbye drop out by themselves after at most ``ttl`` seconds.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import current_app

from core import redis_client, runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One participant's socket."""

    workshop_id: int
    participant_id: int


class LocalPresence:
    """Presence held in this process's memory; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._sockets: dict[str, Entry] = {}

    def add(self, sid: str, workshop_id: int, participant_id: int) -> None:
        with self._lock:
            self._sockets[sid] = Entry(workshop_id, participant_id)

    def claim(self, sid: str, workshop_id: int, participant_id: int, cap: int) -> bool:
        """Add the socket if its participant holds fewer than `cap` sockets; say whether it was (one step:
        simultaneous connects cannot all see room for one more)."""
        with self._lock:
            held = sum(1 for e in self._sockets.values() if e == Entry(workshop_id, participant_id))
            if held >= cap:
                return False
            self._sockets[sid] = Entry(workshop_id, participant_id)
            return True

    def remove(self, sid: str) -> Entry | None:
        """Forget a socket; returns what it was, or None if it was not a participant's."""
        with self._lock:
            return self._sockets.pop(sid, None)

    def local_entries(self) -> dict[str, Entry]:
        with self._lock:
            return dict(self._sockets)

    def connected(self, workshop_id: int) -> set[int]:
        """Ids of the workshop's participants that hold at least one socket."""
        return {e.participant_id for e in self.local_entries().values() if e.workshop_id == workshop_id}

    def sids_in(self, workshop_id: int) -> list[str]:
        """Every participant's socket in this workshop (to close them all when it is deleted)."""
        return sorted(sid for sid, e in self.local_entries().items() if e.workshop_id == workshop_id)

    def sids_of(self, workshop_id: int, participant_id: int) -> list[str]:
        """Every socket of this participant (to move them to another group's room, say)."""
        return sorted(
            sid
            for sid, e in self.local_entries().items()
            if e.workshop_id == workshop_id and e.participant_id == participant_id
        )


_CLAIM = """
local key, oldest, prefix, member, now, cap = KEYS[1], ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5])
redis.call('ZREMRANGEBYSCORE', key, '-inf', oldest)
local held = 0
for _, m in ipairs(redis.call('ZRANGE', key, 0, -1)) do
  if string.sub(m, 1, #prefix) == prefix then held = held + 1 end
end
if held >= cap then return 0 end
redis.call('ZADD', key, now, member)
return 1
"""


class RedisPresence(LocalPresence):
    """Presence shared by every worker through Redis; see the module docstring."""

    PREFIX = "plume:presence:"

    def __init__(
        self, url: str, *, ttl: float = 60.0, clock: Callable[[], float] = time.time, heartbeat: bool = True
    ) -> None:
        super().__init__()
        self.redis: Any = redis_client.client(url)
        self.ttl = ttl
        self.clock = clock
        self._heartbeat = heartbeat

    def _key(self, workshop_id: int) -> str:
        return f"{self.PREFIX}{workshop_id}"

    @staticmethod
    def _member(sid: str, entry: Entry) -> str:
        return f"{entry.participant_id}:{sid}"

    def add(self, sid: str, workshop_id: int, participant_id: int) -> None:
        super().add(sid, workshop_id, participant_id)
        entry = Entry(workshop_id, participant_id)
        self.redis.zadd(self._key(workshop_id), {self._member(sid, entry): self.clock()})
        self._start_heartbeat()

    def claim(self, sid: str, workshop_id: int, participant_id: int, cap: int) -> bool:
        """`LocalPresence.claim` across every worker: one Lua script counts the participant's live sockets
        and adds this one (Redis runs it atomically). While Redis is away, this worker's count decides and
        the heartbeat mirrors the socket once Redis is back."""
        entry = Entry(workshop_id, participant_id)
        try:
            claimed = self.redis.eval(
                _CLAIM, 1, self._key(workshop_id), self.clock() - self.ttl, f"{participant_id}:",
                self._member(sid, entry), self.clock(), cap,
            )  # fmt: skip
        except Exception:
            log.warning("presence: Redis is unavailable, counting this worker's sockets only", exc_info=True)
            return super().claim(sid, workshop_id, participant_id, cap)
        if claimed:
            LocalPresence.add(self, sid, workshop_id, participant_id)
            self._start_heartbeat()
        return bool(claimed)

    def remove(self, sid: str) -> Entry | None:
        entry = super().remove(sid)
        if entry is not None:
            try:
                self.redis.zrem(self._key(entry.workshop_id), self._member(sid, entry))
            except Exception:  # Redis away: the entry expires after `ttl` with no heartbeat
                log.warning("presence: could not remove socket %s from Redis", sid, exc_info=True)
        return entry

    def _members(self, workshop_id: int) -> list[tuple[int, str]]:
        key = self._key(workshop_id)
        self.redis.zremrangebyscore(key, "-inf", self.clock() - self.ttl)
        members = []
        for member in self.redis.zrange(key, 0, -1):
            participant, _, sid = member.partition(":")
            if participant.isdigit() and sid:
                members.append((int(participant), sid))
        return members

    def connected(self, workshop_id: int) -> set[int]:
        return {participant for participant, _ in self._members(workshop_id)}

    def sids_in(self, workshop_id: int) -> list[str]:
        return sorted(sid for _, sid in self._members(workshop_id))

    def sids_of(self, workshop_id: int, participant_id: int) -> list[str]:
        return sorted(sid for participant, sid in self._members(workshop_id) if participant == participant_id)

    def beat(self) -> None:
        """Refresh the score of every socket this worker holds."""
        entries = self.local_entries()
        if not entries:
            return
        now = self.clock()
        pipe = self.redis.pipeline(transaction=False)
        for sid, entry in entries.items():
            pipe.zadd(self._key(entry.workshop_id), {self._member(sid, entry): now})
        pipe.execute()

    def heartbeat(self) -> None:
        """One beat, every ``ttl / 3`` seconds (run by the app's runtime): Redis away is only a warning."""
        try:
            self.beat()
        except Exception:  # Redis away for a moment: try again at the next beat
            log.warning("presence heartbeat failed", exc_info=True)

    def _start_heartbeat(self) -> None:
        """Hand the heartbeat to the current app's runtime, from the first socket on (once per app)."""
        if self._heartbeat:
            beats = runtime.of(current_app)
            beats.every(self.ttl / 3, self.heartbeat, "presence-heartbeat", app_context=False)


_stores: dict[str | None, LocalPresence] = {}
_stores_lock = threading.Lock()


def store() -> LocalPresence:
    """The presence store for the current app's configuration (one per process and Redis URL)."""
    url = current_app.config.get("REDIS_URL")
    with _stores_lock:
        if url not in _stores:
            _stores[url] = RedisPresence(url) if url else LocalPresence()
        return _stores[url]
