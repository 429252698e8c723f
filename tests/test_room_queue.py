"""Two workers on one Redis queue publish an emit only when the other has a member of its room.

Two servers (one worker each, so each client picks its worker) on a private redis-server and one database;
a plain Redis subscriber on the queue's channel sees what the workers publish. A marker the test publishes
after an acked write comes after anything that write published, so "nothing before the marker" is exact.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Iterator
from contextlib import suppress
from typing import Any

import pytest
import redis

from stories.cowriting import crdt
from tests import factories
from tests.server import ServerProcess
from tests.signin import facilitator_cookie
from tests.sockets import Client
from tests.stories.clients import open_story, wait_until, yjs_messages
from tests.stories.ydocs import Editor

pytestmark = [pytest.mark.slow, pytest.mark.redis]

CHANNEL = "flask-socketio"
QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')  # MONITOR prints each word in quotes, escaped
UNESCAPE = re.compile(r"\\(.)")
JUNK = [
    b"\xff not json",
    b"[1, 2]",
    json.dumps({"method": "plume:room", "host": 7, "op": "add", "ns": "/", "room": "story:1"}),
    json.dumps({"method": "plume:room", "host": "h", "op": "add", "ns": ["/"], "room": {"x": 1}}),
    json.dumps({"method": "plume:rooms", "host": "h", "to": None, "rooms": "all"}),
    json.dumps({"method": "plume:ack", "host": "h", "token": [1]}),
    json.dumps({"method": "plume:", "host": "h"}),
]
PHASES = [{"title": "Write", "duration_seconds": 600, "editors_open": True, "visibility": "none"}]


class Channel:
    """Every message the workers publish on the queue's channel, decoded, in the order Redis received them.

    It watches with MONITOR, not SUBSCRIBE: a subscriber that never answers would (rightly) keep the
    workers publishing everything.
    """

    def __init__(self, url: str) -> None:
        self.redis = redis.Redis.from_url(url)
        self.monitor = self.redis.monitor().__enter__()
        self.messages: list[dict[str, Any]] = []
        self._read_up_to = 0
        self.closed = False
        self._markers = itertools.count()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            while True:
                line = self.monitor.connection.read_response()
                words = [UNESCAPE.sub(r"\1", word) for word in QUOTED.findall(line.decode(errors="replace"))]
                if len(words) == 3 and words[0].upper() == "PUBLISH" and words[1] == CHANNEL:
                    with suppress(ValueError):  # the junk a test publishes
                        message = json.loads(words[2])
                        if isinstance(message, dict):
                            self.messages.append(message)
        except Exception:
            if not self.closed:  # closing cuts the connection under the reader
                raise

    def published_since_last_look(self) -> list[dict[str, Any]]:
        """What was published since the previous call (so everything a worker sent before its ack)."""
        marker = {"method": "test:marker", "n": next(self._markers)}
        self.redis.publish(CHANNEL, json.dumps(marker))
        assert wait_until(lambda: marker in self.messages[self._read_up_to :], timeout=3)
        seen = self.messages[self._read_up_to :]
        end = seen.index(marker)
        self._read_up_to += end + 1
        return seen[:end]

    def emits_to(self, room: str) -> list[dict[str, Any]]:
        """The emits to `room` published since the previous look."""
        return [
            m for m in self.published_since_last_look() if m.get("method") == "emit" and m.get("room") == room
        ]

    def close(self) -> None:
        self.closed = True
        self.monitor.connection.disconnect()


@pytest.fixture
def channel(redis_url: str) -> Iterator[Channel]:
    watching = Channel(redis_url)
    yield watching
    watching.close()


def worker(database: str, redis_url: str) -> ServerProcess:
    return ServerProcess(database, env={"REDIS_URL": redis_url, "PLUME_WORKERS": "1"}).start()


@pytest.fixture
def two_workers(database: str, redis_url: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    first, second = worker(database, redis_url), worker(database, redis_url)
    yield first, second
    first.stop()
    second.stop()


def writer(url: str, token: str, story_id: int) -> Client:
    client = Client(url, auth={"token": token})
    assert open_story(client, story_id) == {"ok": True, "writable": True}
    return client


def write(client: Client, story_id: int, editor: Editor, text: str) -> None:
    update = editor.insert(len(str(editor.text)), text)
    assert client.call("yjs", story_id, crdt.update_message(update)) == {"ok": True}


def updates(client: Client, story_id: int) -> int:
    return sum(1 for m in yjs_messages(client, story_id) if crdt.parse_message(m).is_update)


def broadcasts(client: Client) -> list[str]:
    return [state["broadcast"] for (state,) in client.events("workshop:state")]


def test_a_relay_goes_to_redis_only_while_the_other_worker_has_a_member_of_the_story(
    two_workers: tuple[ServerProcess, ServerProcess], channel: Channel, app_ctx: Any
) -> None:
    first, second = two_workers
    workshop = factories.workshop(groups=1, phases=PHASES)
    group = workshop.groups[0]
    story_id = factories.story_of(group).id
    room = f"story:{story_id}"
    tokens = [factories.participant(group, name)[1] for name in ("Ada", "Bea", "Cyd")]
    for junk in JUNK:  # the workers shrug off malformed words of their protocol
        channel.redis.publish(CHANNEL, junk)
    ada, bea = writer(first.url, tokens[0], story_id), writer(first.url, tokens[1], story_id)
    editor = Editor()
    try:
        write(ada, story_id, editor, "Only here.")
        assert wait_until(lambda: updates(bea, story_id) == 1, timeout=3)  # delivered on the worker itself
        assert channel.emits_to(room) == []  # and not published

        cyd = writer(second.url, tokens[2], story_id)  # a member on the other worker
        try:
            write(ada, story_id, editor, " For both workers.")
            assert wait_until(lambda: updates(cyd, story_id) == 1, timeout=3)
            assert len(channel.emits_to(room)) == 1
        finally:
            assert cyd.call("story:close", {"story_id": story_id}) == {"ok": True}
            cyd.close()

        def quiet_again() -> bool:  # the other worker's "remove" reached this one
            write(ada, story_id, editor, ".")
            return channel.emits_to(room) == []

        assert wait_until(quiet_again, timeout=5)
        write(ada, story_id, editor, " Still here.")  # and this worker's own members still hear it
        assert wait_until(lambda: any(b"Still here." in m for m in yjs_messages(bea, story_id)), timeout=3)
    finally:
        ada.close()
        bea.close()


def test_a_worker_that_starts_later_learns_the_rooms_already_open_on_the_other(
    database: str, redis_url: str, channel: Channel, app_ctx: Any
) -> None:
    workshop = factories.workshop(groups=2, phases=PHASES)
    shared, alone = workshop.groups
    shared_story, alone_story = factories.story_of(shared).id, factories.story_of(alone).id
    ada_token, bea_token = (factories.participant(shared, name)[1] for name in ("Ada", "Bea"))
    cyd_token = factories.participant(alone, "Cyd")[1]
    first = worker(database, redis_url)
    ada = writer(first.url, ada_token, shared_story)
    second = worker(database, redis_url)  # starts after Ada opened the story: it learns that from its hello
    try:
        cyd = writer(second.url, cyd_token, alone_story)

        def in_sync() -> bool:  # the new worker keeps to itself what only it can deliver
            write(cyd, alone_story, cyd_editor, ".")
            return channel.emits_to(f"story:{alone_story}") == []

        cyd_editor = Editor()
        assert wait_until(in_sync, timeout=5)
        bea = writer(second.url, bea_token, shared_story)
        write(bea, shared_story, Editor(), "From the new worker.")
        assert wait_until(lambda: updates(ada, shared_story) == 1, timeout=3)  # it knew Ada was elsewhere
        bea.close()
        cyd.close()
    finally:
        ada.close()
        first.stop()
        second.stop()


def test_a_facilitators_broadcast_reaches_participants_on_both_workers(
    two_workers: tuple[ServerProcess, ServerProcess], app_ctx: Any
) -> None:
    first, second = two_workers
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2, phases=PHASES)
    here = Client(first.url, auth={"token": factories.participant(workshop.groups[0], "Ada")[1]})
    there = Client(second.url, auth={"token": factories.participant(workshop.groups[1], "Bea")[1]})
    console = Client(
        first.url,
        auth={"role": "facilitator", "workshop_id": workshop.id},
        headers=facilitator_cookie(first.url, owner.email, factories.PASSWORD),
    )
    try:
        ack = console.call("facilitator:command", {"action": "broadcast", "message": "Five minutes left"})
        assert ack["ok"], ack
        for client in (here, there):
            assert wait_until(
                lambda c=client: any(
                    s["broadcast"] == "Five minutes left" for (s,) in c.events("workshop:state")
                ),
                timeout=3,
            )
    finally:
        for client in (here, there, console):
            client.close()
