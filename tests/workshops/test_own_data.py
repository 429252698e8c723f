"""A participant's own data, downloaded as JSON from their page: everything about them (their record, chat
messages, comments, their share of the stories) and nothing about anyone else; nobody else downloads it."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from flask.testing import FlaskClient
from pycrdt import Doc, Text

from core.identity import Identity
from core.unit_of_work import committed
from feedback import anchors, chat, comments
from tests import factories
from tests.signin import as_participant, sign_in
from tests.stories.ydocs import Editor

PHASES = [{"title": "Write", "editors_open": True, "comments": "readers", "duration_seconds": 900}]


@pytest.fixture
def world(app_ctx: Any) -> dict[str, Any]:
    """Ana and Ben write the story of group 1 (Ben deletes a word of Ana's); each chats and comments."""
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2, phases=PHASES)
    group = workshop.groups[0]
    story = factories.story_of(group)
    ana, ana_token = factories.participant(group, "Ana Lovelace")
    ben, ben_token = factories.participant(group, "Ben Okri")
    a, b = Editor(), Editor()
    first = a.insert(0, "The river glowed. ")
    b.receive(first)
    second = b.insert(18, "Children swam.")
    a.receive(second)
    third = b.delete(4, 10)  # Ben removes "river " from Ana's sentence
    factories.story_updates(story, [(first, ana), (second, ben), (third, ben)])
    doc = Doc()
    text = doc.get("body", type=Text)
    for update in (first, second, third):
        doc.apply_update(update)
    start = str(text).index("Children")
    anchor = [base64.b64encode(x).decode() for x in anchors.anchor(text, start, start + 8)]
    with committed():
        chat.post(Identity("participant", ana.id), None, {"body": "Ana says: shall we swim?"})
        chat.post(Identity("participant", ben.id), None, {"body": "Ben says: no"})
        chat.post(Identity("facilitator", owner.id), workshop.id, {"body": "Ten minutes", "group_id": None})
        said = comments.create(
            Identity("participant", ana.id),
            {"story_id": story.id, "body": "Ana asks: which children?", "quote": "Children",
             "start": anchor[0], "end": anchor[1]},
        )  # fmt: skip
        comments.reply(Identity("participant", ben.id), {"comment_id": said.id, "body": "Ben answers"})
    other = factories.workshop(groups=1, phases=PHASES)
    _stranger, stranger_token = factories.participant(other.groups[0], "Stranger")
    return {
        "owner": owner,
        "workshop": workshop,
        "story": story,
        "ana": ana,
        "ana_token": ana_token,
        "ben_token": ben_token,
        "stranger_token": stranger_token,
        "comment": said,
    }


def download(client: FlaskClient, workshop_id: int) -> Any:
    return client.get(f"/w/{workshop_id}/my-data.json", headers={"Accept": "application/json"})


