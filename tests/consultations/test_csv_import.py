"""Workshops from a CSV file, all or nothing: a good file makes every workshop (its facilitator runs it, its
start time is kept); each kind of bad file makes none and its report names the rows refused and why; a file
of 10,000 rows is refused after reading a bounded prefix; a batch that fails half-way keeps nothing."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from flask_babel import refresh
from sqlalchemy import func, select

from accounts.models import Facilitator
from consultations import batch, csv_import
from consultations import operations as ops
from consultations.models import Consultation
from core.unit_of_work import committed
from extensions import db
from stories.models import Story
from tests import factories
from tests.http import csrf_of
from tests.signin import sign_in
from tests.signin import signed_in as real_session
from workshops import management
from workshops.models import Group, Phase, Workshop, WorkshopFacilitator

pytestmark = pytest.mark.usefixtures("app_ctx")

UNPROCESSABLE = 422
HEADER_FR = "titre;e-mail de l'animateur;nombre de groupes;début"


def counts() -> tuple[int, ...]:
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(m))
        for m in (Workshop, Group, Story, Phase, WorkshopFacilitator)
    )


@pytest.fixture
def owner() -> Facilitator:
    return factories.facilitator("owner@example.org", name="Olive")


@pytest.fixture
def facilitators() -> list[Facilitator]:
    return [
        factories.facilitator("lea@example.org", name="Léa"),
        factories.facilitator("Marc@Example.org", name="Marc"),
    ]


@pytest.fixture
def signed_in(csrf_client: FlaskClient, owner: Facilitator) -> FlaskClient:
    return sign_in(csrf_client, owner)


@pytest.fixture
def consultation(owner: Facilitator) -> Consultation:
    with committed():
        made = ops.create_consultation(
            owner,
            ops.Details(
                title="Santé 2040", question="Comment ?", description="", language="fr", slug="sante-2040"
            ),
        )
        ops.add_workshop(made, owner, "Atelier déjà là", 2)
    return made


def upload(client: FlaskClient, consultation: Consultation, body: bytes, name: str = "ateliers.csv") -> Any:
    token = csrf_of(client.get(f"/consultations/{consultation.id}").get_data(as_text=True))
    return client.post(
        f"/consultations/{consultation.id}/workshops/import",
        data={"csrf_token": token, "file": (io.BytesIO(body), name)},
        content_type="multipart/form-data",
    )


def french_excel(*rows: str) -> bytes:
    """What French Excel's "CSV UTF-8" writes: a byte-order mark, `;` between cells, CRLF."""
    return ("\ufeff" + "\r\n".join([HEADER_FR, *rows]) + "\r\n").encode("utf-8")


def test_the_consultation_page_offers_the_upload(signed_in: FlaskClient, consultation: Consultation) -> None:
    page = signed_in.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in page
    assert f"/consultations/{consultation.id}/workshops/import" in page
    sample = signed_in.get(f"/consultations/{consultation.id}/workshops/import/sample.csv")
    assert sample.status_code == 200
    assert sample.mimetype == "text/csv"


