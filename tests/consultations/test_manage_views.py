"""The organiser's pages over HTTP: a consultation created, edited, and filled with workshops (one, or N
at once from its template); clear errors on bad input; who may do it (the access matrix); CSRF."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_babel import refresh
from sqlalchemy import func, select

from accounts.models import Facilitator
from consultations import operations as ops
from consultations.models import Consultation, ConsultationOrganiser
from core.unit_of_work import committed
from extensions import db
from stories.models import Story
from tests import factories
from tests.http import csrf_of
from tests.signin import sign_in
from workshops import templates
from workshops.models import Group, Workshop

pytestmark = pytest.mark.usefixtures("app_ctx")

UNPROCESSABLE = 422
DETAILS = {
    "title": "Santé 2040",
    "question": "En 2040, comment prenons-nous soin les uns des autres ?",
    "description": "Une consultation **régionale**.",
    "language": "fr",
    "slug": "sante-2040",
    "template": "bright_mirror",
    "themes": "soin\nlogement\n",
    "starts_on": "2027-03-01",
    "ends_on": "2027-04-05",
}


def counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Consultation, ConsultationOrganiser, Workshop, Group, Story)
    )


@pytest.fixture
def owner() -> Facilitator:
    return factories.facilitator("owner@example.org", name="Olive")


@pytest.fixture
def signed_in(csrf_client: FlaskClient, owner: Facilitator) -> FlaskClient:
    return sign_in(csrf_client, owner)


@pytest.fixture
def consultation(signed_in: FlaskClient) -> Consultation:
    response = signed_in.post("/consultations/new", data=DETAILS)
    assert response.status_code == 302
    found = db.session.scalar(select(Consultation).where(Consultation.slug == "sante-2040"))
    assert found is not None
    return found


def routes(c: Consultation) -> list[tuple[str, str, dict[str, Any]]]:
    """Every organiser's route of consultation `c` (method, URL, a valid form)."""
    return [
        ("GET", f"/consultations/{c.id}", {}),
        ("POST", f"/consultations/{c.id}", {**DETAILS, "title": "Taken over"}),
        ("POST", f"/consultations/{c.id}/workshops", {"one-title": "Intruder", "one-groups": "2"}),
        ("POST", f"/consultations/{c.id}/workshops/batch", {"batch-count": "3", "batch-groups": "2"}),
        ("POST", f"/consultations/{c.id}/organisers", {"invite-email": "other@example.org"}),
    ]


def test_an_organiser_creates_a_consultation(signed_in: FlaskClient, owner: Facilitator) -> None:
    assert signed_in.get("/consultations/new").status_code == 200
    response = signed_in.post("/consultations/new", data=DETAILS)
    assert response.status_code == 302
    found = db.session.scalar(select(Consultation))
    assert response.location.endswith(f"/consultations/{found.id}")
    assert (found.title, found.slug, found.language, found.template) == (
        "Santé 2040",
        "sante-2040",
        "fr",
        "bright_mirror",
    )
    assert found.theme_list == ["soin", "logement"]
    assert (str(found.starts_on), str(found.ends_on)) == ("2027-03-01", "2027-04-05")
    assert found.owner_id == owner.id
    assert [o.id for o in found.organisers] == [owner.id]
    page = signed_in.get(f"/consultations/{found.id}").get_data(as_text=True)
    assert "Santé 2040" in page
    assert "No workshop yet" in page
    assert "Santé 2040" in signed_in.get("/consultations").get_data(as_text=True)


def test_twenty_workshops_of_four_groups_in_one_request(
    signed_in: FlaskClient, consultation: Consultation, owner: Facilitator
) -> None:
    response = signed_in.post(
        f"/consultations/{consultation.id}/workshops/batch", data={"batch-count": "20", "batch-groups": "4"}
    )
    assert response.status_code == 302
    made = db.session.scalars(select(Workshop).order_by(Workshop.id)).all()
    assert [w.title for w in made] == [f"Santé 2040 {n}" for n in range(1, 21)]
    agenda = [p.title for p in templates.agenda("bright_mirror", "fr")]
    for workshop in made:
        assert workshop.consultation_id == consultation.id
        assert workshop.question == DETAILS["question"]
        assert workshop.language == "fr"
        assert [g.name for g in workshop.groups] == ["Groupe 1", "Groupe 2", "Groupe 3", "Groupe 4"]
        assert [p.title for p in workshop.phases] == agenda
        assert [f.id for f in workshop.facilitators] == [owner.id]
    assert len({w.join_code for w in made}) == 20
    assert counts()[3:] == (80, 80)  # groups, each with its story
    page = signed_in.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Santé 2040 20" in page
    assert "20 workshops" in page

    # A second batch is numbered after the first.
    signed_in.post(
        f"/consultations/{consultation.id}/workshops/batch", data={"batch-count": "2", "batch-groups": "1"}
    )
    titles = db.session.scalars(select(Workshop.title).order_by(Workshop.id.desc()).limit(2)).all()
    assert titles == ["Santé 2040 22", "Santé 2040 21"]


