"""The hostile corpus as comments, quotes, replies and chat messages, shown in real Chromium: on the
participant's page, the facilitator's console and the review page, nothing runs."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from playwright.sync_api import expect
from pycrdt import Doc, Text

from core.identity import Identity
from extensions import db
from feedback import anchors, chat, comments
from tests import factories
from tests.e2e.pages import sign_in
from tests.e2e.test_cross_reading import join_group
from tests.e2e.test_xss_page import FLAG, assert_nothing_ran, watch
from tests.overrides import changed_settings
from tests.stories.xss_corpus import XSS_CORPUS
from workshops.join_codes import new_join_code

pytestmark = pytest.mark.e2e

PHASES = [{"title": "Cross-reading", "editors_open": False, "visibility": "next", "comments": "readers"}]
PAYLOADS = [*XSS_CORPUS, *(p.replace("alert(1)", FLAG) for p in XSS_CORPUS if "alert(1)" in p)]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_hostile_comments_and_chat_run_nothing_anywhere(new_context: Any, app: Any, app_ctx: Any) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(
        owner, groups=2, phases=PHASES, join_code=new_join_code(), participants_choose_group=True
    )
    story = factories.story_of(workshop.groups[0])
    update = factories.story_text(story, "A calm story. " * 20)
    doc = Doc()
    text = doc.get("body", type=Text)
    doc.apply_update(update)
    known = anchors.anchor(text, 2, 6)  # "calm": the server quotes it itself
    elsewhere = Doc()
    other_text = elsewhere.get("body", type=Text)
    other_text += "x" * 50
    unknown = anchors.anchor(other_text, 0, 10)  # not in this story: the client's (hostile) quote is kept
    reader, _ = factories.participant(workshop.groups[1], '"><img src=x onerror=alert(1)>')
    author, _ = factories.participant(workshop.groups[0], "<script>alert(1)</script>")
    with changed_settings(app, comment_rate=(100_000, 1.0), chat_rate=(100_000, 1.0)):
        for n, payload in enumerate(PAYLOADS):
            start, end = known if n % 2 else unknown
            made = comments.create(
                Identity("participant", reader.id),
                {
                    "story_id": story.id,
                    "start": b64(start),
                    "end": b64(end),
                    "quote": payload,
                    "body": payload,
                },
            )
            if n % 3 == 0:
                comments.reply(Identity("participant", author.id), {"comment_id": made.id, "body": payload})
            chat.post(Identity("participant", author.id), None, {"body": payload})
        db.session.commit()  # operations flush; their caller commits

    page = join_group(new_context, workshop.join_code, "Ana", "Group 1")
    dialogs = watch(page)
    expect(page.locator(".writing .thread")).to_have_count(len(PAYLOADS), timeout=20_000)
    page.locator("[data-chat] summary").click()
    expect(page.locator(".chat__log li")).to_have_count(min(len(PAYLOADS), chat.HISTORY))
    for thread in page.locator(".writing .thread__quote").all()[:6]:  # open a few threads: replies render
        thread.click()
    assert_nothing_ran(page, dialogs)

    reader_page = join_group(new_context, workshop.join_code, "Bob", "Group 2")
    reader_dialogs = watch(reader_page)
    expect(reader_page.locator(".readable .thread")).to_have_count(len(PAYLOADS), timeout=20_000)
    assert_nothing_ran(reader_page, reader_dialogs)

    console = new_context().new_page()
    console_dialogs = watch(console)
    sign_in(console, owner.email)
    console.goto(f"/workshops/{workshop.id}/console")
    expect(console.locator(".group-card .thread").first).to_be_visible(timeout=20_000)
    console.locator("[data-chat] summary").click()
    expect(console.locator(".chat__log li").first).to_be_visible()
    assert_nothing_ran(console, console_dialogs)
    console.goto(f"/workshops/{workshop.id}/publish")
    expect(console.locator(".review-thread")).to_have_count(len(PAYLOADS))
    assert_nothing_ran(console, console_dialogs)
