"""What keeps sockets from crowding out everything else: caps per address and a deadline to say who you are.

- `AddressCap` (WSGI middleware in front of Socket.IO): one address may hold at most
  `PLUME_SOCKETS_PER_ADDRESS` Engine.IO connections at once in a worker, long-polling and WebSocket alike
  (an Engine.IO session is counted from its handshake to its end, however many requests it makes). The
  next handshake is answered HTTP 429 with `Retry-After`: a WebSocket's before its upgrade, through the
  worker's handler (`websocket_worker`); a server that upgraded first closes it at once. Behind a proxy,
  the address is the client's once `ProxyFix` has read the forwarded headers.
- `sweep_anonymous`: an Engine.IO connection that has not connected to the Socket.IO namespace with a valid
  identity within `PLUME_SOCKET_AUTH_SECONDS` is closed (a refused connect leaves one open, and so does a
  client that never sends the connect packet).

Participants' own cap (`PLUME_SOCKETS_PER_PARTICIPANT`) is checked in the connect handler, which knows them.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qs

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from core import runtime, settings
from extensions import socketio

log = logging.getLogger(__name__)
NAMESPACE = "/"
SWEEP_SECONDS = 1.0
SOCKET_PATH = "/socket.io"
REFUSED = "plume.socket_refused"  # environ key: the handler declined to upgrade this handshake
HANDSHAKE = "plume.handshake"  # environ key: the number of the handshake that opened the session
_installed: list[AddressCap] = []  # this process's cap (one app per worker)


def is_handshake(environ: dict[str, Any]) -> bool:
    """Whether this Socket.IO request opens an Engine.IO session (it names no session yet)."""
    if not environ.get("PATH_INFO", "").startswith(SOCKET_PATH):
        return False
    return "sid" not in parse_qs(environ.get("QUERY_STRING", ""))


class AddressCap:
    """WSGI middleware: at most `limit` concurrent Engine.IO connections per client address."""

    def __init__(self, app: Callable[..., Any], limit: int, proxies: int = 0) -> None:
        self.app = app
        self.limit = limit
        self.proxies = proxies
        self.handshaking: dict[int, str] = {}  # handshakes under way: number → address
        self._numbers = itertools.count(1)
        self._lock = threading.Lock()

    def held(self, address: str) -> int:
        """The Engine.IO connections of `address`: its sessions and its handshakes under way."""
        sessions = list(socketio.server.environ.values()) if socketio.server else []
        # a session's environ is a copy of its handshake's (Flask-SocketIO copies it): matched by number
        found = {e.get(HANDSHAKE) or id(e) for e in sessions if e.get("REMOTE_ADDR") == address}
        found |= {number for number, where in list(self.handshaking.items()) if where == address}
        return len(found)

    def address_of(self, environ: dict[str, Any]) -> str:
        """The client's address as the app will see it (after `ProxyFix`, when proxies are trusted)."""
        if not self.proxies:
            return environ.get("REMOTE_ADDR", "")
        fix = ProxyFix(lambda env, _start: env.get("REMOTE_ADDR", ""), x_for=self.proxies)
        return fix(dict(environ), lambda *_: None)  # type: ignore[arg-type, return-value]

    def full(self, environ: dict[str, Any]) -> bool:
        """Whether a handshake of this request's address would be refused now (the upgrade's check)."""
        return is_handshake(environ) and self.held(self.address_of(environ)) >= self.limit

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("PATH_INFO", "").startswith(SOCKET_PATH):
            return self.app(environ, start_response)
        if not is_handshake(environ):
            return self.app(environ, start_response)
        address = environ.get("REMOTE_ADDR", "")
        with self._lock:
            refused = environ.get(REFUSED) or self.held(address) >= self.limit
            if not refused:
                number = environ[HANDSHAKE] = next(self._numbers)
                self.handshaking[number] = address
        if refused:
            log.warning("refused a socket from %s: %d already open", address, self.limit)
            upgraded = environ.get("wsgi.websocket")  # upgraded by a handler that did not ask `full`
            if upgraded is not None:
                upgraded.close()  # its close() cannot send a code (it writes the message as the payload)
                return []
            start_response("429 Too Many Requests", [("Content-Type", "text/plain"), ("Retry-After", "30")])
            return [b"Too many connections from this address.\n"]
        try:
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self.handshaking.pop(number, None)


def refuses_upgrade(environ: dict[str, Any]) -> bool:
    """Asked by the WebSocket handler before it upgrades: True (and the app then answers 429) when the
    address is at its cap."""
    if _installed and _installed[-1].full(environ):
        environ[REFUSED] = True
        return True
    return False


class AnonymousSweeper:
    """Closes Engine.IO connections that never became an identified Socket.IO socket in time."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.first_seen: dict[str, float] = {}

    def sweep(self, now: float | None = None) -> list[str]:
        """Close the anonymous connections past their deadline; return their Engine.IO ids."""
        now = time.monotonic() if now is None else now
        deadline = settings.of(self.app).socket_auth_seconds
        server, manager = socketio.server, socketio.server.manager
        anonymous = {sid for sid in list(server.environ) if not manager.sid_from_eio_sid(sid, NAMESPACE)}
        self.first_seen = {eio_sid: self.first_seen.get(eio_sid, now) for eio_sid in anonymous}
        closed = [eio_sid for eio_sid, seen in self.first_seen.items() if now - seen >= deadline]
        for eio_sid in closed:
            del self.first_seen[eio_sid]
            server.eio.disconnect(eio_sid)
        return closed


def install(app: Flask) -> None:
    """Put the address cap in front of the app's WSGI stack; the sweeper runs with the app's runtime."""
    sweeper = app.extensions["plume.socket_sweeper"] = AnonymousSweeper(app)
    runtime.of(app).every(SWEEP_SECONDS, sweeper.sweep, "socket-sweeper", app_context=False)
    limit, proxies = settings.of(app).sockets_per_address, settings.of(app).trusted_proxies
    cap = AddressCap(app.wsgi_app, limit, proxies)
    app.wsgi_app = cap  # type: ignore[method-assign]
    _installed.append(cap)
