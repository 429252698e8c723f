"""The group's board in a story's history (docs/history.md, "The board after each phase"): read from the
replayed document at each phase end and now, laid out as the live board lays it out, shown on the history
page to exactly those who see that page, hostile text as text, and kept in the workshop's archive."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from flask.testing import FlaskClient
from lxml import html
from pycrdt import Array, Doc, Map, Text

from core.unit_of_work import committed
from erasure.participants import erase
from stories.cowriting import board, checkpoints, history
from stories.reading import history_boards
from tests import factories
from tests.signin import as_participant, sign_in
from tests.stories.boards import BUSES, FORMULA, HOSTILE, ROOFTOP, board_story
from tests.stories.ydocs import BoardWriter, Editor


def laid_out(columns: list[board.Column]) -> list[tuple[str, list[tuple[str, int, bool]]]]:
    return [(c.name, [(card.text, card.dots, card.used) for card in c.cards]) for c in columns]


# --- reading a board from a document --------------------------------------------------------------------


def test_cards_are_read_from_the_document_and_laid_out_most_voted_first() -> None:
    w = BoardWriter()
    doc = Doc()
    for update in (
        w.add_card("a", "Later", 7, votes=Map({"7": 1})),
        w.add_card("b", "Signals", 8, votes=Map({"7": 1, "8": 2}), used=True),
        w.add_card("c", "Signals", 9, votes=Map()),
        w.add_card("d", "Signals", 9, votes=Map({"9": 1})),
        w.write("The story's text is not a card."),
    ):
        doc.apply_update(update)
    cards = board.cards(doc)
    assert [(c.text, c.column, c.author, c.dots, c.votes, c.used) for c in cards] == [
        ("a", "Later", 7, 1, {7: 1}, False),
        ("b", "Signals", 8, 3, {7: 1, 8: 2}, True),
        ("c", "Signals", 9, 0, {}, False),
        ("d", "Signals", 9, 1, {9: 1}, False),
    ]
    # The phase's columns first (even empty), then the others in the order of their first card; ties keep
    # the board's order, as static/src/board/model.js sorts.
    assert laid_out(board.layout(cards, ["Signals", "Empty"])) == [
        ("Signals", [("b", 3, True), ("d", 1, False), ("c", 0, False)]),
        ("Empty", []),
        ("Later", [("a", 1, False)]),
    ]
    assert [c.name for c in board.layout(cards)] == ["Later", "Signals"]
    assert [card.text for card in board.layout(cards, by_votes=False)[1].cards] == ["b", "c", "d"]


def test_a_document_without_a_board_has_no_cards() -> None:
    doc = Doc()
    doc.apply_update(Editor().insert(0, "Only a story."))
    assert board.cards(doc) == []


def test_what_the_server_would_refuse_is_read_leniently() -> None:
    """Whatever a document holds (an old client, a hand-made update), reading its board never fails: what
    is not a card is skipped, a value of the wrong type reads as empty, a colour is kept only as #rrggbb."""
    source = Doc()
    cards = source.get("board", type=Array)
    cards.append("not a card")
    cards.append(Text("nor this"))
    cards.append(
        Map(
            {
                "text": 12,
                "column": None,
                "author": "3",
                "color": "red; background: url(javascript:alert(1))",
                "used": "yes",
                "votes": Map({"5": 1.5, "6": -2, "x": 3, "²": 4, "99999999999": 1, "7": 2.0}),
            }
        )
    )
    cards.append(Map({"id": "ok", "text": "fine", "column": "c", "author": 2**40, "color": "#A1b2C3"}))
    doc = Doc()
    doc.apply_update(source.get_update())
    odd, fine = board.cards(doc)
    assert (odd.id, odd.text, odd.column, odd.color, odd.used, odd.votes) == (
        "2",
        "",
        "",
        None,
        False,
        {7: 2},
    )
    assert (fine.id, fine.text, fine.author, fine.color) == ("ok", "fine", None, "#A1b2C3")


