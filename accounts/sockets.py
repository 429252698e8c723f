"""Which sockets each signed-in browser session holds, on every worker: signing out closes them all.

In one process, a Socket.IO room per session (`session_room`) finds them. With ``REDIS_URL`` (several
workers), each socket is also listed in a Redis set per session, and `server.disconnect` reaches a socket
of another worker through the message queue. A set outlives no session by long: it expires with the
session cookie's lifetime, and a stale entry (a worker that crashed) makes a harmless no-op disconnect.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import current_app

from core import redis_client
from extensions import socketio

log = logging.getLogger(__name__)
PREFIX = "plume:login-sockets:"


def session_room(session_id: int) -> str:
    """The Socket.IO room of the sockets opened with one signed-in browser's session."""
    return f"login:{session_id}"


def _redis() -> Any | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    return redis_client.client(url)


def track(session_id: int, sid: str) -> None:
    """Remember that socket `sid` was opened with this session (call from its connect handler)."""
    socketio.server.enter_room(sid, session_room(session_id))
    client = _redis()
    if client is not None:
        key = f"{PREFIX}{session_id}"
        client.sadd(key, sid)
        client.expire(key, int(current_app.config["PERMANENT_SESSION_LIFETIME"]))


def forget(session_id: int, sid: str) -> None:
    """The socket is gone (call from its disconnect handler)."""
    client = _redis()
    if client is not None:
        client.srem(f"{PREFIX}{session_id}", sid)


def close_all(session_ids: list[int]) -> None:
    """Disconnect every socket of these sessions, on every worker."""
    server = socketio.server
    client = _redis()
    for session_id in session_ids:
        sids = {sid for sid, _eio in list(server.manager.get_participants("/", session_room(session_id)))}
        if client is not None:
            key = f"{PREFIX}{session_id}"
            sids |= set(client.smembers(key))
            client.delete(key)
        for sid in sorted(sids):
            try:
                server.disconnect(sid)
            except KeyError:  # it left by itself meanwhile
                log.debug("socket %s of session %s was already gone", sid, session_id)
