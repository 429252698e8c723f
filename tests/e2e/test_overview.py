"""The organiser's live overview in real Chromium: it follows a phase change made from a workshop's console
(a real Socket.IO client), its card opens the console; and 40 workshops in every state fit a 1440×900
screen without horizontal scroll (screenshot in screenshots/overview/: look at it).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from extensions import db
from feedback.models import Comment
from tests import factories
from tests.consultations.test_overview import consultation_with
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, SHOTS, sign_in
from tests.server import ServerProcess
from tests.signin import facilitator_cookie
from tests.sockets import Client
from workshops.models import Workshop
from workshops.presence import RedisPresence

pytestmark = pytest.mark.e2e


def card(page: Any, workshop_id: int) -> Any:
    return page.locator(f'[data-workshop="{workshop_id}"].ov-card')


def test_the_overview_follows_a_phase_change_live_and_opens_the_console(
    page: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    owner = factories.facilitator("olive@example.org", name="Olive")
    consultation_id, ids = consultation_with(owner, count=2, groups=3)
    page.set_viewport_size(DESKTOP)
    sign_in(page, owner.email)
    page.goto(f"/consultations/{consultation_id}")
    page.get_by_role("link", name="Live overview").click()
    expect(page.get_by_role("heading", level=1, name="Live overview")).to_be_visible()
    expect(page.locator("[data-link-status]")).to_have_text("Live", timeout=15_000)
    first = card(page, ids[0])
    expect(first).to_contain_text("Not started yet")
    expect(first.locator(".chip")).to_have_count(3)
    assert_accessible(page)

    headers = facilitator_cookie(live_server.url, owner.email)
    console = Client(live_server.url, auth={"role": "facilitator", "workshop_id": ids[0]}, headers=headers)
    try:
        assert console.call("facilitator:command", {"action": "start"}) == {"ok": True}
        expect(first).to_contain_text("Phase 1 of", timeout=15_000)
        expect(first).to_contain_text("left")
        assert console.call("facilitator:command", {"action": "next"}) == {"ok": True}
        expect(first).to_contain_text("Phase 2 of", timeout=15_000)
        expect(card(page, ids[1])).to_contain_text("Not started yet")  # the other one did not move
    finally:
        console.close()
    first.get_by_role("link").click()
    page.wait_for_url(f"**/workshops/{ids[0]}/console")


def test_forty_workshops_fit_a_1440_by_900_screen(
    new_context: Any, server_on: Any, database: str, redis_url: str, app_ctx: Any
) -> None:
    server = server_on(database, REDIS_URL=redis_url)
    owner = factories.facilitator("ada@example.org", name="Ada")
    consultation_id, ids = consultation_with(owner, count=40, groups=4)
    connected = fill(ids)
    presence = RedisPresence(redis_url, heartbeat=False)
    for n, (workshop_id, participant_id) in enumerate(connected):
        presence.add(f"shot-{n}", workshop_id, participant_id)
    page = new_context(base_url=server.url, viewport=DESKTOP).new_page()
    sign_in(page, owner.email)
    page.goto(f"/consultations/{consultation_id}/overview")
    expect(page.locator("[data-link-status]")).to_have_text("Live", timeout=15_000)
    expect(page.locator(".ov-card")).to_have_count(40)
    expect(page.locator("[data-alert]").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    expect(page.locator('[data-alert="late"]')).to_have_count(1)
    expect(page.locator('[data-alert="calling"]')).to_have_count(2)
    for folder in (SHOTS / "overview",):
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / "overview-40-workshops.png"))
        page.screenshot(path=str(folder / "overview-40-workshops-full.png"), full_page=True)
    assert_accessible(page)


def fill(ids: list[int]) -> list[tuple[int, int]]:
    """Put the 40 workshops in every state (running at several phases, one 8 minutes behind, paused, not
    started, finished), with participants, drafts and comments; the (workshop, participant) connected."""
    rng = random.Random(25)
    now = datetime.now(UTC)
    connected = []
    for n, workshop_id in enumerate(ids):
        workshop = db.session.get(Workshop, workshop_id)
        clock(workshop, n, now, rng)
        for g, group in enumerate(workshop.groups):
            if n in (2, 11) and g == 1:
                group.called_at = now - timedelta(minutes=1)
            story = group.story[0]
            if workshop.status != "not_started":
                story.length = rng.randrange(0, 2400)
                ago = rng.randrange(200, 900) if n % 5 == 0 and g == 2 else rng.randrange(1, 60)
                story.last_activity_at = now - timedelta(seconds=ago) if story.length else None
            for k in range(rng.randrange(2, 5)):
                person, _ = factories.participant(group, f"P{n}-{g}-{k}")  # commits
                if not (n == 9 and g == 3) and rng.random() < 0.85:
                    connected.append((workshop_id, person.id))
            if story.length and rng.random() < 0.4:
                db.session.add(Comment(story_id=story.id, author_name="Reader", body="Nice"))
    db.session.commit()
    return connected


def clock(workshop: Workshop, n: int, now: datetime, rng: random.Random) -> None:
    """The `n`th workshop's clock: 30 running (the 5th 8 minutes behind its agenda, the 7th 2 minutes over
    time), 3 paused, 5 not started, 2 finished."""
    if n < 30:
        workshop.status = "running"
        workshop.phase_index = rng.randrange(len(workshop.phases))
        workshop.deadline = now + timedelta(seconds=rng.randrange(60, 1200))
        if n in (4, 6):
            workshop.deadline = now - timedelta(minutes=8 if n == 4 else 2)
    elif n < 33:
        workshop.status = "paused"
        workshop.phase_index = 1
        workshop.remaining_seconds = 420.0
    elif n >= 38:
        workshop.status = "finished"
        workshop.phase_index = len(workshop.phases) - 1
    else:
        workshop.status = "not_started"