def test_one_workshop_at_a_time(signed_in: FlaskClient, consultation: Consultation) -> None:
    response = signed_in.post(
        f"/consultations/{consultation.id}/workshops",
        data={"one-title": "Lycée Jean Moulin", "one-groups": "3"},
    )
    assert response.status_code == 302
    workshop = db.session.scalar(select(Workshop))
    assert (workshop.title, workshop.consultation_id, len(workshop.groups)) == (
        "Lycée Jean Moulin",
        consultation.id,
        3,
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"batch-count": "0", "batch-groups": "4"}, "Enter a number from 1 to 100."),
        ({"batch-count": "101", "batch-groups": "4"}, "Enter a number from 1 to 100."),
        ({"batch-count": "10", "batch-groups": "21"}, "Enter a number from 1 to 20."),
        ({"batch-count": "10", "batch-groups": "0"}, "Enter a number from 1 to 20."),
        ({"batch-count": "ten", "batch-groups": "4"}, "Not a valid integer value."),
        ({"batch-groups": "4"}, "This field is required."),
    ],
)
def test_a_bad_batch_is_refused_with_a_clear_error_and_creates_nothing(
    signed_in: FlaskClient, consultation: Consultation, form: dict[str, str], message: str
) -> None:
    before = counts()
    response = signed_in.post(f"/consultations/{consultation.id}/workshops/batch", data=form)
    assert response.status_code == UNPROCESSABLE
    page = response.get_data(as_text=True)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert counts() == before


def test_a_bad_single_workshop_is_refused(signed_in: FlaskClient, consultation: Consultation) -> None:
    before = counts()
    for form in ({"one-title": "", "one-groups": "3"}, {"one-title": "A", "one-groups": "31"}):
        response = signed_in.post(f"/consultations/{consultation.id}/workshops", data=form)
        assert response.status_code == UNPROCESSABLE
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title": ""}, "This field is required"),
        ({"slug": "Santé 2040"}, "lower-case letters, digits and single hyphens"),
        ({"slug": "ab"}, "lower-case letters, digits and single hyphens"),
        ({"slug": "a" * 61}, "lower-case letters, digits and single hyphens"),
        ({"slug": "double--hyphen"}, "lower-case letters, digits and single hyphens"),
        ({"language": "de"}, "Not a valid choice"),
        ({"template": "nope"}, "Not a valid choice"),
        ({"starts_on": "2027-04-05", "ends_on": "2027-03-01"}, "cannot end before it starts"),
        ({"starts_on": "tomorrow"}, "Not a valid date value"),
        ({"themes": "\n".join(f"theme {n}" for n in range(41))}, "at most 40 themes"),
    ],
)
def test_a_bad_consultation_is_refused_with_a_clear_error(
    signed_in: FlaskClient, change: dict[str, str], message: str
) -> None:
    response = signed_in.post("/consultations/new", data={**DETAILS, **change})
    assert response.status_code == UNPROCESSABLE
    assert message in response.get_data(as_text=True)
    assert counts()[0] == 0


def test_a_slug_is_taken_once(signed_in: FlaskClient, consultation: Consultation) -> None:
    response = signed_in.post("/consultations/new", data={**DETAILS, "title": "Other"})
    assert response.status_code == UNPROCESSABLE
    assert "Another consultation already uses this address." in response.get_data(as_text=True)
    assert counts()[0] == 1


def test_the_organiser_edits_the_details(signed_in: FlaskClient, consultation: Consultation) -> None:
    changed = {**DETAILS, "title": "Santé 2041", "slug": "sante-2041", "themes": "care"}
    response = signed_in.post(f"/consultations/{consultation.id}", data=changed)
    assert response.status_code == 302
    db.session.expire_all()
    found = db.session.get(Consultation, consultation.id)
    assert (found.title, found.slug, found.theme_list) == ("Santé 2041", "sante-2041", ["care"])
    signed_in.post("/consultations/new", data={**DETAILS, "slug": "autre"})
    response = signed_in.post(f"/consultations/{consultation.id}", data={**changed, "slug": "autre"})
    assert response.status_code == UNPROCESSABLE
    assert "Another consultation already uses this address." in response.get_data(as_text=True)


