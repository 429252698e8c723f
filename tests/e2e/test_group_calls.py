"""Calling the facilitator (issue 28), in real Chromium: a participant on a phone presses "Call the
facilitator", the console highlights the group's card with the time of the call, the facilitator answers and
both screens say so. Screenshots of the console with a call raised and of the phone (SHOTS)."""

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


def test_a_group_calls_the_facilitator_who_answers(new_context: Any, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=3)
    console = console_of(new_context, owner, workshop.id)
    phone = join(new_context, workshop.join_code, "Émilie", viewport=PHONE)
    group = phone.locator("[data-group-name]").inner_text()
    cards = console.locator("[data-group-card]")
    calling = console.locator("[data-group-card]", has=console.get_by_role("heading", name=group, exact=True))
    expect(cards.locator('[data-called="true"]')).to_have_count(0)
    expect(calling).to_have_attribute("data-called", "false")

    expect(phone.locator("[data-participant-view]")).to_have_attribute("data-connection", "connected")
    button = phone.get_by_role("button", name="Call the facilitator")
    button.click()
    state = phone.locator("[data-call-state]")
    expect(state).to_contain_text("The facilitator is called (since ")
    expect(button).to_be_disabled()

    expect(calling).to_have_attribute("data-called", "true")
    expect(calling.locator("[data-group-call-text]")).to_have_text(
        re.compile(rf"^{re.escape(group)} is calling you, since \d\d:\d\d")
    )
    expect(console.locator('[data-group-card][data-called="true"]')).to_have_count(1)  # that group only
    expect(console.locator("[data-feedback]")).to_have_text(f"{group} is calling you.")
    SHOTS.mkdir(exist_ok=True)
    console.screenshot(path=str(SHOTS / "console-call-raised.png"))
    phone.screenshot(path=str(SHOTS / "participant-phone-called.png"), full_page=True)
    assert_accessible(console)
    assert_accessible(phone)

    # A reload of the console still shows the call.
    console.reload()
    expect(calling).to_have_attribute("data-called", "true")
    expect(console.locator("[data-console]")).to_have_attribute("data-connection", "connected")
    calling.get_by_role("button", name=f"Answer {group}").click()
    expect(calling).to_have_attribute("data-called", "false")
    expect(calling.locator("[data-group-call]")).to_be_hidden()
    expect(state).to_have_text("The facilitator has answered your group's call.")
    expect(button).to_be_enabled()
