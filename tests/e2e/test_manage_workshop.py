"""A facilitator prepares a workshop in real Chromium: sign in, create from the template, rename a phase,
reorder, add a group, invite a co-facilitator; axe checks every page on the way."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import sign_in

pytestmark = pytest.mark.e2e


def phase_titles(page: Any) -> list[str]:
    return [" ".join(t.split()) for t in page.locator(".phase__title").all_text_contents()]


def test_prepare_a_workshop(page: Any, app_ctx: Any) -> None:
    factories.facilitator("ada@example.org", name="Ada")
    factories.facilitator("sam@example.org", name="Sam Diallo")

    sign_in(page, "ada@example.org")
    page.get_by_role("link", name="My workshops").first.click()
    page.wait_for_url("**/workshops")
    expect(page.get_by_text("No workshop yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="New workshop").click()
    assert_accessible(page)
    page.get_by_role("button", name="Create the workshop").click()  # empty: errors, announced
    expect(page.get_by_role("alert")).to_be_visible()
    assert page.get_by_label("Title").get_attribute("aria-invalid") == "true"
    assert_accessible(page)

    page.get_by_label("Title").fill("Health in 2040")
    page.get_by_label("The question of the workshop").fill("In 2040, how do we take care of each other?")
    page.get_by_label("Language of the workshop").select_option("en")
    page.get_by_label("Bright Mirror").check()
    page.get_by_label("Number of groups").fill("3")
    page.get_by_role("button", name="Create the workshop").click()
    expect(page.get_by_role("heading", level=1, name="Health in 2040")).to_be_visible()
    edit_url = page.url
    expect(page.get_by_text("Your workshop is ready.")).to_be_visible()
    assert phase_titles(page)[:3] == [
        "Phase 1: Welcome and framing",
        "Phase 2: Signals",
        "Phase 3: Imagine the world",
    ]
    assert_accessible(page)

    # Rename a phase: open it, change the title, save.
    signals = page.locator(".phase").nth(1)
    signals.locator(".phase__summary").click()
    signals.get_by_label("Title").fill("Weak signals")
    signals.get_by_label("Minutes").fill("25")
    assert_accessible(page)  # with a phase's form open
    signals.get_by_role("button", name="Save the phase").click()
    expect(page.get_by_text("Phase saved.")).to_be_visible()
    expect(page.locator(".phase__title").nth(1)).to_have_text("Phase 2: Weak signals")
    assert "25 min" in page.locator(".phase").nth(1).inner_text()

    # A bad duration is refused next to the field, the phase stays open.
    signals = page.locator(".phase").nth(1)
    signals.locator(".phase__summary").click()
    signals.get_by_label("Minutes").fill("0")
    signals.get_by_role("button", name="Save the phase").click()
    expect(page.get_by_text("Enter a number from 1 to 480.")).to_be_visible()
    assert_accessible(page)

    # Reorder: move it down below "Imagine the world".
    page.goto(edit_url)
    page.get_by_role("button", name="Move “Weak signals” down").click()
    expect(page.locator(".phase__title").nth(2)).to_have_text("Phase 3: Weak signals")
    assert phase_titles(page)[1:3] == ["Phase 2: Imagine the world", "Phase 3: Weak signals"]

    # Add a group.
    page.get_by_role("button", name="Add a group").click()
    expect(page.get_by_text("Group added")).to_be_visible()
    expect(page.get_by_label("Name of group 4")).to_have_value("Group 4")

    # Invite a co-facilitator, after one wrong email.
    page.get_by_label("Email of their facilitator account").fill("nobody@example.org")
    page.get_by_role("button", name="Invite a co-facilitator").click()
    expect(page.get_by_text("No facilitator account uses this email.")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Email of their facilitator account").fill("sam@example.org")
    page.get_by_role("button", name="Invite a co-facilitator").click()
    expect(page.get_by_text("Sam Diallo can now run this workshop with you.")).to_be_visible()
    expect(page.locator("#facilitators .people__name", has_text="Sam Diallo")).to_be_visible()
    expect(page.get_by_role("button", name="Remove Sam Diallo")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="My workshops").first.click()
    card = page.locator(".workshop-card", has_text="Health in 2040")
    assert "8 phases" in card.inner_text()
    assert_accessible(page)
