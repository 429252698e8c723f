"""Who may erase whom: the console's route and `flask participant erase` refuse the wrong person and bad ids
clearly, and erase nothing then; the command asks first."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from extensions import db
from ids import MAX_ID
from tests import factories
from tests.signin import as_participant, sign_in
from workshops.models import AuditEntry, Participant, Workshop
from workshops.people import participant_by_token

pytestmark = pytest.mark.usefixtures("app_ctx")


def url(workshop_id: int | str) -> str:
    return f"/workshops/{workshop_id}/participants/erase"


def intact(participant_id: int) -> bool:
    db.session.expire_all()
    row = db.session.get(Participant, participant_id)
    return row is not None and row.erased_at is None and row.display_name == "Mallory"


@pytest.fixture
def setting() -> dict[str, Any]:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    other = factories.workshop()
    mallory, token = factories.participant(workshop.groups[0], "Mallory")
    theirs, _ = factories.participant(other.groups[0], "Theo")
    return {
        "owner": owner,
        "workshop": workshop,
        "other": other,
        "mallory": mallory.id,
        "token": token,
        "theirs": theirs.id,
    }


def test_anonymous_visitors_are_sent_to_sign_in(csrf_client: FlaskClient, setting: dict[str, Any]) -> None:
    response = csrf_client.post(url(setting["workshop"].id), data={"participant_id": setting["mallory"]})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert intact(setting["mallory"])


def test_a_participant_is_sent_to_sign_in(csrf_client: FlaskClient, setting: dict[str, Any]) -> None:
    _, token = factories.participant(setting["workshop"].groups[1], "Pat")
    client = as_participant(csrf_client, token)
    response = client.post(url(setting["workshop"].id), data={"participant_id": setting["mallory"]})
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert intact(setting["mallory"])
    audit = client.get(f"/workshops/{setting['workshop'].id}/audit")
    assert audit.status_code == 302
    assert "/login" in audit.headers["Location"]


def test_another_workshops_facilitator_gets_404(csrf_client: FlaskClient, setting: dict[str, Any]) -> None:
    client = sign_in(csrf_client, db.session.get(Workshop, setting["other"].id).owner)
    assert (
        client.post(url(setting["workshop"].id), data={"participant_id": setting["mallory"]}).status_code
        == 404
    )
    assert intact(setting["mallory"])


def test_bad_ids_are_refused_clearly(csrf_client: FlaskClient, setting: dict[str, Any]) -> None:
    client = sign_in(csrf_client, setting["owner"])
    workshop_id = setting["workshop"].id
    for form, status in (
        ({}, 400),
        ({"participant_id": "abc"}, 400),
        ({"participant_id": "-1"}, 400),
        ({"participant_id": "0"}, 400),
        ({"participant_id": str(MAX_ID + 1)}, 400),
        ({"participant_id": "9" * 40}, 400),
        ({"participant_id": str(MAX_ID)}, 404),  # nobody's
        ({"participant_id": str(setting["theirs"])}, 404),  # another workshop's
    ):
        assert client.post(url(workshop_id), data=form).status_code == status, form
    for workshop in (MAX_ID, MAX_ID + 1, "9" * 40, setting["other"].id):
        assert client.post(url(workshop), data={"participant_id": setting["mallory"]}).status_code == 404
    assert client.get(url(workshop_id)).status_code == 405
    assert intact(setting["mallory"])
    db.session.expire_all()
    assert db.session.get(Participant, setting["theirs"]).erased_at is None


def test_the_form_needs_its_csrf_token(client: FlaskClient, setting: dict[str, Any]) -> None:
    sign_in(client, setting["owner"])
    response = client.post(url(setting["workshop"].id), data={"participant_id": setting["mallory"]})
    assert response.status_code == 400
    assert intact(setting["mallory"])


def test_the_workshops_facilitator_erases_once(csrf_client: FlaskClient, setting: dict[str, Any]) -> None:
    client = sign_in(csrf_client, setting["owner"])
    workshop_id = setting["workshop"].id
    response = client.post(url(workshop_id), data={"participant_id": setting["mallory"]})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workshops/{workshop_id}/console")
    assert not intact(setting["mallory"])
    assert participant_by_token(setting["token"]) is None
    assert client.post(url(workshop_id), data={"participant_id": setting["mallory"]}).status_code == 404
    assert [e.action for e in db.session.query(AuditEntry)] == ["erase"]


def erase(app: Flask, *args: str, answer: str | None = None) -> Any:
    return app.test_cli_runner().invoke(args=["participant", "erase", *args], input=answer)


def test_the_command_refuses_bad_and_unknown_ids(app: Flask, setting: dict[str, Any]) -> None:
    for given in ("abc", "0", "1.5", "", str(MAX_ID + 1), "9" * 40):
        result = erase(app, given, "--yes")
        assert result.exit_code == 1, given
        assert "not a participant id" in result.output
    assert "No such option" in erase(app, "-1", "--yes").output  # click's own usage error (exit code 2)
    assert "Missing argument" in erase(app).output
    result = erase(app, str(MAX_ID), "--yes")
    assert result.exit_code == 1
    assert f"No participant {MAX_ID} to erase" in result.output
    assert intact(setting["mallory"])


def test_the_command_asks_first(app: Flask, setting: dict[str, Any]) -> None:
    result = erase(app, str(setting["mallory"]), answer="n\n")
    assert result.exit_code == 1
    assert "Erase them?" in result.output
    assert "cannot be undone" in result.output
    assert intact(setting["mallory"])
    result = erase(app, str(setting["mallory"]), answer="y\n")
    assert result.exit_code == 0, result.output
    assert f"Erased participant {setting['mallory']}." in result.output
    assert not intact(setting["mallory"])


def test_the_command_erases_with_yes_and_logs_no_facilitator(app: Flask, setting: dict[str, Any]) -> None:
    result = erase(app, str(setting["mallory"]), "--yes")
    assert result.exit_code == 0, result.output
    assert not intact(setting["mallory"])
    assert participant_by_token(setting["token"]) is None
    db.session.expire_all()
    assert [(e.action, e.participant_id, e.facilitator_id) for e in db.session.query(AuditEntry)] == [
        ("erase", setting["mallory"], None)
    ]
    again = erase(app, str(setting["mallory"]), "--yes")
    assert again.exit_code == 1
    assert "already erased" in again.output


def test_an_erased_participant_is_a_participant_in_the_workshops_language(app: Flask) -> None:
    workshop = factories.workshop(language="fr")
    mallory, _ = factories.participant(workshop.groups[0], "Mallory")
    other, _ = factories.participant(workshop.groups[0], "Maud")
    for erased in (mallory.id, other.id):  # two of them: their rows stay apart, with no name
        assert erase(app, str(erased), "--yes").exit_code == 0
    db.session.expire_all()
    rows = [db.session.get(Participant, p) for p in (mallory.id, other.id)]
    assert [p.display_name for p in rows] == ["un participant", "un participant"]
    assert len({p.name_key for p in rows}) == 2
