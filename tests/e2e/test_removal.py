"""Removing a participant from the console, in real Chromium: a confirmation first, then their screen says
so, their connection is closed, and a reload no longer lets them in. Screenshots go under screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from core.unit_of_work import committed
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, SHOTS, join, sign_in
from tests.server import ServerProcess
from workshops import management

pytestmark = pytest.mark.e2e


def test_the_facilitator_removes_a_participant_after_confirming(
    new_context: Any, live_server: ServerProcess, app_ctx
) -> None:
    owner = factories.facilitator()
    with committed():
        workshop = management.create_workshop(
            owner, "Health in 2040", "What does care look like?", language="en"
        )
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, owner.email)
    console.goto(f"/workshops/{workshop.id}/console")
    ada = join(new_context, workshop.join_code, "Ada")
    troll = join(new_context, workshop.join_code, "Troll")
    expect(console.locator('[data-member-id][data-connected="true"]')).to_have_count(2)

    troll_option = console.locator("[data-move-participant] option", has_text="Troll")  # "Troll — Group N"
    console.get_by_label("Participant", exact=True).select_option(value=troll_option.get_attribute("value"))
    remove = console.get_by_role("button", name="Remove from the workshop")
    # Cancelling the confirmation changes nothing.
    dialogs: list[str] = []

    def dismiss(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    console.once("dialog", dismiss)
    remove.click()
    expect(console.locator("[data-roster]").first).to_contain_text("Ada")
    assert len(dialogs) == 1
    assert "Troll" in dialogs[0]
    expect(console.locator('[data-member-id][data-connected="true"]')).to_have_count(2)

    console.once("dialog", lambda dialog: dialog.accept())
    remove.click()
    expect(console.locator("[data-feedback]")).to_contain_text("Troll is removed from the workshop.")
    expect(console.locator("[data-roster]", has_text="Troll")).to_have_count(0)
    expect(console.locator('[data-member-id][data-connected="true"]')).to_have_count(1)
    expect(troll.locator("[data-notice]")).to_have_text("The facilitator has removed you from this workshop.")
    expect(troll.locator("[data-participant-view]")).to_have_attribute("data-connection", "removed")
    expect(ada.locator("[data-members]")).not_to_contain_text("Troll")

    SHOTS.mkdir(exist_ok=True)
    console.screenshot(path=str(SHOTS / "console-removed.png"), full_page=True)
    troll.screenshot(path=str(SHOTS / "participant-removed.png"))
    assert_accessible(console)

    troll.reload()
    expect(troll).to_have_url(f"{live_server.url}/join")
