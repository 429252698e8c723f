"""A participant whose phone died comes back as themselves (issue 28, item 10), in real Chromium: the
console hands a rejoin link and its QR code, another browser opens the link and writes in the same story
under the same name; the link then works no more. Screenshots under screenshots/ (SHOTS)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import PHONE, SHOTS, join
from tests.e2e.test_coediting import editor, text_of
from tests.e2e.test_facilitators_day import console_of

pytestmark = pytest.mark.e2e


def test_a_rejoin_link_brings_a_participant_back_on_another_device(new_context: Any, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1)
    console = console_of(new_context, owner, workshop.id)
    phone = join(new_context, workshop.join_code, "Émilie", viewport=PHONE)
    friend = join(new_context, workshop.join_code, "Ada")
    group = phone.locator("[data-group-name]").inner_text()
    expect(editor(phone)).to_have_attribute("contenteditable", "true")
    editor(phone).click()
    phone.keyboard.type("The clinic opens at night.")
    expect(phone.locator("[data-editor-status]")).to_have_attribute("data-save", "saved")
    phone.context.close()  # the phone dies

    console.get_by_role("button", name="Rejoin link for Émilie").click()
    dialog = console.locator("[data-rejoin-dialog]")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Rejoin link for Émilie")
    expect(dialog.locator("svg.qr")).to_be_visible()
    url = dialog.locator("[data-rejoin-url]").get_attribute("href")
    assert url
    assert "/rejoin/" in url
    SHOTS.mkdir(exist_ok=True)
    console.screenshot(path=str(SHOTS / "console-rejoin-dialog.png"))
    assert_accessible(console)
    dialog.get_by_role("button", name="Close").click()
    expect(dialog).to_be_hidden()

    laptop = new_context().new_page()
    laptop.goto(url)
    laptop.get_by_role("button", name="Continue as Émilie").click()
    laptop.wait_for_url(f"**/w/{workshop.id}")
    expect(laptop.locator("[data-group-name]")).to_have_text(group)
    expect(laptop.locator("[data-participant-view]")).to_have_attribute("data-user-name", "Émilie")
    expect(editor(laptop)).to_contain_text("The clinic opens at night.")
    expect(editor(laptop)).to_have_attribute("contenteditable", "true")
    editor(laptop).click()
    laptop.keyboard.press("Control+End")
    laptop.keyboard.type(" Buses carry the doctors.")
    expected = "The clinic opens at night. Buses carry the doctors."
    expect(laptop.locator("[data-editor-status]")).to_have_attribute("data-save", "saved")
    expect(editor(friend)).to_contain_text(expected)  # her group sees it live
    assert text_of(laptop) == expected
    # The roster still has one Émilie, not a second one.
    expect(console.locator(".roster__name", has_text="Émilie")).to_have_count(1)

    # Used once, the link lets nobody else in.
    other = new_context().new_page()
    other.goto(url)
    expect(other.get_by_role("heading", name="This link no longer works")).to_be_visible()
