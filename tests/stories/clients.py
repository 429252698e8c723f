"""Real Socket.IO clients of the story protocol, for tests against a live server."""

from __future__ import annotations

import importlib.util
import re
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import requests

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


def facilitator_cookie(url: str, email: str, password: str) -> dict[str, str]:
    """Sign in through the login form; the headers that carry the session cookie to a socket."""
    http = requests.Session()
    page = http.get(f"{url}/login", timeout=5)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, "the login form has a CSRF token"
    answer = http.post(
        f"{url}/login",
        data={"csrf_token": token.group(1), "email": email, "password": password},
        timeout=5,
        allow_redirects=False,
    )
    assert answer.status_code in (302, 303), answer.text[:500]
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in http.cookies.items())}


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
