"""Telling people and browsers forgetting, in real Chromium (issue 26): the privacy page in English and French
on a laptop and a phone, the join page's line of consent and the footer's link; and when a workshop ends
(its last phase finished, or archived) the participant's page deletes the draft it kept in IndexedDB and says
so. Screenshots: screenshots/privacy-*.png."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, join, sign_in
from tests.server import ServerProcess
from tests.signin import signed_in
from workshops.join_codes import new_join_code

pytestmark = pytest.mark.e2e

DATABASES = "async () => (await indexedDB.databases()).map((d) => d.name)"


@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_the_privacy_page_in_english_then_french(
    new_context: Any, live_server: ServerProcess, size: str, viewport: dict[str, int]
) -> None:
    page = new_context(viewport=viewport, locale="en-GB").new_page()
    page.goto("/")
    page.locator("[data-privacy-link]").click()
    page.wait_for_url("**/privacy")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy: what Plume keeps about you")
    expect(page.get_by_role("heading", name="Who to ask")).to_be_visible()
    expect(page.locator("[data-stored] code", has_text="plume_reader")).to_be_visible()
    assert_accessible(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= viewport["width"], "the page scrolls sideways"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"privacy-en-{size}.png"), full_page=True)

    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Confidentialité\u00a0: ce que Plume garde de vous"
    )
    expect(page.get_by_role("heading", name="Ce qui est gardé, et pourquoi")).to_be_visible()
    expect(page.locator("[data-privacy-link]")).to_have_text("Confidentialité")
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / f"privacy-fr-{size}.png"), full_page=True)


def test_the_join_page_asks_for_consent_and_links_to_the_privacy_page(
    new_context: Any, live_server: ServerProcess
) -> None:
    page = new_context(viewport=PHONE, locale="en-GB").new_page()
    page.goto("/join")
    consent = page.locator("[data-consent]")
    expect(consent).to_contain_text("By joining, you agree that Plume keeps your name")
    box, button = consent.bounding_box(), page.get_by_role("button", name="Join").bounding_box()
    assert box is not None
    assert button is not None
    assert box["y"] + box["height"] <= button["y"], "the consent comes before the button"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "privacy-join-phone.png"), full_page=True)
    consent.get_by_role("link", name="the privacy page").click()
    page.wait_for_url("**/privacy")


def _writing(new_context: Any) -> tuple[Any, Any, Any, int]:
    """A one-phase workshop, its facilitator and a participant who typed a line; the story's id."""
    owner = factories.facilitator()
    phases = [{"title": "Write", "duration_seconds": 900, "editors_open": True}]
    workshop = factories.workshop(owner, groups=1, phases=phases, join_code=new_join_code())
    story_id = factories.story_of(workshop.groups[0]).id
    ada = join(new_context, workshop.join_code, "Ada", viewport=DESKTOP)
    editor = ada.locator(".writing .cm-content")
    expect(editor).to_have_attribute("contenteditable", "true")
    editor.click()
    ada.keyboard.type("The river is clean again.")
    expect(ada.locator("[data-editor-status]")).to_have_attribute("data-save", "saved")
    ada.wait_for_function(
        "async (name) => (await indexedDB.databases()).some((d) => d.name === name)",
        arg=f"plume-story-{story_id}",
    )
    expect(ada.locator("[data-forgotten-notice]")).to_be_hidden()
    return owner, workshop, ada, story_id


def _forgotten(page: Any, story_id: int) -> None:
    expect(page.locator("[data-the-end]")).to_be_visible()
    expect(page.locator("[data-forgotten-notice]")).to_have_text(
        "The copy of your group's draft that this browser kept for writing offline has been deleted: "
        "nothing of it stays on this device."
    )
    assert f"plume-story-{story_id}" not in page.evaluate(DATABASES)


def test_when_the_last_phase_ends_the_browser_deletes_its_draft(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    owner, workshop, ada, story_id = _writing(new_context)
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, owner.email)
    console.goto(f"/workshops/{workshop.id}/console")
    expect(console.locator("[data-console]")).to_have_attribute("data-connection", "connected")
    console.get_by_role("button", name="Next phase").click()
    expect(console.get_by_role("dialog").get_by_role("heading")).to_have_text("End the workshop?")
    console.get_by_role("dialog").get_by_role("button", name="End the workshop").click()
    _forgotten(ada, story_id)
    SHOTS.mkdir(exist_ok=True)
    ada.screenshot(path=str(SHOTS / "privacy-forgotten-desktop.png"), full_page=True)
    # Opened again after the end, the page keeps no copy and deletes any left over.
    ada.reload()
    expect(ada.locator(".writing .cm-content")).to_contain_text("The river is clean again.")
    _forgotten(ada, story_id)


def test_when_the_workshop_is_archived_the_browser_deletes_its_draft(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    owner, workshop, ada, story_id = _writing(new_context)
    # First, what she wrote is in the data she downloads from her page.
    with ada.expect_download() as download:
        ada.get_by_role("link", name="Download my data (JSON)").click()
    assert download.value.suggested_filename == f"plume-my-data-{workshop.id}.json"
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["participant"]["name"] == "Ada"
    assert data["stories"][0]["spans"] == ["The river is clean again."]
    session, token = signed_in(live_server, owner.email)
    response = session.post(
        f"{live_server.url}/workshops/{workshop.id}/archive", data={"csrf_token": token}, timeout=15
    )
    assert response.status_code == 200, response.status_code
    _forgotten(ada, story_id)
