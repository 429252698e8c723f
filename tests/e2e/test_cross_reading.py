"""Cross-reading in real Chromium, with the keyboard: group B comments on a passage of A's story; A, in the
revise phase, finds the highlight on the same passage after edits on both sides of it, replies and resolves.
Then three members of a group chat, one of them on a phone. axe checks the pages; screenshots go to
screenshots/ (look at them).
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect
from pycrdt import Doc, Text

from core.identity import Identity
from extensions import db
from feedback import anchors, comments
from feedback.models import Comment
from tests import factories
from tests.e2e.a11y import assert_accessible
from tests.e2e.pages import DESKTOP, PHONE, SHOTS, sign_in
from tests.server import ServerProcess
from tests.signin import facilitator_cookie
from tests.sockets import Client
from tests.stories.clients import example_module, wait_until
from workshops.join_codes import new_join_code

pytestmark = pytest.mark.e2e

STORY = "The clinic opens at night.\nBuses carry the doctors.\nThe square has a garden."
PASSAGE = "Buses carry the doctors."
PHASES = [
    {"title": "Cross-reading", "editors_open": False, "visibility": "next", "comments": "readers"},
    {"title": "Revise", "editors_open": True, "visibility": "none", "comments": "group"},
]


def join_group(new_context: Any, code: str, name: str, group: str, **options: Any) -> Any:
    page = new_context(**options).new_page()
    page.goto(f"/join/{code}")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Your group").select_option(label=group)
    page.get_by_role("button", name="Join").click()
    page.wait_for_url("**/w/*")
    expect(page.locator("[data-group-name]")).to_have_text(group)
    return page


CURSOR_LINE = (
    "host => { const s = host.plumeEditor.view.state; return s.doc.lineAt(s.selection.main.head).text }"
)


def own_editor(page: Any) -> Any:
    return page.locator(".writing [data-story-editor]")


def select_line(page: Any, content: Any, line: int) -> None:
    """Select a whole line of an editor with the keyboard."""
    content.focus()
    page.keyboard.press("Control+Home")
    for _ in range(line):
        page.keyboard.press("ArrowDown")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+End")


def test_two_groups_cross_read_comment_reply_and_resolve(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    SHOTS.mkdir(exist_ok=True)
    owner = factories.facilitator()
    workshop = factories.workshop(
        owner, groups=2, phases=PHASES, join_code=new_join_code(), participants_choose_group=True
    )
    story_a = factories.story_of(workshop.groups[0])
    factories.story_text(story_a, STORY)
    ana = join_group(new_context, workshop.join_code, "Ana", "Group 1", viewport=DESKTOP)
    bob = join_group(new_context, workshop.join_code, "Bob", "Group 2", viewport=DESKTOP)

    # Cross-reading: Bob reads Group 1's story, selects a passage with the keyboard and comments on it.
    reader = bob.locator(f'[data-read-only-story="{story_a.id}"]')
    content = reader.locator(".cm-content")
    expect(content).to_contain_text("Buses carry")
    expect(bob.locator(".commented").first).to_have_attribute("data-comments-state", "open")
    select_line(bob, content, 1)
    bob.keyboard.press("Control+Alt+m")
    box = bob.get_by_label("Your comment on", exact=False)
    expect(box).to_be_focused()
    bob.keyboard.type("Who drives the buses at night? *Great* image.")
    bob.keyboard.press("Tab")
    expect(bob.get_by_role("button", name="Post the comment")).to_be_focused()
    bob.keyboard.press("Enter")
    expect(reader.locator(".cm-comment")).to_have_text(PASSAGE)
    expect(bob.locator(".thread")).to_have_count(1)
    assert_accessible(bob)
    bob.screenshot(path=str(SHOTS / "comments-reader-desktop.png"), full_page=True)

    # Ana, in Group 1, sees it arrive live on her own story, with Bob's name and group.
    thread = ana.locator(".writing .thread")
    expect(thread).to_have_count(1)
    expect(thread).to_contain_text("Bob")
    expect(thread).to_contain_text("Group 2")
    expect(thread.locator("em")).to_have_text("Great")
    (comment,) = db.session.query(Comment).all()
    assert comment.quote == PASSAGE

    # Revise: the facilitator moves on. Group 1 writes before and after the passage, at the same time.
    runner = Client(
        live_server.url,
        auth={"role": "facilitator", "workshop_id": workshop.id},
        headers=facilitator_cookie(live_server.url, owner.email, factories.PASSWORD),
    )
    try:
        assert runner.call("facilitator:command", {"action": "next"})["ok"]
    finally:
        runner.close()
    expect(own_editor(ana).locator(".cm-content")).to_have_attribute("contenteditable", "true")
    abel_token = factories.participant(workshop.groups[0], "Abel")[1]
    abel = example_module().StoryClient(live_server.url, abel_token, story_a.id)
    try:
        assert abel.synced.wait(5)
        ana_content = own_editor(ana).locator(".cm-content")
        ana_content.focus()
        ana.keyboard.press("Control+Home")
        ana.keyboard.press("End")
        ana.keyboard.type(" Nurses wave from the windows.")
        abel.append("\nA bakery stays open too.")
        expected_tail = "A bakery stays open too."
        assert wait_until(lambda: expected_tail in own_editor(ana).evaluate(
            "host => host.plumeEditor.view.state.doc.toString()"))  # fmt: skip
    finally:
        abel.close()
    highlight = own_editor(ana).locator(".cm-comment")
    expect(highlight).to_have_text(PASSAGE)
    # Bob's group no longer reads the story: its reader is gone from his page.
    expect(bob.locator(f'[data-read-only-story="{story_a.id}"]')).to_have_count(0)

    # Ana puts her cursor in the highlight and opens the thread with the shortcut; she replies and resolves.
    ana_content.focus()
    ana.keyboard.press("Control+Home")
    for _ in range(6):  # lines wrap: go down until the cursor is on the passage's line
        ana.keyboard.press("ArrowDown")
        if own_editor(ana).evaluate(CURSOR_LINE).startswith("Buses"):
            break
    ana.keyboard.press("Home")
    ana.keyboard.press("ArrowRight")
    ana.keyboard.press("ArrowRight")
    ana.keyboard.press("Control+Alt+m")
    reply = ana.get_by_label("Your reply")
    expect(reply).to_be_focused()
    ana.keyboard.type("A night shift of drivers: we added it.")
    ana.keyboard.press("Tab")
    submit = ana.get_by_role("button", name="Reply", exact=True)
    expect(submit).to_be_focused()
    # A live edit redraws the margin's threads: the keyboard stays on the control it was on.
    drawn = ana.locator(f'.writing [data-thread="{comment.id}"]').element_handle()
    late = example_module().StoryClient(live_server.url, abel_token, story_a.id)
    try:
        assert late.synced.wait(5)
        late.append(" The last bus leaves at two.")
        assert wait_until(lambda: not drawn.evaluate("node => node.isConnected"))
    finally:
        late.close()
    expect(submit).to_be_focused()
    ana.keyboard.press("Enter")
    expect(ana.locator(".thread__replylist")).to_contain_text("A night shift of drivers")
    expect(reply).to_be_focused()
    assert_accessible(ana)
    ana.screenshot(path=str(SHOTS / "comments-margin-desktop.png"))
    ana.get_by_role("button", name="Resolve").focus()
    ana.keyboard.press("Enter")
    expect(ana.get_by_role("button", name="Reopen")).to_be_visible()
    expect(ana.locator(".thread")).to_contain_text("Resolved by Ana")
    ana.keyboard.press("Escape")
    expect(ana_content).to_be_focused()
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).resolved_at is not None

    # On a phone, the thread opens in a bottom sheet.
    phone = join_group(new_context, workshop.join_code, "Lou", "Group 1", viewport=PHONE, is_mobile=True,
                       has_touch=True)  # fmt: skip
    toggle = phone.get_by_role("button", name="Comments (1)")
    expect(toggle).to_be_visible()
    toggle.click()
    sheet = phone.locator(".writing .comments")
    expect(sheet).to_be_visible()
    phone.locator(".writing .thread__quote").click()
    expect(phone.get_by_label("Your reply")).to_be_visible()
    assert_accessible(phone)
    phone.screenshot(path=str(SHOTS / "comments-sheet-phone.png"))
    box = sheet.bounding_box()
    assert box is not None
    assert box["y"] + box["height"] >= PHONE["height"] - 2  # docked at the bottom of the screen
    assert box["width"] >= PHONE["width"] - 2

    # The facilitator sees every comment in the console, with the counts, and hides one: it leaves the
    # participants' margins at once. The review page keeps it, marked hidden.
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, owner.email)
    console.goto(f"/workshops/{workshop.id}/console")
    card = console.locator(f'[data-group-card][data-group-id="{workshop.groups[0].id}"]')
    expect(card.locator("[data-comment-count]")).to_have_attribute("data-total", "1")
    expect(card.locator(".thread")).to_contain_text("Who drives the buses")
    card.locator(".thread__quote").click()
    assert_accessible(console)
    console.screenshot(path=str(SHOTS / "comments-console.png"), full_page=True)
    hide = card.get_by_role("button", name="Hide").first
    hide.focus()
    console.keyboard.press("Enter")
    expect(ana.locator(".writing .thread")).to_have_count(0)
    expect(card.locator("[data-comment-count]")).to_have_attribute("data-total", "0")
    console.goto(f"/workshops/{workshop.id}/publish")
    expect(console.locator(".review-thread")).to_contain_text("Who drives the buses")
    assert_accessible(console)
    console.screenshot(path=str(SHOTS / "comments-review.png"), full_page=True)


def test_three_members_chat_one_on_a_phone(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    SHOTS.mkdir(exist_ok=True)
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2, join_code=new_join_code(), participants_choose_group=True)
    pages = [
        join_group(new_context, workshop.join_code, "Awa", "Group 1", viewport=DESKTOP),
        join_group(new_context, workshop.join_code, "Julien", "Group 1", viewport=DESKTOP),
        join_group(
            new_context, workshop.join_code, "Inès", "Group 1", viewport=PHONE, is_mobile=True, has_touch=True
        ),
    ]
    other = join_group(new_context, workshop.join_code, "Zoé", "Group 2", viewport=DESKTOP)
    lines = ["Shall we start with the clinic?", "Yes, and the buses.", "I will write the garden."]
    for page in [*pages, other]:
        page.locator("[data-chat] summary").focus()
        page.keyboard.press("Enter")  # opens the chat (a <details>)
        expect(page.get_by_label("Message to your group")).to_be_visible()
    for page, line in zip(pages, lines, strict=True):
        page.get_by_label("Message to your group").focus()
        page.keyboard.type(line)
        page.keyboard.press("Enter")
    for page in pages:
        log = page.locator(".chat__log")
        for line in lines:
            expect(log).to_contain_text(line)
    expect(other.locator(".chat__log li")).to_have_count(0)

    # A member who folded the chat sees a badge for what arrives; history comes back after a reload.
    awa = pages[0]
    awa.locator("[data-chat] summary").click()
    pages[1].get_by_label("Message to your group").fill("One more thing")
    pages[1].keyboard.press("Enter")
    expect(awa.locator(".chat__badge")).to_have_text("1 new")
    pages[2].reload()
    pages[2].locator("[data-chat] summary").click()
    expect(pages[2].locator(".chat__log li")).to_have_count(4)
    assert_accessible(pages[2])
    pages[2].screenshot(path=str(SHOTS / "chat-phone.png"), full_page=True)
    assert_accessible(awa)

    # The facilitator writes to every group from the console, then to Group 2 alone, and hides a message.
    console = new_context(viewport=DESKTOP).new_page()
    sign_in(console, owner.email)
    console.goto(f"/workshops/{workshop.id}/console")
    console.locator("[data-chat] summary").click()
    expect(console.locator(".chat__log li")).to_have_count(4)
    console.get_by_label("Chat message").fill("Ten minutes left, everyone")
    console.keyboard.press("Enter")
    for page in [*pages, other]:
        expect(page.locator(".chat__log")).to_contain_text("Ten minutes left, everyone")
    console.get_by_label("Send to").select_option(label="Group 2")
    console.get_by_label("Chat message").fill("Group 2: where is your draft?")
    console.keyboard.press("Enter")
    expect(other.locator(".chat__log")).to_contain_text("where is your draft")
    expect(console.locator(".chat__log li")).to_have_count(6)
    assert "where is your draft" not in pages[1].locator(".chat__log").inner_text()
    console.locator(".chat__message", has_text="One more thing").get_by_role("button", name="Hide").click()
    expect(pages[1].locator(".chat__log")).not_to_contain_text("One more thing")
    expect(console.locator(".chat__message--hidden")).to_have_count(1)
    assert_accessible(console)


def test_the_agenda_editor_says_who_may_comment(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    SHOTS.mkdir(exist_ok=True)
    owner = factories.facilitator()
    workshop = factories.bright_mirror_workshop(owner, title="Health in 2040")
    cross, revise = workshop.phases[5], workshop.phases[6]
    page = new_context(viewport=DESKTOP).new_page()
    sign_in(page, owner.email)
    page.goto(f"/workshops/{workshop.id}")
    expect(page.locator(f"#phase-{cross.id} .phase__facts")).to_contain_text("Comments: readers too")
    expect(page.locator(f"#phase-{revise.id} .phase__facts")).to_contain_text("Comments: own group")
    page.locator(f"#phase-{cross.id} summary.phase__summary").click()
    readers = page.locator(f"#phase-{cross.id}").get_by_label(
        "Also the groups that read the story during this phase"
    )
    expect(readers).to_be_checked()
    assert_accessible(page)
    page.locator(f"#phase-{cross.id}").screenshot(path=str(SHOTS / "agenda-comments-setting.png"))
    page.locator(f"#phase-{cross.id}").get_by_label("No comments").check()
    page.locator(f"#phase-{cross.id}").get_by_role("button", name="Save the phase").click()
    expect(page.locator(f"#phase-{cross.id} .phase__facts")).not_to_contain_text("Comments:")


def test_a_comment_outlives_its_deleted_passage(
    new_context: Any, live_server: ServerProcess, app_ctx: Any
) -> None:
    import base64

    workshop = factories.workshop(
        groups=2, phases=PHASES[1:], join_code=new_join_code(), participants_choose_group=True
    )  # revise: the group comments on its own story and writes
    story = factories.story_of(workshop.groups[0])
    update = factories.story_text(story, STORY)
    doc = Doc()
    text = doc.get("body", type=Text)
    doc.apply_update(update)
    start = STORY.index("The square")
    a, b = anchors.anchor(text, start, len(STORY))
    author, _ = factories.participant(workshop.groups[0], "Abel")
    payload = {
        "story_id": story.id,
        "start": base64.b64encode(a).decode(),
        "end": base64.b64encode(b).decode(),
    }
    comments.create(Identity("participant", author.id), {**payload, "body": "Which square?"})
    db.session.commit()  # operations flush; their caller commits
    page = join_group(new_context, workshop.join_code, "Ana", "Group 1", viewport=DESKTOP)
    content = own_editor(page).locator(".cm-content")
    expect(own_editor(page).locator(".cm-comment")).to_have_text("The square has a garden.")
    select_line(page, content, 2)
    page.keyboard.press("Backspace")
    expect(own_editor(page).locator(".cm-comment")).to_have_count(0)
    thread = page.locator(".writing .thread")
    expect(thread).to_contain_text("The passage was deleted from the story.")
    expect(thread.locator(".thread__text--gone")).to_have_text("“The square has a garden.”")
    page.keyboard.press("Control+z")  # undo brings the passage, and its highlight, back
    expect(own_editor(page).locator(".cm-comment")).to_have_text("The square has a garden.")


def test_ctrl_enter_posts_a_comment(new_context: Any, live_server: ServerProcess, app_ctx: Any) -> None:
    """Issue 28: Ctrl+Enter in the comment box posts it (Enter alone is a new line in the comment)."""
    workshop = factories.workshop(
        groups=2, phases=PHASES[1:], join_code=new_join_code(), participants_choose_group=True
    )  # revise: the group comments on its own story
    factories.story_text(factories.story_of(workshop.groups[0]), STORY)
    page = join_group(new_context, workshop.join_code, "Ana", "Group 1", viewport=DESKTOP)
    content = own_editor(page).locator(".cm-content")
    expect(content).to_contain_text("Buses carry")
    select_line(page, content, 1)
    page.keyboard.press("Control+Alt+m")
    box = page.get_by_label("Your comment on", exact=False)
    expect(box).to_be_focused()
    page.keyboard.type("Who drives them?")
    page.keyboard.press("Enter")
    page.keyboard.type("At night.")
    page.keyboard.press("Control+Enter")
    expect(own_editor(page).locator(".cm-comment")).to_have_text(PASSAGE)
    expect(page.locator(".writing .thread")).to_contain_text("At night.")
