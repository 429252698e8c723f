"""An acknowledged edit survives `kill -9`: real gunicorn servers, killed while clients type, restarted.

Runs on SQLite always, and on PostgreSQL (with Redis and two workers) when DATABASE_URL and REDIS_URL
point at them, as `.ci/run` sets them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import socketio
from sqlalchemy import create_engine, text

from stories.cowriting import crdt
from tests import factories
from tests.server import ServerProcess
from tests.sockets import Client
from tests.stories.clients import ROOT, example_module, open_story, wait_until
from tests.stories.ydocs import Editor

pytestmark = pytest.mark.slow

WRITERS = 4


def seed(url: str, writers: int) -> dict:
    """Create a workshop whose first group has `writers` participants (run in a child process for a
    database other than the test session's)."""
    from app import create_app
    from extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "test-secret-key"})
    with app.app_context():
        db.create_all()
        workshop = factories.workshop(groups=1)
        group = workshop.groups[0]
        tokens = [factories.participant(group)[1] for _ in range(writers)]
        return {"story_id": factories.story_of(group).id, "tokens": tokens}


def seed_elsewhere(url: str, writers: int) -> dict:
    code = "import json; from tests.stories.test_durability import seed; "
    code += f"print(json.dumps(seed({url!r}, {writers})))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def stored_text(url: str, story_id: int) -> str:
    """The story's text read straight from the database log (no app, no cache)."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT data FROM story_updates WHERE story_id = :id ORDER BY seq"), {"id": story_id}
            )
            return crdt.text_of(bytes(row.data) for row in rows)
    finally:
        engine.dispose()


class Typist(threading.Thread):
    """Appends numbered marks to the story and keeps those the server acknowledged, until it dies.

    It types `PER_SECOND` marks a second: eight times a fast typist, and under a socket's sustained rate
    (`PLUME_SOCKET_BURST`, 50/s), which a typist as fast as the loop allows exhausts within seconds.
    """

    PER_SECOND = 40

    def __init__(self, url: str, token: str, story_id: int, name: str) -> None:
        super().__init__(daemon=True)
        self.client = Client(url, auth={"token": token})
        assert open_story(self.client, story_id)["ok"]
        self.story_id, self.mark = story_id, name
        self.editor = Editor()
        self.acknowledged: list[str] = []
        self.sent = 0
        self.stopped: str | None = None  # why it stopped, for a failing test to say

    def run(self) -> None:
        started = time.monotonic()
        while True:
            time.sleep(max(0.0, started + self.sent / self.PER_SECOND - time.monotonic()))
            mark = f"[{self.mark}{self.sent}]"
            update = self.editor.insert(len(str(self.editor)), mark)
            self.sent += 1
            try:
                ack = self.client.sio.call("yjs", (self.story_id, crdt.update_message(update)), timeout=3)
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError) as error:
                self.stopped = f"{type(error).__name__} at mark {mark}"
                return
            if not ack.get("ok"):
                self.stopped = f"refused at mark {mark}: {ack}"
                return
            self.acknowledged.append(mark)


def kill_while_typing(server: ServerProcess, story_id: int, tokens: list[str], read_back) -> None:
    typists = [Typist(server.url, token, story_id, f"w{i}-") for i, token in enumerate(tokens)]
    for typist in typists:
        typist.start()
    assert wait_until(lambda: all(len(t.acknowledged) >= 15 for t in typists), timeout=20)
    server.kill()  # SIGKILL of the whole process group, mid-stream
    for typist in typists:
        typist.join(timeout=10)
        typist.client.sio.disconnect()
    acknowledged = [mark for typist in typists for mark in typist.acknowledged]
    assert len(acknowledged) >= 15 * len(typists)

    server.start()
    after = read_back()
    missing = [mark for mark in acknowledged if after.count(mark) != 1]
    assert not missing, f"acknowledged but lost: {missing[:10]}"
    example = example_module().StoryClient(server.url, tokens[0], story_id)  # a fresh client's sync
    try:
        assert example.synced.wait(5)
        assert wait_until(lambda: example.text_now() == after)
        example.append(" (after the restart)")
        assert read_back() == example.text_now()
    finally:
        example.close()


def test_acknowledged_edits_survive_sigkill_on_sqlite(tmp_path: Path, server_on) -> None:
    url = f"sqlite:///{tmp_path / 'durability.db'}"
    seeded = seed_elsewhere(url, WRITERS)
    server = server_on(url, REDIS_URL="")  # one worker, no queue: `make run` on a laptop
    kill_while_typing(
        server, seeded["story_id"], seeded["tokens"], lambda: stored_text(url, seeded["story_id"])
    )


def test_a_live_server_compacts_long_logs_without_losing_an_edit(tmp_path: Path, server_on) -> None:
    url = f"sqlite:///{tmp_path / 'compaction.db'}"
    seeded = seed_elsewhere(url, 2)
    story_id = seeded["story_id"]
    server = server_on(url, REDIS_URL="", PLUME_COMPACT_AFTER_ROWS="20")
    engine = create_engine(url)

    def rows() -> int:
        with engine.connect() as connection:
            return connection.execute(
                text("SELECT count(*) FROM story_updates WHERE story_id = :id"), {"id": story_id}
            ).scalar_one()

    try:
        client = Client(server.url, auth={"token": seeded["tokens"][0]})
        assert open_story(client, story_id)["ok"]
        editor = Editor()
        for i in range(70):
            update = editor.insert(len(str(editor)), f"{i},")
            assert client.call("yjs", story_id, crdt.update_message(update)) == {"ok": True}
        client.close()
        assert wait_until(lambda: rows() <= 21, timeout=5), rows()
        assert stored_text(url, story_id) == str(editor)
        server.kill()
        server.start()
        assert stored_text(url, story_id) == str(editor)
        reader = example_module().StoryClient(server.url, seeded["tokens"][1], story_id)
        try:
            assert reader.synced.wait(5)
            assert wait_until(lambda: reader.text_now() == str(editor))
        finally:
            reader.close()
    finally:
        engine.dispose()


@pytest.mark.postgres
@pytest.mark.redis
def test_acknowledged_edits_survive_sigkill_on_postgres_with_two_workers(
    database: str, app_ctx, server_on
) -> None:
    if not database.startswith("postgresql"):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (as .ci/run sets it)")
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not redis_url:
        pytest.skip("needs REDIS_URL (as .ci/run sets it): two workers share emits through Redis")
    workshop = factories.workshop(groups=1)
    group = workshop.groups[0]
    tokens = [factories.participant(group)[1] for _ in range(WRITERS)]
    story_id = factories.story_of(group).id
    server = server_on(database, REDIS_URL=redis_url, PLUME_WORKERS="2")
    kill_while_typing(server, story_id, tokens, lambda: stored_text(database, story_id))


@pytest.mark.postgres
@pytest.mark.redis
def test_two_workers_relay_to_each_other_and_converge(database: str, app_ctx, server_on) -> None:
    """Clients spread over two workers: updates reach everyone through Redis, and each worker's cached
    document catches up from the log before it answers a sync."""
    if not database.startswith("postgresql"):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (as .ci/run sets it)")
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not redis_url:
        pytest.skip("needs REDIS_URL (as .ci/run sets it)")
    workshop = factories.workshop(groups=1)
    group = workshop.groups[0]
    tokens = [factories.participant(group)[1] for _ in range(7)]
    story_id = factories.story_of(group).id
    server = server_on(database, REDIS_URL=redis_url, PLUME_WORKERS="2")
    story_client = example_module().StoryClient
    clients = [story_client(server.url, token, story_id) for token in tokens[:6]]
    try:
        assert all(client.synced.wait(5) for client in clients)

        def type_(client, n: int) -> None:
            for i in range(20):
                client.append(f"<{n}.{i}>")
                time.sleep(0.005)

        threads = [threading.Thread(target=type_, args=(c, n)) for n, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        expected = stored_text(database, story_id)
        assert all(f"<{n}.{i}>" in expected for n in range(6) for i in range(20))
        assert wait_until(lambda: all(c.text_now() == expected for c in clients), timeout=15)
        late = story_client(server.url, tokens[6], story_id)
        try:
            assert late.synced.wait(5)
            assert wait_until(lambda: late.text_now() == expected)
        finally:
            late.close()
    finally:
        for client in clients:
            client.close()
