"""Erasing a participant (issue 26): after it their name is nowhere, not in the database's rows, not in
SQLite's file or write-ahead log, not in any export, feed or page; what they wrote stays and the others'
editors still converge. Real clients against the live server."""

from __future__ import annotations

import base64
import dataclasses
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import text

from extensions import db
from feedback import anchors
from feedback.models import ChatMessage, Comment
from stories.cowriting import checkpoints, crdt, persistence
from stories.models import StoryCheckpoint
from stories.reading import publishing, reactions
from tests import factories
from tests.http import csrf_of
from tests.pdftools import pdf_text
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.sockets import Client
from tests.stories.clients import update_payloads, wait_until, yjs_messages
from tests.stories.ydocs import Editor
from workshops.models import AuditEntry, Participant

pytestmark = pytest.mark.slow

NAME = "Zephyrine Quillfeather"
MARKS = (b"quillfeather", b"zephyrine")  # searched for in lower-cased bytes
PHASES = [
    {"title": "Write", "editors_open": True, "comments": "group"},
    {"title": "Revise", "editors_open": True, "comments": "group"},
]


def found_in(data: bytes) -> bool:
    lowered = data.lower()
    return any(mark in lowered for mark in MARKS)


def database_bytes() -> dict[str, bytes]:
    """The database as stored: SQLite's file and its write-ahead log, or every live PostgreSQL row."""
    if db.engine.dialect.name == "sqlite":
        path = Path(db.engine.url.database or "")
        wal = Path(f"{path}-wal")
        return {"file": path.read_bytes(), "wal": wal.read_bytes() if wal.exists() else b""}
    rows = {}
    for table in db.metadata.sorted_tables:
        query = text(f'SELECT row_to_json(t)::text FROM "{table.name}" t')  # noqa: S608 (our table names)
        rows[table.name] = "\n".join(db.session.scalars(query)).encode()
    db.session.commit()
    return rows


def exports(
    server: ServerProcess, owner: requests.Session, workshop_id: int, story_id: int
) -> dict[str, bytes]:
    """Every export, feed, API answer and page that could name an author, as text."""
    url = server.url
    public = requests.Session()
    found: dict[str, bytes] = {}
    for path in (
        f"/stories/{story_id}",
        f"/stories/{story_id}.md",
        f"/stories/{story_id}.html",
        f"/stories/{story_id}/how-it-was-written",
        f"/stories/c/{workshop_id}",
        "/stories",
        "/stories/feed.atom",
        f"/stories/c/{workshop_id}/feed.atom",
        "/api/v1/stories",
        f"/api/v1/stories/{story_id}",
        "/sitemap.xml",
    ):
        response = public.get(url + path, timeout=30)
        assert response.status_code == 200, path
        found[path] = response.content
    for path in (
        f"/stories/{story_id}/history",
        f"/stories/{story_id}/history/balance.json",
        f"/stories/{story_id}/history/seek.json?seq=1",
        f"/workshops/{workshop_id}/history.json",
        f"/workshops/{workshop_id}/history.csv",
        f"/workshops/{workshop_id}/feedback.json",
        f"/workshops/{workshop_id}/feedback.csv",
        f"/workshops/{workshop_id}/publish",
        f"/workshops/{workshop_id}/console",
        f"/workshops/{workshop_id}/audit",
        f"/workshops/{workshop_id}",
    ):
        response = owner.get(url + path, timeout=30)
        assert response.status_code == 200, path
        found[path] = response.content
    for path in (f"/stories/{story_id}.pdf", f"/stories/c/{workshop_id}/anthology.pdf"):
        response = public.get(url + path, timeout=60)
        assert response.status_code == 200, path
        found[path] = pdf_text(response.content).encode()
    book = public.get(f"{url}/stories/c/{workshop_id}/anthology.epub", timeout=60)
    assert book.status_code == 200
    with zipfile.ZipFile(io.BytesIO(book.content)) as epub:
        for name in epub.namelist():
            found[f"epub:{name}"] = epub.read(name)
    return found


def searched(server: ServerProcess) -> str:
    return requests.get(f"{server.url}/stories/search", params={"q": "quillfeather"}, timeout=15).text


def send(client: Client, story_id: int, update: bytes) -> None:
    assert client.call("yjs", story_id, crdt.update_message(update)) == {"ok": True}


def passage(editor: Editor, word: str) -> dict[str, str]:
    start = str(editor).index(word)
    a, b = anchors.anchor(editor.text, start, start + len(word))
    return {"start": base64.b64encode(a).decode(), "end": base64.b64encode(b).decode(), "quote": word}


