"""Two members of a group use its board in real Chromium: one adds a card, the other sees it and moves it,
both place their dots, the counts agree and the cards sort by votes; in the next phase, the board beside
the story, a card goes into the story at the cursor and shows as used. Screenshots on a desktop and a
phone go to screenshots/board/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from extensions import db
from stories.cowriting import persistence
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import SHOTS, join, sign_in
from tests.server import ServerProcess
from workshops.join_codes import new_join_code
from workshops.models import Workshop

pytestmark = pytest.mark.e2e

BOARD_SHOTS = SHOTS / "board"
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
PHASES = [
    {
        "title": "Signals",
        "duration_seconds": 1200,
        "editors_open": True,
        "tool": "board",
        "board_columns": "Signals\nPromising\nSet aside",
        "dots": 3,
    },
    {
        "title": "Imagine the world",
        "duration_seconds": 1200,
        "editors_open": True,
        "tool": "both",
        "board_columns": "Promising\nWhen and where",
    },
    {
        "title": "Write",
        "duration_seconds": 1200,
        "editors_open": True,
        "tool": "both",
        "board_readonly": True,
    },
]


def column(page: Any, name: str) -> Any:
    return page.locator(f'.board__column[data-column="{name}"]')


def card(page: Any, text: str) -> Any:
    return page.locator(".board-card", has_text=text)


def shoot(page: Any, name: str, at: Any = None) -> None:
    """The whole page; or, `at` a locator, the screen as it shows with that element scrolled to its middle
    (a whole-page shot draws the sticky phase bar across the middle of the page)."""
    BOARD_SHOTS.mkdir(parents=True, exist_ok=True)
    if at is not None:
        at.evaluate("element => element.scrollIntoView({block: 'center'})")  # clear of the sticky bar
    page.screenshot(path=str(BOARD_SHOTS / f"{name}.png"), full_page=at is None)


def test_two_members_share_the_board_vote_and_bring_a_card_into_the_story(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    owner = factories.facilitator("board-console@example.org")
    workshop = factories.workshop(owner, groups=1, join_code=new_join_code(), phases=PHASES)
    awa = join(new_context, workshop.join_code, "Awa", viewport=DESKTOP)
    julien = join(new_context, workshop.join_code, "Julien", viewport=PHONE)
    for page in (awa, julien):
        expect(page.locator("[data-board]")).to_be_visible()
        expect(page.locator(".writing")).to_be_hidden()  # Signals shows the board only
        expect(page.locator("[data-board-add]")).to_be_visible()
        expect(page.locator("[data-board-dots]")).to_have_text("3 dots left")

    awa.get_by_label("New card").fill("Rooftop gardens feed the street")
    awa.get_by_role("button", name="Add the card").click()
    expect(card(julien, "Rooftop gardens")).to_be_visible()
    expect(column(julien, "Signals").locator(".board-card")).to_have_count(1)
    julien.get_by_label("New card").fill("Night buses <b>for nurses</b>")
    julien.get_by_label("New card").press("Enter")
    expect(card(awa, "Night buses <b>for nurses</b>")).to_be_visible()  # shown as text

    # Julien moves Awa's card to "Promising", from the keyboard.
    move = card(julien, "Rooftop gardens").get_by_role("button", name="Move to the column “Promising”")
    move.focus()
    julien.keyboard.press("Enter")
    expect(column(awa, "Promising")).to_contain_text("Rooftop gardens")
    expect(column(awa, "Signals")).not_to_contain_text("Rooftop gardens")

    # Both vote: Awa two dots on the night buses and one on the gardens, Julien one on the night buses.
    place = "Place a dot on “{}”"
    buses, gardens = "Night buses <b>for nurses</b>", "Rooftop gardens feed the street"
    card(awa, "Night buses").get_by_role("button", name=place.format(buses)).click()
    card(awa, "Night buses").get_by_role("button", name=place.format(buses)).click()
    card(awa, "Rooftop gardens").get_by_role("button", name=place.format(gardens)).click()
    expect(awa.locator("[data-board-dots]")).to_have_text("0 dots left")
    expect(card(awa, "Rooftop gardens").get_by_role("button", name=place.format(gardens))).to_be_disabled()
    card(julien, "Night buses").get_by_role("button", name=place.format(buses)).click()
    for page in (awa, julien):
        expect(card(page, "Night buses").locator("[data-votes]")).to_have_text("3 dots")
        expect(card(page, "Rooftop gardens").locator("[data-votes]")).to_have_text("1 dot")
    expect(julien.locator("[data-board-dots]")).to_have_text("2 dots left")
    # Cards sort by votes: move the gardens back beside the buses, the buses stay first.
    card(awa, "Rooftop gardens").get_by_role("button", name="Move to the column “Signals”").click()
    expect(column(julien, "Signals").locator(".board-card__text")).to_have_text([buses, gardens])
    card(awa, "Rooftop gardens").get_by_role("button", name=f"Take a dot back from “{gardens}”").click()
    expect(card(julien, "Rooftop gardens").locator("[data-votes]")).to_have_text("0 dots")
    card(julien, "Rooftop gardens").get_by_role("button", name=place.format(gardens)).click()
    card(julien, "Rooftop gardens").get_by_role("button", name=place.format(gardens)).click()
    expect(column(awa, "Signals").locator(".board-card__text")).to_have_text([buses, gardens])  # 3 > 2
    card(awa, "Night buses").get_by_role("button", name=f"Take a dot back from “{buses}”").click()
    card(awa, "Night buses").get_by_role("button", name=f"Take a dot back from “{buses}”").click()
    expect(column(julien, "Signals").locator(".board-card__text")).to_have_text([gardens, buses])  # 2 > 1
    card(julien, "Rooftop gardens").get_by_role("button", name="Move to the column “Promising”").click()
    expect(column(awa, "Promising")).to_contain_text("Rooftop gardens")
    assert_accessible(awa)
    assert_accessible(julien)
    shoot(awa, "board-desktop")
    shoot(julien, "board-phone")

    # The next phase shows the story and the board side by side; the gardens go into the story.
    db.session.get(Workshop, workshop.id).phase_index = 1
    db.session.commit()
    for page in (awa, julien):
        page.reload()
        expect(page.locator("[data-board]")).to_be_visible()
        expect(page.locator(".writing")).to_be_visible()
        expect(page.locator("[data-story-editor] .cm-content")).to_have_attribute("contenteditable", "true")
    expect(column(awa, "Promising")).to_contain_text("Rooftop gardens")
    expect(awa.locator(".board__column", has_text="Cards of other columns")).to_contain_text("Night buses")
    awa.locator("[data-story-editor] .cm-content").click()
    awa.keyboard.type("In 2045, ")
    card(awa, "Rooftop gardens").get_by_role(
        "button", name=f"Insert into the story, at the cursor: “{gardens}”"
    ).click()
    expect(card(julien, "Rooftop gardens").locator(".board-card__used")).to_have_text("In the story")
    expected = "In 2045, Rooftop gardens feed the street"
    text = "host => host.plumeEditor.view.state.doc.toString()"
    julien.wait_for_function(
        f"(expected) => ({text})(document.querySelector('[data-story-editor]')) === expected", arg=expected
    )
    expect(awa.locator("[data-editor-status]")).to_have_attribute("data-save", "saved")
    story = factories.story_of(workshop.groups[0])
    assert persistence.load_text(story.id) == expected  # the text only: the cards stay on the board
    assert_accessible(awa)
    shoot(awa, "both-desktop")
    shoot(julien, "both-phone")

    # The console shows the group's board, compact and live.
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, "board-console@example.org")
    console.goto(f"/workshops/{workshop.id}/console")
    summary = console.locator("[data-group-board]")
    expect(summary).to_contain_text("Rooftop gardens feed the street · 2 dots · In the story")
    expect(summary).to_contain_text("Night buses <b>for nurses</b> · 1 dot")
    julien.get_by_label("New card").fill("A tram to the sea")
    julien.get_by_role("button", name="Add the card").click()
    expect(summary).to_contain_text("A tram to the sea")
    shoot(console, "console-desktop")

    # Write: the board beside the story, read-only; a card still goes into the story.
    db.session.get(Workshop, workshop.id).phase_index = 2
    db.session.commit()
    julien.reload()
    expect(julien.locator("[data-board-status]")).to_have_text(
        "Read only in this phase: draw on the cards as you write."
    )
    expect(julien.locator("[data-board-add]")).to_be_hidden()
    expect(
        julien.locator(".board-card [data-edit], .board-card [data-vote], .board-card [data-move]")
    ).to_have_count(0)
    expect(column(julien, "Signals")).to_contain_text("Night buses")  # no columns listed: every column
    expect(card(julien, "Night buses").locator("[data-insert]")).to_be_visible()
    shoot(julien, "write-readonly-phone")


def test_the_agenda_editor_sets_a_phase_board(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    owner = factories.facilitator("board-agenda@example.org")
    workshop = factories.bright_mirror_workshop(owner, title="Care in 2040", groups=2)
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, "board-agenda@example.org")
    page.goto(f"/workshops/{workshop.id}")
    signals = page.locator(".phase").nth(1)
    expect(signals.locator(".phase__facts")).to_contain_text("Board")
    expect(signals.locator(".phase__facts")).to_contain_text("3 dots each")
    signals.locator(".phase__summary").click()
    expect(signals.get_by_label("The board of cards")).to_be_checked()
    expect(signals.get_by_label("Columns of the board (one per line)")).to_have_value(
        "Signals\nPromising\nSet aside"
    )
    signals.get_by_label("Dots each person may place on cards (0: no voting)").fill("2")
    signals.get_by_label("Both, side by side").check()
    assert_accessible(page)
    shoot(page, "agenda-editor-desktop")
    signals.get_by_role("button", name="Save the phase").click()
    expect(page.get_by_text("Phase saved.")).to_be_visible()
    facts = page.locator(".phase").nth(1).locator(".phase__facts")
    expect(facts).to_contain_text("Story and board")
    expect(facts).to_contain_text("2 dots each")
    write = page.locator(".phase").nth(4).locator(".phase__facts")
    expect(write).to_contain_text("Story and board (read-only)")


GARDENS, TRAM, BUSES = "Rooftop gardens feed the street", "A tram to the sea", "Night buses for nurses"


def everyone_in(pages: tuple[Any, ...], title: str) -> None:
    for page in pages:
        expect(page.locator("[data-phase-title]")).to_have_text(title)


def test_bright_mirror_signals_vote_then_the_top_card_goes_into_the_story_during_write(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    """The template's own agenda, driven from the console: Signals on a board with three dots each, three
    members (one on a phone) voting at once, the cards sorted by votes; then Write, the board beside the
    story read-only, and the top card inserted at a member's cursor, seen by the others and marked used.
    Screenshots: screenshots/board/bright-mirror-*.png."""
    owner = factories.facilitator("board-bright-mirror@example.org")
    workshop = factories.bright_mirror_workshop(owner, title="Care in 2045", groups=1)
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, owner.email)
    console.goto(f"/workshops/{workshop.id}/console")
    expect(console.locator("[data-console]")).to_have_attribute("data-connection", "connected")
    awa = join(new_context, workshop.join_code, "Awa", viewport=DESKTOP)
    julien = join(new_context, workshop.join_code, "Julien", viewport=PHONE, is_mobile=True, has_touch=True)
    mei = join(new_context, workshop.join_code, "Mei", viewport=DESKTOP)
    members = (awa, julien, mei)
    expect(console.locator('[data-member-id][data-connected="true"]')).to_have_count(3)

    console.get_by_role("button", name="Start the workshop").click()
    everyone_in((console, *members), "Welcome and framing")
    expect(console.get_by_role("button", name="Pause")).to_be_enabled()  # the console has the new state
    console.get_by_role("button", name="Next phase").click()
    everyone_in((console, *members), "Signals")
    signals_on_the_board(console, members)

    # The facilitator jumps to Write: the story, with the board beside it read-only.
    console.get_by_role("button", name="Go to phase 5: Write").click()
    console.get_by_role("dialog").get_by_role("button", name="Go to this phase").click()
    everyone_in((console, *members), "Write")
    the_top_card_into_the_story(console, members)
    assert persistence.load_text(factories.story_of(workshop.groups[0]).id) == (
        f"In 2045, {GARDENS}. Nobody went hungry."
    )


def signals_on_the_board(console: Any, members: tuple[Any, Any, Any]) -> None:
    """Each member adds a signal; all three place their three dots at once; the cards sort by votes."""
    awa, julien, mei = members
    for page in members:
        expect(page.locator("[data-board]")).to_be_visible()
        expect(page.locator(".writing")).to_be_hidden()  # Signals shows the board only
        expect(page.locator("[data-board-dots]")).to_have_text("3 dots left")
        expect(page.locator(".board__column")).to_have_count(3)
        for name in ("Signals", "Promising", "Set aside"):
            expect(column(page, name)).to_be_visible()
    # Added in the reverse of the order the votes will sort them in.
    for page, text in ((julien, BUSES), (mei, TRAM), (awa, GARDENS)):
        page.get_by_label("New card").fill(text)
        page.get_by_role("button", name="Add the card").click()
    for page in members:
        expect(column(page, "Signals").locator(".board-card__text")).to_have_text([BUSES, TRAM, GARDENS])

    # The three members' dots interleave, each waiting only for its own: the cards re-sort under them as the
    # others' dots arrive, so each places its dot from the keyboard (a re-drawn board keeps the focus on
    # the same button; a click could land on whichever card moved under the pointer).
    place = "Place a dot on “{}”"
    ballots = {awa: [GARDENS, GARDENS, TRAM], julien: [GARDENS, GARDENS, GARDENS], mei: [TRAM, TRAM, BUSES]}
    for turn, left in enumerate(("2 dots left", "1 dot left", "0 dots left")):
        for page, choices in ballots.items():
            card(page, choices[turn]).get_by_role("button", name=place.format(choices[turn])).press("Enter")
        for page in members:
            expect(page.locator("[data-board-dots]")).to_have_text(left)
    for page in members:
        expect(column(page, "Signals").locator(".board-card__text")).to_have_text([GARDENS, TRAM, BUSES])
        expect(column(page, "Signals").locator("[data-votes]")).to_have_text(["5 dots", "3 dots", "1 dot"])
        expect(page.locator(".board-card [data-vote]:not([disabled])")).to_have_count(0)  # no dot left
    expect(console.locator("[data-group-board]")).to_contain_text(f"{GARDENS} · 5 dots")
    assert_accessible(julien)
    shoot(awa, "bright-mirror-signals-desktop", at=awa.locator("[data-board]"))
    shoot(julien, "bright-mirror-signals-phone", at=column(julien, "Signals"))


def the_top_card_into_the_story(console: Any, members: tuple[Any, Any, Any]) -> None:
    """Write: the board read-only beside the story; Mei inserts the top-voted card at her cursor."""
    _, julien, mei = members
    for page in members:
        expect(page.locator(".writing")).to_be_visible()
        expect(page.locator("[data-story-editor] .cm-content")).to_have_attribute("contenteditable", "true")
        expect(page.locator("[data-board-status]")).to_have_text(
            "Read only in this phase: draw on the cards as you write."
        )
        expect(page.locator("[data-board-add]")).to_be_hidden()
        expect(page.locator(".board-card [data-vote], .board-card [data-move]")).to_have_count(0)
        # Write deals no dots of its own, but the board keeps Signals' counts, winners first, with no dot
        # left to place.
        expect(column(page, "Signals").locator(".board-card__text")).to_have_text([GARDENS, TRAM, BUSES])
        expect(column(page, "Signals").locator("[data-votes]")).to_have_text(["5 dots", "3 dots", "1 dot"])
        expect(page.locator("[data-board-dots]")).to_be_hidden()

    mei.locator("[data-story-editor] .cm-content").click()
    mei.keyboard.type("In 2045, . Nobody went hungry.")
    mei.keyboard.press("Home")
    for _ in range(len("In 2045, ")):
        mei.keyboard.press("ArrowRight")
    card(mei, GARDENS).get_by_role(
        "button", name=f"Insert into the story, at the cursor: “{GARDENS}”"
    ).click()
    expected = f"In 2045, {GARDENS}. Nobody went hungry."
    text = "host => host.plumeEditor.view.state.doc.toString()"
    for page in members:
        page.wait_for_function(
            f"(expected) => ({text})(document.querySelector('[data-story-editor]')) === expected",
            arg=expected,
        )
        expect(card(page, GARDENS).locator(".board-card__used")).to_have_text("In the story")
        expect(card(page, TRAM).locator(".board-card__used")).to_have_count(0)
    expect(mei.locator("[data-editor-status]")).to_have_attribute("data-save", "saved")
    expect(console.locator("[data-group-board]")).to_contain_text(f"{GARDENS} · 5 dots · In the story")
    assert_accessible(mei)
    shoot(mei, "bright-mirror-write-desktop", at=mei.locator(".writing"))
    shoot(julien, "bright-mirror-write-phone", at=julien.locator("[data-story-editor]"))
    shoot(julien, "bright-mirror-write-phone-board", at=column(julien, "Signals"))
