"""The facilitator's side of the feedback: the domain without a socket, the review page, the console counts
and the CSV / JSON download; nobody else reaches any of it."""

from __future__ import annotations

import base64
import csv
import io
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from pycrdt import Doc, Text

from core.identity import Identity
from extensions import db
from feedback import anchors, chat, comments
from feedback.models import Comment
from tests import factories
from tests.overrides import changed_settings
from tests.signin import sign_in
from tests.stories.test_rendering import problems_in
from tests.stories.xss_corpus import XSS_CORPUS

STORY = "=SUM(A1) The river glowed at night. Children swam."
PHASES = [{"title": "Cross-reading", "editors_open": False, "visibility": "next", "comments": "readers"}]


@pytest.fixture
def world(app_ctx: Any) -> dict[str, Any]:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2, phases=PHASES)
    story = factories.story_of(workshop.groups[0])
    update = factories.story_text(story, STORY)
    doc = Doc()
    text = doc.get("body", type=Text)
    doc.apply_update(update)
    reader, _ = factories.participant(workshop.groups[1], "Bea")
    author, _ = factories.participant(workshop.groups[0], "Ana")
    return {
        "owner": owner,
        "workshop": workshop,
        "story": story,
        "text": text,
        "reader": reader,
        "author": author,
    }


def anchor_of(text: Text, word: str) -> dict[str, str]:
    start = STORY.index(word)
    a, b = anchors.anchor(text, start, start + len(word))
    return {"start": base64.b64encode(a).decode(), "end": base64.b64encode(b).decode()}


def comment_on(world: dict[str, Any], word: str, body: str) -> Comment:
    who = Identity("participant", world["reader"].id)
    payload = {"story_id": world["story"].id, "body": body, "quote": word, **anchor_of(world["text"], word)}
    return comments.create(who, payload)


def test_download_has_every_comment_with_its_quote_and_every_chat(client: FlaskClient, world: dict) -> None:
    made = comment_on(world, "glowed", '=HYPERLINK("http://evil") Why?')
    comments.reply(Identity("participant", world["author"].id), {"comment_id": made.id, "body": "Algae."})
    comments.create(
        Identity("participant", world["reader"].id),
        {
            "story_id": world["story"].id,
            "body": "Formula quote",
            "quote": "x",
            **anchor_of(world["text"], "=SUM(A1)"),
        },
    )
    chat.post(Identity("participant", world["reader"].id), None, {"body": "Let us read it twice"})
    chat.post(
        Identity("facilitator", world["owner"].id), world["workshop"].id, {"body": "5 min", "group_id": None}
    )
    # The authors delete the passage: the comment keeps its quote and says where it stands.
    factories.story_text(world["story"], "")  # an empty update changes nothing...
    sign_in(client, world["owner"])
    data = client.get(f"/workshops/{world['workshop'].id}/feedback.json")
    assert data.status_code == 200
    assert data.headers["Content-Disposition"].startswith("attachment")
    found = json.loads(data.data)
    assert [c["quote"] for c in found["comments"] if c["kind"] == "comment"] == ["glowed", "=SUM(A1)"]
    assert [c["passage"] for c in found["comments"] if c["kind"] == "comment"] == ["present", "present"]
    assert [c["text"] for c in found["comments"] if c["kind"] == "reply"] == ["Algae."]
    assert [m["text"] for m in found["chat"]] == ["Let us read it twice", "5 min"]
    assert found["chat"][1]["group"] is None
    assert found["chat"][1]["facilitator"] is True
    table = client.get(f"/workshops/{world['workshop'].id}/feedback.csv")
    assert table.status_code == 200
    assert table.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(table.data.decode("utf-8-sig"))))
    assert [r["kind"] for r in rows] == ["comment", "reply", "comment", "chat", "chat"]
    assert rows[0]["text"].startswith("'=HYPERLINK")  # no formula in a spreadsheet
    assert rows[2]["quote"] == "'=SUM(A1)"
    assert rows[0]["story_group"] == "Group 1"
    assert rows[0]["author_group"] == "Group 2"


def test_a_deleted_passage_is_marked_in_the_download(client: FlaskClient, world: dict) -> None:
    comment_on(world, "glowed", "Why?")
    doc = Doc()
    text = doc.get("body", type=Text)
    from stories.cowriting import persistence

    for _, data in persistence.rows_after(world["story"].id):
        doc.apply_update(data)
    before = doc.get_state()
    start = STORY.index("river")
    del text[start : start + len("river glowed at")]
    from stories.models import StoryUpdate

    db.session.add(StoryUpdate(story_id=world["story"].id, seq=99, data=doc.get_update(before)))
    db.session.commit()
    sign_in(client, world["owner"])
    found = json.loads(client.get(f"/workshops/{world['workshop'].id}/feedback.json").data)
    assert [c["passage"] for c in found["comments"]] == ["deleted"]
    assert found["comments"][0]["quote"] == "glowed"
    page = client.get(f"/workshops/{world['workshop'].id}/publish").get_data(as_text=True)
    assert "Passage deleted" in page


