"""A live workshop in real Chromium: one facilitator and three participants, each in their own browser.

The facilitator starts and advances the phases, broadcasts a message, moves a participant and locks a
group from the console; every participant's screen follows live, without a reload (the test prints how fast;
`bench/facilitator.py` measures it). axe checks both views;
screenshots of the console (1440×900) and of the participant view on a phone (390×844) are saved under
screenshots/.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from core.unit_of_work import committed
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, join, sign_in
from tests.server import ServerProcess
from workshops import management

pytestmark = pytest.mark.e2e

WITHIN = 10.0  # seconds: live, with no reload (how fast is printed and benched, not asserted)


def everyone_sees(started: float, locators: list[Any], text: str) -> float:
    """Wait until each locator contains `text`, all within WITHIN seconds of `started`; the time it took."""
    for locator in locators:
        left = WITHIN - (time.monotonic() - started)
        expect(locator).to_contain_text(text, timeout=max(left, 0.05) * 1000)
    took = time.monotonic() - started
    assert took <= WITHIN, f"took {took:.2f}s"
    return took


def test_a_facilitator_runs_a_live_workshop_for_three_participants(
    new_context: Any, live_server: ServerProcess, app_ctx
) -> None:
    owner = factories.facilitator()
    with committed():
        workshop = management.create_workshop(
            owner, "Health in 2040", "What does care look like?", language="en"
        )
        workshop.phases[1].tool = "both"  # Signals: group 1 writes its story below, beside the board
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, owner.email)
    console.goto(f"/workshops/{workshop.id}/console")

    ada = join(
        new_context, workshop.join_code, "Ada", check=True, viewport=PHONE, is_mobile=True, has_touch=True
    )
    grace = join(new_context, workshop.join_code, "Grace")
    alan = join(new_context, workshop.join_code, "Alan")
    people = [ada, grace, alan]
    expect(ada.locator("[data-group-name]")).to_have_text("Group 1")
    expect(alan.locator("[data-group-name]")).to_have_text("Group 3")
    for page in people:
        expect(page.get_by_text("Waiting for the facilitator to start.")).to_be_visible()
    # The console's roster shows the three of them connected.
    expect(console.locator('[data-member-id][data-connected="true"]')).to_have_count(3)

    timings: dict[str, float] = {}
    titles = [page.locator("[data-phase-title]") for page in people]

    started = time.monotonic()
    console.get_by_role("button", name="Start the workshop").click()
    timings["start"] = everyone_sees(started, titles, "Welcome and framing")
    for page in people:
        expect(page.locator("[data-timer-label]")).to_have_text("left")
        expect(page.locator("[data-timer-value]")).to_have_text(re.compile(r"^14:[0-5]\d$"))

    started = time.monotonic()
    console.get_by_role("button", name="Next phase").click()
    timings["next"] = everyone_sees(started, titles, "Signals")
    # Screen readers hear the new phase politely; the ticking timer itself is not announced.
    expect(grace.locator('[aria-live="polite"][data-announce]')).to_have_text(
        re.compile(r"^Now: Signals\. 2\d:\d\d left\.$")
    )
    expect(grace.get_by_role("timer")).to_have_attribute("aria-live", "off")
    everyone_sees(time.monotonic(), [p.locator("[data-writing-state]") for p in people], "You can write.")

    console.get_by_label("Message", exact=True).fill("Ten minutes left: finish your list of signals.")
    started = time.monotonic()
    console.get_by_role("button", name="Send").click()
    timings["broadcast"] = everyone_sees(
        started, [p.get_by_role("alert") for p in people], "Ten minutes left: finish your list of signals."
    )

    # Alan (group 3) joins group 1: his screen follows, Ada sees him arrive.
    console.get_by_label("Participant", exact=True).select_option(label="Alan — Group 3")
    console.get_by_label("New group", exact=True).select_option(label="Group 1")
    started = time.monotonic()
    console.get_by_role("button", name="Move", exact=True).click()
    timings["move"] = everyone_sees(started, [alan.locator("[data-group-name]")], "Group 1")
    everyone_sees(started, [ada.locator("[data-members]")], "Alan")
    expect(alan.locator("[data-notice]")).to_contain_text("You are now in Group 1")
    expect(alan.locator("[data-members]")).to_contain_text("Ada")

    # Group 1 writes; the console shows the draft live, read-only.
    editor = ada.locator("[data-story-editor] .cm-content")
    editor.click()
    ada.keyboard.type("Neighbourhood clinics open late.")
    draft = console.locator('[data-group-card]:has-text("Group 1") .cm-content')
    expect(draft).to_contain_text("Neighbourhood clinics open late.", timeout=5000)
    expect(draft).to_have_attribute("contenteditable", "false")

    # Lock group 1: its writers see it at once; group 2 keeps writing.
    started = time.monotonic()
    console.locator('[data-group-card]:has-text("Group 1") [data-group-lock]').click()
    timings["lock"] = everyone_sees(
        started, [ada.locator("[data-writing-state]"), alan.locator("[data-writing-state]")], "paused writing"
    )
    expect(grace.locator("[data-writing-state]")).to_have_text("You can write.")
    console.locator('[data-group-card]:has-text("Group 1") [data-group-lock]').click()
    expect(ada.locator("[data-writing-state]")).to_have_text("You can write.")

    # A reload keeps the same identity (the session cookie) and the same group, and instructions that
    # Grace folded to make room for writing stay folded for this phase.
    instructions = grace.locator("details.instructions")
    grace.get_by_text("Instructions", exact=True).click()
    expect(instructions).not_to_have_attribute("open", "")
    grace.reload()
    expect(grace.locator("[data-group-name]")).to_have_text("Group 2")
    expect(grace.locator("[data-members]")).to_contain_text("Grace")
    expect(grace.get_by_role("alert")).to_contain_text("Ten minutes left")
    expect(instructions).not_to_have_attribute("open", "")

    started = time.monotonic()
    console.get_by_role("button", name="Previous phase").click()
    timings["previous"] = everyone_sees(started, titles, "Welcome and framing")
    expect(instructions).to_have_attribute("open", "")  # a new phase: its instructions open
    console.get_by_role("button", name="Next phase").click()
    everyone_sees(time.monotonic(), titles, "Signals")

    assert_accessible(console)
    assert_accessible(ada)
    assert_accessible(grace)
    SHOTS.mkdir(exist_ok=True)
    for page in (console, ada):
        page.evaluate("window.scrollTo(0, 0)")
    ada.wait_for_timeout(300)  # let the last word-count and status updates settle
    console.screenshot(path=str(SHOTS / "console-desktop.png"))
    ada.screenshot(path=str(SHOTS / "participant-phone.png"))
    print("seconds until every participant saw it:", {k: round(v, 3) for k, v in timings.items()})

    # The join screen to project.
    console.get_by_role("link", name="Show the join screen").click()
    expect(console.locator(".share__code")).to_have_text(f"{workshop.join_code[:3]}-{workshop.join_code[3:]}")
    expect(console.locator("svg.qr title")).to_have_count(1)
    assert_accessible(console)
