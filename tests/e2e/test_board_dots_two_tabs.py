"""One member votes from two tabs (or two devices) at once, past their dots together: the server keeps the
dots that reached it first and refuses the rest `forbidden`. The refused tab drops its copy (and its offline
store), loads the server's, tells the member, keeps in view the words typed meanwhile, and writes again
(docs/protocol.md, "The board"). Screenshots of the notice, desktop and phone: screenshots/board/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from stories.cowriting import persistence
from tests import factories
from tests.e2e.pages import DESKTOP, PHONE, SIGNALS, join
from tests.e2e.test_board import card, column, shoot
from tests.server import ServerProcess
from tests.stories.ydocs import stored_board
from workshops.join_codes import new_join_code

pytestmark = pytest.mark.e2e

GARDENS, BUSES = "Rooftop gardens feed the street", "Night buses for nurses"
DOTS_TOLD = "Not all your dots were kept: you had placed some from another tab or device at the same time"
BOTH = {**SIGNALS, "title": "Imagine the world", "tool": "both"}

# Holds the events the server sends this page (another tab's dots, the story's sync) until released: the
# page then votes as if the other tab's dots had not reached it yet, as when both vote at the same moment.
# Acks still arrive, so its refused change is refused as it would be.
HOLD = """() => {
  const socket = window.plumeSocket
  const queue = []
  const onevent = socket.onevent
  socket.onevent = (packet) => { queue.push(packet) }
  window.plumeRelease = () => {
    socket.onevent = onevent
    for (const packet of queue.splice(0)) onevent.call(socket, packet)
  }
}"""
EDITOR = "document.querySelector('[data-story-editor]').plumeEditor"


def place(page: Any, text: str, times: int) -> None:
    for _ in range(times):
        card(page, text).get_by_role("button", name=f"Place a dot on “{text}”").click()


def my_dots(story_id: int) -> dict[str, int]:
    """The member's dots on each card, as the server stored them."""
    return {c["text"]: sum(int(n) for n in c["votes"].values()) for c in stored_board(story_id)}


def two_cards(page: Any) -> None:
    for text in (GARDENS, BUSES):
        page.get_by_label("New card").fill(text)
        page.get_by_role("button", name="Add the card").click()
        expect(card(page, text)).to_be_visible()


def vote_past_the_count_at_once(first: Any, second: Any, then: Any = None) -> None:
    """`first` places 2 dots on the gardens, while `second`, not seeing them, places 2 on the buses (and
    does `then`): the server keeps 3 and refuses `second`'s last dot; `second`'s page reloads."""
    second.evaluate(HOLD)
    place(first, GARDENS, 2)
    expect(first.locator("[data-story-editor]")).to_have_attribute("data-save", "saved")
    expect(second.locator("[data-board-dots]")).to_have_text("3 dots left")  # it has not seen them
    place(second, BUSES, 2)
    if then:
        then(second)
    second.wait_for_function(f"() => {EDITOR}.provider.refused === 'forbidden'")
    second.evaluate("window.plumeRelease()")
    expect(second.locator("[data-not-kept]")).to_be_visible()  # shown once the page reloaded
    expect(second.locator("[data-story-editor]")).to_have_attribute("data-synced", "true")


