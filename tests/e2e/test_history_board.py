"""The board after each phase on the history page, in real Chromium: a group's cards through Signals,
Imagine the world and Write, each phase's board in its columns, most voted first, the hostile card shown as
text; axe finds nothing. Screenshots (desktop and a 390×844 phone): screenshots/history-board-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, sign_in
from tests.server import ServerProcess
from tests.stories.boards import BUSES, HOSTILE, ROOFTOP, board_story

pytestmark = pytest.mark.e2e


def test_the_history_shows_the_board_after_each_phase(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    owner = factories.facilitator()
    s = board_story(owner)
    SHOTS.mkdir(exist_ok=True)
    for name, options in (
        ("desktop", {"viewport": DESKTOP}),
        ("phone", {"viewport": PHONE, "is_mobile": True}),
    ):
        page = new_context(**options).new_page()
        dialogs: list[str] = []
        page.on("dialog", lambda d, seen=dialogs: (seen.append(d.message), d.dismiss()))
        sign_in(page, owner.email)
        page.goto(f"/stories/{s.story.id}/history")
        signals = page.locator("section.checkpoint").nth(0).locator("[data-board-after]")
        expect(signals.locator(".history-board__column")).to_have_count(2)
        first = signals.locator(".history-board__column").nth(0)
        expect(first.locator(".history-board__title")).to_contain_text("Signals")
        expect(first.locator(".history-card__text")).to_have_text([BUSES, ROOFTOP])  # most voted first
        expect(first.locator(".history-card__dots")).to_have_text(["4 dots", "1 dot"])
        expect(signals.locator(".history-card__text").nth(2)).to_have_text(HOSTILE)  # as text
        write = page.locator("section.checkpoint").nth(2).locator("[data-board-after]")
        expect(write.locator('.history-card[data-used="true"] .history-card__text')).to_have_text(BUSES)
        expect(page.locator("[data-board-now] .history-card")).to_have_count(4)
        assert page.locator("img[src=x]").count() == 0
        assert not dialogs
        if name == "phone":  # one column under the other, nothing wider than the screen
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], width
        assert_accessible(page)
        page.locator("section.checkpoint").nth(0).screenshot(path=str(SHOTS / f"history-board-{name}.png"))
        page.screenshot(path=str(SHOTS / f"history-board-{name}-page.png"), full_page=True)