# --- the board at each phase end --------------------------------------------------------------------------


def test_the_history_has_the_board_as_it_stood_after_each_phase(app_ctx: Any) -> None:
    s = board_story()
    found = history.story_history(s.story)
    boards = history_boards.boards(found)
    after = [boards.after[point.row.id] for point in found.checkpoints]
    assert laid_out(after[0]) == [  # Signals lists Signals and Trends
        ("Signals", [(BUSES, 4, False), (ROOFTOP, 1, False)]),
        ("Trends", [(HOSTILE, 0, False)]),
    ]
    assert laid_out(after[1]) == [  # the rooftop moved to the world; a new card there
        ("Signals", [(BUSES, 4, False)]),
        ("Trends", [(HOSTILE, 0, False)]),
        ("World", [(ROOFTOP, 1, False), (FORMULA, 0, False)]),
    ]
    assert laid_out(after[2]) == [  # Write lists no column: those that hold cards, by their first card
        ("World", [(ROOFTOP, 1, False), (FORMULA, 0, False)]),
        ("Trends", [(HOSTILE, 0, False)]),
        ("Signals", [(BUSES, 4, True)]),
    ]
    assert laid_out(boards.now) == laid_out(after[2])
    assert boards.names() == {s.ana.id: "Ana", s.ben.id: "Ben"}
    # Each board is the replay's at the checkpoint's seq: what was added after a phase end is not in it.
    w = BoardWriter()
    w.doc.apply_update(history.seek(s.story.id).doc.get_update())
    factories.story_updates(s.story, [(w.add_card("After the end", "World", s.ana.id, votes=Map()), s.ana)])
    again = history_boards.boards(history.story_history(s.story))
    assert [laid_out(again.after[p.row.id]) for p in found.checkpoints] == [laid_out(a) for a in after]
    assert "After the end" in [card.text for column in again.now for card in column.cards]


def test_a_board_unchanged_since_the_phase_before_is_not_shown_twice(
    client: FlaskClient, app_ctx: Any
) -> None:
    owner = factories.facilitator()
    s = board_story(owner)
    checkpoints.checkpoint_workshop(s.workshop.id, 2, "Write")  # "Go" came back to Write: nothing moved
    found = history.story_history(s.story)
    last, again = found.checkpoints[-2:]
    boards = history_boards.boards(found)
    assert boards.unchanged == {again.row.id}
    assert laid_out(boards.after[again.row.id]) == laid_out(boards.after[last.row.id])  # the archive's
    sign_in(client, owner)
    page = client.get(f"/stories/{s.story.id}/history").get_data(as_text=True)
    assert page.count("The same cards as at the end of the phase before, unchanged.") == 1
    assert "After phase 3: Write (time 2)" not in boards_on(page)


def test_a_story_without_cards_has_no_board(app_ctx: Any) -> None:
    workshop = factories.workshop(groups=1)
    story = factories.story_of(workshop.groups[0])
    factories.story_text(story, "Just a story.")
    factories.checkpoint(story, 0, "Write")
    boards = history_boards.boards(history.story_history(story))
    assert (boards.after, boards.now, boards.people) == ({}, [], {})


def test_a_card_names_only_the_group_and_those_who_wrote_or_voted(app_ctx: Any) -> None:
    """A card's author is what its writer's client said: a forged one naming a participant of another group
    names nobody; an erased member is "a participant"."""
    s = board_story()
    w = BoardWriter()
    w.doc.apply_update(history.seek(s.story.id).doc.get_update())
    factories.story_updates(s.story, [(w.add_card("Forged", "World", s.zoe.id, votes=Map()), s.ana)])
    boards = history_boards.boards(history.story_history(s.story))
    assert s.zoe.id not in boards.people
    (forged,) = [c for column in boards.now for c in column.cards if c.text == "Forged"]
    assert forged.author == s.zoe.id  # read as the card says, named by nobody
    erase(s.workshop.id, s.ben.id, datetime.now(UTC), by=None)
    boards = history_boards.boards(history.story_history(s.story))
    assert boards.names() == {s.ana.id: "Ana", s.ben.id: "a participant"}