def test_a_good_file_makes_every_workshop(
    signed_in: FlaskClient, consultation: Consultation, facilitators: list[Facilitator], owner: Facilitator
) -> None:
    before = counts()
    body = french_excel(
        "Atelier Lyon;lea@example.org;4;01/03/2027 09:30",
        "Atelier Lille;MARC@example.org ;3;2027-03-01 14:00",
        "",  # a blank line, as spreadsheets leave at the end
        '"Atelier ""Nantes"", quai";lea@example.org;1;2027-03-02T10:00+01:00',
    )
    response = upload(signed_in, consultation, body)
    assert response.status_code == 302, response.get_data(as_text=True)
    made = {w.title: w for w in ops.workshops_in(consultation)}
    assert set(made) == {"Atelier déjà là", "Atelier Lyon", "Atelier Lille", 'Atelier "Nantes", quai'}
    lyon, lille, nantes = made["Atelier Lyon"], made["Atelier Lille"], made['Atelier "Nantes", quai']
    assert [len(w.groups) for w in (lyon, lille, nantes)] == [4, 3, 1]
    assert lyon.scheduled_at is not None
    assert lyon.scheduled_at.replace(tzinfo=UTC) == datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
    assert nantes.scheduled_at is not None
    assert nantes.scheduled_at.replace(tzinfo=UTC) == datetime(2027, 3, 2, 9, 0, tzinfo=UTC)
    lea, marc = facilitators
    assert {f.id for f in lyon.facilitators} == {owner.id, lea.id}
    assert {f.id for f in lille.facilitators} == {owner.id, marc.id}
    assert all(w.owner_id == owner.id and w.question == "Comment ?" for w in (lyon, lille, nantes))
    assert not ops.organises(lea.id, consultation.id)  # running a workshop does not make an organiser
    after = counts()
    assert after[0] == before[0] + 3
    assert after[1] == before[1] + 8
    assert after[2] == before[2] + 8
    page = signed_in.get(f"/consultations/{consultation.id}").get_data(as_text=True)
    assert "3 workshops imported." in page
    assert '<th scope="col">Starts</th>' in page
    assert "2027-03-01T09:30:00+00:00" in page  # the start time, shown to the organisers


def test_a_comma_separated_file_in_english_and_windows_1252(
    signed_in: FlaskClient, consultation: Consultation, facilitators: list[Facilitator]
) -> None:
    body = "Title,Facilitator e-mail,Number of groups,Start time\nRéunion à Brest,lea@example.org,2,\n"
    response = upload(signed_in, consultation, body.encode("cp1252"))
    assert response.status_code == 302
    brest = next(w for w in ops.workshops_in(consultation) if w.title == "Réunion à Brest")
    assert brest.scheduled_at is None  # an empty start: not planned


BAD_FILES = [
    pytest.param(
        "titre;e-mail;groupes;couleur\nA;lea@example.org;2;2027-03-01 09:00\n",
        [],
        "Unknown column “couleur”.",
        id="wrong-column",
    ),
    pytest.param(
        "titre;e-mail;groupes\nA;lea@example.org;2\n",
        [],
        "Some columns are missing: start time.",
        id="missing-column",
    ),
    pytest.param(
        "titre;e-mail;e-mail;groupes;début\n",
        [],
        "The column “facilitator e-mail” appears twice.",
        id="twice",
    ),
    pytest.param("", [], "This file is empty.", id="empty"),
    pytest.param(HEADER_FR + "\n\n", [], "This file has no workshop in it.", id="no-rows"),
    pytest.param(
        HEADER_FR + "\nA;lea@example.org;2;2027-03-01 09:00\nB;nobody@example.org;2;2027-03-01 09:00\n",
        [(3, "No facilitator account uses the e-mail “nobody@example.org”.")],
        None,
        id="unknown-email",
    ),
    pytest.param(
        HEADER_FR + "\nA;lea@example.org;2;\nB;lea@example.org;2;\n a ;lea@example.org;3;\n",
        [(4, "Same title as row 2.")],
        None,
        id="duplicate-in-file",
    ),
    pytest.param(
        HEADER_FR + "\nA;lea@example.org;2;\natelier DÉJÀ là;lea@example.org;2;\n",
        [(3, "The consultation already has a workshop with this title.")],
        None,
        id="duplicate-existing",
    ),
    pytest.param(
        HEADER_FR
        + "\nA;lea@example.org;deux;\nB;lea@example.org;0;\nC;lea@example.org;21;\nD;lea@example.org;-1;\n",
        [
            (2, "“deux” is not a number of groups."),
            (3, "A workshop has from 1 to 20 groups."),
            (4, "A workshop has from 1 to 20 groups."),
            (5, "“-1” is not a number of groups."),
        ],
        None,
        id="bad-numbers",
    ),
    pytest.param(
        HEADER_FR + "\nA;lea@example.org;2;31/02/2027 09:00\nB;lea@example.org;2;demain\n"
        "C;lea@example.org;2;2027-03-01\nE;lea@example.org;2;01/03/1890 10:00\n",
        [
            (2, "“31/02/2027 09:00” is not a start time"),
            (3, "“demain” is not a start time"),
            (4, "“2027-03-01” is not a start time"),
            (5, "“01/03/1890 10:00” is not a start time"),
        ],
        None,
        id="bad-dates",
    ),
    pytest.param(
        HEADER_FR + "\n;lea@example.org;2;\nB;;2;\nC;pas-un-mail;2;\nD;lea@example.org;2;;en trop\n",
        [
            (2, "The title is missing."),
            (3, "The facilitator's e-mail is missing."),
            (4, "“pas-un-mail” is not an e-mail address."),
            (5, "This row has more cells than the header has columns."),
        ],
        None,
        id="bad-cells",
    ),
    pytest.param(
        HEADER_FR + "\nA\u202e;lea@example.org;2;\n" + "B" * 201 + ";lea@example.org;2;\n",
        [(2, "hidden"), (3, "At most 200 characters")],
        None,
        id="hostile-titles",
    ),
    pytest.param("\x00\x01binary", [], "This file is not a CSV file.", id="binary"),
]


