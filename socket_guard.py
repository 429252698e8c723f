"""What keeps sockets from crowding out everything else: caps per address and a deadline to say who you are.

- `AddressCap` (WSGI middleware in front of Socket.IO): one address may hold at most
  `PLUME_SOCKETS_PER_ADDRESS` WebSockets at once; the next one is closed at once (gevent-websocket has
  accepted the handshake before the app runs), or answered HTTP 429 by a server that has not. A
  WebSocket's request lasts as long as the connection, so the count is exact. Behind a proxy, the
  address is the client's once `ProxyFix` has read the forwarded headers.
- `sweep_anonymous`: an Engine.IO connection that has not connected to the Socket.IO namespace with a valid
  identity within `PLUME_SOCKET_AUTH_SECONDS` is closed (a refused connect leaves one open, and so does a
  client that never sends the connect packet).

Participants' own cap (`PLUME_SOCKETS_PER_PARTICIPANT`) is checked in the connect handler, which knows them.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from extensions import socketio

log = logging.getLogger(__name__)
NAMESPACE = "/"
SWEEP_SECONDS = 1.0
SOCKET_PATH = "/socket.io"


class AddressCap:
    """WSGI middleware: at most `limit` concurrent WebSocket connections per client address."""

    def __init__(self, app: Callable[..., Any], limit: int, on_socket: Callable[[], None]) -> None:
        self.app = app
        self.limit = limit
        self.on_socket = on_socket  # called on every Socket.IO request (starts the sweeper, once)
        self.open: Counter[str] = Counter()
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not environ.get("PATH_INFO", "").startswith(SOCKET_PATH):
            return self.app(environ, start_response)
        self.on_socket()
        if environ.get("HTTP_UPGRADE", "").lower() != "websocket":
            return self.app(environ, start_response)
        address = environ.get("REMOTE_ADDR", "")
        with self._lock:
            if self.open[address] >= self.limit:
                refused = True
            else:
                refused = False
                self.open[address] += 1
        if refused:
            log.warning("refused a WebSocket from %s: %d already open", address, self.limit)
            upgraded = environ.get("wsgi.websocket")  # gevent-websocket upgrades before the app runs
            if upgraded is not None:
                upgraded.close()  # its close() cannot send a code (it writes the message as the payload)
                return []
            start_response("429 Too Many Requests", [("Content-Type", "text/plain"), ("Retry-After", "30")])
            return [b"Too many connections from this address.\n"]
        try:
            return self.app(environ, start_response)
        finally:
            with self._lock:
                self.open[address] -= 1
                if self.open[address] <= 0:
                    del self.open[address]


class AnonymousSweeper:
    """Closes Engine.IO connections that never became an identified Socket.IO socket in time."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.first_seen: dict[str, float] = {}
        self.started = False

    def start(self) -> None:
        if not self.started:
            self.started = True
            socketio.start_background_task(self._run)

    def _run(self) -> None:
        while True:
            socketio.sleep(SWEEP_SECONDS)
            try:
                self.sweep()
            except Exception:
                log.exception("sweep of anonymous sockets failed")

    def sweep(self, now: float | None = None) -> list[str]:
        """Close the anonymous connections past their deadline; return their Engine.IO ids."""
        now = time.monotonic() if now is None else now
        deadline = self.app.config["PLUME_SOCKET_AUTH_SECONDS"]
        server, manager = socketio.server, socketio.server.manager
        anonymous = {sid for sid in list(server.environ) if not manager.sid_from_eio_sid(sid, NAMESPACE)}
        self.first_seen = {eio_sid: self.first_seen.get(eio_sid, now) for eio_sid in anonymous}
        closed = [eio_sid for eio_sid, seen in self.first_seen.items() if now - seen >= deadline]
        for eio_sid in closed:
            del self.first_seen[eio_sid]
            server.eio.disconnect(eio_sid)
        return closed


def install(app: Flask) -> None:
    """Put the address cap in front of the app's WSGI stack and start the sweeper with the server."""
    sweeper = app.extensions["plume.socket_sweeper"] = AnonymousSweeper(app)
    limit = app.config["PLUME_SOCKETS_PER_ADDRESS"]
    app.wsgi_app = AddressCap(app.wsgi_app, limit, sweeper.start)  # type: ignore[method-assign]
