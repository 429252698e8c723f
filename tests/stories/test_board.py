"""The group's board rides the story's document (docs/protocol.md, "The board"): the server stores and
relays it like the text, keeps it from other groups, bounds a card's text, and reads only the text
everywhere else."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from pycrdt import Array, Map, Text

from core.unit_of_work import committed
from stories.cowriting import crdt, history, persistence
from stories.reading import publishing, search
from stories.reading.publishing import Draft
from tests import factories
from tests.server import ServerProcess
from tests.sockets import Client
from tests.stories.clients import open_story, update_payloads, wait_until, yjs_messages
from tests.stories.ydocs import BoardWriter as Writer
from tests.stories.ydocs import fork, stored_board

CARD = "Community gardens on every roof"


def test_the_text_is_read_without_the_board() -> None:
    writer = Writer()
    updates = [writer.write("Once upon a time."), writer.add_card(CARD), writer.write(" The end.")]
    assert crdt.text_of(updates) == "Once upon a time. The end."
    assert crdt.replay(updates).doc.get("board", type=Array)[0]["text"] == CARD  # stored whole


def test_a_card_text_is_bounded() -> None:
    writer = Writer()
    assert crdt.check_update(writer.add_card("x" * crdt.MAX_VALUE_CHARS)) is not None
    with pytest.raises(crdt.MalformedError):
        crdt.check_update(writer.add_card("é" * (crdt.MAX_VALUE_CHARS + 1)))
    card = writer.board[0]
    with pytest.raises(crdt.MalformedError):  # editing a card's text is bounded the same way
        crdt.check_update(writer.change(lambda: card.__setitem__("text", "y" * 10_000)))
    # The story's own text has no such bound: a long paste stays a story edit.
    assert crdt.check_update(writer.write("z" * 5_000)) is not None


BOARD_PHASE = {"title": "Signals", "duration_seconds": 900, "editors_open": True, "tool": "both", "dots": 3}


def test_the_board_reaches_the_group_and_nobody_else(live_server: ServerProcess, app_ctx: Any) -> None:
    workshop = factories.workshop(groups=2, phases=[BOARD_PHASE])
    ours, theirs = workshop.groups
    story_id = factories.story_of(ours).id
    _, first_token = factories.participant(ours, "Ada")
    _, second_token = factories.participant(ours, "Bea")
    _, other_token = factories.participant(theirs, "Cyd")
    first = Client(live_server.url, auth={"token": first_token})
    second = Client(live_server.url, auth={"token": second_token})
    other = Client(live_server.url, auth={"token": other_token})
    try:
        assert open_story(first, story_id) == {"ok": True, "writable": True}
        assert open_story(second, story_id) == {"ok": True, "writable": True}
        refused = open_story(other, story_id)
        assert refused["error"]["code"] == "forbidden"
        writer = Writer()
        card = writer.add_card(CARD)
        assert first.call("yjs", story_id, crdt.update_message(card)) == {"ok": True}
        relayed: list[bytes] = []

        def relayed_to_second() -> bool:
            relayed.extend(update_payloads(yjs_messages(second)))
            return card in relayed

        assert wait_until(relayed_to_second)
        # The other group may not read it, nor write a card into it.
        assert other.call("yjs", story_id, crdt.sync_step1(b"\x00"))["error"]["code"] == "forbidden"
        forged = Writer().add_card("forged")
        assert other.call("yjs", story_id, crdt.update_message(forged))["ok"] is False
        # A card over the bound is refused, stored nowhere, relayed to nobody.
        long_card = writer.add_card("x" * (crdt.MAX_VALUE_CHARS + 1))
        assert first.call("yjs", story_id, crdt.update_message(long_card))["error"]["code"] == "malformed"
        time.sleep(0.3)
        assert long_card not in update_payloads(yjs_messages(second, story_id))
        assert card in relayed
        assert not [args for args in other.events("yjs") if args[0] == story_id]
        # A newcomer of the group gets the card with the story.
        third = Client(live_server.url, auth={"token": factories.participant(ours, "Eve")[1]})
        try:
            open_story(third, story_id)
            third.call("yjs", story_id, crdt.sync_step1(b"\x00"))
            received: list[bytes] = []
            assert wait_until(lambda: bool(received.extend(update_payloads(yjs_messages(third))) or received))
            board = crdt.replay(received).doc.get("board", type=Array).to_py()
            assert [card["text"] for card in board] == [CARD]
        finally:
            third.close()
    finally:
        for client in (first, second, other):
            client.close()


def test_exports_and_search_read_the_story_not_its_cards(client: FlaskClient, app_ctx: Any) -> None:
    workshop = factories.workshop(groups=1)
    story = factories.story_of(workshop.groups[0])
    writer = Writer()
    factories.story_updates(
        story,
        [(writer.write("# The roof\n\nA garden grew."), None), (writer.add_card("Zanzibar marmalade"), None)],
    )
    with committed():
        publishing.publish(story, Draft(title="The roof", themes=[]))
    markdown = client.get(f"/stories/{story.id}.md").get_data(as_text=True)
    assert "A garden grew." in markdown
    assert "Zanzibar" not in markdown
    assert [s.id for s in search.search("garden")] == [story.id]
    assert search.search("Zanzibar") == []


def test_history_and_compaction_read_the_text_and_keep_the_board(app_ctx: Any) -> None:
    workshop = factories.workshop(groups=1)
    story = factories.story_of(workshop.groups[0])
    ada, _ = factories.participant(workshop.groups[0], "Ada")
    writer = Writer()
    updates = [writer.write("Hello"), writer.add_card(CARD), writer.write(" world")]
    card = writer.board[0]
    updates.append(writer.change(lambda: card.__setitem__("column", "Promising")))
    factories.story_updates(story, [(update, ada) for update in updates])
    assert history.seek(story.id).text() == "Hello world"
    assert history.authorship(story.id) == {"Ada": len("Hello world")}  # a card is not text written
    assert persistence.compact(story.id)
    assert persistence.load_text(story.id) == "Hello world"
    (merged,) = [data for _, data in persistence.rows_after(story.id)]
    board = crdt.replay([merged]).doc.get("board", type=Array).to_py()
    assert [(c["text"], c["column"]) for c in board] == [(CARD, "Promising")]


def test_the_server_keeps_the_boards_shape_and_dots(live_server: ServerProcess, app_ctx: Any) -> None:
    workshop = factories.workshop(groups=1, phases=[{**BOARD_PHASE, "dots": 2}])
    group = workshop.groups[0]
    story_id = factories.story_of(group).id
    ada, ada_token = factories.participant(group, "Ada")
    bea, bea_token = factories.participant(group, "Bea")
    first = Client(live_server.url, auth={"token": ada_token})
    second = Client(live_server.url, auth={"token": bea_token})
    mine, theirs = str(ada.id), str(bea.id)

    def send(update: bytes, client: Client = first) -> Any:
        ack = client.call("yjs", story_id, crdt.update_message(update))
        return ack if ack.get("ok") else ack["error"]["code"]

    try:
        open_story(first, story_id)
        open_story(second, story_id)
        writer = Writer()
        # Legal: cards with their votes map, edits of a card's keys, one's own dots within the phase's.
        assert send(writer.add_card(CARD, author=ada.id, votes=Map())) == {"ok": True}
        assert send(writer.add_card("Solar bikes", author=ada.id, votes=Map(), used=False)) == {"ok": True}
        card, other_card = writer.board[0], writer.board[1]
        assert send(writer.change(lambda: card.__setitem__("text", "Gardens on roofs"))) == {"ok": True}
        assert send(writer.change(lambda: card.__setitem__("column", "Promising"))) == {"ok": True}
        assert send(writer.change(lambda: card["votes"].__setitem__(mine, 2))) == {"ok": True}
        relayed: list[bytes] = []
        assert wait_until(lambda: len(relayed.extend(update_payloads(yjs_messages(second))) or relayed) >= 5)

        refused = {
            # dots past the phase's two, and dots in another member's name
            "too many dots": (lambda w: w.board[1]["votes"].__setitem__(mine, 1), "forbidden"),
            "another's dots": (lambda w: w.board[1]["votes"].__setitem__(theirs, 1), "forbidden"),
            "another's dots on a new card": (
                lambda w: w.board.append(
                    Map({"id": "n", "text": "t", "column": "c", "votes": Map({theirs: 1})})
                ),
                "forbidden",
            ),
            "dots that are not whole": (lambda w: w.board[1]["votes"].__setitem__(mine, 0.5), "malformed"),
            # the card's shape
            "a card that is not a map": (lambda w: w.board.append(["not a card"]), "malformed"),
            "a card without text": (lambda w: w.board.append(Map({"id": "n", "column": "c"})), "malformed"),
            "a column that is a number": (
                lambda w: w.board.append(Map({"id": "n", "text": "t", "column": 3})),
                "malformed",
            ),
            "an id that is a number": (
                lambda w: w.board.append(Map({"id": 7, "text": "t", "column": "c"})),
                "malformed",
            ),
            "text turned into a number": (lambda w: w.board[0].__setitem__("text", 42), "malformed"),
            "text deleted": (lambda w: w.board[0].pop("text"), "malformed"),
            "votes that are not a map": (lambda w: w.board[0].__setitem__("votes", {mine: 1}), "malformed"),
            "a nested text": (lambda w: w.board[0].__setitem__("note", Text("hidden")), "malformed"),
            "501 cards": (
                lambda w: w.board.extend(
                    [Map({"id": f"x{i}", "text": "t", "column": "c"}) for i in range(499)]
                ),
                "malformed",
            ),
        }
        for name, (edit, code) in refused.items():
            hostile = fork(writer)
            update = hostile.change(lambda edit=edit, hostile=hostile: edit(hostile))  # type: ignore[misc]
            assert send(update) == code, name
        # Bea may not take Ada's dots off either; her own are hers.
        bea_writer = fork(writer)
        take_off = bea_writer.change(lambda: bea_writer.board[0]["votes"].__setitem__(mine, 0))
        assert send(take_off, second) == "forbidden"
        bea_writer = fork(writer)
        own_dots = bea_writer.change(lambda: bea_writer.board[1]["votes"].__setitem__(theirs, 2))
        assert send(own_dots, second) == {"ok": True}
        # Nothing refused was stored or relayed; a legal edit still passes after the refusals.
        assert send(writer.change(lambda: other_card.__setitem__("used", True))) == {"ok": True}
        board = stored_board(story_id)
        assert [(c["id"], c["text"], c["column"]) for c in board] == [
            ("c0", "Gardens on roofs", "Promising"),
            ("c1", "Solar bikes", "Signals"),
        ]
        assert board[0]["votes"] == {mine: 2}
        assert board[1]["votes"] == {theirs: 2}
        assert board[1]["used"] is True
        time.sleep(0.3)
        relayed.extend(update_payloads(yjs_messages(second)))
        seen = crdt.replay([*relayed, own_dots]).doc.get("board", type=Array).to_py()
        assert seen == board  # Bea got every legal change and none of the refused ones
    finally:
        first.close()
        second.close()


@pytest.mark.parametrize(
    ("phase", "card_code", "text_code"),
    [
        ({"tool": "story"}, "locked", True),  # no board in this phase
        ({"tool": "both", "board_readonly": True}, "locked", True),  # shown beside the story, read-only
        ({"tool": "board"}, True, "locked"),  # the board only: the story waits
        ({"tool": "both"}, True, True),
    ],
)
def test_what_the_phase_lets_a_writer_change(
    live_server: ServerProcess, app_ctx: Any, phase: dict[str, Any], card_code: Any, text_code: Any
) -> None:
    workshop = factories.workshop(groups=1, phases=[{**BOARD_PHASE, **phase}])
    story_id = factories.story_of(workshop.groups[0]).id
    client = Client(live_server.url, auth={"token": factories.participant(workshop.groups[0], "Ada")[1]})
    try:
        open_story(client, story_id)

        def outcome(update: bytes) -> Any:
            ack = client.call("yjs", story_id, crdt.update_message(update))
            return True if ack.get("ok") else ack["error"]["code"]

        assert outcome(Writer().add_card(CARD)) == card_code
        assert outcome(Writer().write("Once upon a time")) == text_code
        # A change of both is refused whole when either part is.
        both = Writer()
        mixed = both.change(
            lambda: (
                both.body.insert(0, "Both"),
                both.board.append(Map({"id": "m", "text": "t", "column": "c"})),
            )
        )
        assert outcome(mixed) == (True if card_code is True and text_code is True else "locked")
        stored = crdt.replay(data for _, data in persistence.rows_after(story_id))
        assert ("Once upon a time" in stored.text()) is (text_code is True)
        assert bool(stored.doc.get("board", type=Array).to_py()) is (card_code is True)
    finally:
        client.close()


def test_a_read_only_board_still_marks_a_card_used(live_server: ServerProcess, app_ctx: Any) -> None:
    """Inserting a card's text into the story during Write marks the card used, beside a read-only board."""
    workshop = factories.workshop(groups=1, phases=[{**BOARD_PHASE, "board_readonly": True}])
    story = factories.story_of(workshop.groups[0])
    writer = Writer()
    factories.story_updates(story, [(writer.add_card(CARD, votes=Map()), None)])
    client = Client(live_server.url, auth={"token": factories.participant(workshop.groups[0], "Ada")[1]})
    try:
        open_story(client, story.id)

        def outcome(edit: Callable[[Writer], None]) -> Any:
            copy = fork(writer)
            ack = client.call("yjs", story.id, crdt.update_message(copy.change(lambda: edit(copy))))
            return True if ack.get("ok") else ack["error"]["code"]

        assert outcome(lambda w: w.board[0].__setitem__("text", "changed")) == "locked"
        assert outcome(lambda w: w.board[0].__setitem__("used", "yes")) == "locked"
        assert outcome(lambda w: w.board[0].__setitem__("used", True)) is True
        assert stored_board(story.id)[0]["used"] is True
        assert stored_board(story.id)[0]["text"] == CARD
    finally:
        client.close()


