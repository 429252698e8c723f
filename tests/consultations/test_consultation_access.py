"""Who may do what with a consultation, over every route of `consultations`, against the real server (gunicorn
and gevent, the transaction guard on), each role in a browser-like session of its own:

- its organisers (the owner and a co-organiser invited) manage it and see all its workshops;
- the organiser of another consultation, a facilitator who runs one workshop of it (named in the CSV file,
  not an organiser), and a reader with an account get a 404 on its management pages; that facilitator opens
  their own workshop's console and no other workshop of it;
- a participant and an anonymous visitor are sent to sign in;
- everyone reads its public collection, feed, anthology and API.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from sqlalchemy import func, select

from consultations import batch
from consultations import operations as ops
from consultations.models import Consultation, ConsultationOrganiser
from core.unit_of_work import committed
from extensions import db
from stories.models import Story
from tests import factories
from tests.http import csrf_of
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.stories import samples
from workshops.models import Group, Workshop

pytestmark = pytest.mark.usefixtures("app_ctx")

ROLES = ("organiser", "co_organiser", "other_organiser", "facilitator", "participant", "reader", "anonymous")
MANAGERS = {"organiser", "co_organiser"}
SIGNED_OUT = {"participant", "anonymous"}


@dataclass
class World:
    consultation: Consultation
    lea_workshop: Workshop  # run by Léa (from the CSV), who organises nothing
    other_workshop: Workshop  # of the same consultation, not Léa's
    sessions: dict[str, tuple[requests.Session, str]]  # role -> (session, CSRF token)


def counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Consultation, ConsultationOrganiser, Workshop, Group, Story)
    )


@pytest.fixture
def world(live_server: ServerProcess) -> World:
    owner = factories.facilitator("owner@example.org", name="Olive")
    factories.facilitator("co@example.org", name="Colin")
    other = factories.facilitator("other@example.org", name="Otto")
    lea = factories.facilitator("lea@example.org", name="Léa")
    factories.facilitator("reader@example.org", name="Rita")
    factories.facilitator("new@example.org", name="Nina")
    with committed():
        consultation = ops.create_consultation(
            owner, ops.Details("Santé 2040", "Comment ?", "", "fr", "sante-2040")
        )
        ops.invite_organiser(consultation, "co@example.org")
        ops.create_consultation(other, ops.Details("Ailleurs", "", "", "fr", "ailleurs"))
    ids = batch.create(
        consultation.id,
        owner.id,
        [batch.Spec("Atelier de Léa", 2, facilitator_id=lea.id), batch.Spec("Atelier d'Olive", 2)],
    )
    published = samples.build_collection(samples=[samples.MAISON], consultation_id=consultation.id)
    with committed():
        samples.publish(factories.story_of(published.groups[0]), samples.MAISON)
    lea_workshop, other_workshop = (db.session.get(Workshop, i) for i in ids)
    sessions: dict[str, tuple[requests.Session, str]] = {}
    for role, email in [
        ("organiser", "owner@example.org"),
        ("co_organiser", "co@example.org"),
        ("other_organiser", "other@example.org"),
        ("facilitator", "lea@example.org"),
        ("reader", "reader@example.org"),
    ]:
        sessions[role] = signed_in(live_server, email)
    participant = requests.Session()
    token = csrf_of(participant.get(f"{live_server.url}/join/{lea_workshop.join_code}", timeout=15).text)
    joined = participant.post(
        f"{live_server.url}/join",
        data={"csrf_token": token, "code": lea_workshop.join_code, "name": "Ada"},
        timeout=15,
        allow_redirects=False,
    )
    assert joined.status_code == 302, joined.text
    sessions["participant"] = (participant, token)
    anonymous = requests.Session()
    sessions["anonymous"] = (anonymous, csrf_of(anonymous.get(f"{live_server.url}/login", timeout=15).text))
    assert {w.id for w in lea_workshop.facilitators} == {owner.id, lea.id}
    return World(consultation, lea_workshop, other_workshop, sessions)


def management_routes(c: Consultation) -> list[tuple[str, str, dict[str, Any]]]:
    """Every organiser's route of consultation `c` (method, URL, a valid form; files apart)."""
    details = {"title": "Repris", "question": "", "description": "", "language": "fr", "slug": c.slug}
    return [
        ("GET", f"/consultations/{c.id}", {}),
        ("POST", f"/consultations/{c.id}", {**details, "template": "bright_mirror"}),
        ("POST", f"/consultations/{c.id}/workshops", {"one-title": "En plus", "one-groups": "2"}),
        ("POST", f"/consultations/{c.id}/workshops/batch", {"batch-count": "2", "batch-groups": "2"}),
        ("POST", f"/consultations/{c.id}/organisers", {"invite-email": "new@example.org"}),
        ("GET", f"/consultations/{c.id}/workshops/import", {}),
        ("GET", f"/consultations/{c.id}/workshops/import/sample.csv", {}),
        ("POST", f"/consultations/{c.id}/workshops/import", {"file": "Un;lea@example.org;2;\n"}),
    ]


def send(
    server: ServerProcess, session: requests.Session, token: str, method: str, url: str, form: dict
) -> Any:
    if method == "GET":
        return session.get(server.url + url, timeout=30, allow_redirects=False)
    data = {k: v for k, v in form.items() if k != "file"}
    files = None
    if "file" in form:
        body = "titre;e-mail;groupes;début\n" + form["file"]
        files = {"file": ("ateliers.csv", body.encode("utf-8"), "text/csv")}
    return session.post(
        server.url + url, data={**data, "csrf_token": token}, files=files, timeout=60, allow_redirects=False
    )


