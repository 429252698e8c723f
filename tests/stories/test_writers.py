"""Who wrote with each Yjs client id of a story (`GET /stories/<id>/writers.json`, for the live editor's
authorship colours): its group's members and its workshop's facilitators get it; a member of another group
(even while the phase lets them read this draft), another facilitator, a reader get a 404, whatever the id.
An erased writer is "a participant"; the map follows what is written after it was first asked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask.testing import FlaskClient

from erasure import participants as erasure
from extensions import db
from stories.cowriting import writers
from tests import factories
from tests.signin import as_participant, sign_in
from tests.stories.ydocs import Editor

HUGE = 2**63 + 5


@pytest.fixture
def setting(app_ctx):
    """Group 1's story written by Ana's editor, Ben's and a facilitator's, each with its own client id; the
    workshop in cross-reading, so that group 2 may read it."""
    writers.forget()
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2)
    group, other_group = workshop.groups
    story = factories.story_of(group)
    ana, ana_token = factories.participant(group, "Ana")
    ben, ben_token = factories.participant(group, "Ben")
    ben.color = "#1d4ed8"
    _zoe, zoe_token = factories.participant(other_group, "Zoé")
    ana_editor, ben_editor, facilitator_editor = Editor(), Editor(), Editor()
    first = ana_editor.insert(0, "Une forêt. ")
    ben_editor.receive(first)
    second = ben_editor.insert(11, "Des enfants. ")
    facilitator_editor.receive(first)
    facilitator_editor.receive(second)
    third = facilitator_editor.insert(0, "# Titre\n")
    factories.story_updates(story, [(first, ana), (second, ben), (third, None)])
    workshop.phase_index = 1  # cross-reading: group 2 may read group 1's draft now
    db.session.commit()
    return {
        "owner": owner,
        "stranger": factories.facilitator(),
        "workshop": workshop,
        "story": story,
        "ana": ana,
        "ben": ben,
        "ana_token": ana_token,
        "ben_token": ben_token,
        "zoe_token": zoe_token,
        "clients": {
            "ana": ana_editor.doc.client_id,
            "ben": ben_editor.doc.client_id,
            "facilitator": facilitator_editor.doc.client_id,
        },
        "ben_editor": ben_editor,
    }


def url(s) -> str:
    return f"/stories/{s['story'].id}/writers.json"


def named(answer) -> dict[int, str | None]:
    """{client id: the name it is shown under, None for a facilitator's or a restore's}."""
    return {
        int(c): (answer["members"][str(a)]["name"] if a is not None else None)
        for c, a in answer["clients"].items()
    }


def test_a_member_gets_each_client_id_with_its_writer(client: FlaskClient, setting) -> None:
    as_participant(client, setting["ben_token"])
    answer = client.get(url(setting)).get_json()
    c = setting["clients"]
    assert named(answer) == {c["ana"]: "Ana", c["ben"]: "Ben", c["facilitator"]: None}
    members = answer["members"]
    assert members[str(setting["ana"].id)]["color"] == "#9a3412"
    assert members[str(setting["ben"].id)]["color"] == "#1d4ed8"
    assert answer["unknown"] == "Facilitator or restored text"


def test_the_facilitator_of_the_workshop_gets_it(client: FlaskClient, setting) -> None:
    sign_in(client, setting["owner"])
    answer = client.get(url(setting)).get_json()
    assert set(named(answer).values()) == {"Ana", "Ben", None}


@pytest.mark.parametrize("who", ["other_member", "stranger", "reader"])
def test_no_one_else_gets_the_names(client: FlaskClient, setting, who: str) -> None:
    """A member of the group that may read this draft in cross-reading still gets no name of it."""
    if who == "other_member":
        as_participant(client, setting["zoe_token"])
    elif who == "stranger":
        sign_in(client, setting["stranger"])
    answer = client.get(url(setting))
    assert answer.status_code == 404
    assert b"Ana" not in answer.data
    assert b"Ben" not in answer.data


@pytest.mark.parametrize(
    "path",
    [
        f"/stories/{HUGE}/writers.json",
        "/stories/0/writers.json",
        "/stories/abc/writers.json",
        "/stories/-1/writers.json",
    ],
)
def test_huge_and_wrong_ids_are_404s(client: FlaskClient, setting, path: str) -> None:
    sign_in(client, setting["owner"])
    assert client.get(path).status_code == 404


def test_only_get(client: FlaskClient, setting) -> None:
    as_participant(client, setting["ben_token"])
    assert client.post(url(setting)).status_code in (400, 405)


def test_an_erased_writer_is_a_participant(client: FlaskClient, setting) -> None:
    as_participant(client, setting["ben_token"])
    client.get(url(setting))  # the map is kept: the erasure must show all the same
    erasure.erase(setting["workshop"].id, setting["ana"].id, datetime.now(UTC), by=setting["owner"].id)
    answer = client.get(url(setting))
    assert b"Ana" not in answer.data
    assert named(answer.get_json())[setting["clients"]["ana"]] == "a participant"


def test_the_map_follows_what_is_written_after_it_was_asked(client: FlaskClient, setting) -> None:
    as_participant(client, setting["ben_token"])
    client.get(url(setting))
    newcomer, _ = factories.participant(setting["workshop"].groups[0], "Chloé")
    editor = Editor()
    factories.story_updates(setting["story"], [(editor.insert(0, "x"), newcomer)])
    answer = client.get(url(setting)).get_json()
    assert named(answer)[editor.doc.client_id] == "Chloé"


def test_the_first_row_that_brings_a_client_names_its_writer() -> None:
    """A later row carrying the same client's structs (a resent step 2) does not take them over."""
    from stories.cowriting.history import LogRow

    editor = Editor()
    update = editor.insert(0, "abc")
    rows = [LogRow(1, update, 7, None), LogRow(2, update, 8, None), LogRow(3, b"\xff\xff", 9, None)]
    assert writers.clients_of(rows, {}) == {editor.doc.client_id: 7}


def test_a_removed_member_gets_a_404(client: FlaskClient, setting) -> None:
    as_participant(client, setting["ben_token"])
    setting["ben"].removed_at = datetime.now(UTC)
    db.session.commit()
    answer = client.get(url(setting))
    assert answer.status_code == 404
    assert b"Ana" not in answer.data
