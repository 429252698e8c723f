"""Locks in real Chromium (issue 28, defects 1 and 2): "Unlock" during a phase whose agenda keeps the editors
closed opens them until the next phase, and the console shows what participants get; an edit that a lock
refuses is not kept on one screen only (screenshots under screenshots/)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.pages import DESKTOP, SHOTS, join
from tests.e2e.test_coediting import editor, text_of, wait_for_same_text
from tests.e2e.test_facilitators_day import console_of

pytestmark = pytest.mark.e2e

PHASES = [
    {"title": "Cross-reading", "duration_seconds": 600, "editors_open": False, "visibility": "next"},
    {"title": "Revise", "duration_seconds": 600, "editors_open": True},
]


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


def edited_offline_then_locked(new_context: Any, edit: Callable[[Any], None]) -> tuple[Any, Any, Any]:
    """A group's story, its console, Ada and Bea; Ada's connection drops, she makes `edit` at the end of the
    text, and meanwhile the facilitator locks the group. Returns the console, Ada's page and Bea's."""
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1, phases=[PHASES[1], PHASES[0]])
    factories.story_text(factories.story_of(workshop.groups[0]), "The square has a garden.")
    console = console_of(new_context, owner, workshop.id)
    ada = join(new_context, workshop.join_code, "Ada", viewport=DESKTOP)
    bea = join(new_context, workshop.join_code, "Bea", viewport=DESKTOP)
    wait_for_same_text([ada, bea], "The square has a garden.")
    ada.context.set_offline(True)
    ada.evaluate("window.plumeSocket.io.engine.close()")  # offline emulation leaves open WebSockets be
    expect(ada.locator("[data-editor-status]")).not_to_have_attribute("data-connection", "connected")
    editor(ada).click()
    ada.keyboard.press("Control+End")
    edit(ada)
    ada.wait_for_timeout(500)  # IndexedDB stores each change asynchronously
    console.locator("[data-group-card] [data-group-lock]").click()
    expect(console.locator("[data-group-lock-state]")).to_have_text("Locked")
    return console, ada, bea


def test_a_paragraph_written_offline_before_a_lock_is_not_kept_and_the_writer_is_told(
    new_context: Any, app_ctx: Any
) -> None:
    SHOTS.mkdir(exist_ok=True)
    # Ada's connection drops; she writes a paragraph; meanwhile the facilitator locks her group.
    console, ada, bea = edited_offline_then_locked(
        new_context, lambda ada: ada.keyboard.type(" A fountain sings.")
    )

    # Back online: the server refuses the paragraph, so Ada's screen drops it too, and says which words.
    ada.context.set_offline(False)
    notice = ada.locator("[data-not-kept]")
    expect(notice).to_contain_text("so they were not kept: “A fountain sings.”", timeout=20_000)
    expect(notice.get_by_role("button", name="Copy these words")).to_be_visible()
    wait_for_same_text([ada, bea], "The square has a garden.")
    ada.screenshot(path=str(SHOTS / "locks-words-not-kept.png"), full_page=True)

    # Not kept on her device either: a reload shows the server's text (the notice stays until closed).
    ada.reload()
    expect(ada.locator("[data-story-editor]")).to_have_attribute("data-synced", "true")
    assert text_of(ada) == "The square has a garden."
    ada.locator("[data-not-kept]").get_by_role("button", name="Close").click()
    expect(ada.locator("[data-not-kept]")).to_have_count(0)

    # The next unlock brings nothing back from nowhere; what Ada types now is everyone's.
    console.locator("[data-group-card] [data-group-lock]").click()
    expect(editor(ada)).to_have_attribute("contenteditable", "true")
    ada.wait_for_timeout(1000)
    assert text_of(bea) == "The square has a garden."
    editor(ada).click()
    ada.keyboard.press("Control+End")
    ada.keyboard.type(" A bench.")
    wait_for_same_text([ada, bea], "The square has a garden. A bench.")


def test_a_deletion_made_offline_before_a_lock_is_not_kept_and_the_writer_is_told(
    new_context: Any, app_ctx: Any
) -> None:
    """A deletion changes no state vector: it used to stay on Ada's screen (and in her browser) alone."""

    def delete_the_end(ada: Any) -> None:
        for _ in range(len(" has a garden.")):
            ada.keyboard.press("Backspace")
        assert text_of(ada) == "The square"

    console, ada, bea = edited_offline_then_locked(new_context, delete_the_end)

    ada.context.set_offline(False)
    expect(ada.locator("[data-not-kept]")).to_contain_text(
        "your last changes were saved, so they were not kept", timeout=20_000
    )
    wait_for_same_text([ada, bea], "The square has a garden.")
    ada.reload()
    expect(ada.locator("[data-story-editor]")).to_have_attribute("data-synced", "true")
    assert text_of(ada) == "The square has a garden."

    console.locator("[data-group-card] [data-group-lock]").click()  # the unlock deletes nothing either
    expect(editor(ada)).to_have_attribute("contenteditable", "true")
    ada.wait_for_timeout(1000)
    wait_for_same_text([ada, bea], "The square has a garden.")


def test_typing_as_the_deadline_locks_leaves_every_screen_with_the_same_text(
    new_context: Any, app_ctx: Any
) -> None:
    """The words typed as the lock falls are either everyone's or nobody's (and then Ada is told), through
    her reload and the next phase that opens the editors again."""
    owner = factories.facilitator()
    phases = [
        {"title": "Write", "duration_seconds": 5, "editors_open": True, "at_deadline": "lock"},
        {"title": "Revise", "duration_seconds": 600, "editors_open": True},
    ]
    workshop = factories.workshop(owner, groups=1, phases=phases, status="not_started")
    console = console_of(new_context, owner, workshop.id)
    ada = join(new_context, workshop.join_code, "Ada", viewport=DESKTOP)
    bea = join(new_context, workshop.join_code, "Bea", viewport=DESKTOP)
    console.get_by_role("button", name="Start the workshop").click()
    expect(editor(ada)).to_have_attribute("contenteditable", "true")
    editor(ada).click()
    ada.keyboard.type("Rain on the roofs, " * 6, delay=60)  # about 7 s: the deadline falls meanwhile
    expect(ada.locator("[data-writing-state]")).to_have_text("The facilitator has paused writing.")
    ada.wait_for_timeout(2000)  # a refused change is dropped (the page reloads) within this
    expect(ada.locator("[data-story-editor]")).to_have_attribute("data-synced", "true")
    typed = text_of(bea)
    wait_for_same_text([ada, bea], typed)
    if ada.locator("[data-not-kept]").count():  # some keystrokes were refused: she is told which
        expect(ada.locator("[data-not-kept]")).to_contain_text("so they were not kept")
    ada.reload()
    expect(ada.locator("[data-story-editor]")).to_have_attribute("data-synced", "true")
    assert text_of(ada) == typed
    console.get_by_role("button", name="Next phase").click()
    expect(ada.locator("[data-writing-state]")).to_have_text("You can write.")
    ada.wait_for_timeout(1500)  # nothing typed under the lock appears now
    wait_for_same_text([ada, bea], typed)
