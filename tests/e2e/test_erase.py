"""Erasing a participant from the console, in real Chromium: a dialog says what will happen, cancelling
changes nothing; after the erase their open page says they were removed and erased, its connection is
closed and the browser's copy of the drafts (y-indexeddb) is deleted, not only closed. Screenshots of the
dialog and of the audit page go under screenshots/ (desktop and phone)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from extensions import db
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, join, sign_in
from tests.server import ServerProcess
from workshops.join_codes import new_join_code
from workshops.models import Participant

pytestmark = pytest.mark.e2e

DRAFTS = (
    "async () => (await indexedDB.databases()).map((d) => d.name).filter((n) => n.startsWith('plume-story-'))"
)


def test_an_erased_participants_page_closes_and_forgets_its_drafts(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1, join_code=new_join_code())
    workshop_id = workshop.id
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, owner.email)
    console.goto(f"/workshops/{workshop_id}/console")
    ada = join(new_context, workshop.join_code, "Ada")
    zoe = join(new_context, workshop.join_code, "Zoé Quillfeather")
    for page in (ada, zoe):
        expect(page.locator("[data-editor-status]")).to_have_attribute("data-connection", "connected")
    editor = zoe.locator("[data-story-editor] .cm-content")
    editor.click()
    zoe.keyboard.type("The lighthouse keeper sang.")
    expect(ada.locator("[data-story-editor] .cm-content")).to_contain_text("lighthouse keeper sang")
    zoe.wait_for_function(f"({DRAFTS})().then((found) => found.length > 0)")
    assert zoe.evaluate(DRAFTS), "the writer's browser keeps a copy of the draft"

    option = console.locator("[data-move-participant] option", has_text="Quillfeather")
    console.get_by_label("Participant", exact=True).select_option(value=option.get_attribute("value"))
    erase = console.get_by_role("button", name="Erase…")
    erase.click()
    dialog = console.locator("[data-erase-dialog]")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Zoé Quillfeather")
    expect(dialog).to_contain_text("This cannot be undone.")
    expect(dialog).to_contain_text("attributed to “a participant”")
    SHOTS.mkdir(exist_ok=True)
    console.screenshot(path=str(SHOTS / "console-erase-dialog.png"))
    assert_accessible(console)
    # Cancelling changes nothing.
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(zoe.locator("[data-participant-view]")).not_to_have_attribute("data-connection", "removed")

    erase.click()
    dialog.get_by_role("button", name="Erase them").click()
    expect(console.locator(".flash")).to_contain_text("The participant was erased.")
    view = zoe.locator("[data-participant-view]")
    expect(view).to_have_attribute("data-connection", "removed")
    expect(zoe.locator("[data-notice]")).to_contain_text("erased your name and messages")
    expect(view).to_have_attribute("data-drafts", "forgotten")
    assert zoe.evaluate(DRAFTS) == []
    zoe.screenshot(path=str(SHOTS / "participant-erased.png"))
    expect(console.locator("[data-roster]", has_text="Quillfeather")).to_have_count(0)
    expect(ada.locator("[data-story-editor] .cm-content")).to_contain_text("lighthouse keeper sang")
    db.session.expire_all()
    assert db.session.query(Participant).filter(Participant.display_name.like("%Quillfeather%")).count() == 0

    # The audit page says it, without the name, on a desktop and on a phone.
    console.get_by_role("link", name="Who did what").click()
    expect(console.locator("h1")).to_have_text("Who did what")
    expect(console.locator(".audit-table")).to_contain_text("erased a participant")
    assert "Quillfeather" not in console.content()
    console.screenshot(path=str(SHOTS / "audit-desktop.png"), full_page=True)
    assert_accessible(console)
    phone = new_context(viewport=PHONE).new_page()
    sign_in(phone, owner.email)
    phone.goto(f"/workshops/{workshop_id}/audit")
    expect(phone.locator(".audit-table")).to_contain_text("erased a participant")
    phone.screenshot(path=str(SHOTS / "audit-phone.png"), full_page=True)
    phone.goto(f"/workshops/{workshop_id}/console")
    option = phone.locator("[data-move-participant] option", has_text="Ada")
    phone.get_by_label("Participant", exact=True).select_option(value=option.get_attribute("value"))
    phone.get_by_role("button", name="Erase…").click()
    expect(phone.locator("[data-erase-dialog]")).to_be_visible()
    phone.screenshot(path=str(SHOTS / "console-erase-dialog-phone.png"))
