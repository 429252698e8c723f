"""Locks in real Chromium (issue 28, defects 1 and 2): "Unlock" during a phase whose agenda keeps the editors
closed opens them until the next phase, and the console shows what participants get; an edit that a lock
refuses is not kept on one screen only (screenshots under screenshots/)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.pages import DESKTOP, SHOTS, join, sign_in
from tests.e2e.test_coediting import editor, text_of, wait_for_same_text

pytestmark = pytest.mark.e2e

PHASES = [
    {"title": "Cross-reading", "duration_seconds": 600, "editors_open": False, "visibility": "next"},
    {"title": "Revise", "duration_seconds": 600, "editors_open": True},
]


def console_of(new_context: Any, owner: Any, workshop_id: int) -> Any:
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, owner.email)
    console.goto(f"/workshops/{workshop_id}/console")
    expect(console.locator("[data-console]")).to_have_attribute("data-connection", "connected")
    return console


def test_unlock_opens_a_phase_that_the_agenda_locks_and_the_console_says_so(
    new_context: Any, app_ctx: Any
) -> None:
    SHOTS.mkdir(exist_ok=True)
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1, phases=PHASES)
    factories.story_text(factories.story_of(workshop.groups[0]), "The square has a garden.")
    console = console_of(new_context, owner, workshop.id)
    ada = join(new_context, workshop.join_code, "Ada", viewport=DESKTOP)
    bea = join(new_context, workshop.join_code, "Bea", viewport=DESKTOP)
    card = console.locator("[data-group-card]")
    pill = card.locator("[data-group-lock-state]")

    # Cross-reading keeps the editors closed: the console says so, not "Open".
    expect(ada.locator("[data-writing-state]")).to_have_text("The editor is closed for now.")
    expect(editor(ada)).to_have_attribute("contenteditable", "false")
    expect(pill).to_have_text("Closed by this phase")
    expect(card.locator("[data-group-lock]")).to_contain_text("Unlock")

    console.get_by_role("button", name="Unlock all").click()
    expect(console.locator("[data-feedback]")).to_have_text("Every editor is open.")
    expect(pill).to_have_text("Open until the next phase")
    for page in (ada, bea):
        expect(page.locator("[data-writing-state]")).to_have_attribute("data-writable", "true")
        expect(page.locator("[data-writing-state]")).to_have_text(
            "The facilitator has opened the editor until the next phase."
        )
    expect(editor(ada)).to_have_attribute("contenteditable", "true")
    console.screenshot(path=str(SHOTS / "locks-console-after-unlock.png"), full_page=True)

    # Two more minutes of writing: what Ada types is kept, and Bea sees it.
    editor(ada).click()
    ada.keyboard.press("Control+End")
    ada.keyboard.type(" And a bench.")
    expect(ada.locator("[data-editor-status]")).to_have_attribute("data-save", "saved")
    wait_for_same_text([ada, bea], "The square has a garden. And a bench.")

    # The group's lock on its card closes it again, for the console and for Ada alike.
    card.locator("[data-group-lock]").click()
    expect(pill).to_have_text("Locked")
    expect(ada.locator("[data-writing-state]")).to_have_text("The facilitator has paused writing.")
    expect(editor(ada)).to_have_attribute("contenteditable", "false")
    # Its unlock opens it again; the next phase opens the editors by its agenda.
    card.locator("[data-group-lock]").click()
    expect(pill).to_have_text("Open until the next phase")
    console.get_by_role("button", name="Next phase").click()
    expect(pill).to_have_text("Open")
    expect(ada.locator("[data-writing-state]")).to_have_text("You can write.")
    assert text_of(bea) == "The square has a garden. And a bench."
