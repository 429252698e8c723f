"""Who may delete a workshop or an account, and what the operations, pages and commands leave behind
(in-process: the test client and the operations; the full workshop over real sockets is in
test_workshop_deletion.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from accounts.models import Facilitator, FacilitatorSession
from core.unit_of_work import committed
from erasure import accounts, workshops
from extensions import db
from feedback.models import ChatMessage
from ids import MAX_ID
from stories.models import Reaction, Story
from stories.reading import publishing
from tests import factories
from tests.http import csrf_of
from tests.signin import as_participant, sign_in
from workshops.models import Participant, Workshop, WorkshopFacilitator


def count(model: type) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def co_run(workshop: Workshop, facilitator: Facilitator) -> None:
    db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=facilitator.id))
    db.session.commit()


# --- Deleting a workshop: who may ------------------------------------------------------------------------


def test_only_its_facilitators_delete_a_workshop(app: Flask, client: FlaskClient, app_ctx) -> None:
    workshop = factories.workshop()
    _, token = factories.participant(workshop.groups[0], "Ada")
    url = f"/workshops/{workshop.id}/delete"
    # Anonymous and a participant's browser: sent to sign in, as on every management page (a POST without
    # the CSRF token of a facilitator's page is refused first).
    for who in (client, as_participant(app.test_client(), token)):
        assert who.get(url).status_code == 302
        assert who.post(url).status_code == 400
    # Another workshop's facilitator: 404, as if it did not exist.
    stranger = sign_in(app.test_client(), factories.facilitator())
    assert stranger.get(url).status_code == 404
    app.config["WTF_CSRF_ENABLED"] = False  # as if they had a valid token: the workshop still is not theirs
    try:
        assert stranger.post(url).status_code == 404
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    # Its facilitator: bad and huge ids are 404s, a wrong method 405, a missing CSRF token 400.
    owner = sign_in(app.test_client(), db.session.get(Facilitator, workshop.owner_id))
    assert owner.get(f"/workshops/{MAX_ID + 1}/delete").status_code == 404
    assert owner.get("/workshops/0/delete").status_code == 404
    assert owner.get("/workshops/abc/delete").status_code == 404
    assert owner.put(url).status_code == 405
    assert owner.post(url).status_code == 400
    assert count(Workshop) == 1
    assert count(Participant) == 1
    # With the token of its own page, it goes; a second time is a 404. (Flask-WTF keeps the token it made in
    # `g`, which this test's app context shares with every client's request: the owner's must be made anew.)
    g.pop("csrf_token", None)
    page = owner.get(url)
    assert page.status_code == 200
    response = owner.post(url, data={"csrf_token": csrf_of(page.text)})
    assert response.status_code == 303
    assert count(Workshop) == 0
    assert count(Participant) == 0
    assert owner.post(url, data={"csrf_token": csrf_of(page.text)}).status_code == 404
    assert owner.get(url).status_code == 404


def test_a_co_facilitator_may_delete_the_workshop_too(app: Flask, app_ctx) -> None:
    workshop = factories.workshop()
    co = factories.facilitator()
    co_run(workshop, co)
    browser = sign_in(app.test_client(), co)
    page = browser.get(f"/workshops/{workshop.id}/delete")
    assert (
        browser.post(f"/workshops/{workshop.id}/delete", data={"csrf_token": csrf_of(page.text)}).status_code
        == 303
    )
    assert count(Workshop) == 0


def test_on_sqlite_the_deleted_rows_leave_the_files(app: Flask, app_ctx) -> None:
    """secure_delete overwrites the freed cells, and the checkpoint empties the write-ahead log."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's files only")
    workshop_id = factories.workshop().id
    name = "Xanthippe Vorobyova"
    factories.participant(db.session.get(Workshop, workshop_id).groups[0], name)
    path = Path(db.engine.url.database)
    db.session.remove()
    with db.engine.connect() as connection:  # the participant in the database file itself
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert name.encode() in path.read_bytes()
    with committed():
        workshops.delete_workshop(db.session.get(Workshop, workshop_id))
    db.session.remove()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert name.encode() not in path.read_bytes()


# --- Deleting an account ---------------------------------------------------------------------------------


