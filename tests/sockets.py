"""Real python-socketio clients for tests, connected to the live server."""

from __future__ import annotations

import queue
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import socketio


class Client:
    """A python-socketio client that records every event it receives, in order."""

    def __init__(self, url: str, auth: dict[str, Any] | None = None, headers: dict[str, str] | None = None):
        self.sio = socketio.Client(reconnection=False)
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

    def close(self) -> None:
        self.sio.disconnect()


@contextmanager
def connected(url: str, **kwargs: Any) -> Iterator[Client]:
    client = Client(url, **kwargs)
    try:
        yield client
    finally:
        client.close()
