"""The anthology of a consultation (`/c/<slug>/anthology.epub`, `.pdf`): its published stories across its
workshops and nothing else, a valid EPUB (EPUBCheck) and a PDF read back with poppler's pdftotext."""

from __future__ import annotations

import io
import zipfile

import pytest
from flask.testing import FlaskClient

from consultations import operations as ops
from consultations.models import Consultation
from core.unit_of_work import committed
from tests import factories
from tests.consultations import collection_world
from tests.epubs import assert_valid_epub
from tests.pdftools import pdf_text
from tests.stories import samples

pytestmark = pytest.mark.usefixtures("app_ctx")

PUBLISHED = ("La Maison des communs", "L’ordonnance verte", "Le car de santé du plateau")
HIDDEN = ("Brouillon secret", "Le banc qui écoute", "colocation des Glycines")


@pytest.fixture
def consultation() -> Consultation:
    """Two workshops in the consultation (three stories published, one draft) and one outside it."""
    with committed():
        made = ops.create_consultation(
            factories.facilitator(),
            ops.Details("Santé 2040", samples.QUESTION, "", "fr", "sante-2040"),
        )
    collection_world.populate(made.id)
    return made


def test_the_public_page_offers_both_files(client: FlaskClient, consultation: Consultation) -> None:
    page = client.get("/c/sante-2040").get_data(as_text=True)
    assert 'href="/c/sante-2040/anthology.epub"' in page
    assert 'href="/c/sante-2040/anthology.pdf"' in page


def test_the_epub_holds_the_published_stories_only_and_is_valid(
    client: FlaskClient, consultation: Consultation
) -> None:
    response = client.get("/c/sante-2040/anthology.epub")
    assert response.status_code == 200
    assert response.mimetype == "application/epub+zip"
    assert "attachment" in response.headers["Content-Disposition"]
    book = response.get_data()
    assert_valid_epub(book)
    with zipfile.ZipFile(io.BytesIO(book)) as archive:
        text = " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    assert "Santé 2040" in text
    assert 'xml:lang="fr"' in text or "<dc:language>fr</dc:language>" in text
    for title in PUBLISHED:
        assert title in text, title
    for hidden in HIDDEN:
        assert hidden not in text, hidden
    assert "Vieillir en 2040" in text  # each chapter says which workshop wrote it
    # Workshop after workshop: the first workshop's stories come before the second's.
    assert text.index("Le car de santé du plateau") > text.index("La Maison des communs")


def test_the_pdf_reads_back_with_the_published_stories_only(
    client: FlaskClient, consultation: Consultation
) -> None:
    response = client.get("/c/sante-2040/anthology.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.get_data())
    assert "Santé 2040" in text
    assert "3 récits" in text  # in the consultation's language
    assert "VIEILLIR EN 2040" in text.upper()  # each chapter says which workshop wrote it
    for title in PUBLISHED:
        assert title.replace("’", "'") in text.replace("’", "'"), title
    for hidden in HIDDEN:
        assert hidden not in text, hidden


def test_no_anthology_before_a_story_is_published(client: FlaskClient) -> None:
    with committed():
        made = ops.create_consultation(factories.facilitator(), ops.Details("Vide", "", "", "fr", "vide"))
    samples.build_collection(samples=[samples.MAISON], consultation_id=made.id)  # written, not published
    for url in (
        "/c/vide/anthology.epub",
        "/c/vide/anthology.pdf",
        "/c/nope/anthology.pdf",
        "/c/A_B/anthology.epub",
    ):
        assert client.get(url).status_code == 404, url
    assert "anthology.epub" not in client.get("/c/vide").get_data(as_text=True)
