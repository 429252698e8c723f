"""The feedback export (CSV and JSON) carries every group's board: its cards, their dots and who placed
them, with the export's own rules: a formula is not run by a spreadsheet, an erased author is "a
participant", a card names nobody outside its group."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from flask.testing import FlaskClient
from pycrdt import Map

from erasure.participants import erase
from stories.cowriting import history
from tests import factories
from tests.signin import sign_in
from tests.stories.boards import BUSES, FORMULA, HOSTILE, ROOFTOP, board_story
from tests.stories.ydocs import BoardWriter


def downloads(client: FlaskClient, workshop_id: int) -> tuple[dict[str, Any], list[dict[str, str]]]:
    data = json.loads(client.get(f"/workshops/{workshop_id}/feedback.json").data)
    table = client.get(f"/workshops/{workshop_id}/feedback.csv").data.decode("utf-8-sig")
    return data, list(csv.DictReader(io.StringIO(table)))


def test_the_export_has_every_card_with_its_dots(client: FlaskClient, app_ctx: Any) -> None:
    owner = factories.facilitator()
    s = board_story(owner)
    sign_in(client, owner)
    data, rows = downloads(client, s.workshop.id)
    # The JSON: the group's cards, column by column (the phase's, then the others), most voted first.
    found = [
        (c["story_group"], c["column"], c["text"], c["author"], c["dots"], c["used"]) for c in data["cards"]
    ]
    assert found == [
        ("Group 1", "World", ROOFTOP, "Ana", 1, False),
        ("Group 1", "World", FORMULA, "Ben", 0, False),
        ("Group 1", "Trends", HOSTILE, "Ben", 0, False),
        ("Group 1", "Signals", BUSES, "Ben", 4, True),
    ]  # fmt: skip
    buses = data["cards"][3]
    assert buses["story_id"] == s.story.id
    assert buses["color"] == "#166534"
    assert buses["votes"] == [{"name": "Ana", "dots": 2}, {"name": "Ben", "dots": 2}]
    assert "author_id" not in buses  # no participant ids, like the comments
    # The CSV: a row of kind "card" each, after the comments and the chat; a formula stays text.
    cards = [r for r in rows if r["kind"] == "card"]
    assert [(r["story_group"], r["column"], r["author"], r["dots"], r["used"]) for r in cards] == [
        ("Group 1", "World", "Ana", "1", "no"),
        ("Group 1", "World", "Ben", "0", "no"),
        ("Group 1", "Trends", "Ben", "0", "no"),
        ("Group 1", "Signals", "Ben", "4", "yes"),
    ]  # fmt: skip
    assert cards[1]["text"] == "'" + FORMULA
    assert cards[2]["text"] == HOSTILE
    assert cards[3]["color"] == "#166534"
    assert cards[0]["id"] == "c0"


def test_an_erased_author_and_voter_is_a_participant(client: FlaskClient, app_ctx: Any) -> None:
    owner = factories.facilitator()
    s = board_story(owner)
    erase(s.workshop.id, s.ben.id, datetime.now(UTC), by=None)
    sign_in(client, owner)
    data, rows = downloads(client, s.workshop.id)
    assert [c["author"] for c in data["cards"]] == ["Ana", "a participant", "a participant", "a participant"]
    assert data["cards"][3]["votes"] == [{"name": "Ana", "dots": 2}, {"name": "a participant", "dots": 2}]
    assert [r["author"] for r in rows if r["kind"] == "card"][1:] == ["a participant"] * 3
    assert "Ben" not in json.dumps(data) + "".join(str(r) for r in rows)


def test_a_forged_author_names_nobody(client: FlaskClient, app_ctx: Any) -> None:
    owner = factories.facilitator()
    s = board_story(owner)
    w = BoardWriter()
    w.doc.apply_update(history.seek(s.story.id).doc.get_update())
    factories.story_updates(s.story, [(w.add_card("Forged", "World", s.zoe.id, votes=Map()), s.ana)])
    sign_in(client, owner)
    data, rows = downloads(client, s.workshop.id)
    assert [c["author"] for c in data["cards"] if c["text"] == "Forged"] == [None]
    assert [r["author"] for r in rows if r["text"] == "Forged"] == [""]


def test_a_workshop_without_cards_exports_none(client: FlaskClient, app_ctx: Any) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=2)
    factories.story_text(factories.story_of(workshop.groups[0]), "Only words.")
    sign_in(client, owner)
    data, rows = downloads(client, workshop.id)
    assert data["cards"] == []
    assert [r for r in rows if r["kind"] == "card"] == []
