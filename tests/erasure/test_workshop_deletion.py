"""Deleting a workshop (issue 26): a full workshop (a story written by a real socket client, comments, chat,
checkpoints, history, a published story with readers' reactions and dots in its consultation's open vote)
goes in one transaction, and no table keeps a row of it (every table of the schema is read through
SQLAlchemy's metadata); or its published story stays readable, anonymous, at its address. Real clients
against the live server."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from sqlalchemy import func, or_, select

from consultations import vote as votes
from core.unit_of_work import committed
from extensions import db
from feedback import anchors
from stories.cowriting import crdt
from stories.models import Story, StoryClient, StoryLogEntry, StorySnapshot, StoryTheme
from stories.reading import publishing
from tests import factories
from tests.consultations import vote_world
from tests.http import csrf_of
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.sockets import Client, connected
from tests.stories.clients import open_story, update_payloads, yjs_messages
from tests.stories.ydocs import Editor
from workshops import audit
from workshops.models import WorkshopFacilitator

pytestmark = pytest.mark.slow

NAME = "Zéphyrine Quillard"  # the participant whose name must go with the workshop
TEXT = "The river glowed at night. Children swam in its light."
PHASES = [
    {"title": "Write", "editors_open": True, "comments": "group"},
    {"title": "Publish", "editors_open": False, "visibility": "all", "comments": "off"},
]
ROOTS = ("workshops", "groups", "participants", "stories")  # what a workshop's rows hang from


def until(check: Callable[[], Any], timeout: float = 5) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(0.05)
    raise AssertionError("not in time")


def holders() -> dict[str, list[Any]]:
    """Every table of the schema with the columns that can point at a workshop's rows: its own id when it
    is one of `ROOTS`, and every foreign key into them."""
    found: dict[str, list[Any]] = {}
    for table in db.metadata.sorted_tables:
        columns = [c for c in table.primary_key.columns if table.name in ROOTS]
        columns += [c for c in table.columns if any(fk.column.table.name in ROOTS for fk in c.foreign_keys)]
        if columns:
            found[table.name] = columns
    return found


def rows_of(ids: dict[str, set[int]]) -> dict[str, int]:
    """{table: how many of its rows point at one of these ids}, for every table that has any."""
    db.session.rollback()
    counts = {}
    for name, columns in holders().items():
        table = columns[0].table
        wheres = [c.in_(ids[fk.column.table.name]) for c in columns for fk in c.foreign_keys]
        wheres += [c.in_(ids[name]) for c in columns if c.primary_key and name in ROOTS]
        count = db.session.scalar(select(func.count()).select_from(table).where(or_(*wheres)))
        if count:
            counts[name] = count
    return counts


@dataclass
class Full:
    """A workshop with something in every table, a writer's socket still open, and a control workshop."""

    server: ServerProcess
    owner_email: str
    workshop_id: int
    story_id: int
    ids: dict[str, set[int]]
    writer: Client
    others: Client
    control: dict[str, set[int]]

    def close(self) -> None:
        self.writer.close()
        self.others.close()


def _ids(workshop: Any) -> dict[str, set[int]]:
    groups = {g.id for g in workshop.groups}
    return {
        "workshops": {workshop.id},
        "groups": groups,
        "participants": {p.id for g in workshop.groups for p in g.participants},
        "stories": {s.id for s in db.session.scalars(select(Story).where(Story.workshop_id == workshop.id))},
    }