@pytest.mark.parametrize("role", [r for r in ROLES if r not in MANAGERS])
def test_who_may_not_manage_gets_404_or_sign_in_and_changes_nothing(
    live_server: ServerProcess, world: World, role: str
) -> None:
    session, token = world.sessions[role]
    before = counts()
    for method, url, form in management_routes(world.consultation):
        response = send(live_server, session, token, method, url, form)
        if role in SIGNED_OUT:
            assert response.status_code == 302, (role, method, url)
            assert "/login" in response.headers["Location"], (role, method, url)
        else:
            assert response.status_code == 404, (role, method, url, response.status_code)
    assert counts() == before
    db.session.expire_all()
    assert db.session.get(Consultation, world.consultation.id).title == "Santé 2040"
    index = session.get(f"{live_server.url}/consultations", timeout=15, allow_redirects=False)
    if role in SIGNED_OUT:
        assert index.status_code == 302
    else:
        assert index.status_code == 200
        assert "Santé 2040" not in index.text


@pytest.mark.parametrize("role", sorted(MANAGERS))
def test_its_organisers_manage_it(live_server: ServerProcess, world: World, role: str) -> None:
    session, token = world.sessions[role]
    expected = {
        "/workshops/import/sample.csv": 200,
        "/workshops/import": 200,
    }
    for method, url, form in management_routes(world.consultation):
        response = send(live_server, session, token, method, url, form)
        assert response.status_code in (200, 302, 422), (role, method, url, response.status_code)
        assert "/login" not in response.headers.get("Location", ""), (role, url)
        if method == "GET":
            tail = url.removeprefix(f"/consultations/{world.consultation.id}")
            assert response.status_code == expected.get(tail, 200)
        if method == "POST":  # made on the real server, in chunks, under the transaction guard
            assert response.status_code == 302, (role, url, response.text)
    db.session.expire_all()
    imported = db.session.scalar(select(Workshop).where(Workshop.title == "Un"))
    assert imported is not None
    assert imported.consultation_id == world.consultation.id
    assert "lea@example.org" in {f.email for f in imported.facilitators}
    page = session.get(f"{live_server.url}/consultations/{world.consultation.id}", timeout=15).text
    assert "Atelier de Léa" in page
    assert "Atelier d&#39;Olive" in page
    assert "Repris" in session.get(f"{live_server.url}/consultations", timeout=15).text  # its new title


def test_the_facilitator_of_one_workshop_runs_it_and_sees_no_other(
    live_server: ServerProcess, world: World
) -> None:
    lea, _ = world.sessions["facilitator"]
    own = lea.get(f"{live_server.url}/workshops/{world.lea_workshop.id}", timeout=15, allow_redirects=False)
    assert own.status_code == 200
    assert "Atelier de Léa" in own.text
    other = lea.get(
        f"{live_server.url}/workshops/{world.other_workshop.id}", timeout=15, allow_redirects=False
    )
    assert other.status_code == 404
    mine = lea.get(f"{live_server.url}/workshops", timeout=15).text
    assert "Atelier de Léa" in mine
    assert "Atelier d&#39;Olive" not in mine
    assert "La santé en 2040" not in mine
    # Nothing of the consultation's management shows on their pages.
    assert f"/consultations/{world.consultation.id}" not in own.text + mine
    for role in ("other_organiser", "reader"):
        session, _ = world.sessions[role]
        for workshop in (world.lea_workshop, world.other_workshop):
            answer = session.get(
                f"{live_server.url}/workshops/{workshop.id}", timeout=15, allow_redirects=False
            )
            assert answer.status_code == 404, (role, workshop.title)


@pytest.mark.parametrize("role", ROLES)
def test_everyone_reads_the_public_collection(live_server: ServerProcess, world: World, role: str) -> None:
    session, _ = world.sessions[role]
    c = world.consultation
    for url, kind in [
        ("/c/sante-2040", "text/html"),
        ("/c/sante-2040/feed.atom", "application/atom+xml"),
        ("/c/sante-2040/anthology.epub", "application/epub+zip"),
        ("/c/sante-2040/anthology.pdf", "application/pdf"),
        (f"/api/v1/consultations/{c.id}", "application/json"),
        (f"/api/v1/stories?consultation={c.id}", "application/json"),
    ]:
        response = session.get(live_server.url + url, timeout=60, allow_redirects=False)
        assert response.status_code == 200, (role, url)
        assert response.headers["Content-Type"].startswith(kind), (role, url)
    for url in ("/c/unknown-slug/anthology.epub", "/c/ailleurs/anthology.pdf", "/c/X/anthology.epub"):
        assert session.get(live_server.url + url, timeout=15).status_code == 404, (role, url)


def test_the_consultation_page_links_only_the_workshops_its_organiser_runs(
    live_server: ServerProcess, world: World
) -> None:
    co, _ = world.sessions["co_organiser"]
    page = co.get(f"{live_server.url}/consultations/{world.consultation.id}", timeout=15).text
    assert "Atelier de Léa" in page
    assert not re.search(rf'href="/workshops/{world.lea_workshop.id}"', page)  # Colin does not run it