@pytest.mark.parametrize(("body", "rows", "problem"), BAD_FILES)
def test_a_bad_file_makes_nothing_and_reports_its_rows(
    signed_in: FlaskClient,
    consultation: Consultation,
    facilitators: list[Facilitator],
    body: str,
    rows: list[tuple[int, str]],
    problem: str | None,
) -> None:
    before = counts()
    response = upload(signed_in, consultation, body.encode("utf-8"))
    assert response.status_code == UNPROCESSABLE
    assert counts() == before
    page = response.get_data(as_text=True)
    assert "Nothing was imported." in page
    report = csv_import.read(io.BytesIO(body.encode("utf-8")), consultation)
    assert not report.accepted
    assert not report.specs
    if problem:
        assert report.problems == [problem]
    refused = {r.row: " ".join(r.reasons) for r in report.refused}
    assert sorted(refused) == sorted(row for row, _ in rows)
    for row, reason in rows:
        assert reason.lower() in refused[row].lower() or (reason == "hidden" and refused[row])
        assert f"<td>{row}</td>" in page
    if rows:
        assert f"of {report.rows} were refused" in page or f"of {report.rows} was refused" in page


def test_too_many_workshops_for_the_consultation(
    signed_in: FlaskClient, consultation: Consultation, facilitators: list[Facilitator], monkeypatch: Any
) -> None:
    monkeypatch.setattr(ops, "MAX_WORKSHOPS", 3)
    before = counts()
    body = french_excel("A;lea@example.org;2;", "B;lea@example.org;2;", "C;lea@example.org;2;")
    response = upload(signed_in, consultation, body)
    assert response.status_code == UNPROCESSABLE
    assert "A consultation has at most 3 workshops." in response.get_data(as_text=True)
    assert counts() == before


class CountingStream(io.BytesIO):
    """A file that counts what was read of it."""

    taken = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.taken += len(data)
        return data


def test_ten_thousand_rows_are_refused_after_a_bounded_read(
    signed_in: FlaskClient, consultation: Consultation, facilitators: list[Facilitator]
) -> None:
    rows = [f"Atelier {n};lea@example.org;4;01/03/2027 09:30" for n in range(10_000)]
    body = french_excel(*rows)
    assert len(body) > csv_import.MAX_BYTES
    stream = CountingStream(body)
    report = csv_import.read(stream, consultation)
    assert stream.taken <= csv_import.MAX_BYTES + 1  # never the whole file
    assert report.problems == ["This file is too large (over 256 KB): a file imports at most 500 workshops."]
    before = counts()
    response = upload(signed_in, consultation, body)
    assert response.status_code == UNPROCESSABLE
    assert "a file imports at most 500 workshops" in response.get_data(as_text=True)
    assert counts() == before


