"""An organiser builds a consultation in real Chromium: sign in, create it (errors first), add three
workshops of four groups at once (a bad number first), then readers open its public collection on a
desktop and on a phone, search it and filter it by theme. axe checks the pages; screenshots go to
screenshots/ (look at them)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from consultations.models import Consultation
from core.unit_of_work import committed
from extensions import db
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, sign_in
from tests.stories import samples
from workshops.models import Workshop

pytestmark = pytest.mark.e2e


def test_an_organiser_creates_a_consultation_and_readers_open_its_collection(
    page: Any, new_context: Any, app_ctx: Any
) -> None:
    factories.facilitator("ada@example.org", name="Ada")
    page.set_viewport_size(DESKTOP)
    sign_in(page, "ada@example.org")
    page.get_by_role("link", name="My workshops").first.click()
    page.get_by_role("link", name="My consultations").click()
    expect(page.get_by_text("No consultation yet.")).to_be_visible()
    page.get_by_role("link", name="New consultation").click()
    assert_accessible(page)

    page.get_by_role("button", name="Create the consultation").click()  # empty: errors, announced
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_label("Title").get_attribute("aria-invalid") == "true"
    assert page.get_by_label("Public address").get_attribute("aria-invalid") == "true"

    page.get_by_label("Title").fill("Health in 2040")
    page.get_by_label("The question of the consultation").fill("In 2040, how do we take care of each other?")
    page.get_by_label("Description (Markdown)").fill(
        "A **regional** consultation on care, run by the county."
    )
    page.get_by_label("Language of the consultation").select_option("en")
    page.get_by_label("Public address").fill("health-2040")
    page.get_by_label("Themes (optional)").fill("care\nhousing\nwork")
    page.get_by_label("First day (optional)").fill("2027-03-01")
    page.get_by_label("Last day (optional)").fill("2027-04-05")
    page.get_by_role("button", name="Create the consultation").click()
    expect(page.get_by_role("heading", level=1, name="Health in 2040")).to_be_visible()
    expect(page.get_by_text("Your consultation is ready.")).to_be_visible()

    batch = page.locator("form", has=page.get_by_role("heading", name="Many workshops at once"))
    batch.get_by_label("Number of workshops").fill("101")
    batch.get_by_label("Groups in each workshop").fill("4")
    batch.get_by_role("button", name="Create the workshops").click()
    expect(page.get_by_text("Enter a number from 1 to 100.")).to_be_visible()
    assert_accessible(page)

    batch = page.locator("form", has=page.get_by_role("heading", name="Many workshops at once"))
    batch.get_by_label("Number of workshops").fill("3")
    batch.get_by_label("Groups in each workshop").fill("4")
    batch.get_by_role("button", name="Create the workshops").click()
    expect(page.get_by_text("3 workshops added.")).to_be_visible()
    rows = page.locator(".consultation-workshops tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2).locator("th")).to_have_text("Health in 2040 3")
    assert_accessible(page)
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "consultation-organiser-desktop.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(SHOTS / "consultation-organiser-phone.png"), full_page=True)

    # The workshops ran: two of them published stories (a third story stays a draft).
    db.session.expire_all()
    consultation = db.session.scalar(select(Consultation).where(Consultation.slug == "health-2040"))
    workshops = db.session.scalars(select(Workshop).where(Workshop.consultation_id == consultation.id)).all()
    assert [len(w.groups) for w in workshops] == [4, 4, 4]
    first = samples.build_collection(
        samples=[samples.MAISON, samples.JARDIN], consultation_id=consultation.id
    )
    second = samples.build_collection("Vieillir", samples=[samples.CAR], consultation_id=consultation.id)
    for workshop, sample in [(first, samples.MAISON), (first, samples.JARDIN), (second, samples.CAR)]:
        group = next(g for g in workshop.groups if g.name == sample.group)
        with committed():
            samples.publish(factories.story_of(group), sample)

    reader = new_context(viewport=DESKTOP).new_page()
    reader.goto("/c/health-2040")
    expect(reader.get_by_role("heading", level=1, name="Health in 2040")).to_be_visible()
    expect(reader.locator(".story-card")).to_have_count(3)
    expect(reader.locator(".consultation-description strong")).to_have_text("regional")
    assert_accessible(reader)
    reader.screenshot(path=str(SHOTS / "consultation-public-desktop.png"), full_page=True)

    phone = new_context(viewport=PHONE, is_mobile=True, has_touch=True).new_page()
    phone.goto("/c/health-2040")
    phone.get_by_label("Search the stories of this consultation").fill("ordonnance")
    phone.get_by_role("button", name="Search").click()
    expect(phone.get_by_text("1 story found")).to_be_visible()
    expect(phone.locator(".story-card")).to_have_count(1)
    phone.get_by_role("link", name="Show every story").click()
    expect(phone.locator(".story-card")).to_have_count(3)
    assert_accessible(phone)
    phone.screenshot(path=str(SHOTS / "consultation-public-phone.png"), full_page=True)
    has_overflow = phone.evaluate("document.documentElement.scrollWidth > window.innerWidth")
    assert not has_overflow

    french = new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True).new_page()
    french.goto("/c/health-2040")
    expect(french.get_by_text("Récits publiés")).to_be_visible()
    french.screenshot(path=str(SHOTS / "consultation-public-phone-fr.png"), full_page=True)
