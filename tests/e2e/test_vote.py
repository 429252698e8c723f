"""The vote in real Chromium (issue 25): the organiser opens it; a participant who joined a workshop of the
consultation places three dots and moves one; the organiser's results follow without a reload (pushed
over Socket.IO: the page does not poll while its socket is up); the organiser closes the vote and the
results are public on /c/<slug>. axe checks the pages; screenshots on a desktop and a phone go to
screenshots/vote/ (look at them)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.consultations import vote_world
from tests.e2e import pages
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, join, sign_in

pytestmark = pytest.mark.e2e

SHOTS = pages.SHOTS / "vote"


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def story_row(page: Any, title: str) -> Any:
    return page.locator(".vote-story", has=page.get_by_role("link", name=title))


def test_a_participant_places_and_moves_dots_while_the_organiser_watches(
    page: Any, new_context: Any, app_ctx: Any
) -> None:
    world = vote_world.build(participants=0)
    maison, ordonnance, car, _veilleurs = vote_world.TITLES

    page.set_viewport_size(DESKTOP)
    sign_in(page, world.owner.email)
    page.goto(f"/consultations/{world.consultation.id}")
    page.get_by_role("link", name="Vote on the stories").click()
    assert_accessible(page)
    page.get_by_label("Dots per voter").fill("3")
    page.get_by_role("button", name="Open the vote").click()
    expect(page.get_by_text("The vote is open.")).to_be_visible()
    expect(page.locator("[data-vote-totals]")).to_have_text("0 voters · 0 dots placed")
    expect(page.locator("[data-vote-live]")).to_have_attribute("data-live", "true", timeout=20_000)
    polled: list[str] = []
    page.on("request", lambda request: polled.append(request.url) if "results.json" in request.url else None)
    assert_accessible(page)

    voter = join(new_context, world.workshop.join_code, "Awa")
    voter.set_viewport_size(DESKTOP)
    voter.goto("/c/sante-2040")
    voter.get_by_role("link", name="Vote", exact=True).click()
    expect(voter.get_by_role("heading", level=1, name="Vote on the stories")).to_be_visible()
    expect(voter.get_by_role("status")).to_have_text("0 of 3 dots placed")
    assert_accessible(voter)

    voter.get_by_role("button", name=f"Put a dot on “{maison}”").click()
    voter.get_by_role("button", name=f"Put a dot on “{maison}”").click()
    voter.get_by_role("button", name=f"Put a dot on “{ordonnance}”").click()
    expect(voter.get_by_role("status")).to_have_text("3 of 3 dots placed")
    expect(story_row(voter, maison).locator(".vote-dot:not(.vote-dot--empty)")).to_have_count(2)
    expect(voter.get_by_role("button", name=f"Put a dot on “{car}”")).to_be_disabled()  # none left
    shot(voter, "ballot-desktop")

    # The organiser's page follows without a reload.
    expect(page.locator("[data-vote-totals]")).to_have_text("1 voter · 3 dots placed", timeout=20_000)
    first = page.locator(".vote-results__line").first
    expect(first).to_contain_text(maison)
    expect(first).to_contain_text("2 dots")

    # Moving a dot: one from the Maison to the car.
    voter.get_by_role("button", name=f"Take a dot from “{maison}”").click()
    expect(voter.get_by_role("status")).to_have_text("2 of 3 dots placed")
    voter.get_by_role("button", name=f"Put a dot on “{car}”").click()
    expect(voter.get_by_role("status")).to_have_text("3 of 3 dots placed")
    for title in (maison, ordonnance, car):
        expect(story_row(voter, title).locator(".vote-dot:not(.vote-dot--empty)")).to_have_count(1)
    expect(page.locator(".vote-results__line", has_text=car)).to_contain_text("1 dot", timeout=20_000)
    expect(page.locator(".vote-results__line", has_text=maison)).to_contain_text("1 dot")
    shot(page, "organiser-live-desktop")
    assert polled == []  # pushed, not polled

    voter.set_viewport_size(PHONE)
    voter.reload()
    shot(voter, "ballot-phone")

    # In French, on a phone.
    lea = join(new_context, world.workshop.join_code, "Léa", locale="fr-FR", viewport=PHONE)
    lea.goto("/c/sante-2040/vote")
    lea.get_by_role("button", name="Français").click()
    expect(lea.get_by_role("heading", level=1, name="Voter pour les récits")).to_be_visible()
    lea.get_by_role("button", name=re.compile(f"^Placer une gommette sur .{{2}}{car}")).click()
    expect(lea.get_by_role("status")).to_have_text("Gommettes placées : 1 sur 3")
    assert_accessible(lea)
    shot(lea, "ballot-phone-fr")

    page.get_by_role("button", name="Close the vote").click()
    expect(page.get_by_text("The vote is closed. Its results are now public.")).to_be_visible()
    expect(page.get_by_role("button", name="Close the vote")).to_have_count(0)

    # The participant's buttons are gone; the results are public.
    voter.reload()
    expect(voter.get_by_role("heading", name="Results of the vote")).to_be_visible()
    expect(voter.get_by_role("button", name=f"Put a dot on “{car}”")).to_have_count(0)
    reader = new_context().new_page()
    reader.set_viewport_size(DESKTOP)
    reader.goto("/c/sante-2040")
    results = reader.locator("#vote")
    expect(results.get_by_role("heading", name="Results of the vote")).to_be_visible()
    expect(results.locator(".vote-results__line")).to_have_count(4)
    expect(results.locator("[class=vote-totals]")).to_have_text("2 voters · 4 dots placed")
    assert_accessible(reader)
    results.scroll_into_view_if_needed()
    shot(reader, "public-results-desktop")
    reader.set_viewport_size(PHONE)
    shot(reader, "public-results-phone")
    page.set_viewport_size(PHONE)
    shot(page, "organiser-closed-phone")
