"""Redis connections of a process: one blocking pool per URL, shared by presence and sign-in sessions.

redis-py 8's default pool refuses a connection past its 100th (`MaxConnectionsError`). Under gevent, a
storm of connects or disconnects (a room of 400 opening at once, `make bench` on one worker) has hundreds
of greenlets asking for Redis together: they failed, and a disconnect left its presence behind. Here a
caller waits (up to `WAIT_SECONDS`) for one of `PLUME_REDIS_CONNECTIONS` connections instead. (Socket.IO's
own queue keeps redis-py's pool: it retries a publish that found none.)
"""

from __future__ import annotations

import os
import threading

import redis

WAIT_SECONDS = 10
_clients: dict[str, redis.Redis] = {}
_lock = threading.Lock()


def client(url: str) -> redis.Redis:
    """This process's client of `url` (strings decoded), created on first use."""
    with _lock:
        if url not in _clients:
            pool = redis.BlockingConnectionPool.from_url(
                url,
                max_connections=int(os.environ.get("PLUME_REDIS_CONNECTIONS", "50")),
                timeout=WAIT_SECONDS,
                decode_responses=True,
            )
            _clients[url] = redis.Redis(connection_pool=pool)
        return _clients[url]
