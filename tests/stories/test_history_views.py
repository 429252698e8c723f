"""Who may see a story's history, replay it, restore it, export it, and read how a published story was
written: every route tried as its facilitator, another facilitator, a member, a member of another group
(even while the phase lets them read that group's draft), a reader, with huge ids and wrong types."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from flask.testing import FlaskClient

from core.unit_of_work import committed
from extensions import db
from stories.cowriting import checkpoints, history
from stories.models import Story
from stories.reading import publishing
from tests import factories
from tests.overrides import changed_settings
from tests.signin import as_participant, sign_in
from tests.stories.ydocs import Editor

HUGE = 2**63 + 5


def as_facilitator(client: FlaskClient, facilitator) -> FlaskClient:
    return sign_in(client, facilitator)


@pytest.fixture
def setting(app_ctx):
    """A workshop in cross-reading (each group may read the next group's draft), whose first group wrote
    through two phases; its owner, another facilitator, a member and a member of the other group."""
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2)
    group, other_group = workshop.groups
    story = factories.story_of(group)
    ana, ana_token = factories.participant(group, "Ana")
    ben, _ = factories.participant(group, "Ben")
    _zoe, zoe_token = factories.participant(other_group, "Zoé")
    editor = Editor()
    factories.story_updates(story, [(editor.insert(0, "Une forêt en ville. "), ana)])
    checkpoints.checkpoint_workshop(workshop.id, 0, "Write")
    factories.story_updates(story, [(editor.insert(20, "Les enfants y lisent."), ben)])
    workshop.phase_index = 1  # cross-reading: group 2 may read group 1's draft now
    db.session.commit()
    checkpoints.checkpoint_workshop(workshop.id, 1, "Cross-reading")
    return {
        "owner": owner,
        "stranger": factories.facilitator(),
        "workshop": workshop,
        "story": story,
        "member": ana_token,
        "other_member": zoe_token,
        "checkpoint": history.checkpoint_rows(story.id)[0],
    }


def member_routes(s) -> list[str]:
    sid = s["story"].id
    return [
        f"/stories/{sid}/history",
        f"/stories/{sid}/history/seek.json?seq=1",
        f"/stories/{sid}/history/balance.json",
    ]


def facilitator_routes(s) -> list[str]:
    wid, sid, cid = s["workshop"].id, s["story"].id, s["checkpoint"].id
    return [
        f"/stories/{sid}/history/{cid}/restore",
        f"/workshops/{wid}/history.json",
        f"/workshops/{wid}/history.csv",
    ]


def test_the_facilitator_sees_everything(client: FlaskClient, setting) -> None:
    as_facilitator(client, setting["owner"])
    for url in member_routes(setting) + facilitator_routes(setting):
        assert client.get(url).status_code == 200, url


def test_a_member_sees_the_history_but_cannot_restore_or_export(client: FlaskClient, setting) -> None:
    as_participant(client, setting["member"])
    for url in member_routes(setting):
        assert client.get(url).status_code == 200, url
    page = client.get(member_routes(setting)[0]).get_data(as_text=True)
    assert "Restore this version" not in page
    for url in facilitator_routes(setting):
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("who", ["other_member", "stranger", "reader"])
def test_everyone_else_gets_a_404(client: FlaskClient, setting, who: str) -> None:
    """A member of the group that may read this draft in cross-reading still may not see its history."""
    if who == "other_member":
        as_participant(client, setting["other_member"])
    elif who == "stranger":
        as_facilitator(client, setting["stranger"])
    for url in member_routes(setting) + facilitator_routes(setting):
        assert client.get(url).status_code == 404, (who, url)


def test_restoring_as_anyone_but_the_facilitator_is_refused(csrf_client: FlaskClient, setting) -> None:
    url = facilitator_routes(setting)[0]
    text = history.seek(setting["story"].id).text()
    as_participant(csrf_client, setting["member"])
    assert csrf_client.post(url).status_code == 404
    as_facilitator(csrf_client, setting["stranger"])
    assert csrf_client.post(url).status_code == 404
    db.session.rollback()
    assert history.seek(setting["story"].id).text() == text


def test_a_restore_needs_the_csrf_token(client: FlaskClient, setting) -> None:
    as_facilitator(client, setting["owner"])
    assert client.post(facilitator_routes(setting)[0]).status_code == 400


def test_the_facilitator_restores_after_confirming(client: FlaskClient, setting) -> None:
    as_facilitator(client, setting["owner"])
    url = facilitator_routes(setting)[0]
    confirm = client.get(url).get_data(as_text=True)
    assert "Restore the story as it was after “Write”?" in confirm
    assert "Les enfants y lisent." in confirm  # what the restore would remove is shown
    token = re.search(r'name="csrf_token" value="([^"]+)"', confirm)[1]
    answer = client.post(url, data={"csrf_token": token})
    assert answer.status_code == 303
    db.session.rollback()
    assert history.seek(setting["story"].id).text() == "Une forêt en ville. "
    assert len(history.log_rows(setting["story"].id)) == 3  # a new edit: nothing was taken out of the log
    page = client.get(member_routes(setting)[0]).get_data(as_text=True)
    assert "The story is back as it was after “Write”." in page


def test_a_restore_past_the_story_s_limit_says_so(client: FlaskClient, setting, app_ctx) -> None:
    as_facilitator(client, setting["owner"])
    url = facilitator_routes(setting)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]
    with changed_settings(app_ctx, max_document_bytes=1):
        answer = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "This version cannot be restored: the story has reached its size limit." in answer.get_data(True)
    db.session.rollback()
    assert history.seek(setting["story"].id).text() == "Une forêt en ville. Les enfants y lisent."


def restore_to(client: FlaskClient, setting, checkpoint) -> None:
    url = f"/stories/{setting['story'].id}/history/{checkpoint.id}/restore"
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True))[1]
    assert client.post(url, data={"csrf_token": token}).status_code == 303
    db.session.rollback()


def test_restoring_back_and_forth_gives_the_text_back_to_its_writers(client: FlaskClient, setting) -> None:
    """Issue 28, item 4: restore "after Write", then "after Cross-reading": the same text as before, and
    each writer still has their own characters in it (the restored text was not the facilitator's)."""
    as_facilitator(client, setting["owner"])
    story_id = setting["story"].id
    before = client.get(f"/stories/{story_id}/history/balance.json").get_json()["members"]
    write, cross_reading = history.checkpoint_rows(story_id)
    restore_to(client, setting, write)
    restore_to(client, setting, cross_reading)
    assert history.seek(story_id).text() == "Une forêt en ville. Les enfants y lisent."
    after = client.get(f"/stories/{story_id}/history/balance.json").get_json()["members"]
    assert after == before
    assert {m["name"]: m["present"] for m in after} == {"Ana": 20, "Ben": 21}


@pytest.mark.parametrize(
    "url",
    [
        f"/stories/{HUGE}/history",
        f"/stories/{HUGE}/history/seek.json?seq=1",
        f"/stories/{HUGE}/history/balance.json",
        f"/stories/{HUGE}/history/1/restore",
        f"/stories/1/history/{HUGE}/restore",
        f"/workshops/{HUGE}/history.json",
        f"/workshops/{HUGE}/history.csv",
        f"/stories/{HUGE}/how-it-was-written",
        "/stories/0/history",
        "/stories/abc/history",
        "/stories/-1/history",
    ],
)
def test_huge_and_wrong_ids_are_404s(client: FlaskClient, setting, url: str) -> None:
    as_facilitator(client, setting["owner"])
    assert client.get(url).status_code == 404


def test_a_checkpoint_of_another_story_is_a_404(client: FlaskClient, setting) -> None:
    as_facilitator(client, setting["owner"])
    other = factories.story_of(setting["workshop"].groups[1])
    assert client.get(f"/stories/{other.id}/history/{setting['checkpoint'].id}/restore").status_code == 404


@pytest.mark.parametrize("seq", ["", "abc", "-1", str(HUGE), "1.5"])
def test_a_seek_to_no_valid_seq_is_a_400(client: FlaskClient, setting, seq: str) -> None:
    as_participant(client, setting["member"])
    assert client.get(f"/stories/{setting['story'].id}/history/seek.json?seq={seq}").status_code == 400


def test_the_seek_answers_the_text_at_that_moment_with_its_authors(client: FlaskClient, setting) -> None:
    as_participant(client, setting["member"])
    sid = setting["story"].id
    moment = client.get(f"/stories/{sid}/history/seek.json?seq=2").get_json()
    names = {str(k): v for k, v in history.members_of(setting["story"]).items()}
    assert [(names[str(a)].name, text) for a, text in moment["segments"]] == [
        ("Ana", "Une forêt en ville. "),
        ("Ben", "Les enfants y lisent."),
    ]
    assert (
        client.get(f"/stories/{sid}/history/seek.json?seq=1").get_json()["segments"][0][1]
        == "Une forêt en ville. "
    )
    assert client.get(f"/stories/{sid}/history/seek.json?seq=0").get_json()["segments"] == []


def test_the_history_page_shows_each_phase_the_diff_and_the_colours(client: FlaskClient, setting) -> None:
    as_facilitator(client, setting["owner"])
    page = client.get(member_routes(setting)[0]).get_data(as_text=True)
    assert "After phase 1: Write" in page
    assert "After phase 2: Cross-reading" in page
    assert re.search(r"<ins>.*Les enfants y lisent\.", page)
    assert re.search(r'class="by" style="--by: #[0-9a-f]{6}" title="Ben">Les enfants y lisent\.', page)


def test_names_and_texts_are_escaped(client: FlaskClient, setting) -> None:
    group = setting["workshop"].groups[0]
    evil, _ = factories.participant(group, "<img src=x onerror=alert(1)>")
    factories.story_updates(setting["story"], [(Editor().insert(0, "<script>alert(2)</script>"), evil)])
    as_facilitator(client, setting["owner"])
    page = client.get(member_routes(setting)[0]).get_data(as_text=True)
    assert "<img src=x" not in page
    assert "<script>alert(2)" not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in page


def test_the_archive_has_every_checkpoint_with_texts_and_figures(client: FlaskClient, setting) -> None:
    as_facilitator(client, setting["owner"])
    wid = setting["workshop"].id
    data = json.loads(client.get(f"/workshops/{wid}/history.json").get_data(as_text=True))
    story = next(s for s in data["stories"] if s["id"] == setting["story"].id)
    assert [c["text"] for c in story["checkpoints"]] == [
        "Une forêt en ville. ",
        "Une forêt en ville. Les enfants y lisent.",
    ]
    assert story["checkpoints"][1]["contributions"][1] == {
        "participant_id": story["checkpoints"][1]["contributions"][1]["participant_id"],
        "name": "Ben",
        "written": 21,
        "present": 21,
    }
    rows = list(
        csv.DictReader(io.StringIO(client.get(f"/workshops/{wid}/history.csv").get_data(as_text=True)))
    )
    ana_total = next(
        r
        for r in rows
        if r["participant"] == "Ana"
        and r["checkpoint"] == "total"
        and r["story_id"] == str(setting["story"].id)
    )
    assert (ana_total["written"], ana_total["present"]) == ("20", "20")


def test_the_archive_shows_one_count_of_authorship(client: FlaskClient, setting) -> None:
    """Issue 24, item 3: a checkpoint's stored authorship is its contributions' present characters."""
    as_facilitator(client, setting["owner"])
    data = client.get(f"/workshops/{setting['workshop'].id}/history.json").get_json()
    story = next(s for s in data["stories"] if s["id"] == setting["story"].id)
    for point in story["checkpoints"]:
        present = {c["name"]: c["present"] for c in point["contributions"] if c["present"]}
        assert point["authorship"] == present
    assert story["checkpoints"][1]["authorship"] == {"Ana": 20, "Ben": 21}


def test_the_archives_say_their_charset_once_and_are_never_cached(client: FlaskClient, setting) -> None:
    """Issue 28: `history.csv` said `charset=utf-8` twice in its Content-Type."""
    as_facilitator(client, setting["owner"])
    wid = setting["workshop"].id
    for path, content_type in (
        ("history.csv", "text/csv; charset=utf-8"),
        ("history.json", "application/json; charset=utf-8"),
    ):
        response = client.get(f"/workshops/{wid}/{path}")
        assert response.headers["Content-Type"] == content_type
        assert response.headers["Cache-Control"] == "no-store"  # drafts: no cache keeps them
        assert response.headers["Content-Disposition"] == f'attachment; filename="workshop-{wid}-{path}"'


def test_a_formula_in_a_name_is_not_run_by_a_spreadsheet(client: FlaskClient, setting) -> None:
    factories.participant(setting["workshop"].groups[0], '=HYPERLINK("x")')
    as_facilitator(client, setting["owner"])
    body = client.get(f"/workshops/{setting['workshop'].id}/history.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in body


def test_how_it_was_written_only_for_published_stories_that_opted_in(client: FlaskClient, setting) -> None:
    story = setting["story"]
    url = f"/stories/{story.id}/how-it-was-written"
    assert client.get(url).status_code == 404  # not published
    draft = publishing.draft_of(story)
    with committed():
        publishing.publish(story, draft)
    assert client.get(url).status_code == 404  # published without the opt-in
    assert "How this story was written" not in client.get(f"/stories/{story.id}").get_data(as_text=True)
    draft.show_history = True
    draft.credits = ["Ana"]
    with committed():
        publishing.publish(story, draft)
    page = client.get(url).get_data(as_text=True)
    assert client.get(url).status_code == 200
    assert "Write" in page
    assert "Cross-reading" in page
    assert "Ana" in page
    assert "Ben" not in page
    assert "Co-author 1" in page
    assert "Les enfants" not in page  # no draft text
    assert url in client.get(f"/stories/{story.id}").get_data(as_text=True)
    with committed():
        publishing.unpublish(db.session.get(Story, story.id))
    assert client.get(url).status_code == 404


def test_the_review_form_offers_the_opt_in(csrf_client: FlaskClient, setting) -> None:
    as_facilitator(csrf_client, setting["owner"])
    story = setting["story"]
    prefix = f"story-{story.id}"
    answer = csrf_client.post(
        f"/workshops/{setting['workshop'].id}/publish",
        data={
            "story": story.id,
            "action": "publish",
            f"{prefix}-title": "La forêt",
            f"{prefix}-credits": "Ana, Ben",
            f"{prefix}-show_history": "y",
        },
    )
    assert answer.status_code == 303
    db.session.rollback()
    assert db.session.get(Story, story.id).show_history
    assert csrf_client.get(f"/stories/{story.id}/how-it-was-written").status_code == 200


def test_the_console_shows_each_group_s_balance_and_history_link(client: FlaskClient, setting) -> None:
    as_facilitator(client, setting["owner"])
    page = client.get(f"/workshops/{setting['workshop'].id}/console").get_data(as_text=True)
    assert f'data-url="/stories/{setting["story"].id}/history/balance.json"' in page
    balance = client.get(f"/stories/{setting['story'].id}/history/balance.json").get_json()
    assert [(m["name"], m["percent"]) for m in balance["members"]] == [("Ana", 49), ("Ben", 51)]


def test_every_text_box_is_a_named_region_a_keyboard_reaches(client: FlaskClient, setting) -> None:
    """A long text scrolls in its box: each one takes the focus and has a name, and no two landmarks share a
    name, even when a phase ended twice (axe's scrollable-region-focusable and landmark-unique, issue 28)."""
    from lxml import html

    checkpoints.checkpoint_workshop(setting["workshop"].id, 1, "Cross-reading")  # "Go" came back to it
    as_facilitator(client, setting["owner"])
    headings = []
    for url in (f"/stories/{setting['story'].id}/history", facilitator_routes(setting)[0]):
        page = html.fromstring(client.get(url).get_data(as_text=True))

        def name(node, page=page) -> str:
            ids = node.get("aria-labelledby", "").split()
            return " ".join(" ".join(page.get_element_by_id(i).text_content().split()) for i in ids)

        boxes = page.find_class("history-text")
        assert boxes, url
        for box in boxes:
            assert (box.get("tabindex"), box.get("role")) == ("0", "region"), url
            assert name(box), url
        landmarks = [*boxes, *page.xpath("//section[@aria-labelledby]")]
        names = [name(node) for node in landmarks]
        assert len(set(names)) == len(names), names
        headings += names
    assert "After phase 2: Cross-reading (time 2)" in headings