def test_dots_placed_from_two_tabs_at_once_past_the_count_the_refused_tab_recovers(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1, join_code=new_join_code(), phases=[SIGNALS])
    story_id = factories.story_of(workshop.groups[0]).id
    tab = join(new_context, workshop.join_code, "Awa", viewport=DESKTOP)
    other = tab.context.new_page()  # the same member, the same browser: a second tab
    other.goto(tab.url)
    two_cards(tab)
    expect(card(other, BUSES)).to_be_visible()

    vote_past_the_count_at_once(tab, other)

    assert my_dots(story_id) == {GARDENS: 2, BUSES: 1}  # the server kept 3: the first to reach it
    notice = other.locator("[data-board] [data-not-kept]")  # on the board, which the phase shows
    expect(notice).to_contain_text(DOTS_TOLD)
    expect(notice).to_contain_text("The board now shows the dots that were kept.")
    for page in (tab, other):
        expect(card(page, GARDENS).locator("[data-votes]")).to_have_text("2 dots")
        expect(card(page, BUSES).locator("[data-votes]")).to_have_text("1 dot")
        expect(page.locator("[data-board-dots]")).to_have_text("0 dots left")
        expect(card(page, BUSES).get_by_role("button", name=f"Place a dot on “{BUSES}”")).to_be_disabled()
    shoot(other, "dots-not-kept-desktop")

    # The refused tab writes again: a card moved and a card added reach the other tab, and are stored.
    card(other, BUSES).get_by_role("button", name="Move to the column “Promising”").click()
    expect(column(tab, "Promising")).to_contain_text(BUSES)
    other.get_by_label("New card").fill("A tram to the sea")
    other.get_by_role("button", name="Add the card").click()
    expect(card(tab, "A tram to the sea")).to_be_visible()  # the first tab let go of the deleted store
    card(other, BUSES).get_by_role("button", name=f"Take a dot back from “{BUSES}”").click()
    card(other, GARDENS).get_by_role("button", name=f"Place a dot on “{GARDENS}”").click()
    expect(card(tab, GARDENS).locator("[data-votes]")).to_have_text("3 dots")
    expect(other.locator("[data-story-editor]")).to_have_attribute("data-save", "saved")
    assert my_dots(story_id) == {GARDENS: 3, BUSES: 0, "A tram to the sea": 0}
    notice.get_by_role("button", name="Close").click()
    expect(other.locator("[data-not-kept]")).to_have_count(0)


def test_words_typed_as_the_dots_were_refused_are_not_lost(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    """The board beside the story, two devices: the words typed just after the refused dot build on it, so
    the server refused them too; the member is told which, with a button to copy them, and writes again."""
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1, join_code=new_join_code(), phases=[BOTH])
    story_id = factories.story_of(workshop.groups[0]).id
    laptop = join(new_context, workshop.join_code, "Awa", viewport=DESKTOP)
    phone = new_context(viewport=PHONE, has_touch=True).new_page()
    phone.context.add_cookies(laptop.context.cookies())  # the same member, signed in on her phone
    phone.goto(laptop.url)
    two_cards(laptop)
    laptop.locator("[data-story-editor] .cm-content").click()
    laptop.keyboard.type("The street wakes.")
    expect(phone.locator("[data-story-editor]")).to_contain_text("The street wakes.")

    def type_words(page: Any) -> None:
        page.locator("[data-story-editor] .cm-content").click()
        page.keyboard.press("Control+End")
        page.keyboard.type(" A lighthouse blinks.")

    vote_past_the_count_at_once(laptop, phone, type_words)

    notice = phone.locator("[data-not-kept]")
    expect(notice).to_contain_text(DOTS_TOLD)
    expect(notice).to_contain_text(
        "These words, typed just after, were not saved either: “A lighthouse blinks.”"
    )
    expect(notice.get_by_role("button", name="Copy these words")).to_be_visible()
    assert persistence.load_text(story_id) == "The street wakes."
    assert my_dots(story_id) == {GARDENS: 2, BUSES: 1}
    expect(card(phone, BUSES).locator("[data-votes]")).to_have_text("1 dot")
    expect(phone.locator("[data-board-dots]")).to_have_text("0 dots left")
    phone.evaluate("window.scrollTo(0, 0)")
    expect(phone.locator("[data-live-strip]")).not_to_have_attribute("data-visible", "true")
    shoot(phone, "dots-not-kept-phone")

    # The phone writes the story and moves a card again; the laptop sees both.
    phone.locator("[data-story-editor] .cm-content").click()
    phone.keyboard.press("Control+End")
    phone.keyboard.type(" A lighthouse blinks.")
    expect(laptop.locator("[data-story-editor]")).to_contain_text("The street wakes. A lighthouse blinks.")
    card(phone, GARDENS).get_by_role("button", name="Move to the column “Promising”").click()
    expect(column(laptop, "Promising")).to_contain_text(GARDENS)
    expect(phone.locator("[data-story-editor]")).to_have_attribute("data-save", "saved")
    assert persistence.load_text(story_id) == "The street wakes. A lighthouse blinks."