def full_workshop(server: ServerProcess) -> Full:
    owner, co = factories.facilitator(), factories.facilitator()
    consultation = vote_world.consultation(owner, "health-2040")
    workshop = factories.workshop(
        owner, groups=2, phases=PHASES, title="Health in 2040", consultation_id=consultation.id
    )
    db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=co.id))
    audit.record(workshop.id, "export_history", by=owner.id)  # the audit log ("Who did what") has an entry
    db.session.commit()
    control = factories.workshop(owner, groups=1)
    factories.participant(control.groups[0], NAME)  # the same name in another workshop stays
    factories.story_text(factories.story_of(control.groups[0]), "Another workshop's story.")
    _, token = factories.participant(workshop.groups[0], NAME)
    _, other_token = factories.participant(workshop.groups[1], "Bob")
    story = factories.story_of(workshop.groups[0])
    story_id = story.id

    # A real client writes the story, comments on it and chats; another group chats too.
    writer = Client(server.url, auth={"token": token})
    others = Client(server.url, auth={"token": other_token})
    assert open_story(writer, story_id) == {"ok": True, "writable": True}
    editor = Editor()
    assert writer.call("yjs", story_id, crdt.sync_step1(editor.doc.get_state())) == {"ok": True}
    for update in update_payloads(yjs_messages(writer, story_id)):
        editor.receive(update)
    assert writer.call("yjs", story_id, crdt.update_message(editor.insert(0, TEXT))) == {"ok": True}
    start = TEXT.index("river")
    first, last = anchors.anchor(editor.text, start, start + len("river"))
    passage = {"start": base64.b64encode(first).decode(), "end": base64.b64encode(last).decode()}
    comment = writer.call(
        "comment:create", {"story_id": story_id, "body": "Which river?", "quote": "river", **passage}
    )
    assert comment["ok"], comment
    assert writer.call("chat:send", {"body": f"{NAME} here"})["ok"]
    assert others.call("chat:send", {"body": "Bob here"})["ok"]

    # Its history (as compaction and phase ends leave it), themes, then published, with a reaction.
    db.session.expire_all()
    factories.checkpoint(story, 0, "Write")
    db.session.add_all(
        [
            StoryLogEntry(story_id=story_id, seq=1, data=b"\0", created_at=db.func.now()),
            StorySnapshot(story_id=story_id, seq=1, state=b"\0", authors="[]"),
            StoryClient(story_id=story_id, client_id=12345),
            StoryTheme(story_id=story_id, slug="rivers", label="rivers"),
        ]
    )
    db.session.commit()
    with committed():
        publishing.publish(db.session.get(Story, story_id))
    reader = requests.Session()
    page = reader.get(f"{server.url}/stories/{story_id}", timeout=15)
    assert NAME in page.text  # credited while the workshop lives
    reacted = reader.post(
        f"{server.url}/stories/{story_id}/reactions",
        data={"csrf_token": csrf_of(page.text), "kind": "inspiring"},
        timeout=15,
    )
    assert reacted.status_code == 200
    # The consultation's vote is open, and the writer put dots on the story.
    with committed():
        votes.open_vote(consultation, 3, False)
    voted = requests.put(
        f"{server.url}/c/health-2040/vote/ballot",
        json={"dots": {str(story_id): 2}},
        headers={"Authorization": f"Bearer {token}"},
        timeout=15,
    )
    assert voted.status_code == 200, voted.text
    db.session.expire_all()
    return Full(server, owner.email, workshop.id, story_id, _ids(workshop), writer, others, _ids(control))


def delete_page(full: Full) -> tuple[requests.Session, requests.Response]:
    session, _ = signed_in(full.server, full.owner_email)
    page = session.get(f"{full.server.url}/workshops/{full.workshop_id}/delete", timeout=15)
    assert page.status_code == 200
    return session, page


