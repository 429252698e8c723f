"""A group's own time (issue 28), in real Chromium: the facilitator gives one group two more minutes from
its card; that group's timer shows its own deadline and says why, the other group's clock does not move, the
card says until when, and the next phase ends it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import PHONE, SHOTS, join
from tests.e2e.test_facilitators_day import console_of

pytestmark = pytest.mark.e2e


def minutes_left(page: Any) -> int:
    """The minutes of the page's countdown ("16:58" → 16)."""
    return int(page.locator("[data-timer-value]").first.inner_text().split(":")[0])


def test_one_group_gets_two_more_minutes_and_the_next_phase_ends_them(new_context: Any, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2)  # running, 15 minutes left
    console = console_of(new_context, owner, workshop.id)
    ada = join(new_context, workshop.join_code, "Ada", viewport=PHONE)
    bob = join(new_context, workshop.join_code, "Bob")
    group = ada.locator("[data-group-name]").inner_text()
    assert bob.locator("[data-group-name]").inner_text() != group
    expect(ada.locator("[data-timer-value]").first).to_have_text(re.compile(r"^1[45]:\d\d$"))

    card = console.locator("[data-group-card]", has=console.get_by_role("heading", name=group, exact=True))
    card.get_by_role("button", name=f"+2 min for {group} only").click()
    expect(console.locator("[data-feedback]")).to_have_text(f"2 min more for {group} only.")
    expect(card.locator("[data-group-time]")).to_have_text(
        re.compile(r"^Own time: writes until \d\d:\d\d( [AP]M)? \(2 min more than the others\)\.$")
    )
    own_time = "Your group has 2 min more than the others in this phase."
    expect(ada.locator("[data-own-time]")).to_have_text(own_time)
    expect(ada.locator("[data-timer-value]").first).to_have_text(re.compile(r"^1[67]:\d\d$"))
    assert minutes_left(ada) >= 16
    assert minutes_left(bob) <= 14  # everyone else's clock did not move
    expect(bob.locator("[data-own-time]")).to_have_text("")
    expect(console.locator("[data-timer-value]").first).to_have_text(re.compile(r"^1[45]:\d\d$"))
    SHOTS.mkdir(exist_ok=True)
    console.screenshot(path=str(SHOTS / "console-group-time.png"))
    ada.screenshot(path=str(SHOTS / "participant-phone-own-time.png"))
    assert_accessible(console)
    assert_accessible(ada)

    console.get_by_role("button", name="Next phase").click()
    expect(console.locator("[data-phase-step]").first).to_have_text("Phase 2 of 2")
    expect(card.locator("[data-group-time]")).to_have_text("")
    expect(ada.locator("[data-own-time]")).to_have_text("")
    expect(ada.locator("[data-timer-value]").first).to_have_text(re.compile(r"^(10:00|9:\d\d)$"))