def test_a_participant_downloads_everything_about_them_and_nothing_about_others(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    workshop, ana = world["workshop"], world["ana"]
    response = download(as_participant(client, world["ana_token"]), workshop.id)
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert (
        response.headers["Content-Disposition"] == f'attachment; filename="plume-my-data-{workshop.id}.json"'
    )
    assert response.headers["Cache-Control"] == "no-store"
    data = response.get_json()
    assert data["participant"]["id"] == ana.id
    assert data["participant"]["name"] == "Ana Lovelace"
    assert data["participant"]["joined_at"]
    assert data["workshop"] == {"id": workshop.id, "title": workshop.title}
    assert data["group"] == {"id": workshop.groups[0].id, "name": "Group 1"}
    assert [m["body"] for m in data["chat_messages"]] == ["Ana says: shall we swim?"]
    assert [c["id"] for c in data["comments"]] == [world["comment"].id]
    assert data["comments"][0]["body"] == "Ana asks: which children?"
    assert data["comments"][0]["quote"] == "Children"
    [story] = data["stories"]
    assert story["story_id"] == world["story"].id
    # "The river glowed. " is 18 characters of Ana's; Ben deleted "river " (6) of them.
    assert (story["characters_written"], story["characters_in_text"]) == (18, 12)
    assert story["characters_written_not_in_text"] == 6
    assert story["spans"] == ["The glowed. "]
    assert data["reactions"] == []
    assert data["votes"] == []
    whole = json.dumps(data)
    for not_hers in ("Ben", "Children swam", "Ten minutes", world["ana_token"]):
        assert not_hers not in whole


def test_each_participant_gets_their_own_data_only(client: FlaskClient, world: dict[str, Any]) -> None:
    data = download(as_participant(client, world["ben_token"]), world["workshop"].id).get_json()
    assert data["participant"]["name"] == "Ben Okri"
    assert [m["body"] for m in data["chat_messages"]] == ["Ben says: no"]
    assert [c["body"] for c in data["comments"]] == ["Ben answers"]
    assert data["stories"][0]["spans"] == ["Children swam."]
    assert "Ana" not in json.dumps(data)


def test_a_participant_who_never_wrote_gets_empty_lists(client: FlaskClient, world: dict[str, Any]) -> None:
    group = world["workshop"].groups[1]
    _quiet, token = factories.participant(group, "Quiet")
    data = download(as_participant(client, token), world["workshop"].id).get_json()
    assert data["participant"]["name"] == "Quiet"
    assert data["chat_messages"] == []
    assert data["comments"] == []
    assert [(s["characters_written"], s["spans"]) for s in data["stories"]] == [(0, [])]


def test_a_client_without_cookies_sends_its_token(client: FlaskClient, world: dict[str, Any]) -> None:
    bearer = {"Authorization": f"Bearer {world['ben_token']}"}
    data = client.get(f"/w/{world['workshop'].id}/my-data.json", headers=bearer).get_json()
    assert data["participant"]["name"] == "Ben Okri"
    # The header wins over the session cookie: Ana's browser sending Ben's token gets Ben's data only.
    as_participant(client, world["ana_token"])
    data = client.get(f"/w/{world['workshop'].id}/my-data.json", headers=bearer).get_json()
    assert "Ana" not in json.dumps(data)


@pytest.mark.parametrize("token", ["stranger", "not-a-token-at-all", "", "x" * 5000])
def test_a_token_of_no_one_here_is_refused(client: FlaskClient, world: dict[str, Any], token: str) -> None:
    token = world["stranger_token"] if token == "stranger" else token
    response = client.get(
        f"/w/{world['workshop'].id}/my-data.json",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
    )
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize("who", ["anonymous", "facilitator", "stranger", "removed"])
def test_nobody_else_downloads_a_participants_data(
    client: FlaskClient, world: dict[str, Any], who: str
) -> None:
    if who == "facilitator":
        sign_in(client, world["owner"])
    elif who == "stranger":  # a participant of another workshop
        as_participant(client, world["stranger_token"])
    elif who == "removed":
        with committed():
            world["ana"].removed_at = world["ana"].joined_at
        as_participant(client, world["ana_token"])
    response = download(client, world["workshop"].id)
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
    assert "Ana" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "path", ["/w/0/my-data.json", "/w/99999999999999999999999/my-data.json", "/w/x/my-data.json"]
)
def test_bad_workshop_ids_are_refused_clearly(client: FlaskClient, world: dict[str, Any], path: str) -> None:
    as_participant(client, world["ana_token"])
    response = client.get(path, headers={"Accept": "application/json"})
    assert response.status_code in (403, 404)
    assert "error" in response.get_json()


def test_the_participant_page_links_to_the_download(client: FlaskClient, world: dict[str, Any]) -> None:
    workshop = world["workshop"]
    page = as_participant(client, world["ana_token"]).get(f"/w/{workshop.id}").get_data(as_text=True)
    assert f'href="/w/{workshop.id}/my-data.json" download' in page
    assert 'href="/privacy"' in page


def test_after_a_move_the_story_written_before_stays_in_the_data(
    client: FlaskClient, world: dict[str, Any]
) -> None:
    workshop, ana = world["workshop"], world["ana"]
    with committed():
        ana.group_id = workshop.groups[1].id
    data = download(as_participant(client, world["ana_token"]), workshop.id).get_json()
    assert data["group"]["name"] == "Group 2"
    stories = {s["group"]: (s["characters_in_text"], s["spans"]) for s in data["stories"]}
    assert stories == {"Group 1": (12, ["The glowed. "]), "Group 2": (0, [])}