def test_the_dots_a_member_placed_follow_every_change() -> None:
    """The server counts each member's dots once, then follows the changes: votes taken back, cards deleted
    with their dots, another member's dots; a refusal is decided on the count after the update."""
    from stories.cowriting import board_rules
    from stories.cowriting.live import LiveStory

    rules = board_rules.BoardRules(board="write", text=True, dots=3, member=1)
    live = LiveStory(1)
    writer = Writer()

    def offer(edit: Callable[[], None]) -> str | None:
        update = writer.change(edit)
        applied, change = live.offer_recorded(update)
        assert applied
        return board_rules.judge(change, live.board, rules, live.placed)

    assert (
        offer(lambda: writer.board.append(Map({"id": "a", "text": "A", "column": "c", "votes": Map()})))
        is None
    )
    assert (
        offer(lambda: writer.board.append(Map({"id": "b", "text": "B", "column": "c", "votes": Map()})))
        is None
    )
    assert offer(lambda: writer.board[0]["votes"].__setitem__("1", 2)) is None
    assert offer(lambda: writer.board[1]["votes"].__setitem__("1", 1)) is None
    assert live.placed("1") == 3
    assert offer(lambda: writer.board[1]["votes"].__setitem__("1", 2)) == "forbidden"  # 4 > 3
    writer, live = Writer(), LiveStory(1)  # start again from what was accepted
    for update in [
        Writer().add_card("A", votes=Map({"1": 2})),
    ]:
        writer.doc.apply_update(update)
        live.offer_recorded(update)
    assert live.placed("1") == 2
    assert offer(lambda: writer.board[0]["votes"].__setitem__("1", 1)) is None  # one taken back
    assert live.placed("1") == 1
    assert offer(lambda: writer.board.pop(0)) is None  # the card goes, its dots with it
    assert (
        offer(lambda: writer.board.append(Map({"id": "c", "text": "C", "column": "c", "votes": Map()})))
        is None
    )
    assert offer(lambda: writer.board[0]["votes"].__setitem__("1", 3)) is None  # all three again
    assert live.placed("1") == 3
    assert offer(lambda: writer.board[0].__setitem__("votes", Map({"1": 1}))) is None  # votes replaced whole
    assert live.placed("1") == 1