def test_an_erased_participant_is_named_nowhere_and_their_writing_stays(
    live_server: ServerProcess, app_ctx: Any
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2, phases=PHASES)
    workshop_id, owner_id = workshop.id, owner.id
    group = workshop.groups[0]
    story_id = factories.story_of(group).id
    zephyrine, z_token = factories.participant(group, NAME)
    z_id = zephyrine.id
    ada, ada_token = factories.participant(group, "Ada Lovelace")
    ada_id = ada.id
    z, a = (
        Client(live_server.url, auth={"token": z_token}),
        Client(live_server.url, auth={"token": ada_token}),
    )
    clients = [z, a]
    try:
        for client in clients:
            assert client.call("story:open", {"story_id": story_id})["ok"]
        # Zephyrine and Ada write, each in their own editor, and see each other's words.
        z_editor, a_editor = Editor(), Editor()
        update = z_editor.insert(0, "The lighthouse keeper sang at dawn. ")
        send(z, story_id, update)
        a_editor.receive(update)
        update = a_editor.insert(len(str(a_editor)), "Boats came home at night.")
        send(a, story_id, update)
        z_editor.receive(update)
        # They chat, comment, reply and resolve.
        assert z.call("chat:send", {"body": "Meet at the pier"})["ok"]
        assert a.call("chat:send", {"body": "On my way"})["ok"]
        kept = z.call(
            "comment:create",
            {"story_id": story_id, "body": "Lovely image", **passage(z_editor, "lighthouse")},
        )
        assert kept["ok"], kept
        assert a.call("comment:reply", {"comment_id": kept["comment"]["id"], "body": "Agreed"})["ok"]
        alone = z.call(
            "comment:create", {"story_id": story_id, "body": "Ships rather?", **passage(z_editor, "Boats")}
        )
        assert alone["ok"]
        theirs = a.call(
            "comment:create", {"story_id": story_id, "body": "Why dawn?", **passage(a_editor, "dawn")}
        )
        assert z.call("comment:reply", {"comment_id": theirs["comment"]["id"], "body": "For the light"})["ok"]
        assert z.call("comment:resolve", {"comment_id": theirs["comment"]["id"], "resolved": True})["ok"]
        # The phase ends (a checkpoint with each author's figures); the story is published with its history.
        checkpoints.checkpoint_workshop(workshop_id, 0, "Write")
        story = factories.story_of(db.session.merge(group))
        draft = dataclasses.replace(publishing.draft_of(story), show_history=True)
        assert NAME in draft.credits
        publishing.publish(story, draft)
        db.session.commit()
        owner_session, token = signed_in(live_server, owner.email)
        reader = requests.Session()
        page = reader.get(f"{live_server.url}/stories/{story_id}", timeout=15).text
        reacted = reader.post(
            f"{live_server.url}/stories/{story_id}/reactions",
            data={"csrf_token": csrf_of(page), "kind": next(iter(reactions.KINDS))},
            timeout=15,
        )
        assert reacted.status_code == 200
        text_before = persistence.load_text(story_id)
        assert "lighthouse keeper" in text_before
        assert "Boats came home" in text_before

        # Before: the name is in the database and in the exports (this test can see it).
        before = exports(live_server, owner_session, workshop_id, story_id)
        found_by_name = [searched(live_server)]
        assert [k for k, v in before.items() if found_in(v)], "the name should be found before the erase"
        db.session.commit()
        assert any(found_in(v) for v in database_bytes().values())

        # The erase, from the console's form.
        db.session.remove()  # nothing of ours holds the database meanwhile
        erased = owner_session.post(
            f"{live_server.url}/workshops/{workshop_id}/participants/erase",
            data={"csrf_token": token, "participant_id": str(z_id)},
            timeout=60,
            allow_redirects=False,
        )
        assert erased.status_code == 302, erased.text
        assert wait_until(lambda: not z.sio.connected)
        assert [e[0]["erased"] for e in z.events("participant:removed")] == [True]

        # Ada goes on writing; a new editor of hers converges with hers and with the server's text.
        update = a_editor.insert(len(str(a_editor)), " The end.")
        send(a, story_id, update)
        late = Client(live_server.url, auth={"token": ada_token})
        clients.append(late)
        assert late.call("story:open", {"story_id": story_id})["ok"]
        fresh = Editor()
        assert late.call("yjs", story_id, crdt.sync_step1(fresh.doc.get_state())) == {"ok": True}
        for payload in update_payloads(yjs_messages(late, story_id)):
            fresh.receive(payload)
        assert str(fresh) == str(a_editor) == persistence.load_text(story_id)
        assert "lighthouse keeper sang at dawn" in str(fresh)

        # After: the name is nowhere; the search no longer finds the story by it (the page echoes the query).
        assert f'href="/stories/{story_id}"' in found_by_name[0]
        assert f'href="/stories/{story_id}"' not in searched(live_server)
        after = exports(live_server, owner_session, workshop_id, story_id)
        assert not [k for k, v in after.items() if found_in(v)]
        stored = database_bytes()
        assert not [k for k, v in stored.items() if found_in(v)]
        assert b"lighthouse keeper" in after[f"/stories/{story_id}.md"]
        assert b"a participant" in after[f"/workshops/{workshop_id}/history.csv"]
        assert (
            b"a participant" in after[f"/stories/{story_id}.md"]
            or b"a participant" in after[f"/stories/{story_id}"]
        )
    finally:
        for client in clients:
            client.close()

    db.session.expire_all()
    row = db.session.get(Participant, z_id)
    assert row.erased_at is not None
    assert row.removed_at is not None
    assert row.display_name == "a participant"
    # Their chat is gone; their lone comment and reply too; the comment with a reply stays, without text.
    assert db.session.query(ChatMessage).filter_by(author_id=z_id).count() == 0
    left = db.session.query(Comment).filter_by(author_id=z_id).all()
    assert [(c.id, c.body, c.deleted, c.author_name) for c in left] == [
        (kept["comment"]["id"], "", True, "a participant")
    ]
    assert db.session.get(Comment, theirs["comment"]["id"]).resolved_by == "a participant"
    figures = db.session.query(StoryCheckpoint).filter_by(story_id=story_id).one().authorship
    assert "a participant" in figures
    assert "Ada Lovelace" in figures
    erases = db.session.query(AuditEntry).filter_by(action="erase")
    assert [(e.participant_id, e.facilitator_id) for e in erases] == [(z_id, owner_id)]
    assert db.session.get(Participant, ada_id).display_name == "Ada Lovelace"
