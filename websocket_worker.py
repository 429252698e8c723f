"""gunicorn's gevent-websocket worker, with a handler that asks `socket_guard` before it upgrades.

gevent-websocket answers a WebSocket handshake (101) before the app runs, so the app could only close a
socket over the per-address cap. This handler first asks `socket_guard.refuses_upgrade`; when the address is
full it does not upgrade, and the app answers HTTP 429 as docs/protocol.md says. `upgrade_websocket` is
gevent-websocket's undocumented step: seam `gevent-websocket-upgrade` of docs/private-seams.md.

Greenlets do not record the stack that spawned them (gevent's `track_greenlet_tree`, on by default, kept for
debugging tools): each socket holds a few greenlets for its life, and each kept ten frame objects alive for
the garbage collector's full passes to walk (9,700 of a worker's 65,000 objects at 400 writers).
"""

from __future__ import annotations

from typing import Any

import gevent
from geventwebsocket.gunicorn.workers import GeventWebSocketWorker
from geventwebsocket.handler import WebSocketHandler

gevent.config.track_greenlet_tree = False


class CappedWebSocketHandler(WebSocketHandler):
    def upgrade_websocket(self) -> Any:
        import socket_guard  # in the worker, once the app is loaded (not in gunicorn's master)

        if socket_guard.refuses_upgrade(self.environ):
            return None  # the app answers 429
        return super().upgrade_websocket()


class Worker(GeventWebSocketWorker):
    wsgi_handler = CappedWebSocketHandler
