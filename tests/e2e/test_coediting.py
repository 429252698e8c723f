"""Three people co-write one story in real Chromium, with the keyboard, at the same time.

Each has a line of the story to write; their keystrokes are interleaved one by one, so every update
meets the others' in flight. All three must end with the same text, the one the server stored; each sees
the others' named cursors; a reload shows the text again; and what one types while cut off from the
network reaches everyone once the connection is back, even when the page was reloaded meanwhile (the
edits wait in the browser's IndexedDB).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from stories.cowriting import persistence
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import join
from tests.server import ServerProcess
from workshops.join_codes import new_join_code

pytestmark = pytest.mark.e2e

NAMES = ("Awa", "Julien", "Inès")
LINES = ("Awa:", "Julien:", "Inès:")
TYPED = (
    " the clinic opens at night.",
    " buses carry the doctors.",
    " the square has a garden.",
)


def editor(page: Any) -> Any:
    return page.locator("[data-story-editor] .cm-content")


def text_of(page: Any) -> str:
    """The editor's document as CodeMirror holds it (the rendered lines also hold others' cursor labels)."""
    return page.locator("[data-story-editor]").evaluate("host => host.plumeEditor.view.state.doc.toString()")


def go_to_end_of_line(page: Any, line: int) -> None:
    editor(page).click()
    page.keyboard.press("Control+Home")
    for _ in range(line):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("End")


def wait_for_same_text(pages: list[Any], expected: str, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(text_of(page) == expected for page in pages):
            return
        time.sleep(0.1)
    assert [text_of(page) for page in pages] == [expected] * len(pages)


def test_three_writers_type_at_once_and_lose_nothing(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    workshop = factories.workshop(groups=1, join_code=new_join_code())
    story = factories.story_of(workshop.groups[0])
    factories.story_text(story, "\n".join(LINES))
    pages = [join(new_context, workshop.join_code, name) for name in NAMES]
    for page in pages:
        expect(page.locator("[data-editor-status]")).to_have_attribute("data-connection", "connected")
        expect(editor(page)).to_contain_text("Inès:")
        expect(editor(page)).to_have_attribute("contenteditable", "true")

    for index, page in enumerate(pages):
        go_to_end_of_line(page, index)
    for step in range(max(map(len, TYPED))):  # one key each, in turn: every edit is concurrent
        for page, typed in zip(pages, TYPED, strict=True):
            if step < len(typed):
                page.keyboard.type(typed[step])
    expected = "\n".join(line + typed for line, typed in zip(LINES, TYPED, strict=True))
    wait_for_same_text(pages, expected)
    for page in pages:
        expect(page.locator("[data-editor-status]")).to_have_attribute("data-save", "saved")
    assert persistence.load_text(story.id) == expected

    # Everyone sees the two others' cursors, with their names.
    for page, name in zip(pages, NAMES, strict=True):
        labels = page.locator(".cm-ySelectionInfo")
        for other in NAMES:
            if other != name:
                expect(labels.filter(has_text=other)).to_have_count(1)
    assert_accessible(pages[0])

    # A reload shows the same text.
    pages[1].reload()
    expect(editor(pages[1])).to_contain_text(TYPED[2].strip())
    wait_for_same_text(pages, expected)

    # Inès loses the network, keeps typing, and comes back: nothing is lost, and it reaches the others.
    ines = pages[2]
    ines.context.set_offline(True)
    ines.evaluate("window.plumeSocket.io.engine.close()")  # offline emulation leaves open WebSockets be
    expect(ines.locator("[data-editor-status]")).not_to_have_attribute("data-connection", "connected")
    go_to_end_of_line(ines, 2)
    ines.keyboard.type(" And a bakery.")
    pages[0].wait_for_timeout(1500)
    assert "bakery" not in text_of(pages[0])  # really offline: nobody has it yet
    ines.context.set_offline(False)
    expected += " And a bakery."
    wait_for_same_text(pages, expected, timeout=20)
    expect(ines.locator("[data-editor-status]")).to_have_attribute("data-save", "saved", timeout=10_000)
    assert persistence.load_text(story.id) == expected

    # Awa's connection drops; she types, then reloads the page before it came back: her words were kept
    # on the device (IndexedDB) and reach everyone from the reloaded page.
    awa = pages[0]
    awa.evaluate("window.plumeSocket.io.reconnection(false); window.plumeSocket.disconnect()")
    expect(awa.locator("[data-editor-status]")).not_to_have_attribute("data-connection", "connected")
    go_to_end_of_line(awa, 0)
    awa.keyboard.type(" Kept.")
    awa.wait_for_timeout(500)  # IndexedDB stores each change asynchronously
    assert "Kept." not in text_of(pages[1])
    awa.reload()
    expected = expected.replace(TYPED[0], TYPED[0] + " Kept.")
    wait_for_same_text(pages, expected, timeout=20)
    assert persistence.load_text(story.id) == expected
