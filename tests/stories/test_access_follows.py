"""Access is a property of the present: sockets leave what they may no longer hear, on every worker."""

from __future__ import annotations

import os
import time

import pytest

from extensions import db
from stories.cowriting import crdt
from tests import factories
from tests.server import ServerProcess
from tests.signin import facilitator_cookie
from tests.sockets import Client, connected
from tests.stories.clients import open_story, wait_until, yjs_messages
from tests.stories.ydocs import Editor
from workshops.models import Group, Workshop, WorkshopFacilitator

PHASES = [  # cross-reading with open editors: the authors keep writing while the next group reads
    {"title": "Cross-reading", "duration_seconds": 600, "editors_open": True, "visibility": "next"},
    {"title": "Revise", "duration_seconds": 600, "editors_open": True, "visibility": "none"},
]


def update_count(client: Client, story_id: int) -> int:
    return sum(1 for m in yjs_messages(client, story_id) if crdt.parse_message(m).is_update)


def writer(url: str, token: str, story_id: int) -> tuple[Client, Editor]:
    client = Client(url, auth={"token": token})
    assert open_story(client, story_id) == {"ok": True, "writable": True}
    return client, Editor()


def send(client: Client, story_id: int, update: bytes) -> dict:
    return client.call("yjs", story_id, crdt.update_message(update))


def test_a_reader_of_another_group_stops_hearing_its_story_when_cross_reading_ends(
    live_server: ServerProcess, app_ctx
) -> None:
    workshop = factories.workshop(groups=2, phases=PHASES)
    authors, readers = workshop.groups
    story_id = factories.story_of(authors).id
    _, author_token = factories.participant(authors, "Author")
    _, reader_token = factories.participant(readers, "Reader")
    author, editor = writer(live_server.url, author_token, story_id)
    reader = Client(live_server.url, auth={"token": reader_token})
    try:
        assert open_story(reader, story_id) == {"ok": True, "writable": False}
        assert send(author, story_id, editor.insert(0, "read me")) == {"ok": True}
        assert wait_until(lambda: update_count(reader, story_id) == 1, timeout=3)
        db.session.get(Workshop, workshop.id).phase_index = 1  # revise: each group reads its own story
        db.session.commit()
        (revoked,) = reader.wait_for("story:revoked", timeout=3)
        assert revoked == {"story_id": story_id}
        assert send(author, story_id, editor.insert(7, ", privately")) == {"ok": True}
        time.sleep(0.5)
        assert update_count(reader, story_id) == 0  # the new edit never reached the other group
        refused = reader.call("yjs", story_id, crdt.sync_step1(b"\x00"))
        assert refused["error"]["code"] == "forbidden"
    finally:
        author.close()
        reader.close()


def test_a_socket_learns_when_it_may_no_longer_write_and_again_when_it_may(
    live_server: ServerProcess, app_ctx
) -> None:
    workshop = factories.workshop(groups=1)
    group = workshop.groups[0]
    story_id = factories.story_of(group).id
    _, token = factories.participant(group)
    client, _ = writer(live_server.url, token, story_id)
    try:
        db.session.get(Group, group.id).locked = True
        db.session.commit()
        assert client.wait_for("story:access", timeout=3) == ({"story_id": story_id, "writable": False},)
        db.session.get(Group, group.id).locked = False
        db.session.commit()
        assert client.wait_for("story:access", timeout=3) == ({"story_id": story_id, "writable": True},)
    finally:
        client.close()


def test_a_removed_co_facilitator_hears_nothing_more_of_the_workshop(
    live_server: ServerProcess, app_ctx
) -> None:
    owner = factories.facilitator()
    helper = factories.facilitator("helper@example.org")
    workshop = factories.workshop(owner, groups=1)
    db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=helper.id))
    db.session.commit()
    group = workshop.groups[0]
    story_id = factories.story_of(group).id
    _, token = factories.participant(group)
    headers = facilitator_cookie(live_server.url, "helper@example.org", factories.PASSWORD)
    auth = {"role": "facilitator", "workshop_id": workshop.id}
    author, editor = writer(live_server.url, token, story_id)
    with connected(live_server.url, auth=auth, headers=headers) as console:
        try:
            console.wait_for("workshop:state")
            assert open_story(console, story_id)["ok"] is True
            db.session.query(WorkshopFacilitator).filter_by(facilitator_id=helper.id).delete()
            db.session.commit()
            assert wait_until(lambda: not console.sio.connected, timeout=3)
            told = sorted(event for event in console.history() if event[0].endswith(":revoked"))
            assert told == [
                ("story:revoked", ({"story_id": story_id},)),
                ("workshop:revoked", ({"workshop_id": workshop.id},)),
            ]
            heard_before = len(console.history())
            assert send(author, story_id, editor.insert(0, "after")) == {"ok": True}
            time.sleep(0.4)
            assert len(console.history()) == heard_before  # no edit, state or activity after that
        finally:
            author.close()


@pytest.mark.postgres
@pytest.mark.redis
def test_revocation_reaches_a_reader_on_another_server(database: str, app_ctx, server_on) -> None:
    """Two servers on PostgreSQL and Redis (as behind nginx): the change made through one takes the
    reader connected to the other out of the story's room."""
    if not database.startswith("postgresql"):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (as .ci/run sets it)")
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not redis_url:
        pytest.skip("needs REDIS_URL (as .ci/run sets it)")
    first = server_on(database, REDIS_URL=redis_url)
    second = server_on(database, REDIS_URL=redis_url)
    workshop = factories.workshop(groups=2, phases=PHASES)
    authors, readers = workshop.groups
    story_id = factories.story_of(authors).id
    _, author_token = factories.participant(authors)
    _, reader_token = factories.participant(readers)
    author, editor = writer(first.url, author_token, story_id)
    reader = Client(second.url, auth={"token": reader_token})
    try:
        assert open_story(reader, story_id)["ok"] is True
        assert send(author, story_id, editor.insert(0, "shared")) == {"ok": True}
        assert wait_until(lambda: update_count(reader, story_id) == 1, timeout=3)  # relayed through Redis
        db.session.get(Workshop, workshop.id).phase_index = 1
        db.session.commit()
        assert reader.wait_for("story:revoked", timeout=3) == ({"story_id": story_id},)
        assert send(author, story_id, editor.insert(6, " no more")) == {"ok": True}
        time.sleep(0.5)
        assert update_count(reader, story_id) == 0
    finally:
        author.close()
        reader.close()
