"""Real python-socketio clients for tests, connected to the live server."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import engineio
import socketio

WIRE_MAX = 2**64 - 1  # the largest integer a MessagePack packet carries: a client cannot send a bigger one
WIRE_MIN = -(2**63)


class _InOrderEngineIO(engineio.Client):
    """Hands every message, in the order received, to one thread of its own (not one thread each).

    Through engineio's private `_trigger_event` and socketio's `_engineio_client_class`: seam
    `engineio-client-in-order` of docs/private-seams.md.
    """

    def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
        if event != "message" or not kwargs.get("run_async"):
            return super()._trigger_event(event, *args, **kwargs)
        if getattr(self, "_inbox", None) is None:
            self._inbox: queue.SimpleQueue[tuple[Any, ...]] = queue.SimpleQueue()
            threading.Thread(target=self._dispatch, daemon=True).start()
        self._inbox.put(args)
        return None

    def _dispatch(self) -> None:
        while True:
            super()._trigger_event("message", *self._inbox.get(), run_async=False)


class InOrderClient(socketio.Client):
    """A python-socketio client that handles messages one at a time, in the order they arrived.

    By default the client handles every Engine.IO message in a thread of its own, so two events that
    arrive back to back (sync step 1, then everyone's cursors) can be handled in either order. A browser
    handles them in order; so does this. It speaks MessagePack, as the server does.
    """

    def _engineio_client_class(self) -> type:
        return _InOrderEngineIO


class Client:
    """A python-socketio client that records every event it receives, in order."""

    def __init__(self, url: str, auth: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        self.sio = InOrderClient(reconnection=False, serializer="msgpack")
        self.received: queue.Queue[tuple[str, tuple[Any, ...]]] = queue.Queue()
        self.sio.on("*", lambda event, *args: self.received.put((event, args)))
        self.sio.connect(url, auth=auth, headers=headers or {}, transports=["websocket"], wait_timeout=5)

    def call(self, event: str, *args: Any, timeout: float = 5) -> Any:
        return self.sio.call(event, args[0] if len(args) == 1 else args, timeout=timeout)

    def wait_for(self, event: str, timeout: float = 5) -> tuple[Any, ...]:
        """The arguments of the next `event` received (other events stay recorded in `seen`)."""
        self.seen: list[tuple[str, tuple[Any, ...]]] = getattr(self, "seen", [])
        while True:
            name, args = self.received.get(timeout=timeout)
            if name == event:
                return args
            self.seen.append((name, args))

    def events(self, event: str) -> list[tuple[Any, ...]]:
        """Everything of `event` received so far, without waiting."""
        found = [args for name, args in getattr(self, "seen", []) if name == event]
        while True:
            try:
                name, args = self.received.get_nowait()
            except queue.Empty:
                return found
            if name == event:
                found.append(args)

    def history(self) -> list[tuple[str, tuple[Any, ...]]]:
        """Every event received so far that `wait_for` and `events` have not handed out, kept for later."""
        self.seen = getattr(self, "seen", [])
        while True:
            try:
                self.seen.append(self.received.get_nowait())
            except queue.Empty:
                return list(self.seen)

    def close(self) -> None:
        self.sio.disconnect()


@contextmanager
def connected(url: str, **kwargs: Any) -> Iterator[Client]:
    client = Client(url, **kwargs)
    try:
        yield client
    finally:
        client.close()
