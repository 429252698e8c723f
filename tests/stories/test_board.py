"""The group's board rides the story's document (docs/protocol.md, "The board"): the server stores and
relays it like the text, keeps it from other groups, bounds a card's text, and reads only the text
everywhere else."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from pycrdt import Array, Doc, Map, Text

from core.unit_of_work import committed
from stories.cowriting import crdt, history, persistence
from stories.reading import publishing, search
from stories.reading.publishing import Draft
from tests import factories
from tests.server import ServerProcess
from tests.sockets import Client
from tests.stories.clients import open_story, update_payloads, wait_until, yjs_messages

CARD = "Community gardens on every roof"


class Writer:
    """A pycrdt copy of the document whose every change yields the update a client would send."""

    def __init__(self) -> None:
        self.doc: Doc[Any] = Doc()
        self.body = self.doc.get("body", type=Text)
        self.board = self.doc.get("board", type=Array)
        self._updates: list[bytes] = []
        self.doc.observe(lambda event: self._updates.append(event.update))

    def change(self, edit: Callable[[], None]) -> bytes:
        self._updates.clear()
        with self.doc.transaction():
            edit()
        (update,) = self._updates
        return update

    def add_card(self, text: str, column: int = 0, author: int = 1) -> bytes:
        card = Map({"id": f"c{len(self.board)}", "text": text, "column": column, "author": author})
        return self.change(lambda: self.board.append(card))

    def write(self, text: str) -> bytes:
        return self.change(lambda: self.body.insert(len(str(self.body)), text))


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


def test_the_board_reaches_the_group_and_nobody_else(live_server: ServerProcess, app_ctx: Any) -> None:
    workshop = factories.workshop(groups=2)
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
