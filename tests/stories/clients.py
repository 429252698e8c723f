"""Real Socket.IO clients of the story protocol, for tests against a live server."""

from __future__ import annotations

import importlib.util
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from stories.cowriting import crdt
from tests.sockets import Client

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "example_client.py"


def example_module() -> ModuleType:
    """docs/example_client.py, the client that docs/protocol.md shows, imported as it is."""
    spec = importlib.util.spec_from_file_location("plume_example_client", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def wait_until(predicate: Callable[[], bool], timeout: float = 10, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def open_story(client: Client, story_id: int, **extra: object) -> dict:
    """Send `story:open` and return the ack (the server's sync step 1 then waits in `client.received`)."""
    return client.call("story:open", {"story_id": story_id, **extra})


def yjs_messages(client: Client, story_id: int | None = None) -> list[bytes]:
    """Every `yjs` message received so far (for one story, if given), without waiting."""
    return [bytes(data) for sid, data in client.events("yjs") if story_id is None or sid == story_id]


def update_payloads(messages: list[bytes]) -> list[bytes]:
    """The updates carried by sync step 2 and update messages."""
    found = []
    for message in messages:
        parsed = crdt.parse_message(message)
        if parsed.is_update:
            found.append(parsed.payload)
    return found
