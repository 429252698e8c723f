"""Restoring a checkpoint against the real server: every open editor (real Socket.IO clients) follows live,
quiet or typing meanwhile, and the restore is a new edit in the log."""

from __future__ import annotations

import random
import re
import threading

import pytest
import requests

from extensions import db
from stories.cowriting import checkpoints, crdt, history, persistence
from tests import factories
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.sockets import Client
from tests.stories.clients import open_story, update_payloads, wait_until, yjs_messages
from tests.stories.ydocs import Editor


def joined(url: str, token: str, story_id: int) -> tuple[Client, Editor]:
    client = Client(url, auth={"token": token})
    assert open_story(client, story_id) == {"ok": True, "writable": True}
    editor = Editor()
    assert client.call("yjs", story_id, crdt.sync_step1(editor.doc.get_state())) == {"ok": True}
    follow(client, editor, story_id)
    return client, editor


def follow(client: Client, editor: Editor, story_id: int) -> None:
    """Apply every update the client has received so far (what a browser's provider does)."""
    for update in update_payloads(yjs_messages(client, story_id)):
        editor.receive(update)


def restore_over_http(
    http: requests.Session, url: str, story_id: int, checkpoint_id: int
) -> requests.Response:
    page = http.get(f"{url}/stories/{story_id}/history/{checkpoint_id}/restore", timeout=5)
    assert page.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)[1]
    return http.post(
        f"{url}/stories/{story_id}/history/{checkpoint_id}/restore",
        data={"csrf_token": token},
        allow_redirects=False,
        timeout=30,
    )


@pytest.fixture
def writing_group(app_ctx, live_server: ServerProcess):
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1)
    group = workshop.groups[0]
    story_id = factories.story_of(group).id
    tokens = [factories.participant(group, name)[1] for name in ("Ana", "Ben", "Chloé")]
    clients = [joined(live_server.url, token, story_id) for token in tokens]
    yield owner, workshop, story_id, clients
    for client, _ in clients:
        client.close()


def type_some(client: Client, editor: Editor, story_id: int, rng: random.Random, n: int) -> None:
    for _ in range(n):
        update = editor.random_edit(rng)
        assert client.call("yjs", story_id, crdt.update_message(update)) == {"ok": True}


def everyone_reads(clients, story_id: int, expected: str) -> bool:
    for client, editor in clients:
        follow(client, editor, story_id)
    return all(str(editor) == expected for _, editor in clients)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_restore_reaches_every_open_editor(live_server: ServerProcess, writing_group, seed: int) -> None:
    owner, workshop, story_id, clients = writing_group
    rng = random.Random(seed)
    for _ in range(3):
        for client, editor in clients:
            type_some(client, editor, story_id, rng, 4)
            wait_until(lambda e=editor: everyone_reads(clients, story_id, str(e)))
    db.session.rollback()
    checkpoints.checkpoint_workshop(workshop.id, 0, "Write")
    checkpoint = history.checkpoint_rows(story_id)[0]
    for client, editor in clients:
        type_some(client, editor, story_id, rng, 6)
        assert wait_until(lambda e=editor: everyone_reads(clients, story_id, str(e)))
    assert str(clients[0][1]) != checkpoint.text or not checkpoint.text

    answer = restore_over_http(
        signed_in(live_server, owner.email)[0], live_server.url, story_id, checkpoint.id
    )
    assert answer.status_code == 303
    assert wait_until(lambda: everyone_reads(clients, story_id, checkpoint.text))
    db.session.rollback()
    assert persistence.load_text(story_id) == checkpoint.text
    assert history.log_rows(story_id)[-1].author_id is None  # the restore is the facilitator's edit


def test_editors_typing_during_a_restore_converge(live_server: ServerProcess, writing_group) -> None:
    owner, workshop, story_id, clients = writing_group
    rng = random.Random(7)
    for client, editor in clients:
        type_some(client, editor, story_id, rng, 8)
        assert wait_until(lambda e=editor: everyone_reads(clients, story_id, str(e)))
    db.session.rollback()
    checkpoints.checkpoint_workshop(workshop.id, 0, "Write")
    checkpoint = history.checkpoint_rows(story_id)[0]
    type_some(*clients[1], story_id, rng, 10)
    http, _ = signed_in(live_server, owner.email)

    typist, typed = clients[0], random.Random(8)
    stop = threading.Event()
    lock = threading.Lock()

    def keep_typing() -> None:
        while not stop.is_set():
            with lock:
                follow(typist[0], typist[1], story_id)
                type_some(typist[0], typist[1], story_id, typed, 1)

    thread = threading.Thread(target=keep_typing)
    thread.start()
    try:
        assert restore_over_http(http, live_server.url, story_id, checkpoint.id).status_code == 303
    finally:
        stop.set()
        thread.join()
    db.session.rollback()
    final = persistence.load_text(story_id)
    assert wait_until(lambda: everyone_reads(clients, story_id, final))
