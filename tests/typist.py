"""A typist in a process of its own: `python -m tests.typist URL TOKEN STORY_ID SECONDS` opens the story,
sends one keystroke every 50 ms for SECONDS and prints the ack times (seconds, JSON list) it measured."""

from __future__ import annotations

import json
import sys
import time

from pycrdt import Doc, Text

from stories.cowriting import crdt
from tests.sockets import Client


def main(url: str, token: str, story_id: int, seconds: float) -> None:
    client = Client(url, auth={"token": token})
    assert client.call("story:open", {"story_id": story_id})["ok"]
    doc = Doc()
    text = doc.get("body", type=Text)
    times: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        before = doc.get_state()
        text.insert(len(str(text)), "x")
        message = crdt.update_message(doc.get_update(before))
        started = time.monotonic()
        ack = client.sio.call("yjs", (story_id, message), timeout=60)
        times.append(time.monotonic() - started)
        assert ack == {"ok": True}, ack
        time.sleep(0.05)
    client.close()
    print(json.dumps(times))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]))