def test_anonymous_visitors_are_sent_to_sign_in(client: FlaskClient, world: dict) -> None:
    base = f"/workshops/{world['workshop'].id}"
    for url in (f"{base}/feedback.json", f"{base}/feedback.csv"):
        assert client.get(url).status_code == 302
    assert client.post(f"{base}/comments/1/hidden").status_code in (302, 400)  # CSRF or sign-in first


def test_nobody_else_downloads_or_sees_the_feedback(client: FlaskClient, world: dict) -> None:
    comment_on(world, "glowed", "Private feedback")
    base = f"/workshops/{world['workshop'].id}"
    stranger = factories.facilitator()
    sign_in(client, stranger)  # (the app context is the test's: Flask-Login's cached user is the first one)
    for url in (f"{base}/feedback.json", f"{base}/feedback.csv", f"{base}/publish", f"{base}/console"):
        answer = client.get(url)
        assert answer.status_code == 404, (url, answer.headers.get("Location"))
    for url in (f"/workshops/{2**64}/feedback.json", f"/workshops/{2**63}/feedback.csv"):
        assert client.get(url).status_code == 404
    assert "Private feedback" not in client.get("/stories").get_data(as_text=True)


def test_the_review_page_shows_and_hides_comments_safely(
    csrf_client: FlaskClient, world: dict, app: Any
) -> None:
    with changed_settings(app, comment_rate=(10_000, 1.0)):
        for source in XSS_CORPUS:
            comment_on(world, "glowed", source)
    sign_in(csrf_client, world["owner"])
    page = csrf_client.get(f"/workshops/{world['workshop'].id}/publish").get_data(as_text=True)
    section = page[
        page.index('class="review-comments"') : page.index("</details>", page.index("review-comments"))
    ]
    assert section.count('class="review-thread__body"') == len(XSS_CORPUS)
    assert not problems_in(section.replace('<form method="post"', "<div").replace("</form>", "</div>")
                           .replace("<input", "<span").replace("<button", "<span"))  # fmt: skip
    first = db.session.query(Comment).order_by(Comment.id).first()
    hidden = csrf_client.post(
        f"/workshops/{world['workshop'].id}/comments/{first.id}/hidden", data={"hidden": "1"}
    )
    assert hidden.status_code == 303
    db.session.expire_all()
    assert db.session.get(Comment, first.id).hidden is True
    listed = comments.listing(Identity("participant", world["author"].id), {"story_id": world["story"].id})
    assert first.id not in [c["id"] for c in listed["comments"]]
    # Another workshop's comment, a huge id: 404.
    other = factories.workshop(world["owner"], groups=1)
    assert (
        csrf_client.post(
            f"/workshops/{other.id}/comments/{first.id}/hidden", data={"hidden": "1"}
        ).status_code
        == 404
    )
    assert csrf_client.post(f"/workshops/{world['workshop'].id}/comments/{2**64}/hidden").status_code == 404


def test_the_console_counts_comment_threads(client: FlaskClient, world: dict) -> None:
    made = comment_on(world, "glowed", "One")
    comment_on(world, "river", "Two")
    comments.resolve(Identity("participant", world["author"].id), {"comment_id": made.id, "resolved": True})
    assert comments.counts([world["story"].id]) == {world["story"].id: {"total": 2, "open": 1}}
    sign_in(client, world["owner"])
    page = client.get(f"/workshops/{world['workshop'].id}/console").get_data(as_text=True)
    assert 'data-total="2" data-open="1"' in page
    assert "2 comment threads" in page


def test_the_agenda_editor_sets_who_may_comment(csrf_client: FlaskClient, app_ctx: Any) -> None:
    owner = factories.facilitator()
    workshop = factories.bright_mirror_workshop(owner)
    assert [p.comments for p in workshop.phases] == ["off"] * 5 + ["readers", "group", "off"]
    phase = workshop.phases[2]
    sign_in(csrf_client, owner)
    form = {
        f"phase-{phase.id}-title": phase.title,
        f"phase-{phase.id}-instructions": "x",
        f"phase-{phase.id}-minutes": "10",
        f"phase-{phase.id}-visibility": "all",
        f"phase-{phase.id}-comments": "readers",
    }
    answer = csrf_client.post(f"/workshops/{workshop.id}/phases/{phase.id}", data=form)
    assert answer.status_code in (302, 303)
    db.session.expire_all()
    assert db.session.get(type(phase), phase.id).comments == "readers"
    form[f"phase-{phase.id}-comments"] = "everyone"
    assert csrf_client.post(f"/workshops/{workshop.id}/phases/{phase.id}", data=form).status_code == 422
    page = csrf_client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Who can see and write comments" in page