@pytest.mark.parametrize("rows", [csv_import.MAX_ROWS + 1, 10_000])
def test_more_rows_than_the_cap_in_a_small_file(
    signed_in: FlaskClient, consultation: Consultation, facilitators: list[Facilitator], rows: int
) -> None:
    """Short rows: the file is under the size cap, and refused at its 501st row (the rest is not parsed)."""
    body = french_excel(*(f"{n};a@b.c;1;" for n in range(rows)))
    assert len(body) < csv_import.MAX_BYTES
    before = counts()
    response = upload(signed_in, consultation, body)
    assert response.status_code == UNPROCESSABLE
    assert "This file has more than 500 workshops: import them in several files." in response.get_data(
        as_text=True
    )
    assert counts() == before


def test_no_file_or_no_token(signed_in: FlaskClient, consultation: Consultation) -> None:
    token = csrf_of(signed_in.get(f"/consultations/{consultation.id}").get_data(as_text=True))
    url = f"/consultations/{consultation.id}/workshops/import"
    missing = signed_in.post(url, data={"csrf_token": token}, content_type="multipart/form-data")
    assert missing.status_code == UNPROCESSABLE
    assert "Choose a CSV file." in missing.get_data(as_text=True)
    as_text = signed_in.post(url, data={"csrf_token": token, "file": "not a file"})
    assert as_text.status_code == UNPROCESSABLE


def test_an_upload_without_its_csrf_token_is_refused(
    client: FlaskClient, owner: Facilitator, consultation: Consultation, facilitators: list[Facilitator]
) -> None:
    sign_in(client, owner)
    before = counts()
    forged = client.post(
        f"/consultations/{consultation.id}/workshops/import",
        data={"file": (io.BytesIO(french_excel("A;lea@example.org;2;")), "a.csv")},
        content_type="multipart/form-data",
    )
    assert forged.status_code == 400
    assert counts() == before


def test_a_batch_that_fails_half_way_keeps_nothing(
    consultation: Consultation, owner: Facilitator, facilitators: list[Facilitator], monkeypatch: Any
) -> None:
    """The chunks already committed are deleted again when a later one fails."""
    monkeypatch.setattr(batch, "CHUNK", 2)
    real = management.create_workshop

    def failing(organiser: Facilitator, title: str, *args: Any, **kwargs: Any) -> Workshop:
        if title == "W5":
            raise management.WorkshopError("boom", "The fifth one fails.")
        return real(organiser, title, *args, **kwargs)

    monkeypatch.setattr(management, "create_workshop", failing)
    specs = [batch.Spec(f"W{n}", 3, facilitator_id=facilitators[0].id) for n in range(1, 7)]
    before = counts()
    with pytest.raises(management.WorkshopError):
        batch.create(consultation.id, owner.id, specs)
    assert counts() == before


def test_a_batch_checks_its_titles_again_in_each_chunk(
    consultation: Consultation, owner: Facilitator, monkeypatch: Any
) -> None:
    """Another organiser used a title meanwhile (between the check and the chunk): nothing is kept."""
    monkeypatch.setattr(batch, "CHUNK", 1)
    before = counts()
    specs = [batch.Spec("Nouveau", 2), batch.Spec("atelier déjà là", 2)]
    with pytest.raises(ops.ConsultationError) as refused:
        batch.create(consultation.id, owner.id, specs)
    assert refused.value.code == "duplicate_title"
    assert counts() == before


def test_twenty_workshops_of_four_groups_in_chunks(
    signed_in: FlaskClient, consultation: Consultation
) -> None:
    token = csrf_of(signed_in.get(f"/consultations/{consultation.id}").get_data(as_text=True))
    response = signed_in.post(
        f"/consultations/{consultation.id}/workshops/batch",
        data={"csrf_token": token, "batch-count": "20", "batch-groups": "4"},
    )
    assert response.status_code == 302
    made = ops.workshops_in(consultation)
    assert len(made) == 21
    assert [w.title for w in made[1:]] == [f"Santé 2040 {n}" for n in range(2, 22)]
    assert all(len(w.groups) == 4 for w in made[1:])


