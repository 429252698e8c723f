"""A burst of 10,000 updates from one socket (issue 22, finding 8): the excess is refused `rate_limited` at
once, every message is acked, the socket stays, the log does not fill up, and a re-sync stores it all."""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

import pytest
from pycrdt import Doc, Text

from stories.cowriting import crdt, persistence
from tests import factories
from tests.sockets import Client
from tests.stories.clients import open_story

pytestmark = pytest.mark.slow

BURST = 10_000


def updates(count: int) -> tuple[Doc, list[bytes]]:
    """`count` one-character updates, each building on the one before (one typist's keystrokes)."""
    doc: Doc = Doc()
    text = doc.get(crdt.BODY, type=Text)
    found = []
    for i in range(count):
        before = doc.get_state()
        text += "abcdefghij"[i % 10]
        found.append(crdt.update_message(doc.get_update(before)))
    return doc, found


def test_a_burst_of_ten_thousand_updates_is_refused_cheaply_and_re_synced(
    server_on: Any, database: str, app_ctx
) -> None:
    server = server_on(database)
    workshop = factories.workshop(groups=1)
    story_id = factories.story_of(workshop.groups[0]).id
    _, token = factories.participant(workshop.groups[0])
    doc, messages = updates(BURST)
    client = Client(server.url, auth={"token": token})
    try:
        assert open_story(client, story_id)["ok"] is True
        acks: Counter[str] = Counter()
        done = threading.Event()
        lock = threading.Lock()

        def acked(answer: dict[str, Any]) -> None:
            with lock:
                acks["ok" if answer.get("ok") else answer["error"]["code"]] += 1
                if sum(acks.values()) == BURST:
                    done.set()

        started = time.monotonic()
        for message in messages:
            client.sio.emit("yjs", (story_id, message), callback=acked)
        assert done.wait(120), f"every message is acked: {acks}"
        elapsed = time.monotonic() - started
        print(f"\n{BURST} updates in {elapsed:.1f} s: {dict(acks)}")
        assert client.sio.connected, "the socket stays"
        assert acks["rate_limited"] > BURST // 2
        assert acks["ok"] <= 200 + 50 * elapsed + 50  # the bucket: 200 at once, then 50 a second
        assert set(acks) <= {"ok", "rate_limited", "out_of_sync"}

        # the client re-syncs as the browser does after `rate_limited` (after 1 s): all it typed is stored
        time.sleep(1)
        assert client.call("yjs", story_id, crdt.sync_step2(doc.get_update()), timeout=30) == {"ok": True}
        assert crdt.text_of(data for _, data in persistence.rows_after(story_id)) == str(
            doc.get(crdt.BODY, type=Text)
        )
    finally:
        client.close()
    assert server.log.read_text().count("is not connected") <= 1
