"""People in a workshop: one display name per person, the smallest group for a latecomer."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from extensions import db
from tests import factories
from workshops import joining, live
from workshops.models import Participant


def count() -> int:
    return db.session.scalar(select(func.count(Participant.id)))


@pytest.mark.parametrize(
    ("first", "again"),
    [
        ("Ada", "Ada"),
        ("Ada", "ada"),
        ("Ada", "  ADA  "),
        ("Ada", "Ada\u00a0"),
        # Accents do not count either (issue 28: "Emilie" was accepted beside "Émilie").
        ("Émilie", "Emilie"),
        ("Émilie", "EMILIE"),
        ("Émilie", "e\u0301milie"),
    ],
)
def test_two_participants_cannot_take_the_same_name(app_ctx, first: str, again: str) -> None:
    workshop = factories.workshop(groups=2)
    joining.join(workshop.join_code, first)
    with pytest.raises(joining.JoinError) as refused:
        joining.join(workshop.join_code, again)
    assert refused.value.code == "name_taken"
    assert "already goes by this name" in refused.value.message
    assert count() == 1
    joining.join(workshop.join_code, "Emile")  # another name is fine
    assert count() == 2


def test_the_same_name_in_another_workshop_is_fine(app_ctx) -> None:
    joining.join(factories.workshop().join_code, "Ada")
    joining.join(factories.workshop().join_code, "Ada")
    assert count() == 2


def test_the_database_refuses_a_second_same_name_that_slipped_past_the_check(app_ctx) -> None:
    workshop = factories.workshop(groups=1)
    factories.participant(workshop.groups[0], "Grace")
    with pytest.raises(IntegrityError):
        factories.participant(workshop.groups[0], "grace")
    db.session.rollback()


def test_the_api_says_409_with_a_clear_message(client: FlaskClient, app_ctx) -> None:
    workshop = factories.workshop(language="en")
    assert client.post("/api/v1/join", json={"code": workshop.join_code, "name": "Ada"}).status_code == 201
    response = client.post("/api/v1/join", json={"code": workshop.join_code, "name": "ADA"})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "name_taken"


def test_the_join_form_shows_the_name_error_on_the_name_field(csrf_client: FlaskClient, app_ctx) -> None:
    workshop = factories.workshop(language="en")
    factories.participant(workshop.groups[0], "Ada")
    response = csrf_client.post("/join", data={"code": workshop.join_code, "name": "ada"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "already goes by this name" in html
    assert 'id="name-error"' in html  # under the name field


def test_a_latecomer_can_choose_the_smallest_group(csrf_client: FlaskClient, app_ctx) -> None:
    workshop = factories.workshop(groups=3, participants_choose_group=True, language="en")
    for name in ("A", "B"):
        factories.participant(workshop.groups[0], name)
    factories.participant(workshop.groups[2], "C")
    page = csrf_client.get(f"/join/{workshop.join_code}").get_data(as_text=True)
    assert "Any group: the one with the fewest people" in page
    response = csrf_client.post("/join", data={"code": workshop.join_code, "name": "Late", "group": "-1"})
    assert response.status_code == 302
    late = db.session.scalar(select(Participant).where(Participant.display_name == "Late"))
    assert late.group_id == workshop.groups[1].id


def test_the_facilitator_places_someone_in_the_smallest_group(app_ctx) -> None:
    workshop = factories.workshop(groups=3)
    big = [factories.participant(workshop.groups[0])[0] for _ in range(3)]
    factories.participant(workshop.groups[1])
    factories.participant(workshop.groups[2])
    live.run_command(workshop.id, {"action": "move", "participant_id": big[0].id, "smallest": True})
    db.session.expire_all()
    assert db.session.get(Participant, big[0].id).group_id == workshop.groups[1].id
    # Already in the smallest group (counting without them): stays.
    lone = factories.participant(factories.workshop(groups=2).groups[1])[0]
    live.run_command(lone.workshop_id, {"action": "move", "participant_id": lone.id, "smallest": True})
    db.session.expire_all()
    assert db.session.get(Participant, lone.id).group_id == lone.group_id


@pytest.mark.parametrize(
    "payload",
    [
        {"smallest": "yes"},
        {"smallest": True, "group_id": 1},
        {"smallest": False},
        {"group_id": 2**63},
    ],
)
def test_a_bad_move_target_is_invalid(app_ctx, payload: dict) -> None:
    workshop = factories.workshop(groups=2)
    someone = factories.participant(workshop.groups[0])[0]
    with pytest.raises(live.CommandError) as refused:
        live.run_command(workshop.id, {"action": "move", "participant_id": someone.id, **payload})
    assert refused.value.code == "invalid"
