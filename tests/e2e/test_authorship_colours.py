"""Authorship colours in the live editor (issue 28), in real Chromium: three members of a group type at once
(two on a desktop, one on a phone); with "Show who wrote what" on, each one's words carry their colour on
the others' screens, live, and the legend names them. Text of an erased writer is "a participant's"; a
newcomer sees the colours of a writer who has left; a member of another group cannot get the names; the
toggle is remembered by the browser. Screenshots (desktop 1366×900, phone 390×844) go to
screenshots/colours/."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from erasure import participants as erasure
from extensions import db
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import SHOTS, sign_in
from tests.server import ServerProcess
from workshops.join_codes import new_join_code
from workshops.models import Participant

pytestmark = pytest.mark.e2e

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
NAMES = ("Awa", "Julien", "Inès")
TYPED = (" the clinic opens at night.", " buses carry the doctors.", " the square has a garden.")
LOU = "Lou wrote the first line, then left."


def shots() -> Path:
    folder = SHOTS / "colours"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def join_group(new_context: Any, code: str, name: str, group: str, **options: Any) -> Any:
    page = new_context(**options).new_page()
    page.goto(f"/join/{code}")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your group").select_option(label=group)
    page.get_by_role("button", name="Join").click()
    page.wait_for_url("**/w/*")
    expect(page.locator("[data-group-name]")).to_have_text(group)
    expect(page.locator("[data-editor-status]")).to_have_attribute("data-connection", "connected")
    expect(page.locator("[data-story-editor] .cm-content")).to_have_attribute("contenteditable", "true")
    return page


TEXT_NOW = "document.querySelector('[data-story-editor]').plumeEditor.view.state.doc.toString()"


def text_of(page: Any) -> str:
    return page.evaluate(TEXT_NOW)


def show_colours(page: Any) -> None:
    page.get_by_label("Show who wrote what").check()
    expect(page.locator("[data-authorship]")).to_have_attribute("data-loaded", "true")


def marked(page: Any, name: str) -> Any:
    """The runs of text the page colours as `name`'s."""
    return page.locator(f'[data-story-editor] .cm-by[title="{name}"]')


def colour_of(page: Any, name: str) -> str:
    """The colour of `name`'s runs on `page` (the `--by` of their marks)."""
    return marked(page, name).first.evaluate("n => n.style.getPropertyValue('--by').trim()")


def legend_colour(page: Any, name: str) -> str:
    item = page.locator("[data-authorship-legend] li", has_text=name)
    return item.locator(".swatch").evaluate("n => n.style.getPropertyValue('--swatch').trim()")


def to_the_end_of_line(page: Any, line: int) -> None:
    """Put the caret at the end of the story's line `line` (0: the first), as a writer clicking there would.
    (Focusing the editor again after the toggle left the caret where the browser chose: once, on a loaded
    machine, at the end of another writer's line.)"""
    page.locator("[data-story-editor] .cm-content").click()
    page.keyboard.press("Control+Home")
    for _ in range(line):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("End")


def type_at_once(pages: list[Any]) -> str:
    """Each page types its line, one key each in turn (every edit concurrent); the first two turn the
    colours on while typing. The text they all end with."""
    for index, page in enumerate(pages):  # each at the start of a line of their own
        to_the_end_of_line(page, index + 1)
        page.keyboard.type(NAMES[index] + ":")
    for step in range(max(map(len, TYPED))):
        if step == 6:
            for index, page in enumerate(pages[:2]):  # the toggle takes the focus; back to their line's end
                show_colours(page)
                to_the_end_of_line(page, index + 1)
        for page, typed in zip(pages, TYPED, strict=True):
            if step < len(typed):
                page.keyboard.type(typed[step])
    expected = LOU + "\n" + "\n".join(f"{n}:{t}" for n, t in zip(NAMES, TYPED, strict=True))
    for page in pages:
        try:
            page.wait_for_function(f"want => ({TEXT_NOW}) === want", arg=expected)
        except Exception:
            raise AssertionError(repr([text_of(p) for p in pages])) from None
    return expected


def see_each_writer(page: Any, colours: dict[str, str]) -> None:
    """Each one's words carry their colour and their name on `page`, the legend names them, and the erased
    writer's text is "a participant's": never their name."""
    for name, typed in zip(NAMES, TYPED, strict=True):
        expect(marked(page, name).filter(has_text=typed.strip()[:12]).first).to_be_visible(timeout=15_000)
        expect(page.locator("[data-authorship-legend] li", has_text=name)).to_have_count(1)
        assert colour_of(page, name) == legend_colour(page, name) == colours[name]
    expect(marked(page, "a participant").filter(has_text="first line")).to_have_count(1)
    expect(page.locator("[data-authorship-legend]")).to_contain_text("a participant")
    assert "Quillfeather" not in page.content()


