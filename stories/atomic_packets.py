"""Send each Socket.IO packet's parts together, so that binary events survive threads.

python-socketio sends an event with bytes in it as several Engine.IO messages: a header, then one message
per attachment. In threading mode each handler runs in its own thread, so two sends to one client can
interleave (an ack, or another relay, between a header and its attachment); the client then cannot decode
the stream (python-socketio issue #403) and drops the connection. Story sync relays bytes from many
threads at once, so every send of this process goes through one lock here: a send is a queue put, so
the lock is held for microseconds.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import socketio

_send_lock = threading.RLock()


def _atomic(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def send(*args: Any, **kwargs: Any) -> Any:
        with _send_lock:
            return method(*args, **kwargs)

    send.__plume_atomic__ = True  # type: ignore[attr-defined]
    return send


def install() -> None:
    """Wrap python-socketio's three send paths (idempotent)."""
    for owner, name in (
        (socketio.Server, "_send_packet"),  # acks, callbacks, connect/disconnect packets
        (socketio.Server, "_send_eio_packet"),  # raw Engine.IO packets
        (socketio.Manager, "emit"),  # emits to rooms (also what the Redis queue delivers locally)
    ):
        method = getattr(owner, name)
        if not getattr(method, "__plume_atomic__", False):
            setattr(owner, name, _atomic(method))
