"""The screens a facilitator projects for the room (wall, share screen, reading mode) in real Chromium: they
speak the workshop's language whatever the facilitator's, and the wall's message reads from the back of the
room beside the timer (issue 28, defects 5 and 13). Screenshot: screenshots/wall-french.png."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import SHOTS, sign_in

pytestmark = pytest.mark.e2e

ENGLISH = {"locale": "en-GB", "extra_http_headers": {"Accept-Language": "en-GB,en;q=0.9"}}
MESSAGE = "Le café est dans le hall\u00a0: retour à 11 h."


def font_px(page: Any, selector: str) -> float:
    return float(page.locator(selector).evaluate("node => parseFloat(getComputedStyle(node).fontSize)"))


def test_the_wall_of_a_french_workshop_speaks_french_to_an_english_facilitator(
    new_context: Any, app_ctx
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(
        owner,
        language="fr",
        title="La santé en 2040",
        groups=1,
        broadcast=MESSAGE,
        phases=[{"title": "Écrire le récit", "duration_seconds": 900, "editors_open": True}],
    )
    story = factories.story_of(workshop.groups[0])
    for name in ("Alice", "David", "Gaëlle"):
        writer, _ = factories.participant(workshop.groups[0], name)
        factories.story_text(story, f"{name} écrit un paragraphe.\n\n", author=writer)

    context = new_context(viewport={"width": 1920, "height": 1080}, **ENGLISH)
    page = context.new_page()
    sign_in(page, owner.email)  # an English session: the console stays in English
    page.goto(f"/workshops/{workshop.id}/console")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.goto(f"/workshops/{workshop.id}/wall")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("[data-phase-title]")).to_have_text("Écrire le récit")
    expect(page.locator("[data-timer-label]")).to_have_text("restant")  # kept live by the scripts
    expect(page.locator(".broadcast__label")).to_have_text("Message de l’animateur")
    expect(page.locator(".broadcast__text")).to_have_text(MESSAGE)
    expect(page.locator("[data-wall-join]")).to_contain_text("Rejoignez")
    expect(page.get_by_role("link", name="Mode lecture")).to_be_visible()
    # The message is prominent: at least a third of the timer's digits, and large on a 1080p projector.
    message, digits = font_px(page, ".broadcast__text"), font_px(page, "[data-timer-value]")
    assert message >= 48, message
    assert message >= digits / 3, (message, digits)
    assert_accessible(page)
    page.mouse.move(0, 0)
    page.wait_for_timeout(300)
    page.screenshot(path=str(SHOTS / "wall-french.png"))

    page.goto(f"/workshops/{workshop.id}/share")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_text("Scannez pour rejoindre l’atelier")).to_be_visible()

    page.goto(f"/workshops/{workshop.id}/read-aloud")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("[data-reading]")).to_have_attribute("data-enhanced", "true")
    expect(page.locator("[data-reading-position]")).to_have_text("Récit 1 sur 1")
    expect(page.locator(".reading__byline")).to_have_text("Par Alice, David et Gaëlle")
