""" "Refused" means "not stored": with the database locked by another process, an update is either stored
and acked, or refused and never stored, and the socket stays up (against the real server)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from extensions import db
from stories.cowriting import crdt, persistence
from tests import factories
from tests.sockets import Client
from tests.stories.clients import open_story
from tests.stories.ydocs import Editor


@contextmanager
def database_locked(url: str) -> Iterator[None]:
    """Another process's transaction that keeps every writer of `story_updates` waiting."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        connection.execute("BEGIN IMMEDIATE")  # the write lock: WAL readers go on, writers wait
        release = connection.rollback
    else:
        connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        connection.execute("LOCK TABLE story_updates IN ACCESS EXCLUSIVE MODE")
        release = connection.rollback
    try:
        yield
    finally:
        release()
        connection.close()


def stored(story_id: int) -> str:
    db.session.rollback()
    return persistence.load_text(story_id)


def test_an_update_refused_while_the_database_is_locked_is_never_stored(
    server_on: Any, database: str, app_ctx
) -> None:
    server = server_on(database, PLUME_ACK_TIMEOUT_SECONDS="1", PLUME_WRITE_BUDGET_SECONDS="2")
    group = factories.workshop(groups=1).groups[0]
    story_id = factories.story_of(group).id
    clients, editors = [], []
    for _ in range(2):
        _, token = factories.participant(group)
        client = Client(server.url, auth={"token": token})
        assert open_story(client, story_id)["ok"] is True
        clients.append(client)
        editors.append(Editor())
    answers: dict[int, Any] = {}

    def send(n: int, text: str) -> None:
        answers[n] = clients[n].call(
            "yjs", story_id, crdt.update_message(editors[n].insert(0, text)), timeout=60
        )

    try:
        with database_locked(database):
            # The first is taken by the writer, which waits for the lock; the second waits in the queue.
            first = threading.Thread(target=send, args=(0, "first "))
            first.start()
            time.sleep(0.3)
            send(1, "second ")
            first.join(timeout=60)
        assert answers[1]["error"]["code"] == "unavailable"  # withdrawn from the queue: never stored
        assert answers[0]["ok"] is True or answers[0]["error"]["code"] == "unavailable"
        text = stored(story_id)
        assert "second" not in text
        assert ("first" in text) == (answers[0]["ok"] is True)  # stored exactly when acked
        # Both sockets are still there, and their next change (a re-sync's step 2) is stored once.
        for n, client in enumerate(clients):
            assert client.sio.connected
            resync = client.call("yjs", story_id, crdt.sync_step2(editors[n].doc.get_update()))
            assert resync == {"ok": True}
        assert sorted(stored(story_id).split()) == ["first", "second"]
    finally:
        for client in clients:
            client.close()
