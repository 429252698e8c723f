"""The participant's page in real Chromium (issue 28): on a 1366×900 laptop the editor uses its column
(defect 11: it used 496 of 816 pixels outside cross-reading); on a phone in cross-reading the story to read
comes before the group's own locked story (defect 14). Screenshots: screenshots/participant-*.png.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.pages import PHONE, SHOTS, join
from tests.server import ServerProcess
from workshops.join_codes import new_join_code

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 900}
WIDTHS = """() => {
  const width = (selector) => document.querySelector(selector).getBoundingClientRect().width
  return {
    column: width('.writing'),
    editor: width('.writing [data-story-editor]'),
    text: width('.writing [data-story-editor] .cm-content'),
  }
}"""


def writers(new_context: Any, *names: str) -> list[Any]:
    """The pages of `names`, one group writing in a one-phase workshop, on laptops, their editors open."""
    phases = [{"title": "Write", "duration_seconds": 900, "editors_open": True}]
    workshop = factories.workshop(groups=1, phases=phases, join_code=new_join_code())
    pages = [join(new_context, workshop.join_code, name, viewport=LAPTOP) for name in names]
    for page in pages:
        expect(page.locator(".writing .cm-content")).to_have_attribute("contenteditable", "true")
    return pages


def test_the_editor_uses_its_column_on_a_laptop(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    (awa,) = writers(new_context, "Awa")
    awa.locator(".writing .cm-content").click()
    awa.keyboard.type("In 2040 the river is clean. Children swim in it; the boat library lends books. " * 3)
    widths = awa.evaluate(WIDTHS)
    SHOTS.mkdir(exist_ok=True)
    awa.screenshot(path=str(SHOTS / "participant-editor-1366.png"))
    assert widths["editor"] >= 0.98 * widths["column"], widths
    assert widths["text"] >= 0.8 * widths["column"], widths  # a line of at most 44rem, centred: readable


def test_on_a_phone_the_story_to_cross_read_comes_before_the_locked_one(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    phases = [
        {"title": "Cross-reading", "editors_open": False, "visibility": "next", "comments": "readers"},
        {"title": "Revise", "editors_open": True, "visibility": "none", "comments": "group"},
    ]
    workshop = factories.workshop(groups=2, phases=phases, join_code=new_join_code())
    factories.story_text(factories.story_of(workshop.groups[1]), "The clinic opens at night.")
    factories.story_text(factories.story_of(workshop.groups[0]), "Our own story.")
    ana = join(new_context, workshop.join_code, "Ana", viewport=PHONE, is_mobile=True, has_touch=True)
    expect(ana.locator("[data-readable] .cm-content")).to_be_visible()
    expect(ana.locator(".writing [data-writing-state]")).to_have_attribute("data-writable", "false")
    top = "selector => document.querySelector(selector).getBoundingClientRect().top"
    assert ana.evaluate(top, ".phase-card") < ana.evaluate(top, "[data-readable]")
    assert ana.evaluate(top, "[data-readable]") < ana.evaluate(top, ".writing")
    SHOTS.mkdir(exist_ok=True)
    ana.screenshot(path=str(SHOTS / "participant-cross-reading-phone.png"), full_page=True)


NAME_OPACITY = "Number(getComputedStyle(document.querySelector('.cm-ySelectionInfo')).opacity)"


def name_opacity(page: Any, condition: str) -> None:
    """Wait until the remote writer's name label's opacity meets `condition` (polled on every frame: the
    label shows for 2.5 s after an edit, and a loaded machine delivers the edit late)."""
    page.wait_for_function(f"() => {NAME_OPACITY} {condition}", timeout=10_000)


def test_a_remote_writers_name_shows_as_they_type_then_fades_off_the_words(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    awa, jules = writers(new_context, "Awa", "Jules")
    jules.locator(".writing .cm-content").click()
    jules.keyboard.type("The river is clean.\n\n")
    awa.locator(".writing .cm-content").click()
    awa.keyboard.press("Control+End")
    awa.keyboard.type("Children swim in it.")
    name = jules.locator(".cm-ySelectionInfo")
    expect(name).to_have_text("Awa")
    name_opacity(jules, "> 0.9")  # shown where she types
    assert float(name.evaluate("n => parseFloat(getComputedStyle(n).fontSize)")) <= 11
    name_opacity(jules, "== 0")  # then out of the way of the words
    expect(jules.locator(".cm-ySelectionCaretDot")).to_be_visible()  # her colour stays on the caret
    jules.locator(".cm-ySelectionCaret").hover()
    name_opacity(jules, "> 0.9")  # hovering the caret names her again
    jules.mouse.move(0, 0)
    awa.keyboard.type(" Every summer.")
    name_opacity(jules, "> 0.9")  # typing again shows it again
    jules.screenshot(
        path=str(SHOTS / "participant-remote-caret.png"), clip={"x": 0, "y": 250, "width": 900, "height": 300}
    )
