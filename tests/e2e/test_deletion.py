"""Deleting a workshop in real Chromium: from its page to a confirmation that names what will go (axe-checked,
on a desktop and a phone), then the delete, keeping the published story; a participant's open page is told
at once, and the story stays readable, anonymous."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from core.unit_of_work import committed
from extensions import db
from stories.models import Story
from stories.reading import publishing
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, join, sign_in
from workshops.models import Workshop, WorkshopFacilitator

pytestmark = pytest.mark.e2e


def test_delete_a_workshop_keeping_its_published_story(new_context: Any, app_ctx: Any) -> None:
    owner = factories.facilitator("ada@example.org", name="Ada")
    workshop = factories.workshop(owner, title="Health in 2040", join_code="DEL234")
    story = factories.story_of(workshop.groups[1])
    factories.participant(workshop.groups[1], "Grace Hopper")
    factories.story_text(story, "# The quiet clinic\n\nIn 2040 the clinic listened before it spoke.")
    with committed():
        publishing.publish(db.session.get(Story, story.id))
    story_id, workshop_id = story.id, workshop.id
    participant = join(new_context, "DEL234", "Ada Lovelace")

    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, "ada@example.org")
    page.goto(f"/workshops/{workshop_id}")
    SHOTS.mkdir(exist_ok=True)
    page.locator("#delete").screenshot(path=str(SHOTS / "delete-edit-section.png"))
    page.get_by_role("link", name="Delete this workshop…").click()
    expect(page.get_by_role("heading", level=1, name="Delete this workshop?")).to_be_visible()
    contents = page.locator("[data-deletion-contents] li").all_text_contents()
    assert contents[:4] == [
        "2 groups",
        "2 participants, with their names",
        "1 story written, with its whole history",
        "1 published story",
    ]
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "delete-workshop-desktop.png"), full_page=True)
    phone = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(phone, "ada@example.org")
    phone.goto(f"/workshops/{workshop_id}/delete")
    phone.screenshot(path=str(SHOTS / "delete-workshop-phone.png"), full_page=True)

    page.get_by_label("Keep the published stories readable, as anonymous stories").check()
    page.get_by_role("button", name="Delete the workshop for good").click()
    page.wait_for_url("**/workshops")
    expect(page.get_by_text("“Health in 2040” and everything it held are deleted.")).to_be_visible()
    notice = participant.locator("[data-notice]")
    expect(notice).to_have_text("This workshop has been deleted by its facilitator.")
    expect(participant.locator("[data-participant-view]")).to_have_attribute("data-connection", "removed")
    participant.screenshot(path=str(SHOTS / "delete-participant-told.png"))

    page.goto(f"/stories/{story_id}")
    expect(page.get_by_role("heading", level=1, name="The quiet clinic")).to_be_visible()
    expect(page.get_by_text("Anonymous authors")).to_be_visible()
    assert "Grace Hopper" not in page.content()
    assert "Health in 2040" not in page.content()
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "delete-kept-story-desktop.png"), full_page=True)


def test_delete_an_account_handing_a_workshop_over(new_context: Any, app_ctx: Any) -> None:
    me = factories.facilitator("ada@example.org", name="Ada")
    sam = factories.facilitator("sam@example.org", name="Sam Diallo")
    shared = factories.workshop(me, title="Health in 2040")
    factories.workshop(me, title="Rivers in 2050")
    db.session.add(WorkshopFacilitator(workshop_id=shared.id, facilitator_id=sam.id))
    db.session.commit()
    shared_id = shared.id

    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, "ada@example.org")
    page.get_by_role("link", name="Account").click()
    page.get_by_role("link", name="Delete your account…").click()
    expect(page.get_by_role("heading", level=1, name="Delete your account")).to_be_visible()
    assert page.get_by_label("Health in 2040").input_value() == str(sam.id)  # handed over by default
    assert page.get_by_label("Rivers in 2050").input_value() == "delete"  # no one to take it
    assert_accessible(page)
    page.screenshot(path=str(SHOTS / "delete-account-desktop.png"), full_page=True)
    phone = new_context(viewport=PHONE, is_mobile=True).new_page()
    sign_in(phone, "ada@example.org")
    phone.goto("/account/delete")
    phone.screenshot(path=str(SHOTS / "delete-account-phone.png"), full_page=True)

    page.get_by_label("Your password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Delete my account for good").click()
    expect(page.get_by_text("Your account is deleted.")).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Facilitator sign in")
    ).to_be_visible()
    phone.reload()
    expect(phone.get_by_label("Password")).to_be_visible()  # signed out on the phone too
    db.session.expire_all()
    assert db.session.get(Workshop, shared_id).owner_id == sam.id