def test_on_the_real_server_in_chunks_under_the_transaction_guard(
    live_server: Any, owner: Facilitator, consultation: Consultation, facilitators: list[Facilitator]
) -> None:
    """gunicorn and gevent with `PLUME_TRANSACTION_GUARD` on: a chunk's write held across the loop's turn
    would fail its commit (a 500, checked by hand); 20 workshops of 4 groups, then a file of 12 rows, each
    in several chunks."""
    session, token = real_session(live_server, "owner@example.org")
    url = f"{live_server.url}/consultations/{consultation.id}/workshops"
    made = session.post(
        f"{url}/batch",
        data={"csrf_token": token, "batch-count": "20", "batch-groups": "4"},
        timeout=120,
        allow_redirects=False,
    )
    assert made.status_code == 302, made.text
    body = french_excel(*(f"Atelier {n};lea@example.org;3;0{n % 9 + 1}/03/2027 09:30" for n in range(12)))
    imported = session.post(
        f"{url}/import",
        data={"csrf_token": token},
        files={"file": ("ateliers.csv", body, "text/csv")},
        timeout=120,
        allow_redirects=False,
    )
    assert imported.status_code == 302, imported.text
    assert len(body)
    assert batch.CHUNK < 12
    db.session.expire_all()
    workshops = ops.workshops_in(consultation)
    assert len(workshops) == 1 + 20 + 12
    assert sum(len(w.groups) for w in workshops) == 2 + 20 * 4 + 12 * 3
    lea = facilitators[0]
    assert sum(1 for w in workshops if lea.id in {f.id for f in w.facilitators}) == 12
    refused = session.post(
        f"{url}/import",
        data={"csrf_token": token},
        files={"file": ("ateliers.csv", body, "text/csv")},
        timeout=120,
        allow_redirects=False,
    )
    assert refused.status_code == UNPROCESSABLE  # the same titles again: every row refused
    assert refused.text.count("The consultation already has a workshop with this title.") == 12


@pytest.mark.parametrize("consultation_id", ["999999", "2147483648", "99999999999999999999", "-1", "abc"])
def test_bad_and_huge_ids_are_404(signed_in: FlaskClient, consultation_id: str) -> None:
    url = f"/consultations/{consultation_id}/workshops/import"
    assert signed_in.get(url).status_code == 404
    assert signed_in.get(f"{url}/sample.csv").status_code == 404
    posted = signed_in.post(
        url,
        data={"file": (io.BytesIO(b"titre;e-mail;groupes;debut\n"), "a.csv")},
        content_type="multipart/form-data",
    )
    assert posted.status_code in (404, 405)  # 405: no route takes "-1" or "abc" as an id


def test_the_report_speaks_french(
    signed_in: FlaskClient, consultation: Consultation, facilitators: list[Facilitator]
) -> None:
    with signed_in.session_transaction() as session:
        session["lang"] = "fr"  # what the language switch leaves
    body = french_excel("Atelier Lyon;inconnu@example.org;quatre;31/02/2027 09:30")
    token = csrf_of(signed_in.get(f"/consultations/{consultation.id}").get_data(as_text=True))
    refresh()  # this test's app context is its requests' too: forget the locale of the last one
    response = signed_in.post(
        f"/consultations/{consultation.id}/workshops/import",
        data={"csrf_token": token, "file": (io.BytesIO(body), "ateliers.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == UNPROCESSABLE
    page = response.get_data(as_text=True)
    assert "Rien n’a été importé." in page
    assert "Aucun compte d’animateur n’utilise l’e-mail" in page
    assert "n’est pas un nombre de groupes" in page
    assert "n’est pas une heure de début" in page
