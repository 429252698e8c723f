"""The facilitator hides the dot counts, the participants vote blind (each sees only their own dots), then the
facilitator reveals them and every participant sees the counts, live, in real Chromium. Screenshots of the
console with its button go to screenshots/board2/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import SHOTS, SIGNALS, join, sign_in
from tests.server import ServerProcess
from workshops.join_codes import new_join_code

pytestmark = pytest.mark.e2e

BOARD_SHOTS = SHOTS / "board2"
DESKTOP = {"width": 1366, "height": 900}
PLACE = "Place a dot on “{}”"


def card(page: Any, text: str) -> Any:
    return page.locator(".board-card", has_text=text)


def shoot(page: Any, name: str) -> None:
    BOARD_SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(BOARD_SHOTS / f"{name}.png"), full_page=True)


def test_participants_see_the_counts_only_after_the_reveal(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    owner = factories.facilitator("board-reveal@example.org")
    workshop = factories.workshop(owner, groups=1, join_code=new_join_code(), phases=[SIGNALS])
    awa = join(new_context, workshop.join_code, "Awa", viewport=DESKTOP)
    julien = join(new_context, workshop.join_code, "Julien", viewport=DESKTOP)
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, "board-reveal@example.org")
    console.goto(f"/workshops/{workshop.id}/console")
    expect(console.locator("[data-console]")).to_have_attribute("data-connection", "connected")
    dots = console.locator("[data-dots]")
    expect(dots.locator("[data-dots-state]")).to_have_text("Counts shown to everyone")

    for text in ("Rooftop gardens", "Night buses"):
        awa.get_by_label("New card").fill(text)
        awa.get_by_role("button", name="Add the card").click()
    expect(card(julien, "Night buses")).to_be_visible()

    # Hidden: each one sees their own dots and no count, and the cards stay in the board's order.
    dots.get_by_role("button", name="Hide the dots until the reveal").click()
    expect(dots.locator("[data-dots-state]")).to_have_text("Counts hidden from the participants")
    for page in (awa, julien):
        expect(page.locator("[data-board-hidden]")).to_be_visible()
    card(awa, "Night buses").get_by_role("button", name=PLACE.format("Night buses")).click()
    card(awa, "Night buses").get_by_role("button", name=PLACE.format("Night buses")).click()
    card(julien, "Night buses").get_by_role("button", name=PLACE.format("Night buses")).click()
    expect(card(awa, "Night buses").locator(".board-card__mine")).to_have_text("2 of yours")
    expect(card(julien, "Night buses").locator(".board-card__mine")).to_have_text("1 of yours")
    expect(awa.locator("[data-board-dots]")).to_have_text("1 dot left")
    for page in (awa, julien):
        expect(page.locator("[data-votes]")).to_have_count(0)
        expect(page.locator('.board__column[data-column="Signals"] .board-card__text')).to_have_text(
            ["Rooftop gardens", "Night buses"]
        )
    expect(console.locator("[data-group-board]")).to_contain_text("Night buses · 3 dots")  # the console sees
    assert_accessible(julien)
    shoot(console, "console-dots-hidden")
    shoot(julien, "participant-dots-hidden")

    # Revealed: the counts appear everywhere at once, and the cards sort by votes.
    dots.get_by_role("button", name="Reveal the dots").click()
    expect(dots.locator("[data-dots-state]")).to_have_text("Counts shown to everyone")
    for page in (awa, julien):
        expect(page.locator("[data-board-hidden]")).to_be_hidden()
        expect(card(page, "Night buses").locator("[data-votes]")).to_have_text("3 dots")
        expect(card(page, "Rooftop gardens").locator("[data-votes]")).to_have_text("0 dots")
        expect(page.locator('.board__column[data-column="Signals"] .board-card__text')).to_have_text(
            ["Night buses", "Rooftop gardens"]
        )
    assert_accessible(console)
    shoot(console, "console-dots-revealed")
    shoot(julien, "participant-dots-revealed")


def test_the_wall_projects_a_groups_board_live(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    owner = factories.facilitator("board-wall@example.org")
    workshop = factories.workshop(owner, groups=2, join_code=new_join_code(), phases=[SIGNALS])
    awa = join(new_context, workshop.join_code, "Awa", viewport=DESKTOP)
    ours = awa.locator("[data-group-name]").inner_text()
    wall = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    sign_in(wall, "board-wall@example.org")
    wall.goto(f"/workshops/{workshop.id}/wall")
    expect(wall.locator("[data-wall-board]")).to_have_count(0)  # no board until one is picked
    wall.get_by_label("Project a board").select_option(label=ours)
    wall.get_by_role("button", name="Show").click()
    board = wall.locator("[data-wall-board]")
    expect(board.get_by_role("heading", name=f"Board of {ours}")).to_be_visible()
    expect(board.locator(".wall-board__column-title")).to_have_text(["Signals", "Promising"])

    texts = ["Rooftop gardens feed the street", "Night buses <b>for nurses</b>", "A tram to the sea"]
    for text in texts:
        awa.get_by_label("New card").fill(text)
        awa.get_by_role("button", name="Add the card").click()
    expect(board.locator(".wall-board__card")).to_have_count(3)
    for _ in range(2):
        card(awa, "A tram").get_by_role("button", name=PLACE.format(texts[2])).click()
    card(awa, "Night buses").get_by_role("button", name=PLACE.format(texts[1])).click()
    signals = board.locator('.wall-board__column[data-column="Signals"]')
    expect(signals.locator(".wall-board__text")).to_have_text(
        [texts[2], texts[1], texts[0]]
    )  # most voted first
    expect(signals.locator("[data-votes]")).to_have_text(["2 dots", "1 dot", "0 dots"])
    card(awa, "Night buses").get_by_role("button", name="Move to the column “Promising”").click()
    expect(board.locator('.wall-board__column[data-column="Promising"]')).to_contain_text(texts[1])
    assert_accessible(wall)
    shoot(wall, "wall-board")

    # While the counts are hidden, the wall hides them too (the room sees the board, not the tally).
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, "board-wall@example.org")
    console.goto(f"/workshops/{workshop.id}/console")
    # A command is sent once the console's socket is up (before, it says "no connection" and sends nothing).
    expect(console.locator("[data-console]")).to_have_attribute("data-connection", "connected")
    console.get_by_role("button", name="Hide the dots until the reveal").click()
    expect(console.get_by_role("button", name="Reveal the dots")).to_be_visible()
    expect(board.locator("[data-votes]")).to_have_count(0)
    expect(board).to_have_attribute("data-dots-hidden", "true")
    console.get_by_role("button", name="Reveal the dots").click()
    expect(signals.locator("[data-votes]")).to_have_text(["2 dots", "0 dots"])