# --- the history page -------------------------------------------------------------------------------------


@pytest.fixture
def shown(app_ctx: Any) -> Any:
    owner = factories.facilitator()
    return owner, board_story(owner)


def boards_on(page_text: str) -> dict[str, Any]:
    """The boards a history page shows: {"now" | checkpoint heading: [(column, [(text, meta)])]}."""
    page = html.fromstring(page_text)
    found: dict[str, Any] = {}
    for section in page.find_class("history__board") + page.find_class("checkpoint"):
        boxes = section.find_class("history-board")
        if not boxes:
            continue
        key = (
            "now"
            if "history__board" in section.classes
            else " ".join(section.find(".//h3").text_content().split())
        )
        found[key] = [
            (
                column.find_class("history-board__title")[0].text_content().split()[0],
                [
                    (
                        card.find_class("history-card__text")[0].text_content(),
                        " ".join(card.find_class("history-card__meta")[0].text_content().split()),
                    )
                    for card in column.find_class("history-card")
                ],
            )
            for column in boxes[0].find_class("history-board__column")
        ]
    return found


def test_members_and_facilitators_see_the_board_after_each_phase(client: FlaskClient, shown: Any) -> None:
    owner, s = shown
    for who in ("facilitator", "member"):
        if who == "facilitator":
            sign_in(client, owner)
        else:
            as_participant(client, s.tokens["ana"])
        response = client.get(f"/stories/{s.story.id}/history")
        assert response.status_code == 200
        boards = boards_on(response.get_data(as_text=True))
        assert list(boards) == [
            "now", "After phase 1: Signals", "After phase 2: Imagine the world", "After phase 3: Write",
        ]  # fmt: skip
        assert boards["After phase 1: Signals"] == [
            ("Signals", [(BUSES, "Ben 4 dots"), (ROOFTOP, "Ana 1 dot")]),
            ("Trends", [(HOSTILE, "Ben")]),
        ]
        assert boards["After phase 3: Write"][2] == ("Signals", [(BUSES, "Ben 4 dots In the story")])
        assert boards["now"] == boards["After phase 3: Write"]
        client.get("/logout") if who == "facilitator" else None


def test_a_phase_that_left_no_text_says_so_not_two_empty_boxes(client: FlaskClient, shown: Any) -> None:
    """Signals was a board-only phase: its end shows the board, and one line for the story."""
    owner, s = shown
    sign_in(client, owner)
    page = html.fromstring(client.get(f"/stories/{s.story.id}/history").get_data(as_text=True))
    signals, world, write = page.find_class("checkpoint")
    assert signals.find_class("checkpoint__views") == []
    assert "no text yet" in signals.xpath(".//*[@data-no-text]")[0].text_content()
    assert signals.xpath(".//*[@data-board-after]")
    for later in (world, write):
        assert later.find_class("checkpoint__views")
        assert not later.xpath(".//*[@data-no-text]")


def test_hostile_card_text_is_shown_as_text(client: FlaskClient, shown: Any) -> None:
    owner, s = shown
    sign_in(client, owner)
    page = client.get(f"/stories/{s.story.id}/history").get_data(as_text=True)
    assert '<img src=x onerror="alert(1)">' not in page
    assert "<b>bold</b>" not in page
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert 'style="--card-color: #1d4ed8"' in page