def test_an_account_hands_its_shared_workshops_over_and_deletes_the_others(app: Flask, app_ctx) -> None:
    me, co = factories.facilitator(name="Maëlle Departing"), factories.facilitator()
    shared, alone = factories.workshop(me), factories.workshop(me)
    theirs = factories.workshop(co)
    co_run(shared, co)
    co_run(theirs, me)
    factories.participant(alone.groups[0], "Ada")
    db.session.add(
        ChatMessage(
            workshop_id=shared.id, facilitator_id=me.id, author_name=me.name, body="Five minutes left"
        )
    )
    db.session.commit()
    other_browser = sign_in(app.test_client(), me)  # signed in elsewhere too
    browser = sign_in(app.test_client(), me)
    page = browser.get("/account/delete")
    assert page.status_code == 200
    assert shared.title in page.text
    assert alone.title in page.text
    csrf = csrf_of(page.text)
    # A wrong password, or a choice that is no co-facilitator, changes nothing.
    wrong = browser.post("/account/delete", data={"csrf_token": csrf, "password": "not it"})
    assert wrong.status_code == 422
    assert "Wrong password" in wrong.text
    bad = browser.post(
        "/account/delete",
        data={"csrf_token": csrf, "password": factories.PASSWORD, f"workshop-{shared.id}": str(me.id)},
    )
    assert bad.status_code == 422
    assert count(Facilitator) == 2
    assert count(Workshop) == 3
    response = browser.post(
        "/account/delete",
        data={
            "csrf_token": csrf,
            "password": factories.PASSWORD,
            f"workshop-{shared.id}": str(co.id),
            f"workshop-{alone.id}": accounts.DELETE,
        },
    )
    assert response.status_code == 303
    assert db.session.get(Facilitator, me.id) is None
    assert db.session.get(Workshop, alone.id) is None
    assert count(Participant) == 0
    assert db.session.get(Workshop, shared.id).owner_id == co.id
    remaining = db.session.scalars(select(WorkshopFacilitator)).all()
    assert {(r.workshop_id, r.facilitator_id) for r in remaining} == {(shared.id, co.id), (theirs.id, co.id)}
    message = db.session.scalar(select(ChatMessage))
    assert (message.facilitator_id, message.author_name, message.body) == (None, "", "Five minutes left")
    assert count(FacilitatorSession) == 0  # every browser signed out
    assert other_browser.get("/workshops").status_code == 302
    assert browser.get("/account/delete").status_code == 302


def test_account_deletion_refuses_anonymous_and_a_wrong_method(client: FlaskClient, app_ctx) -> None:
    factories.facilitator()
    assert client.get("/account/delete").status_code == 302
    assert client.post("/account/delete").status_code == 400  # no CSRF token
    assert client.put("/account/delete").status_code == 405
    assert count(Facilitator) == 1


def test_the_commands_ask_first_and_do_what_they_said(app: Flask, app_ctx) -> None:
    me, co = factories.facilitator(), factories.facilitator()
    shared, alone = factories.workshop(me), factories.workshop(me)
    co_run(shared, co)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["workshop", "delete", str(alone.id)], input="n\n")
    assert refused.exit_code == 1
    assert "2 groups, 0 participants" in refused.output
    assert count(Workshop) == 2
    assert runner.invoke(args=["workshop", "delete", str(MAX_ID + 5), "--yes"]).exit_code == 1
    done = runner.invoke(args=["workshop", "delete", str(alone.id)], input="y\n")
    assert done.exit_code == 0, done.output
    assert count(Workshop) == 1
    gone = runner.invoke(args=["workshop", "delete", str(alone.id), "--yes"])
    assert gone.exit_code == 1
    assert f"No workshop {alone.id}" in gone.output
    account = runner.invoke(args=["facilitator", "delete", me.email, "--yes"])
    assert account.exit_code == 0, account.output
    assert f"handed to {co.email}" in account.output
    db.session.expire_all()
    assert db.session.get(Workshop, shared.id).owner_id == co.id
    assert count(Facilitator) == 1
    assert runner.invoke(args=["facilitator", "delete", me.email, "--yes"]).exit_code == 1


def test_a_kept_story_can_be_deleted_on_its_own_later(app: Flask, app_ctx) -> None:
    workshop, live = factories.workshop(groups=1), factories.workshop(groups=1)
    kept, other = factories.story_of(workshop.groups[0]), factories.story_of(live.groups[0])
    kept_id, other_id = kept.id, other.id
    for story in (kept, other):
        factories.story_text(story, "# A tide\n\nThe sea came back in 2040.")
        with committed():
            publishing.publish(story)
    db.session.add(Reaction(story_id=kept_id, kind="inspiring", browser="b"))
    db.session.commit()
    with committed():
        workshops.delete_workshop(db.session.get(Workshop, workshop.id), keep_published=True)
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["story", "delete", str(other_id), "--yes"])
    assert refused.exit_code == 1
    assert "goes with its workshop" in refused.output
    assert runner.invoke(args=["story", "delete", str(kept_id)], input="n\n").exit_code == 1
    done = runner.invoke(args=["story", "delete", str(kept_id)], input="y\n")
    assert done.exit_code == 0, done.output
    assert count(Story) == 1
    assert count(Reaction) == 0
    assert runner.invoke(args=["story", "delete", str(kept_id), "--yes"]).exit_code == 1


def test_wrong_passwords_on_the_account_deletion_are_limited(app: Flask, app_ctx) -> None:
    """The conftest's PLUME_LOGIN_RATE is 5 per minute: the sixth wrong guess is a 429, nothing deleted."""
    me = factories.facilitator()
    browser = sign_in(app.test_client(), me)
    csrf = csrf_of(browser.get("/account/delete").text)
    answers = [
        browser.post("/account/delete", data={"csrf_token": csrf, "password": f"guess {n}"}).status_code
        for n in range(6)
    ]
    assert answers == [422] * 5 + [429]
    assert count(Facilitator) == 1
