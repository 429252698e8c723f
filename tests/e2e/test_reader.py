"""Publishing and reading in real Chromium: a facilitator publishes a workshop from the review page; an
anonymous reader, in another browser, finds it in the gallery, searches a word without its accent, reads a
story, reacts, downloads the EPUB and PDF anthologies and reads the Atom feed.

axe checks the review, gallery, search, collection and story pages. Screenshots are saved under
screenshots/: the gallery (1440×900), a story on a phone (390×844), pages of the PDF anthology.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from playwright.sync_api import expect

from core.unit_of_work import committed
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, sign_in
from tests.epubs import assert_valid_epub
from tests.pdftools import pdf_page_png, pdf_text
from tests.stories import samples

pytestmark = pytest.mark.e2e

ATOM = {"a": "http://www.w3.org/2005/Atom"}


def other_collections() -> None:
    """Two collections published earlier, so that the gallery looks like it will in use."""
    older = [
        (
            "Vieillir chez soi, demain",
            "Et si, en 2040, vieillir chez soi était une chance pour tout le quartier ?",
            [samples.GLYCINES, samples.BANC],
        ),
        (
            "Nos villes respirent",
            "À quoi ressemble une ville qui soigne l’air de ses enfants ?",
            [samples.LILA],
        ),
    ]
    for title, question, stories in older:
        workshop = samples.build_collection(title, question, samples=stories)
        for group, sample in zip(workshop.groups, stories, strict=True):
            with committed():
                samples.publish(factories.story_of(group), sample)


def test_publish_a_workshop_then_read_it(new_context: Any, app_ctx: Any, tmp_path: Path) -> None:
    SHOTS.mkdir(exist_ok=True)
    ada = factories.facilitator("ada@example.org", name="Ada")
    other_collections()
    workshop = samples.build_collection(owner=ada)
    stories = [factories.story_of(g) for g in workshop.groups]

    # The facilitator reviews each story, tags it, then publishes the whole workshop.
    facilitator = new_context(viewport=DESKTOP).new_page()
    sign_in(facilitator, "ada@example.org")
    facilitator.goto(f"/workshops/{workshop.id}/publish")
    expect(facilitator.get_by_role("heading", level=1, name="Review and publish")).to_be_visible()
    expect(facilitator.get_by_role("region", name="Preview of Les Colibris")).to_contain_text(
        "la présence des autres"
    )
    assert_accessible(facilitator)
    for story, sample in zip(stories, samples.SAMPLES, strict=True):
        section = facilitator.locator(f"#story-{story.id}")
        section.get_by_label("Themes").fill(", ".join(sample.themes))
        section.get_by_role("button", name="Save without publishing").click()
        expect(
            facilitator.get_by_text("Saved. The story is not published until you publish it.")
        ).to_be_visible()
    facilitator.get_by_role("button", name="Publish all stories").click()
    expect(facilitator.get_by_text("3 stories are published.")).to_be_visible()
    expect(facilitator.get_by_text("3 of 3 stories are public")).to_be_visible()
    assert_accessible(facilitator)
    facilitator.screenshot(path=str(SHOTS / "reader-review.png"))

    # An anonymous reader, in another browser, finds the collection in the gallery.
    reader = new_context(viewport=DESKTOP).new_page()
    reader.goto("/")
    reader.get_by_role("navigation", name="Main").get_by_role("link", name="Stories").click()
    expect(reader.get_by_role("heading", level=1, name="Read the futures imagined together")).to_be_visible()
    cards = reader.locator(".collection-card")
    expect(cards.first).to_contain_text("La santé en 2040")  # the newest collection first
    expect(cards.first).to_contain_text("3 stories")
    assert_accessible(reader)
    reader.screenshot(path=str(SHOTS / "reader-gallery.png"))
    reader.screenshot(path=str(SHOTS / "reader-gallery-full.png"), full_page=True)

    # A search without the accent finds "santé".
    reader.get_by_label("Search the stories").fill("sante quartier")
    reader.get_by_label("Search the stories").press("Enter")
    expect(reader.get_by_role("heading", level=2, name=re.compile(r"\d+ stor(y|ies) found"))).to_be_visible()
    expect(reader.locator(".story-card").first).to_contain_text("La Maison des communs")
    assert_accessible(reader)

    # Reading a story.
    reader.get_by_role("link", name="La Maison des communs").click()
    expect(reader.get_by_role("heading", level=1, name="La Maison des communs")).to_be_visible()
    expect(reader.get_by_text("By Awa Diop, Julien Marchand and Inès Benali")).to_be_visible()
    expect(reader.locator(".story__body blockquote")).to_contain_text("la présence des autres")
    assert reader.locator('meta[property="og:title"]').get_attribute("content") == "La Maison des communs"
    assert_accessible(reader)
    reader.screenshot(path=str(SHOTS / "reader-story-desktop.png"))
    inspiring = reader.get_by_role("button", name=re.compile("Inspiring"))
    inspiring.click()
    expect(reader.get_by_text("Thank you for your reaction.")).to_be_visible()
    expect(reader.get_by_role("button", name=re.compile("Inspiring"))).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(reader.get_by_role("button", name=re.compile("Inspiring"))).to_contain_text("1")
    reader.get_by_role("link", name=re.compile("Next story")).click()
    expect(reader.get_by_role("heading", level=1, name="L’ordonnance verte")).to_be_visible()

    # The collection, its anthologies and its feed.
    reader.locator(".story__kicker").get_by_role("link", name="La santé en 2040").click()
    expect(reader.get_by_role("heading", level=1, name="La santé en 2040")).to_be_visible()
    assert_accessible(reader)
    reader.screenshot(path=str(SHOTS / "reader-collection.png"))
    with reader.expect_download() as epub_download:
        reader.get_by_role("link", name="Anthology (EPUB)").click()
    epub = tmp_path / epub_download.value.suggested_filename
    epub_download.value.save_as(epub)
    assert epub.name == "la-sante-en-2040.epub"
    with zipfile.ZipFile(epub) as book:
        assert book.testzip() is None
        assert book.read("mimetype") == b"application/epub+zip"
        chapters = sorted(n for n in book.namelist() if re.fullmatch(r"EPUB/story-\d+\.xhtml", n))
        texts = [book.read(name).decode() for name in chapters]
    assert len(texts) == 3
    assert "Le mardi, à Nantes" in texts[0]
    assert "Le docteur Haddad a sorti son bloc" in texts[1]
    assert "Sur le plateau de Millevaches" in texts[2]
    assert_valid_epub(epub)

    with reader.expect_download() as pdf_download:
        reader.get_by_role("link", name="Anthology (PDF)").click()
    anthology = tmp_path / "anthology.pdf"
    pdf_download.value.save_as(anthology)
    assert anthology.read_bytes().startswith(b"%PDF-")
    text = pdf_text(anthology.read_bytes())
    assert "La Maison des communs" in text
    assert "C’est la factrice qui l’a signalé, en 2038" in text
    assert "Élise conduit le car et connaît tout le monde" in text
    pdf_page_png(anthology, 1, SHOTS / "reader-anthology-cover.png")
    pdf_page_png(anthology, 3, SHOTS / "reader-anthology-page.png")

    feed_url = reader.locator('link[rel="alternate"][type="application/atom+xml"]').last.get_attribute("href")
    response = reader.request.get(feed_url)
    assert response.ok
    feed = ElementTree.fromstring(response.body())  # noqa: S314 - our own server's output
    titles = [e.findtext("a:title", namespaces=ATOM) for e in feed.findall("a:entry", ATOM)]
    assert sorted(titles) == sorted(
        ["La Maison des communs", "L’ordonnance verte", "Le car de santé du plateau"]
    )

    # The same story on a phone.
    phone = new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True).new_page()
    phone.goto(f"/stories/{stories[0].id}")
    expect(phone.get_by_role("heading", level=1, name="La Maison des communs")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    assert_accessible(phone)
    phone.screenshot(path=str(SHOTS / "reader-story-phone.png"))


def test_print_stylesheet_keeps_only_the_story(new_context: Any, app_ctx: Any) -> None:
    workshop = samples.build_collection(samples=[samples.JARDIN])
    with committed():
        story = samples.publish(factories.story_of(workshop.groups[0]), samples.JARDIN)
    page = new_context().new_page()
    page.goto(f"/stories/{story.id}")
    page.emulate_media(media="print")
    for hidden in (".site-header", ".reactions", ".downloads-box", ".site-footer"):
        assert not page.locator(hidden).is_visible(), hidden
    expect(page.get_by_role("heading", level=1, name="L’ordonnance verte")).to_be_visible()
    expect(page.locator(".story__body")).to_contain_text("trois après-midi par semaine")
