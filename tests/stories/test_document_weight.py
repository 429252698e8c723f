"""A story's document is bounded beyond its text (`PLUME_MAX_DOCUMENT_BYTES`): a writer piling up tombstones
(characters inserted and deleted, which leave no text) is refused `too_large` once the document outweighs
the limit, while deleting stays possible; and a log tail grown heavy is compacted however few its rows."""

from __future__ import annotations

import pytest
from flask import Flask

from core import settings
from extensions import db
from stories.cowriting import crdt, persistence
from stories.cowriting.live import WEIGH_EVERY_SECONDS, LiveStory
from stories.cowriting.writer import Outcome
from tests.overrides import changed_settings
from tests.server import ServerProcess
from tests.stories import test_persistence
from tests.stories.test_compaction import typed
from tests.stories.test_persistence import log_seqs, new_story, replayed, same_document, store
from tests.stories.test_sync_sockets import one_group_story, send, writer
from tests.stories.ydocs import Editor

engine = test_persistence.engine  # the fixture: a fresh engine, installed as the app's
LIMIT = 20_000


def tombstones(editor: Editor, pairs: int) -> bytes:
    """One update that inserts and deletes a character `pairs` times, at two places in turn: the text does
    not change, the document grows by about 21 bytes a pair."""

    def edit() -> None:
        with editor.doc.transaction():
            for i in range(pairs):
                at = 1 if i % 2 else 3
                editor.text.insert(at, "x")
                del editor.text[at : at + 1]

    return editor._edit(edit)


def weight(live: LiveStory) -> int:
    return len(live.doc.get_update()) - len(live.body)


def test_tombstones_are_refused_once_the_document_outweighs_the_limit(engine, app_ctx: Flask) -> None:
    story_id = new_story()
    editor = Editor()
    with changed_settings(app_ctx, max_document_bytes=LIMIT):
        assert store(engine, story_id, [editor.insert(0, "hello world")])[0].ok
        updates = [tombstones(editor, 200) for _ in range(8)]
        outcomes = [store(engine, story_id, [update])[0] for update in updates]
        accepted = [o for o in outcomes if o.ok]
        assert len(accepted) >= 3, outcomes
        assert outcomes[len(accepted) :] == [Outcome.refused("too_large")] * (8 - len(accepted))
        with engine.synced(story_id) as live:
            assert str(live.body) == "hello world"
            assert weight(live) <= LIMIT < weight(live) + len(updates[len(accepted)])
            server = Editor()
            server.receive(live.doc.get_update())
        assert same_document(replayed(story_id), live)  # nothing refused was stored
        # Deleting adds no items: still accepted, and the text shrinks; more tombstones are not.
        assert store(engine, story_id, [server.delete(0, 6)])[0].ok
        assert store(engine, story_id, [tombstones(server, 200)]) == [Outcome.refused("too_large")]
    assert persistence.load_text(story_id) == "world"
    assert len(log_seqs(story_id)) == 1 + len(accepted) + 1


def test_an_honest_document_well_past_its_text_is_accepted(engine, app_ctx: Flask) -> None:
    """The default limit (1 MiB) is far above what writing leaves: 2,000 keystrokes of two writers at
    places of their own, many of them deleted again."""
    story_id = new_story()
    updates = typed(2000)
    assert all(o.ok for o in store(engine, story_id, updates))
    with engine.synced(story_id) as live:
        assert 0 < weight(live) < settings.of(app_ctx).max_document_bytes // 10


def test_the_document_is_weighed_at_most_once_a_second() -> None:
    live = LiveStory(1)
    editor = Editor()
    for i in range(40):  # 40 updates: their sizes add up to far more than the document's encoding
        live.apply(editor.insert(i, "a"))
    bound = live.weight_at_most()
    exact = live.weigh(now=100.0)
    assert exact == weight(live) < bound
    live.apply(editor.insert(0, "b"))
    assert live.weigh(now=100.0 + WEIGH_EVERY_SECONDS / 2) == live.weight_at_most() > weight(live)
    assert live.weigh(now=100.0 + WEIGH_EVERY_SECONDS) == weight(live)


def test_a_heavy_tail_is_compacted_however_few_its_rows(
    engine, app_ctx: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(persistence, "COMPACT_AFTER_BYTES", 3_000)
    story_id = new_story()
    editor = Editor()
    chunks = [editor.insert(0, "x" * 1_000 + str(i)) for i in range(5)]
    assert all(o.ok for o in store(engine, story_id, chunks[:3]))  # 2 rows of tail: 2,000 bytes and more
    engine.run_compactions()
    assert len(log_seqs(story_id)) == 3
    assert all(o.ok for o in store(engine, story_id, chunks[3:]))  # 4 rows of tail: over 3,000
    assert engine.run_compactions() == 1
    assert log_seqs(story_id) == [5]  # one snapshot
    db.session.rollback()
    assert persistence.tail_bytes(story_id) == 0
    assert len(persistence.load_text(story_id)) == 5 * 1_001
    with engine.synced(story_id) as live:
        assert live.tail_bytes == 0


def test_a_socket_piling_up_tombstones_gets_too_large_in_its_ack(server_on, database: str, app_ctx) -> None:
    server: ServerProcess = server_on(database, PLUME_MAX_DOCUMENT_BYTES=str(LIMIT))
    _, story_id, tokens = one_group_story(writers=2)
    client, editor = writer(server.url, tokens[0], story_id)
    try:
        assert send(client, story_id, editor.insert(0, "hello world")) == {"ok": True}
        acks = [send(client, story_id, tombstones(editor, 200)) for _ in range(8)]
        refused = [ack for ack in acks if not ack["ok"]]
        assert refused
        assert acks[-1] == refused[-1]
        assert {ack["error"]["code"] for ack in refused} == {"too_large"}
        assert all(ack["error"]["message"] for ack in refused)
        other, copy = writer(server.url, tokens[1], story_id)  # what the server kept, from the start
        try:
            assert str(copy) == "hello world"
            assert send(other, story_id, copy.delete(0, 6)) == {"ok": True}
            assert send(other, story_id, tombstones(copy, 200))["error"]["code"] == "too_large"
        finally:
            other.close()
    finally:
        client.close()
    db.session.rollback()
    assert persistence.load_text(story_id) == "world"
    assert crdt.text_of([data for _, data in persistence.rows_after(story_id)]) == "world"