@pytest.mark.parametrize("who", ["other_member", "stranger", "reader"])
def test_nobody_else_sees_the_board(client: FlaskClient, shown: Any, who: str) -> None:
    """Another group's member (who wrote nothing there), another facilitator, a reader: a 404, board and
    all."""
    _owner, s = shown
    if who == "other_member":
        as_participant(client, s.tokens["zoe"])
    elif who == "stranger":
        sign_in(client, factories.facilitator())
    for path in ("history", "history/seek.json?seq=3"):
        response = client.get(f"/stories/{s.story.id}/{path}")
        assert response.status_code == 404
        assert ROOFTOP not in response.get_data(as_text=True)


def test_a_story_without_cards_shows_no_board(client: FlaskClient, app_ctx: Any) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner, groups=1)
    story = factories.story_of(workshop.groups[0])
    factories.story_updates(story, [(Editor().insert(0, "Only words."), None)])
    factories.checkpoint(story, 0, "Write")
    sign_in(client, owner)
    page = client.get(f"/stories/{story.id}/history").get_data(as_text=True)
    assert "Only words." in page
    assert "history-board" not in page
    assert "The board" not in page


def test_hidden_dot_counts_stay_hidden_from_members_on_the_board_now(client: FlaskClient, shown: Any) -> None:
    """While the phase under way hides the counts, a member sees the board now without its dots (and not
    sorted by them); the facilitator sees them; the boards of ended phases keep theirs."""
    owner, s = shown
    with committed():
        s.workshop.phase_index = 1
        s.workshop.phases[1].dots_hidden = True
    as_participant(client, s.tokens["ana"])
    page = client.get(f"/stories/{s.story.id}/history").get_data(as_text=True)
    boards = boards_on(page)
    assert "The dot counts are hidden until the facilitator reveals them." in page
    assert boards["now"][0] == ("Signals", [(BUSES, "Ben In the story")])
    assert boards["now"][2] == ("World", [(ROOFTOP, "Ana"), (FORMULA, "Ben")])  # the board's order
    assert boards["After phase 1: Signals"][0][1][0] == (BUSES, "Ben 4 dots")
    sign_in(client, owner)
    boards = boards_on(client.get(f"/stories/{s.story.id}/history").get_data(as_text=True))
    assert boards["now"][0] == ("Signals", [(BUSES, "Ben 4 dots In the story")])


def test_the_page_is_in_french(client: FlaskClient, shown: Any) -> None:
    _owner, s = shown
    with committed():
        s.workshop.language = "fr"
    as_participant(client, s.tokens["ana"])
    page = client.get(f"/stories/{s.story.id}/history", headers={"Accept-Language": "fr"}).get_data(
        as_text=True
    )
    assert "Le tableau maintenant" in page
    assert "4 gommettes" in page
    assert "Cartes" not in page  # every column is named


# --- the archive ------------------------------------------------------------------------------------------


def test_the_archive_keeps_the_board_of_each_phase_and_now(client: FlaskClient, shown: Any) -> None:
    owner, s = shown
    sign_in(client, owner)
    data = json.loads(client.get(f"/workshops/{s.workshop.id}/history.json").data)
    (story,) = [item for item in data["stories"] if item["id"] == s.story.id]
    first = story["checkpoints"][0]["board"]
    assert [(c["column"], c["text"], c["dots"], c["author"]) for c in first] == [
        ("Signals", BUSES, 4, "Ben"), ("Signals", ROOFTOP, 1, "Ana"), ("Trends", HOSTILE, 0, "Ben"),
    ]  # fmt: skip
    assert first[0]["author_id"] == s.ben.id
    assert first[0]["votes"] == [
        {"participant_id": s.ana.id, "name": "Ana", "dots": 2},
        {"participant_id": s.ben.id, "name": "Ben", "dots": 2},
    ]
    assert first[0]["color"] == "#166534"
    assert [c["used"] for c in story["board"] if c["text"] == BUSES] == [True]
    assert len(story["board"]) == 4
    other = [item for item in data["stories"] if item["id"] != s.story.id]
    assert [item["board"] for item in other] == [[]]