def test_each_writer_s_words_carry_their_colour_on_the_others_screens(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    folder = shots()
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2, join_code=new_join_code(), participants_choose_group=True)
    group = workshop.groups[0]
    story = factories.story_of(group)
    lou, _ = factories.participant(group, "Lou Quillfeather")
    lou.color = "#374151"  # none of the palette's: the others keep their own colours
    db.session.commit()
    factories.story_text(story, LOU + "\n\n\n", author=lou)
    erasure.erase(workshop.id, lou.id, datetime.now(UTC), by=owner.id)  # erased: "a participant" now

    awa = join_group(new_context, workshop.join_code, "Awa", "Group 1", viewport=DESKTOP)
    julien = join_group(new_context, workshop.join_code, "Julien", "Group 1", viewport=DESKTOP)
    ines = join_group(
        new_context, workshop.join_code, "Inès", "Group 1", viewport=PHONE, is_mobile=True, has_touch=True
    )
    zoe = join_group(new_context, workshop.join_code, "Zoé", "Group 2", viewport=DESKTOP)
    pages = [awa, julien, ines]

    # Off until asked: no colour, no legend.
    expect(julien.get_by_label("Show who wrote what")).not_to_be_checked()
    expect(julien.locator("[data-authorship-legend]")).to_be_hidden()
    assert julien.locator(".cm-by").count() == 0
    show_colours(ines)  # Inès turns them on before anyone types; the others while they type

    expected = type_at_once(pages)

    # On every screen, each one's words carry their colour and their name, and the legend names them.
    colours = {
        p.display_name: p.color
        for p in db.session.query(Participant).filter(
            Participant.group_id == group.id, Participant.erased_at.is_(None)
        )
    }
    assert len(set(colours.values())) == 3, colours  # three writers, three colours (their cursors')
    for page in pages:
        see_each_writer(page, colours)
    # The colour is the cursor's: Awa's caret on Julien's screen has Awa's colour.
    caret = julien.locator(".cm-ySelectionCaret", has_text="Awa")
    assert caret.evaluate("n => getComputedStyle(n).borderLeftColor") == rgb(colours["Awa"])

    # Readable and accessible with the colours on, on a desktop and on a phone.
    assert_accessible(julien)
    assert_accessible(ines)
    julien.locator("[data-editor-scope]").screenshot(path=str(folder / "colours-desktop.png"))
    julien.screenshot(path=str(folder / "colours-desktop-page.png"), full_page=False)
    ines.locator("[data-editor-scope]").scroll_into_view_if_needed()
    ines.screenshot(path=str(folder / "colours-phone.png"))

    # A member of another group gets no names of this story: the route answers 404.
    answer = zoe.evaluate(
        "url => fetch(url, {credentials: 'same-origin'}).then(async r => [r.status, await r.text()])",
        f"/stories/{story.id}/writers.json",
    )
    assert answer[0] == 404
    assert "Awa" not in answer[1]
    show_colours(zoe)  # their own story's toggle works, and names none of group 1
    expect(zoe.locator("[data-authorship-legend]")).not_to_contain_text("Awa")

    # Awa leaves; Noé joins later: he sees her colour and her name all the same.
    awa.context.close()
    noe = join_group(new_context, workshop.join_code, "Noé", "Group 1", viewport=DESKTOP)
    show_colours(noe)
    expect(marked(noe, "Awa").filter(has_text="clinic")).to_have_count(1)
    expect(noe.locator("[data-authorship-legend]")).to_contain_text("Awa")

    # The workshop's facilitator sees the colours too, on each group's draft in the console.
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, owner.email)
    console.goto(f"/workshops/{workshop.id}/console")
    card = console.locator("[data-group-card]", has_text="Group 1").first
    card.get_by_label("Show who wrote what").check()
    expect(card.locator('.cm-by[title="Inès"]').filter(has_text="garden")).to_have_count(1)
    expect(card.locator("[data-authorship-legend]")).to_contain_text("Julien")
    assert "Quillfeather" not in console.content()
    assert_accessible(console)

    # The toggle is remembered by the browser: Julien's reload shows the colours again, and off stays off.
    julien.reload()
    expect(julien.get_by_label("Show who wrote what")).to_be_checked()
    expect(marked(julien, "Inès").filter(has_text="garden")).to_have_count(1)
    julien.get_by_label("Show who wrote what").uncheck()
    expect(julien.locator(".cm-by")).to_have_count(0)
    julien.reload()
    expect(julien.get_by_label("Show who wrote what")).not_to_be_checked()
    assert text_of(julien) == expected


def test_the_toggle_speaks_french(new_context: Any, live_server: ServerProcess, app_ctx: Any) -> None:
    workshop = factories.workshop(groups=1, join_code=new_join_code(), language="fr")
    page = new_context(viewport=PHONE, locale="fr-FR", is_mobile=True, has_touch=True).new_page()
    page.goto(f"/join/{workshop.join_code}")
    page.get_by_label("Votre nom").fill("Gaëlle")
    page.get_by_role("button", name="Rejoindre").click()
    page.wait_for_url("**/w/*")
    page.get_by_label("Afficher qui a écrit quoi").check()
    expect(page.locator("[data-authorship]")).to_have_attribute("data-loaded", "true")
    page.locator("[data-story-editor] .cm-content").click()
    page.keyboard.type("Une forêt en ville.")
    expect(marked(page, "Gaëlle").filter(has_text="forêt")).to_have_count(1)
    expect(page.get_by_label("Qui a écrit quoi", exact=True)).to_contain_text("Gaëlle")
    assert_accessible(page)
    page.screenshot(path=str(shots() / "colours-phone-fr.png"))


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def test_colours_that_cannot_be_loaded_are_said_so(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    workshop = factories.workshop(groups=1, join_code=new_join_code())
    page = new_context(viewport=DESKTOP).new_page()
    page.route("**/writers.json", lambda route: route.fulfill(status=503, body="{}"))
    page.goto(f"/join/{workshop.join_code}")
    page.get_by_label("Your name").fill("Awa")
    page.get_by_role("button", name="Join").click()
    page.wait_for_url("**/w/*")
    page.get_by_label("Show who wrote what").check()
    expect(page.locator("[data-authorship]")).to_have_attribute("data-loaded", "error")
    expect(page.locator("[data-authorship-legend]")).to_contain_text("could not be loaded")
    page.locator("[data-story-editor] .cm-content").click()
    page.keyboard.type("No colour rather than a wrong one.")
    expect(page.locator("[data-editor-status]")).to_have_attribute("data-save", "saved")
    assert page.locator(".cm-by").count() == 0  # unknown writers are not coloured as nobody's
