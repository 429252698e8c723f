"""Pages of the live workshop (join form, participant view, console, join screen), the preview API and
`flask demo`."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from core import settings
from core.identity import SESSION_KEY
from extensions import db
from tests import factories
from tests.overrides import changed_settings
from tests.signin import sign_in
from workshops import live
from workshops.models import Participant, Workshop


def participants() -> int:
    return db.session.scalar(select(func.count(Participant.id)))


def csrf_token(client: FlaskClient, path: str = "/join") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page)[1]


# --- Joining in the browser -------------------------------------------------------------------------


def test_the_join_link_fills_the_code_in(client: FlaskClient, app_ctx) -> None:
    workshop = factories.workshop(join_code="K7QM4P")
    page = client.get(f"/join/{workshop.join_code.lower()}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'value="K7Q-M4P"' in html
    assert 'autocomplete="nickname"' in html
    assert client.get("/join").status_code == 200


def test_joining_in_the_browser_lands_on_the_participant_view(csrf_client: FlaskClient, app_ctx) -> None:
    workshop = factories.workshop(title="Health in 2040", groups=2)
    response = csrf_client.post("/join", data={"code": workshop.join_code, "name": "Ada"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/w/{workshop.id}")
    with csrf_client.session_transaction() as session:
        assert session[SESSION_KEY]
        assert session.permanent
    page = csrf_client.get(f"/w/{workshop.id}").get_data(as_text=True)
    assert "Health in 2040" in page
    assert "Group 1" in page
    assert 'data-story-editor data-story-id="' in page
    assert 'id="plume-i18n"' in page
    assert "dist/participant.js" in page
    assert "dist/story-editor.js" in page
    assert page.index("dist/participant.js") < page.index("dist/story-editor.js")  # the socket first


def test_a_reload_keeps_the_same_participant(csrf_client: FlaskClient, app_ctx) -> None:
    workshop = factories.workshop(groups=2)
    csrf_client.post("/join", data={"code": workshop.join_code, "name": "Ada"})
    first = csrf_client.get(f"/w/{workshop.id}").get_data(as_text=True)
    again = csrf_client.get(f"/w/{workshop.id}").get_data(as_text=True)
    ids = [re.search(r'data-participant-id="(\d+)"', page)[1] for page in (first, again)]
    assert ids[0] == ids[1]
    # Sending the form again with the same name (back button, double click) is the same person too.
    assert csrf_client.post("/join", data={"code": workshop.join_code, "name": "Ada"}).status_code == 302
    assert participants() == 1
    # The join page offers to continue.
    assert "Continue to my group" in csrf_client.get("/join").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"code": "NOPE42", "name": "Ada"}, "No workshop has this code"),
        ({"code": "{closed}", "name": "Ada"}, "closed to new participants"),
        ({"code": "{code}", "name": ""}, "Enter your name"),
        ({"code": "{code}", "name": "x" * 10_000}, "At most 60 characters"),
        ({"code": "{code}", "name": "\u202eAda"}, "invisible control characters"),
        ({"code": "{code}"}, "Enter your name"),
    ],
)
def test_a_bad_join_form_shows_the_error_and_writes_nothing(
    csrf_client: FlaskClient, app_ctx, data: dict[str, str], message: str
) -> None:
    workshop = factories.workshop(language="en")  # the form speaks the workshop's language
    closed = factories.workshop(joining_open=False)
    data = {k: v.format(code=workshop.join_code, closed=closed.join_code) for k, v in data.items()}
    response = csrf_client.post("/join", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'aria-invalid="true"' in html
    assert participants() == 0


def test_the_join_form_needs_its_csrf_token(client: FlaskClient, app_ctx) -> None:
    workshop = factories.workshop()
    response = client.post("/join", data={"code": workshop.join_code, "name": "Ada"})
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    assert participants() == 0
    token = csrf_token(client)
    response = client.post("/join", data={"code": workshop.join_code, "name": "Ada", "csrf_token": token})
    assert response.status_code == 302


def test_participants_pick_their_group_when_the_facilitator_allows_it(
    csrf_client: FlaskClient, app_ctx
) -> None:
    workshop = factories.workshop(groups=3, participants_choose_group=True, language="en")
    third = workshop.groups[2]
    assert "Your group" in csrf_client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    response = csrf_client.post("/join", data={"code": workshop.join_code, "name": "Ada"})
    assert response.status_code == 422
    assert "Choose your group" in response.get_data(as_text=True)
    assert participants() == 0
    response = csrf_client.post("/join", data={"code": workshop.join_code, "name": "Ada", "group": third.id})
    assert response.status_code == 302
    assert db.session.scalar(select(Participant.group_id)) == third.id


def test_the_browser_join_is_rate_limited(csrf_client: FlaskClient, app: Flask, app_ctx) -> None:
    workshop = factories.workshop()
    limit = int(settings.of(app).join_rate.split()[0])
    statuses = [
        csrf_client.post("/join", data={"code": workshop.join_code, "name": f"W{i}"}).status_code
        for i in range(limit + 1)
    ]
    assert statuses[-1] == 429
    assert set(statuses[:-1]) == {302}


def test_the_participant_view_needs_a_participant_of_that_workshop(csrf_client: FlaskClient, app_ctx) -> None:
    mine, other = factories.workshop(), factories.workshop()
    assert csrf_client.get(f"/w/{mine.id}").headers["Location"].endswith("/join")
    csrf_client.post("/join", data={"code": other.join_code, "name": "Eve"})
    assert csrf_client.get(f"/w/{mine.id}").headers["Location"].endswith("/join")
    assert csrf_client.get(f"/w/{other.id}").status_code == 200


# --- The facilitator's pages ------------------------------------------------------------------------


def test_the_console_is_for_the_workshops_facilitators(csrf_client: FlaskClient, app_ctx) -> None:
    client = csrf_client
    owner, stranger = factories.facilitator(), factories.facilitator()
    workshop = factories.workshop(owner, groups=3, status="not_started")
    factories.participant(workshop.groups[1], "Grace")
    path = f"/workshops/{workshop.id}/console"
    assert client.get(path).status_code == 302  # to the sign-in page
    sign_in(client, stranger)
    assert client.get(path).status_code == 404
    assert client.get(f"/workshops/{workshop.id}/share").status_code == 404
    client.post("/logout")
    sign_in(client, owner)
    page = client.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("data-group-card") == 3
    assert html.count('data-writable="false"') == 3
    assert "Grace" in html
    assert "dist/console.js" in html
    assert 'data-command="start"' in html


def test_a_facilitator_opening_the_participant_view_goes_to_the_console(
    csrf_client: FlaskClient, app_ctx
) -> None:
    client = csrf_client
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    sign_in(client, owner)
    assert client.get(f"/w/{workshop.id}").headers["Location"].endswith(f"/workshops/{workshop.id}/console")


def test_the_join_screen_shows_the_link_the_code_and_a_qr_code(
    csrf_client: FlaskClient, app: Flask, app_ctx
) -> None:
    client = csrf_client
    owner = factories.facilitator()
    workshop = factories.workshop(owner, join_code="K7QM4P")
    sign_in(client, owner)
    html = client.get(f"/workshops/{workshop.id}/share").get_data(as_text=True)
    assert "http://localhost/join/K7QM4P" in html
    assert "K7Q-M4P" in html
    assert re.search(r'<svg viewBox="0 0 \d+ \d+" class="qr"><title>', html)
    with changed_settings(app, public_url="https://plume.example.org"):
        assert "https://plume.example.org/join/K7QM4P" in client.get(
            f"/workshops/{workshop.id}/share"
        ).get_data(as_text=True)


# --- APIs -------------------------------------------------------------------------------------------


def test_the_preview_renders_markdown_safely_for_participants(csrf_client: FlaskClient, app_ctx) -> None:
    workshop = factories.workshop()
    csrf_client.post("/join", data={"code": workshop.join_code, "name": "Ada"})
    response = csrf_client.post("/api/v1/preview", json={"markdown": "# 2040\n\n*Hope* <script>x()</script>"})
    assert response.status_code == 200
    html = response.get_json()["html"]
    assert "<h1>2040</h1>" in html
    assert "<em>Hope</em>" in html
    assert "<script>" not in html


def test_the_preview_needs_an_identity_a_csrf_token_and_a_sane_size(
    client: FlaskClient, app: Flask, app_ctx
) -> None:
    workshop = factories.workshop()
    token = csrf_token(client)
    headers = {"X-CSRFToken": token}
    assert client.post("/api/v1/preview", json={"markdown": "x"}, headers=headers).status_code == 403
    client.post("/join", data={"code": workshop.join_code, "name": "Ada", "csrf_token": token})
    no_csrf = client.post("/api/v1/preview", json={"markdown": "x"})
    assert no_csrf.status_code == 400
    assert no_csrf.get_json()["error"]["code"]
    assert client.post("/api/v1/preview", json={"markdown": "*x*"}, headers=headers).status_code == 200
    assert client.post("/api/v1/preview", json={}, headers=headers).get_json()["error"]["code"] == "invalid"
    big = "x" * (settings.of(app).max_story_bytes + 1)
    too_big = client.post("/api/v1/preview", json={"markdown": big}, headers=headers)
    assert too_big.status_code == 413


def test_the_join_api_needs_no_csrf_token_and_is_rate_limited(
    client: FlaskClient, app: Flask, app_ctx
) -> None:
    workshop = factories.workshop()
    limit = int(settings.of(app).join_rate.split()[0])
    responses = [
        client.post("/api/v1/join", json={"code": workshop.join_code, "name": f"W{i}"})
        for i in range(limit + 1)
    ]
    assert {r.status_code for r in responses[:-1]} == {201}
    assert responses[-1].status_code == 429
    assert responses[-1].get_json()["error"]["code"]
    assert "Set-Cookie" not in responses[0].headers or SESSION_KEY not in responses[0].headers["Set-Cookie"]
    assert participants() == limit


# --- flask demo -------------------------------------------------------------------------------------


def test_flask_demo_is_idempotent_and_opens_the_workshop_for_writing(
    app: Flask, csrf_client: FlaskClient, app_ctx
) -> None:
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "--url", "http://plume.local:5000"])
    assert first.exit_code == 0, first.output
    printed = json.loads(first.output)
    assert set(printed) == {"join_code", "workshop_id", "facilitator", "url"}
    assert printed["url"] == f"http://plume.local:5000/join/{printed['join_code']}"
    workshop = db.session.get(Workshop, printed["workshop_id"])
    assert (workshop.status, workshop.joining_open, len(workshop.groups)) == ("running", True, 3)
    phase = workshop.phases[workshop.phase_index]
    assert phase.editors_open
    assert phase.tool != "board"  # the story can be written (Signals shows only the board)
    assert len(workshop.phases) == 8  # the Bright Mirror agenda

    # Someone paused and locked it, then the demo runs again: same workshop, open again.
    live.run_command(workshop.id, {"action": "pause"})
    live.run_command(workshop.id, {"action": "lock"})
    again = runner.invoke(args=["demo", "--url", "http://plume.local:5000"])
    assert json.loads(again.output) == printed
    db.session.expire_all()
    workshop = db.session.get(Workshop, printed["workshop_id"])
    assert (workshop.status, workshop.all_locked) == ("running", False)
    assert db.session.scalar(select(func.count(Workshop.id))) == 1

    login = csrf_client.post(
        "/login",
        data={"email": printed["facilitator"]["email"], "password": printed["facilitator"]["password"]},
    )
    assert login.status_code == 302
