"""The retention period on a workshop's edit page, in real Chromium (axe-checked, on a desktop and a phone):
a bad value is refused with its reason next to the field, a good one is saved, and the page says when the
workshop's data will be erased, in English and in French."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from extensions import db
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, sign_in
from workshops.models import Workshop

pytestmark = pytest.mark.e2e


def test_a_facilitator_sets_the_workshops_retention_period(new_context: Any, app_ctx: Any) -> None:
    owner = factories.facilitator("ada@example.org", name="Ada")
    ended = datetime(2026, 3, 2, 10, tzinfo=UTC)
    workshop = factories.workshop(owner, title="Health in 2040", status="finished", finished_at=ended)
    workshop_id = workshop.id
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, "ada@example.org")
    page.goto(f"/workshops/{workshop_id}#retention")
    section = page.locator("#retention")
    expect(section.get_by_role("heading", name="Keeping data")).to_be_visible()
    expect(section).to_contain_text("To be erased on Mar 2, 2027.")  # 365 days, the default

    field = section.get_by_label("Days kept after the workshop ends")
    field.fill("-5")
    section.get_by_role("button", name="Save").click()
    expect(page.locator("#retention-days-error")).to_have_text(
        "Enter a whole number of days from 1 to 3650, or leave the field empty for the default."
    )
    expect(field).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    SHOTS.mkdir(exist_ok=True)
    section.screenshot(path=str(SHOTS / "retention-error-desktop.png"))

    field.fill("90")
    section.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Retention saved.")).to_be_visible()
    expect(page.locator("#retention")).to_contain_text("To be erased on May 31, 2026.")
    db.session.expire_all()
    assert db.session.get(Workshop, workshop_id).retention_days == 90  # type: ignore[union-attr]
    page.screenshot(path=str(SHOTS / "retention-desktop.png"), full_page=True)

    phone = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(phone, "ada@example.org")
    phone.goto(f"/workshops/{workshop_id}")
    phone.locator("#retention").scroll_into_view_if_needed()
    expect(phone.locator("#retention-days")).to_have_value("90")
    phone.locator("#retention").screenshot(path=str(SHOTS / "retention-phone.png"))
    phone.screenshot(path=str(SHOTS / "retention-phone-page.png"), full_page=True)
    assert ended + timedelta(days=90) == datetime(2026, 5, 31, 10, tzinfo=UTC)

    page.get_by_role("button", name="Français").click()
    page.goto(f"/workshops/{workshop_id}#retention")
    section = page.locator("#retention")
    expect(section.get_by_role("heading", name="Conservation des données")).to_be_visible()
    expect(section.get_by_label("Jours de conservation après la fin de l’atelier")).to_have_value("90")
    expect(section).to_contain_text("Effacement prévu le 31 mai 2026.")
    section.screenshot(path=str(SHOTS / "retention-fr.png"))
