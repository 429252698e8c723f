"""Workshop management pages over HTTP: who may see them, CSRF, bad input, and each action's effect."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import func, select

from accounts.models import Facilitator
from extensions import db
from stories.models import Story
from tests import factories
from tests.signin import sign_in
from workshops.models import Group, Phase, Workshop, WorkshopFacilitator

pytestmark = pytest.mark.usefixtures("app_ctx")

UNPROCESSABLE = 422


def fresh(workshop: Workshop) -> Workshop:
    db.session.expire_all()
    return db.session.get(Workshop, workshop.id)


def rows() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Workshop, Phase, Group, Story, WorkshopFacilitator)
    )


def flashes(client: FlaskClient) -> list[tuple[str, str]]:
    with client.session_transaction() as session:
        return list(session.get("_flashes", []))


@pytest.fixture
def owner() -> Facilitator:
    return factories.facilitator("owner@example.org", name="Olive")


@pytest.fixture
def workshop(owner: Facilitator) -> Workshop:
    return factories.bright_mirror_workshop(owner, title="Health in 2040", groups=3)


@pytest.fixture
def signed_in(csrf_client: FlaskClient, owner: Facilitator) -> FlaskClient:
    return sign_in(csrf_client, owner)


def routes(w: Workshop) -> list[tuple[str, str, dict[str, str]]]:
    """Every management route of workshop `w` (method, URL, a valid form)."""
    phase, group = w.phases[1], w.groups[0]
    base = f"/workshops/{w.id}"
    p = f"phase-{phase.id}"
    return [
        ("GET", base, {}),
        (
            "POST",
            base,
            {"title": "Hijacked", "question": "", "language": "en", "joining_open": "y"},
        ),
        ("POST", f"{base}/groups", {}),
        ("POST", f"{base}/groups/{group.id}", {f"group-{group.id}-name": "Hijacked"}),
        ("POST", f"{base}/groups/{w.groups[2].id}/delete", {}),
        ("POST", f"{base}/phases", {"new-phase-title": "Hijacked", "new-phase-minutes": "5"}),
        (
            "POST",
            f"{base}/phases/{phase.id}",
            {f"{p}-title": "Hijacked", f"{p}-minutes": "5", f"{p}-visibility": "none"},
        ),
        ("POST", f"{base}/phases/{phase.id}/move", {"direction": "up"}),
        ("POST", f"{base}/phases/{phase.id}/delete", {}),
        ("POST", f"{base}/facilitators", {"invite-email": "someone@example.org"}),
        ("POST", f"{base}/facilitators/{w.owner_id}/delete", {}),
        ("POST", f"{base}/duplicate", {}),
        ("POST", f"{base}/archive", {}),
        ("POST", f"{base}/unarchive", {}),
        ("POST", f"{base}/retention", {"retention-days": "7"}),
    ]


# --- Who may do what --------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(csrf_client: FlaskClient, workshop: Workshop) -> None:
    before = rows()
    for method, url, data in [
        ("GET", "/workshops", {}),
        ("GET", "/workshops/new", {}),
        ("POST", "/workshops/new", {"title": "x"}),
        *routes(workshop),
    ]:
        response = csrf_client.open(url, method=method, data=data)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"], url
    assert rows() == before
    assert fresh(workshop).title == "Health in 2040"


def test_another_facilitator_gets_404_everywhere(csrf_client: FlaskClient, workshop: Workshop) -> None:
    sign_in(csrf_client, factories.facilitator("stranger@example.org"))
    factories.facilitator("someone@example.org")
    before = rows()
    for method, url, data in routes(workshop):
        assert csrf_client.open(url, method=method, data=data).status_code == 404, (method, url)
    assert rows() == before
    stored = fresh(workshop)
    assert stored.title == "Health in 2040"
    assert stored.archived_at is None
    assert stored.retention_days is None
    assert [p.title for p in stored.phases][:2] == ["Welcome and framing", "Signals"]
    listing = csrf_client.get("/workshops").get_data(as_text=True)
    assert "Health in 2040" not in listing


def test_a_co_facilitator_may_do_everything_but_remove_the_owner(
    csrf_client: FlaskClient, workshop: Workshop, owner: Facilitator
) -> None:
    colleague = factories.facilitator("colleague@example.org")
    db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=colleague.id))
    db.session.commit()
    sign_in(csrf_client, colleague)
    assert csrf_client.get(f"/workshops/{workshop.id}").status_code == 200
    csrf_client.post(f"/workshops/{workshop.id}/facilitators/{owner.id}/delete")
    assert ("error", "The owner of a workshop cannot be removed from it.") in flashes(csrf_client)
    assert owner in fresh(workshop).facilitators


@pytest.mark.parametrize(
    "url",
    [
        "/workshops/abc",
        "/workshops/1.5",
        "/workshops/-1",
        "/workshops/99999",
        "/workshops/{w}/phases/xyz",
        "/workshops/{w}/phases/99999",
        "/workshops/{w}/groups/99999",
        "/workshops/{w}/groups/abc/delete",
    ],
)
def test_ids_that_are_not_ours_or_not_integers_are_404(
    signed_in: FlaskClient, workshop: Workshop, url: str
) -> None:
    target = url.format(w=workshop.id)
    method = "GET" if target.count("/") == 2 else "POST"
    assert signed_in.open(target, method=method, data={}).status_code == 404


def test_a_phase_or_group_of_another_workshop_is_404(signed_in: FlaskClient, workshop: Workshop) -> None:
    other = factories.bright_mirror_workshop(factories.facilitator())
    phase, group = other.phases[0], other.groups[0]
    base = f"/workshops/{workshop.id}"
    assert signed_in.post(f"{base}/phases/{phase.id}/delete").status_code == 404
    assert signed_in.post(f"{base}/phases/{phase.id}/move", data={"direction": "down"}).status_code == 404
    assert signed_in.post(f"{base}/groups/{group.id}/delete").status_code == 404
    assert len(fresh(other).phases) == 8
    assert len(fresh(other).groups) == 3


def test_csrf_is_required(client: FlaskClient, workshop: Workshop, owner: Facilitator) -> None:
    sign_in(client, owner)
    before = rows()
    for method, url, data in routes(workshop):
        if method == "POST":
            response = client.post(url, data=data)
            assert response.status_code == 400, url
    assert rows() == before
    assert fresh(workshop).title == "Health in 2040"
    # With the token from the page, the same form goes through.
    page = client.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page
    )
    assert token
    response = client.post(f"/workshops/{workshop.id}/groups", data={"csrf_token": token[1]})
    assert response.status_code == 302
    assert len(fresh(workshop).groups) == 4


# --- My workshops and a new one -----------------------------------------------------------------------


def test_my_workshops_lists_current_and_archived(signed_in: FlaskClient, owner: Facilitator) -> None:
    page = signed_in.get("/workshops").get_data(as_text=True)
    assert "No workshop yet." in page
    current = factories.bright_mirror_workshop(owner, title="Mobility 2045")
    old = factories.bright_mirror_workshop(owner, title="Old one")
    old.archived_at, old.joining_open = db.func.now(), False
    db.session.commit()
    factories.participant(current.groups[0])
    page = signed_in.get("/workshops").get_data(as_text=True)
    assert page.index("Mobility 2045") < page.index("Archived") < page.index("Old one")
    code = current.join_code
    assert f"{code[:3]}-{code[3:]}" in page  # shown as people read it
    assert "8 phases · 3 h" in page


def test_create_a_workshop(signed_in: FlaskClient, owner: Facilitator) -> None:
    assert "Bright Mirror" in signed_in.get("/workshops/new").get_data(as_text=True)
    response = signed_in.post(
        "/workshops/new",
        data={
            "title": "Santé 2040",
            "question": "Comment prendrons-nous soin les uns des autres ?",
            "language": "fr",
            "template": "bright_mirror",
            "groups": "4",
            "group_names": "Les Tilleuls\n\n  Les Chênes \n",
        },
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Workshop).where(Workshop.title == "Santé 2040"))
    assert response.headers["Location"].endswith(f"/workshops/{created.id}")
    assert [g.name for g in created.groups] == ["Les Tilleuls", "Les Chênes", "Groupe 3", "Groupe 4"]
    assert created.phases[0].title == "Accueil et cadrage"
    assert created.owner_id == owner.id


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_new_form_defaults_to_the_interface_language(signed_in: FlaskClient, language: str) -> None:
    page = signed_in.get("/workshops/new", headers={"Accept-Language": language}).get_data(as_text=True)
    assert f'<option selected value="{language}">' in page


GOOD_NEW = {"title": "Fine", "question": "", "language": "en", "template": "bright_mirror", "groups": "3"}


@pytest.mark.parametrize(
    "bad",
    [
        {"title": ""},
        {"title": "x" * 10_000},
        {"title": "Bell\x07"},
        {"question": "x" * 2_001},
        {"language": "de"},
        {"template": "nope"},
        {"groups": "0"},
        {"groups": "31"},
        {"groups": "three"},
        {"groups": ""},
        {"group_names": "A\nB\nC\nD"},
        {"group_names": "x" * 81},
        {"group_names": "ok\nnul\x00"},
    ],
)
def test_new_refuses_bad_input(signed_in: FlaskClient, bad: dict[str, str]) -> None:
    before = rows()
    response = signed_in.post("/workshops/new", data={**GOOD_NEW, **bad})
    assert response.status_code == UNPROCESSABLE
    page = response.get_data(as_text=True)
    assert 'class="field__error"' in page
    assert 'role="alert"' in page
    assert rows() == before


# --- Settings -----------------------------------------------------------------------------------------


def test_edit_page_shows_everything(signed_in: FlaskClient, workshop: Workshop) -> None:
    page = signed_in.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    for text in ("Agenda", "Welcome and framing", "Publish and share", "Group 3", "Olive", "Owner"):
        assert text in page
    assert f"{workshop.join_code[:3]}-{workshop.join_code[3:]}" in page


def test_pages_link_to_the_live_screens_that_exist(
    app: Flask, signed_in: FlaskClient, workshop: Workshop
) -> None:
    edit = signed_in.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    listing = signed_in.get("/workshops").get_data(as_text=True)
    with app.test_request_context():
        for endpoint in ("workshops.console", "workshops.share", "stories.review"):
            if endpoint in app.view_functions:
                href = f'href="{url_for(endpoint, workshop_id=workshop.id)}"'
                assert href in edit, endpoint
                if endpoint != "stories.review":
                    assert href in listing, endpoint
    assert "workshops.console" in app.view_functions  # the live half is there: the links above were checked


def test_save_settings(signed_in: FlaskClient, workshop: Workshop) -> None:
    response = signed_in.post(
        f"/workshops/{workshop.id}",
        data={
            "title": "Care in 2040",
            "question": "How?",
            "language": "fr",
            "participants_choose_group": "y",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workshops/{workshop.id}#settings")
    stored = fresh(workshop)
    assert (stored.title, stored.question, stored.language) == ("Care in 2040", "How?", "fr")
    assert stored.participants_choose_group
    assert not stored.joining_open  # an unticked box is "no"


@pytest.mark.parametrize(
    "bad", [{"title": ""}, {"title": "x" * 10_000}, {"title": "a\x1b[31mred"}, {"language": "klingon"}]
)
def test_bad_settings_are_refused(signed_in: FlaskClient, workshop: Workshop, bad: dict[str, str]) -> None:
    data = {"title": "OK", "question": "", "language": "en", "joining_open": "y", **bad}
    response = signed_in.post(f"/workshops/{workshop.id}", data=data)
    assert response.status_code == UNPROCESSABLE
    assert "field__error" in response.get_data(as_text=True)
    assert fresh(workshop).title == "Health in 2040"


def test_set_and_clear_the_retention_period(signed_in: FlaskClient, workshop: Workshop) -> None:
    page = signed_in.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Keeping data" in page
    assert "Empty: 365 days, this instance's default. From 1 to 3650." in page
    response = signed_in.post(f"/workshops/{workshop.id}/retention", data={"retention-days": " 90 "})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/workshops/{workshop.id}#retention")
    assert ("success", "Retention saved.") in flashes(signed_in)
    assert fresh(workshop).retention_days == 90
    assert 'value="90"' in signed_in.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    signed_in.post(f"/workshops/{workshop.id}/retention", data={"retention-days": ""})
    assert fresh(workshop).retention_days is None  # back to the instance's default


@pytest.mark.parametrize("bad", ["-1", "0", "3651", "9" * 40, "abc", "1.5", "1e3", "٣٠", "30 days"])
def test_a_bad_retention_period_is_refused_with_a_clear_error(
    signed_in: FlaskClient, workshop: Workshop, bad: str
) -> None:
    response = signed_in.post(f"/workshops/{workshop.id}/retention", data={"retention-days": bad})
    assert response.status_code == UNPROCESSABLE
    page = response.get_data(as_text=True)
    assert 'id="retention-days-error"' in page
    assert "Enter a whole number of days from 1 to 3650, or leave the field empty for the default." in page
    assert fresh(workshop).retention_days is None


def test_archive_and_restore(signed_in: FlaskClient, workshop: Workshop) -> None:
    response = signed_in.post(f"/workshops/{workshop.id}/archive")
    assert response.headers["Location"].endswith("/workshops")
    stored = fresh(workshop)
    assert stored.archived_at is not None
    assert not stored.joining_open
    signed_in.post(f"/workshops/{workshop.id}/unarchive")
    assert fresh(workshop).archived_at is None


def test_duplicate(signed_in: FlaskClient, workshop: Workshop) -> None:
    response = signed_in.post(f"/workshops/{workshop.id}/duplicate")
    copy = db.session.scalar(select(Workshop).where(Workshop.id != workshop.id))
    assert response.headers["Location"].endswith(f"/workshops/{copy.id}")
    assert copy.title == "Health in 2040 (copy)"
    assert len(copy.phases) == 8
    assert len(copy.groups) == 3
    assert copy.join_code != workshop.join_code


# --- Groups -------------------------------------------------------------------------------------------


def test_add_rename_and_remove_groups(signed_in: FlaskClient, workshop: Workshop) -> None:
    base = f"/workshops/{workshop.id}/groups"
    assert signed_in.post(base).headers["Location"].endswith("#groups")
    assert [g.name for g in fresh(workshop).groups][-1] == "Group 4"
    group = fresh(workshop).groups[0]
    signed_in.post(f"{base}/{group.id}", data={f"group-{group.id}-name": "The Oaks"})
    assert fresh(workshop).groups[0].name == "The Oaks"
    signed_in.post(f"{base}/{group.id}/delete")
    assert [g.name for g in fresh(workshop).groups] == ["Group 2", "Group 3", "Group 4"]


@pytest.mark.parametrize("name", ["", "x" * 81, "tab\tname", "x" * 10_000])
def test_bad_group_names_are_refused(signed_in: FlaskClient, workshop: Workshop, name: str) -> None:
    group = workshop.groups[1]
    response = signed_in.post(
        f"/workshops/{workshop.id}/groups/{group.id}", data={f"group-{group.id}-name": name}
    )
    assert response.status_code == UNPROCESSABLE
    assert f'id="group-{group.id}-name-error"' in response.get_data(as_text=True)
    assert fresh(workshop).groups[1].name == "Group 2"


def test_a_group_with_participants_stays_with_a_clear_message(
    signed_in: FlaskClient, workshop: Workshop
) -> None:
    group = workshop.groups[0]
    factories.participant(group)
    response = signed_in.post(f"/workshops/{workshop.id}/groups/{group.id}/delete")
    assert response.status_code == 302
    assert ("error", "Group 1 has participants: move them to another group first.") in flashes(signed_in)
    assert len(fresh(workshop).groups) == 3
    page = signed_in.get(f"/workshops/{workshop.id}").get_data(as_text=True)
    assert "Group 1 has participants" in page


# --- Agenda -------------------------------------------------------------------------------------------


def phase_data(phase: Phase, **changes: Any) -> dict[str, str]:
    p = f"phase-{phase.id}"
    data = {
        f"{p}-title": phase.title,
        f"{p}-instructions": phase.instructions,
        f"{p}-minutes": str(phase.duration_seconds // 60),
        f"{p}-visibility": phase.visibility,
    }
    if phase.editors_open:
        data[f"{p}-editors_open"] = "y"
    data.update({f"{p}-{key}": value for key, value in changes.items()})
    return data


def test_edit_a_phase(signed_in: FlaskClient, workshop: Workshop) -> None:
    phase = workshop.phases[1]
    data = phase_data(
        phase, title="Weak signals", minutes="30", visibility="all", instructions="List *them*."
    )
    del data[f"phase-{phase.id}-editors_open"]
    response = signed_in.post(f"/workshops/{workshop.id}/phases/{phase.id}", data=data)
    assert response.headers["Location"].endswith(f"#phase-{phase.id}")
    stored = db.session.get(Phase, phase.id)
    assert (stored.title, stored.duration_seconds, stored.visibility) == ("Weak signals", 1800, "all")
    assert stored.instructions == "List *them*."
    assert not stored.editors_open


@pytest.mark.parametrize(
    "bad",
    [
        {"minutes": "0"},
        {"minutes": "-10"},
        {"minutes": "481"},
        {"minutes": "99999999999999999999"},
        {"minutes": "ten"},
        {"minutes": "2.5"},
        {"minutes": ""},
        {"visibility": "previous"},
        {"title": ""},
        {"title": "x" * 10_000},
        {"title": "zero\u0000width"},
        {"instructions": "x" * 20_001},
    ],
)
def test_bad_phase_input_is_refused(signed_in: FlaskClient, workshop: Workshop, bad: dict[str, str]) -> None:
    phase = workshop.phases[1]
    response = signed_in.post(f"/workshops/{workshop.id}/phases/{phase.id}", data=phase_data(phase, **bad))
    assert response.status_code == UNPROCESSABLE
    page = response.get_data(as_text=True)
    assert "field__error" in page
    assert re.search(rf'id="phase-{phase.id}">\s*<details class="phase__details" open>', page)  # shown open
    stored = db.session.get(Phase, phase.id)
    assert (stored.title, stored.duration_seconds, stored.visibility) == ("Signals", 1200, "none")


def test_add_move_and_remove_phases(signed_in: FlaskClient, workshop: Workshop) -> None:
    base = f"/workshops/{workshop.id}/phases"
    response = signed_in.post(base, data={"new-phase-title": "Walk", "new-phase-minutes": "10"})
    added = fresh(workshop).phases[-1]
    assert (added.title, added.duration_seconds) == ("Walk", 600)
    assert response.headers["Location"].endswith(f"?open={added.id}#phase-{added.id}")
    page = signed_in.get(f"/workshops/{workshop.id}?open={added.id}").get_data(as_text=True)
    assert re.search(rf'id="phase-{added.id}">\s*<details class="phase__details" open>', page)

    signed_in.post(f"{base}/{added.id}/move", data={"direction": "up"})
    assert [p.title for p in fresh(workshop).phases][-2:] == ["Walk", "Publish and share"]
    signed_in.post(f"{base}/{added.id}/move", data={"direction": "down"})
    assert fresh(workshop).phases[-1].title == "Walk"
    signed_in.post(f"{base}/{added.id}/move", data={"direction": "down"})  # already last
    assert ("error", "This phase is already last.") in flashes(signed_in)

    signed_in.post(f"{base}/{added.id}/delete")
    assert [p.title for p in fresh(workshop).phases][-1] == "Publish and share"
    assert [p.position for p in fresh(workshop).phases] == list(range(8))


@pytest.mark.parametrize("direction", ["sideways", "", "UP"])
def test_move_with_a_bad_direction_is_400(signed_in: FlaskClient, workshop: Workshop, direction: str) -> None:
    phase = workshop.phases[3]
    response = signed_in.post(
        f"/workshops/{workshop.id}/phases/{phase.id}/move", data={"direction": direction}
    )
    assert response.status_code == 400
    assert db.session.get(Phase, phase.id).position == 3


@pytest.mark.parametrize(
    "bad",
    [
        {"new-phase-title": ""},
        {"new-phase-minutes": "0"},
        {"new-phase-minutes": "x"},
        {"new-phase-title": "\x01"},
    ],
)
def test_bad_new_phases_are_refused(signed_in: FlaskClient, workshop: Workshop, bad: dict[str, str]) -> None:
    data = {"new-phase-title": "Walk", "new-phase-minutes": "10", **bad}
    response = signed_in.post(f"/workshops/{workshop.id}/phases", data=data)
    assert response.status_code == UNPROCESSABLE
    assert len(fresh(workshop).phases) == 8


def test_the_last_phase_cannot_be_removed(signed_in: FlaskClient, owner: Facilitator) -> None:
    blank = factories.bright_mirror_workshop(owner, template="blank")
    signed_in.post(f"/workshops/{blank.id}/phases/{blank.phases[0].id}/delete")
    assert ("error", "An agenda needs at least one phase.") in flashes(signed_in)
    assert len(fresh(blank).phases) == 1


# --- Facilitators -------------------------------------------------------------------------------------


def test_invite_and_remove_a_co_facilitator(signed_in: FlaskClient, workshop: Workshop) -> None:
    sam = factories.facilitator("sam@example.org", name="Sam")
    base = f"/workshops/{workshop.id}/facilitators"
    response = signed_in.post(base, data={"invite-email": "Sam@Example.org"})
    assert response.headers["Location"].endswith("#facilitators")
    assert sam in fresh(workshop).facilitators
    signed_in.post(f"{base}/{sam.id}/delete")
    assert sam not in fresh(workshop).facilitators


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.org", "No facilitator account uses this email."),
        ("owner@example.org", "Olive already runs this workshop."),
        ("", "This field is required."),
        ("x" * 300, "At most 254 characters"),
    ],
)
def test_bad_invitations_explain_themselves(
    signed_in: FlaskClient, workshop: Workshop, email: str, message: str
) -> None:
    before = rows()
    response = signed_in.post(f"/workshops/{workshop.id}/facilitators", data={"invite-email": email})
    assert response.status_code == UNPROCESSABLE
    assert message in response.get_data(as_text=True)
    assert rows() == before


def test_a_co_facilitator_can_leave(csrf_client: FlaskClient, workshop: Workshop) -> None:
    colleague = factories.facilitator("colleague@example.org")
    db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=colleague.id))
    db.session.commit()
    sign_in(csrf_client, colleague)
    response = csrf_client.post(f"/workshops/{workshop.id}/facilitators/{colleague.id}/delete")
    assert response.headers["Location"].endswith("/workshops")
    assert csrf_client.get(f"/workshops/{workshop.id}").status_code == 404
