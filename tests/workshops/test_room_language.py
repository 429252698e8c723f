"""The room's language: a workshop's language sets its participants' interface; content in another
language than the page is marked with its `lang`.

Requests run outside the test's app context (Flask-Babel caches the locale on `g`, which an outer app
context would share between requests).
"""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from tests import factories
from workshops.models import Workshop

ENGLISH_BROWSER = {"Accept-Language": "en-GB,en;q=0.9"}
AGENDA = [{"title": "Écrire", "duration_seconds": 900}]


def french_workshop(app: Flask, owner_email: str | None = None) -> tuple[int, str]:
    with app.app_context():
        owner = factories.facilitator(owner_email) if owner_email else None
        workshop = factories.workshop(owner, language="fr", phases=AGENDA)
        return workshop.id, workshop.join_code


def get(client: FlaskClient, path: str) -> str:
    return client.get(path, headers=ENGLISH_BROWSER).get_data(as_text=True)


def sign_in_in_english(client: FlaskClient, email: str) -> None:
    """Sign a facilitator in from an English browser (the session then speaks English)."""
    token = re.search(r'name="csrf-token" content="([^"]+)"', get(client, "/login"))[1]
    data = {"email": email, "password": factories.PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data, headers=ENGLISH_BROWSER).status_code == 302


def test_the_join_link_of_a_french_workshop_speaks_french(app: Flask, csrf_client: FlaskClient) -> None:
    _, code = french_workshop(app)
    page = get(csrf_client, f"/join/{code}")
    assert '<html lang="fr">' in page
    assert "Votre nom" in page
    # Without a code (or with a wrong one) the browser's language stands.
    assert '<html lang="en">' in get(csrf_client, "/join")
    assert '<html lang="en">' in get(csrf_client, "/join/NOPE99")


def test_a_participant_of_a_french_workshop_gets_a_french_interface(
    app: Flask, csrf_client: FlaskClient
) -> None:
    workshop_id, code = french_workshop(app)
    response = csrf_client.post("/join", data={"code": code, "name": "Ada"}, headers=ENGLISH_BROWSER)
    assert response.status_code == 302
    page = get(csrf_client, f"/w/{workshop_id}")
    assert '<html lang="fr">' in page
    assert "Consignes" in page
    assert "data-phase-title lang=" not in page  # the content is in the page's language


def test_a_participant_can_still_switch_and_the_content_keeps_its_lang(
    app: Flask, csrf_client: FlaskClient
) -> None:
    workshop_id, code = french_workshop(app)
    csrf_client.post("/join", data={"code": code, "name": "Ada"}, headers=ENGLISH_BROWSER)
    csrf_client.post("/lang", data={"lang": "en", "next": f"/w/{workshop_id}"})
    page = get(csrf_client, f"/w/{workshop_id}")
    assert '<html lang="en">' in page
    assert "Instructions" in page
    assert 'data-phase-title lang="fr">Écrire' in page
    assert 'data-instructions lang="fr"' in page
    assert '<div lang="fr" data-story-editor' in page
    # A chosen language is kept when joining another workshop, too.
    other_id, other_code = french_workshop(app)
    assert '<html lang="en">' in get(csrf_client, f"/join/{other_code}")
    csrf_client.post("/join", data={"code": other_code, "name": "Ada"}, headers=ENGLISH_BROWSER)
    assert '<html lang="en">' in get(csrf_client, f"/w/{other_id}")


def test_the_console_marks_a_french_workshop_for_an_english_facilitator(
    app: Flask, client: FlaskClient
) -> None:
    workshop_id, _ = french_workshop(app, "lead@example.org")
    sign_in_in_english(client, "lead@example.org")
    page = get(client, f"/workshops/{workshop_id}/console")
    assert '<html lang="en">' in page
    assert '<span class="agenda__title" lang="fr">Écrire</span>' in page
    assert 'class="group-card__draft" data-editor-scope lang="fr"' in page


def test_the_projected_screens_of_a_french_workshop_speak_french_to_an_english_facilitator(
    app: Flask, client: FlaskClient
) -> None:
    workshop_id, _ = french_workshop(app, "projector@example.org")
    with app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        factories.story_text(factories.story_of(workshop.groups[0]), "# Le phare\n\nLa marée monte.")
    sign_in_in_english(client, "projector@example.org")

    wall = get(client, f"/workshops/{workshop_id}/wall")
    assert '<html lang="fr">' in wall
    assert "Nous commençons dans un instant." in wall
    assert '"left": "restant"' in wall  # the scripts' strings too
    assert "data-phase-title lang=" not in wall  # the content is in the page's language
    share = get(client, f"/workshops/{workshop_id}/share")
    assert '<html lang="fr">' in share
    assert "Scannez pour rejoindre l’atelier" in share
    reading = get(client, f"/workshops/{workshop_id}/read-aloud")
    assert '<html lang="fr">' in reading
    assert "Récit 1 sur 1" in reading
    # The facilitator's own pages keep their language.
    assert '<html lang="en">' in get(client, f"/workshops/{workshop_id}/console")
