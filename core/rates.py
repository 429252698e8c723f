"""Rate limits of socket actions (comments, edits, resolutions, chat): atomic, on one worker or many.

`allow(action, who, rate)` counts one attempt of `action` by `who` and says whether it fits `rate`
(`(count, seconds)`: at most `count` in any `seconds`, a sliding window). Counting and checking are one step,
so simultaneous attempts (six sockets of one participant posting at once, on two workers) cannot all read
"9 so far" and all pass, as counting stored rows before inserting did.

- With `REDIS_URL`: a sorted set per action and person, trimmed, counted and added to by one Lua script (Redis
  runs it atomically), shared by every worker.
- Without Redis (one worker, see docs/deploy.md), or while Redis is away: the same window in this process's
  memory, under a lock. A Redis outage thus degrades the limit to one worker's count, never to an error.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import deque

from flask import current_app

from core import redis_client

log = logging.getLogger(__name__)

Rate = tuple[int, float]
PREFIX = "plume:rate:"

_WINDOW = """
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then return 0 end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return 1
"""


class MemoryWindows:
    """Sliding windows in this process's memory (thread- and greenlet-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def allow(self, key: str, rate: Rate, now: float | None = None) -> bool:
        limit, seconds = rate
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - seconds:
                hits.popleft()
            if len(hits) >= limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # forget the windows that have emptied
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > now - seconds}
            return True


_memory = MemoryWindows()
_redis_failed_at: float | None = None  # when Redis last failed (None: it answers)
RETRY_SECONDS = 5.0


def _redis_allow(url: str, key: str, rate: Rate) -> bool:
    client = redis_client.client(url)
    limit, seconds = rate
    allowed = client.eval(_WINDOW, 1, PREFIX + key, time.time(), seconds, limit, uuid.uuid4().hex)
    return bool(allowed)


def allow(action: str, who: object, rate: Rate) -> bool:
    """Count one `action` by `who` and say whether it is within `rate` (see the module docstring)."""
    return allow_at(current_app.config.get("REDIS_URL"), f"{action}:{who}", rate)


def allow_at(url: str | None, key: str, rate: Rate) -> bool:
    """`allow` on the Redis at `url` (None: memory), for window `key`. After a failure, Redis is tried again
    only `RETRY_SECONDS` later: an unreachable Redis costs one timeout, not one per action."""
    global _redis_failed_at
    now = time.monotonic()
    if url and (_redis_failed_at is None or now - _redis_failed_at >= RETRY_SECONDS):
        try:
            allowed = _redis_allow(url, key, rate)
        except Exception:
            if _redis_failed_at is None:
                log.warning("rate limits: Redis is unavailable, counting in this worker until it is back")
            _redis_failed_at = now
        else:
            if _redis_failed_at is not None:
                log.warning("rate limits: Redis is back")
            _redis_failed_at = None
            return allowed
    return _memory.allow(key, rate)


class Buckets:
    """A token bucket per socket: `burst` messages at once, then `per_second` (`PLUME_SOCKET_BURST`).

    A socket that floods (10,000 updates in one go) gets `rate_limited` acks for the excess at almost no
    cost, instead of holding the event loop and being dropped; a typist never comes near it.
    """

    def __init__(self, burst: int, per_second: float) -> None:
        self.burst = burst
        self.per_second = per_second
        self._lock = threading.Lock()
        self._state: dict[str, tuple[float, float]] = {}  # sid → (tokens, when)

    def take(self, sid: str, now: float | None = None) -> bool:
        """Spend one token of `sid`'s bucket; False when it is empty."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, when = self._state.get(sid, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - when) * self.per_second)
            if tokens < 1:
                self._state[sid] = (tokens, now)
                return False
            self._state[sid] = (tokens - 1, now)
            return True

    def forget(self, sid: str) -> None:
        with self._lock:
            self._state.pop(sid, None)