def test_a_full_workshop_deleted_leaves_no_row_of_it_in_any_table(
    live_server: ServerProcess, app_ctx
) -> None:
    full = full_workshop(live_server)
    try:
        before = rows_of(full.ids)
        assert set(before) >= set(holders()) - {"facilitators", "facilitator_sessions"}, (
            "every table that can hold a workshop's rows holds some before the delete"
        )
        control_before = rows_of(full.control)
        session, page = delete_page(full)
        for said in ("2 groups", "2 participants", "1 story written", "1 published story"):
            assert said in page.text
        response = session.post(
            f"{live_server.url}/workshops/{full.workshop_id}/delete",
            data={"csrf_token": csrf_of(page.text)},
            allow_redirects=False,
            timeout=15,
        )
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/workshops")
        # The participants' sockets are told and closed at once.
        until(lambda: not full.writer.sio.connected and not full.others.sio.connected)
        assert full.writer.events("participant:removed")
    finally:
        full.close()
    assert rows_of(full.ids) == {}
    assert rows_of(full.control) == control_before  # another workshop keeps everything
    assert requests.get(f"{live_server.url}/stories/{full.story_id}", timeout=15).status_code == 404
    assert requests.get(f"{live_server.url}/stories/c/{full.workshop_id}", timeout=15).status_code == 404
    # Deleting it twice: a clear 404.
    again = session.get(f"{live_server.url}/workshops/{full.workshop_id}/delete", timeout=15)
    assert again.status_code == 404
    posted = session.post(
        f"{live_server.url}/workshops/{full.workshop_id}/delete",
        data={"csrf_token": csrf_of(page.text)},
        timeout=15,
    )
    assert posted.status_code == 404


def test_a_published_story_kept_stays_readable_without_names(live_server: ServerProcess, app_ctx) -> None:
    full = full_workshop(live_server)
    try:
        session, page = delete_page(full)
        assert "Keep the published stories readable" in page.text
        response = session.post(
            f"{live_server.url}/workshops/{full.workshop_id}/delete",
            data={"csrf_token": csrf_of(page.text), "keep_published": "y"},
            allow_redirects=False,
            timeout=15,
        )
        assert response.status_code == 303
        until(lambda: not full.writer.sio.connected)
    finally:
        full.close()
    kept = {"stories": {full.story_id}}
    gone = {**full.ids, "stories": full.ids["stories"] - kept["stories"]}
    assert rows_of(gone) == {}
    left = rows_of({**{name: set() for name in ROOTS}, **kept})
    assert left == {"stories": 1, "story_themes": 1, "reactions": 1}, "no writing history, no comment"
    story = db.session.get(Story, full.story_id)
    assert (story.workshop_id, story.group_id, story.credits, story.history_summary) == (None, None, "", "")
    assert NAME.split()[1].lower() not in story.search_text

    url = live_server.url
    read = requests.get(f"{url}/stories/{full.story_id}", timeout=15)
    assert read.status_code == 200
    assert "The river glowed at night" in read.text
    assert "Anonymous story" in read.text
    assert "Anonymous authors" in read.text
    for page_url in (
        f"/stories/{full.story_id}",
        "/stories",
        "/stories/search?q=river",
        "/stories/feed.atom",
        "/sitemap.xml",
        f"/stories/{full.story_id}.md",
        f"/stories/{full.story_id}.html",
        f"/api/v1/stories/{full.story_id}",
        "/api/v1/stories",
    ):
        answer = requests.get(f"{url}{page_url}", timeout=30)
        assert answer.status_code == 200, page_url
        assert f"/stories/{full.story_id}" in answer.text, page_url
        assert "Zéphyrine" not in answer.text, page_url
        assert "Quillard" not in answer.text, page_url
        assert "Health in 2040" not in answer.text, page_url
    assert requests.get(f"{url}/stories/{full.story_id}.pdf", timeout=60).status_code == 200
    api = requests.get(f"{url}/api/v1/stories/{full.story_id}", timeout=15).json()
    assert (api["authors"], api["workshop"], api["language"]) == ([], None, "en")
    assert requests.get(f"{url}/stories/search?q=quillard", timeout=15).text.count("story-card") == 0
    assert requests.get(f"{url}/stories/{full.story_id}/how-it-was-written", timeout=15).status_code == 404
    # No one co-writes it any more: a participant of another workshop asking for it is refused, plainly.
    _, token = factories.participant(factories.workshop().groups[0], "Curious")
    with connected(url, auth={"token": token}) as curious:
        refused = open_story(curious, full.story_id)
    assert refused["ok"] is False
    assert refused["error"]["code"] == "forbidden"
