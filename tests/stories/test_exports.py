"""Downloads: a story as Markdown, standalone HTML and PDF; a collection as EPUB and PDF anthologies."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.unit_of_work import committed
from stories.reading import catalog, exports, pdf, publishing
from stories.reading.publishing import Draft
from tests import factories
from tests.epubs import assert_valid_epub
from tests.overrides import changed_settings
from tests.pdftools import pdf_text
from tests.stories import samples


@pytest.fixture
def workshop(app_ctx: Any) -> Any:
    workshop = samples.build_collection()
    for group, sample in zip(workshop.groups, samples.SAMPLES, strict=True):
        with committed():
            samples.publish(factories.story_of(group), sample)
    return workshop


def first_story(workshop: Any) -> Any:
    return factories.story_of(workshop.groups[0])


def test_markdown_download(client: FlaskClient, workshop: Any) -> None:
    story = first_story(workshop)
    response = client.get(f"/stories/{story.id}.md")
    assert response.status_code == 200
    assert response.mimetype == "text/markdown"
    assert response.headers["Content-Disposition"] == 'attachment; filename="la-maison-des-communs.md"'
    text = response.get_data(as_text=True)
    # In the workshop's language, whatever the reader's.
    assert text.startswith("# La Maison des communs\n\n*Par Awa Diop, Julien Marchand et Inès Benali*\n\n")
    assert "## Ce qui a changé" in text
    assert f"http://localhost/stories/{story.id}" in text


def test_standalone_html_download(client: FlaskClient, workshop: Any) -> None:
    story = first_story(workshop)
    response = client.get(f"/stories/{story.id}.html")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment;")
    page = response.get_data(as_text=True)
    assert page.startswith("<!doctype html>")
    assert '<html lang="fr">' in page
    assert "<style>" in page
    assert "<h2>Ce qui a changé</h2>" in page
    assert "<script" not in page
    assert "<link" not in page


def test_story_pdf_embeds_its_fonts_and_holds_the_text(client: FlaskClient, workshop: Any) -> None:
    story = first_story(workshop)
    response = client.get(f"/stories/{story.id}.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    data = response.get_data()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert "La Maison des communs" in text
    assert "la santé du quartier" in text  # accents survive: the Unicode font is embedded
    assert "Awa Diop" in text
    fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=False).stdout.decode()
    if fonts:  # pdffonts reads files only on some versions; when it answers, every font is embedded
        assert "DejaVu" in fonts


def test_anthology_pdf_has_a_cover_contents_and_every_story(client: FlaskClient, workshop: Any) -> None:
    response = client.get(f"/stories/c/{workshop.id}/anthology.pdf")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="la-sante-en-2040.pdf"'
    text = pdf_text(response.get_data())
    assert text.index("La santé en 2040") < text.index("Sommaire") < text.index("Le mardi, à Nantes")
    for title in ("La Maison des communs", "L’ordonnance verte", "Le car de santé du plateau"):
        assert text.count(title) >= 2, title  # in the contents and at its chapter
    assert "Élise conduit le car et connaît tout le monde" in text


def test_anthology_epub_is_a_valid_book(client: FlaskClient, workshop: Any) -> None:
    response = client.get(f"/stories/c/{workshop.id}/anthology.epub")
    assert response.status_code == 200
    assert response.mimetype == "application/epub+zip"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as book:
        assert book.testzip() is None
        first = book.infolist()[0]
        assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
        assert book.read("mimetype") == b"application/epub+zip"
        names = book.namelist()
        chapters = sorted(n for n in names if re.fullmatch(r"EPUB/story-\d+\.xhtml", n))
        assert len(chapters) == 3
        for name in [*chapters, "EPUB/nav.xhtml", "EPUB/title.xhtml", "EPUB/cover.xhtml"]:
            ElementTree.fromstring(book.read(name))  # noqa: S314 - well-formed XHTML, as EPUB requires
        first_chapter = book.read(chapters[0]).decode()
        assert "La Maison des communs" in first_chapter
        assert "Le mardi, à Nantes" in first_chapter
        assert "Le car de santé du plateau" in book.read(chapters[2]).decode()
        opf = book.read("EPUB/content.opf").decode()
        assert "<dc:title>La santé en 2040</dc:title>" in opf
        assert "<dc:language>fr</dc:language>" in opf
        assert 'properties="cover-image"' in opf
        assert len(set(re.findall(r'id="([^"]+)"', opf))) == len(re.findall(r'id="([^"]+)"', opf))
        assert "L’ordonnance verte" in book.read("EPUB/nav.xhtml").decode()
    assert_valid_epub(response.get_data())


def test_pdf_export_fails_clearly_without_its_fonts(
    app: Flask, client: FlaskClient, workshop: Any, tmp_path: Path
) -> None:
    with changed_settings(app, pdf_font_dir=str(tmp_path)):
        with pytest.raises(pdf.PdfUnavailableError, match=r"DejaVuSerif\.ttf.*fonts-dejavu-core"):
            pdf.check_fonts()
        response = client.get(f"/stories/c/{workshop.id}/anthology.pdf")
        assert response.status_code == 503
        assert "PDF downloads are not available on this server" in response.get_data(as_text=True)
        assert (
            client.get(f"/stories/c/{workshop.id}/anthology.epub").status_code == 200
        )  # the others still work


def test_offline_html_fetches_nothing_and_nests_under_the_title(app_ctx: Any) -> None:
    html = (
        '<h1>Partie</h1><p>Avant <img alt="un arbre" src="https://example.org/a.png"> après'
        ' <img src="https://example.org/b.png"></p>'
        "<table><tr><td><em>a</em> <strong>b</strong></td></tr></table>"
    )
    shaped = exports.offline_html(html, under_title=True, flat_tables=True)
    assert "<img" not in shaped
    assert "example.org" not in shaped
    assert "<em>[un arbre]</em> après" in shaped
    assert "<h2>Partie</h2>" in shaped
    assert "<td>a b</td>" in shaped
    assert exports.offline_html("<h2>x</h2>", under_title=True) == "<h2>x</h2>"  # no h1: left alone
    aligned = exports.offline_html('<table><tr><td align="center">c</td><td>d</td></tr></table>')
    assert '<td style="text-align: center">c</td><td>d</td>' in aligned


def test_the_plain_edition_is_made_when_the_html_layout_fails(app_ctx: Flask, workshop: Any) -> None:
    story = catalog.published_story(first_story(workshop).id)

    def build(plain: bool) -> bytes:
        book = pdf.Book("t", "fr")
        book.add_page()
        if plain:
            book.set_font("serif", "", 10)
            book.multi_cell(0, 5, "plain edition")
        else:  # a link to an anchor fpdf2 never saw: its own error, at output time
            book.write_html('<p><a href="#nowhere">x</a></p>', font_family="serif")
        return bytes(book.output())

    assert "plain edition" in pdf_text(pdf._with_fallback(build))
    with app_ctx.test_request_context():
        assert "Le mardi" in pdf_text(pdf.story_pdf(story))


MARKDOWN = st.lists(
    st.sampled_from(
        [
            "# Titre",
            "## Partie",
            "Un paragraphe *en italique* et **en gras**.",
            "> Une citation",
            "- un\n- deux\n    - trois",
            "1. un\n2. deux",
            "| a | b |\n|---|:-:|\n| *c* | d |",
            "---",
            "Une note[^1].\n\n[^1]: La note.",
            "`code`",
            "```\nbloc\n```",
            "[lien](https://e.org)",
            "![image](https://e.org/i.png)",
            "<script>alert(1)</script>",
            "Santé 🙂 中文",
            "x" * 300,
        ]
    ),
    min_size=1,
    max_size=12,
).map("\n\n".join)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=MARKDOWN)
def test_any_story_exports_to_pdf_and_epub(app_ctx: Flask, text: str) -> None:
    workshop = factories.workshop(groups=1)
    story = factories.story_of(workshop.groups[0])
    factories.story_text(story, text)
    with committed():
        publishing.publish(story, Draft(title="Histoire"))
    found = catalog.collection(workshop.id)
    assert found is not None
    with app_ctx.test_request_context():
        assert pdf.story_pdf(found.stories[0]).startswith(b"%PDF-")
        assert pdf.anthology_pdf(found).startswith(b"%PDF-")
        epub = exports.anthology_epub(found)
        with zipfile.ZipFile(io.BytesIO(epub)) as book:
            assert book.testzip() is None
        assert_valid_epub(epub)


def test_a_layout_failure_off_the_loop_is_logged_once_back(
    app_ctx: Flask, workshop: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The PDF is made off the loop, where nothing logs: the failure comes back with the plain edition."""
    story = catalog.published_story(first_story(workshop).id)
    monkeypatch.setattr(pdf, "_pdf_html", lambda html: '<p><a href="#nowhere">x</a></p>')
    with app_ctx.test_request_context():
        assert "Le mardi" in pdf_text(pdf.story_pdf(story))
    assert [r.getMessage().splitlines()[0] for r in caplog.records if r.levelname == "ERROR"] == [
        pdf.LAYOUT_FAILED
    ]