def test_an_invited_co_organiser_adds_workshops(
    app: Any, signed_in: FlaskClient, consultation: Consultation
) -> None:
    sam = factories.facilitator("sam@example.org", name="Sam")
    response = signed_in.post(
        f"/consultations/{consultation.id}/organisers", data={"invite-email": "sam@example.org"}
    )
    assert response.status_code == 302
    again = signed_in.post(
        f"/consultations/{consultation.id}/organisers", data={"invite-email": "sam@example.org"}
    )
    assert again.status_code == UNPROCESSABLE
    assert "already organises" in again.get_data(as_text=True)
    unknown = signed_in.post(
        f"/consultations/{consultation.id}/organisers", data={"invite-email": "x@example.org"}
    )
    assert unknown.status_code == UNPROCESSABLE
    assert "No facilitator account" in unknown.get_data(as_text=True)

    app.config["WTF_CSRF_ENABLED"] = False
    co = sign_in(app.test_client(), sam)
    assert co.get(f"/consultations/{consultation.id}").status_code == 200
    made = co.post(
        f"/consultations/{consultation.id}/workshops/batch", data={"batch-count": "2", "batch-groups": "2"}
    )
    assert made.status_code == 302
    workshops = db.session.scalars(select(Workshop)).all()
    assert len(workshops) == 2
    assert all(w.owner_id == sam.id for w in workshops)
    # Both organisers see them; only the one who runs them gets the link to their edit page.
    link = f'href="/workshops/{workshops[0].id}"'
    assert link in co.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    sign_in(signed_in, consultation.owner)
    page = signed_in.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "Santé 2040 1" in page
    assert link not in page


def test_another_facilitator_gets_404_everywhere_and_changes_nothing(
    app: Any, consultation: Consultation
) -> None:
    stranger = factories.facilitator("other@example.org")
    app.config["WTF_CSRF_ENABLED"] = False
    client = sign_in(app.test_client(), stranger)
    before = counts()
    for method, url, form in routes(consultation):
        response = client.open(url, method=method, data=form)
        assert response.status_code == 404, (method, url)
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(Consultation, consultation.id).title == "Santé 2040"
    assert "Santé 2040" not in client.get("/consultations").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(app: Any, owner: Facilitator) -> None:
    with committed():  # made without signing anyone in: this test's app context stays anonymous
        consultation = ops.create_consultation(
            owner, ops.Details(**{**DETAILS, "starts_on": None, "ends_on": None, "themes": ()})
        )
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    for method, url, form in [
        *routes(consultation),
        ("GET", "/consultations", {}),
        ("GET", "/consultations/new", {}),
    ]:
        response = client.open(url, method=method, data=form)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.location, (method, url)


@pytest.mark.parametrize(
    "url",
    [
        "/consultations/999999",
        "/consultations/2147483648",
        "/consultations/99999999999999999999",
        "/consultations/-1",
        "/consultations/abc",
    ],
)
def test_bad_and_huge_ids_are_404(signed_in: FlaskClient, consultation: Consultation, url: str) -> None:
    assert signed_in.get(url).status_code == 404
    assert (
        signed_in.post(f"{url}/workshops/batch", data={"batch-count": "1", "batch-groups": "1"}).status_code
        == 404
    )


def test_a_post_without_its_csrf_token_is_refused(client: FlaskClient, owner: Facilitator) -> None:
    sign_in(client, owner)
    assert client.post("/consultations/new", data=DETAILS).status_code == 400
    assert counts()[0] == 0
    page = client.get("/consultations/new").get_data(as_text=True)
    response = client.post("/consultations/new", data={**DETAILS, "csrf_token": csrf_of(page)})
    assert response.status_code == 302
    consultation = db.session.scalar(select(Consultation))
    batch = {"batch-count": "2", "batch-groups": "2"}
    assert client.post(f"/consultations/{consultation.id}/workshops/batch", data=batch).status_code == 400
    assert counts()[2] == 0


def test_a_workshop_outside_any_consultation_is_made_as_before(signed_in: FlaskClient) -> None:
    form = {"title": "Seul", "question": "", "language": "en", "template": "blank", "groups": "2"}
    assert signed_in.post("/workshops/new", data=form).status_code == 302
    workshop = db.session.scalar(select(Workshop))
    assert workshop.consultation_id is None
    assert len(workshop.groups) == 2
    assert signed_in.get(f"/workshops/{workshop.id}").status_code == 200


def test_a_refusal_is_worded_in_french(signed_in: FlaskClient, consultation: Consultation) -> None:
    refresh()  # the test's app context, which its requests share, still holds the English of the first
    response = signed_in.post(
        f"/consultations/{consultation.id}/workshops/batch",
        data={"batch-count": "101", "batch-groups": "4"},
        headers={"Accept-Language": "fr"},
    )
    page = response.get_data(as_text=True)
    assert "Plusieurs ateliers à la fois" in page
    assert "Saisissez un nombre entre 1 et 100." in page


def test_the_largest_batch_in_one_request(signed_in: FlaskClient, consultation: Consultation) -> None:
    """100 workshops of 20 groups: 2,000 groups, each with its story, all in the one request."""
    response = signed_in.post(
        f"/consultations/{consultation.id}/workshops/batch", data={"batch-count": "100", "batch-groups": "20"}
    )
    assert response.status_code == 302
    assert counts()[2:] == (100, 2000, 2000)
    stories = select(func.count(Story.id)).join(Group, Group.id == Story.group_id)
    assert db.session.scalar(stories.where(Group.workshop_id == Story.workshop_id)) == 2000
    assert signed_in.get(f"/consultations/{consultation.id}").status_code == 200
