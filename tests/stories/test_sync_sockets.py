"""Story sync over Socket.IO against the real server (gunicorn), with python-socketio + pycrdt clients."""

from __future__ import annotations

import random
import threading
import time

import pytest
import socketio
from pycrdt import Awareness, Doc, create_awareness_message

from extensions import db
from stories.cowriting import crdt, persistence
from stories.models import StoryUpdate
from tests import factories
from tests.server import ServerProcess
from tests.signin import facilitator_cookie
from tests.sockets import Client, connected
from tests.stories.clients import (
    EXAMPLE,
    example_module,
    open_story,
    update_payloads,
    wait_until,
    yjs_messages,
)
from tests.stories.ydocs import Editor
from workshops.models import Group, Participant, Workshop

StoryClient = example_module().StoryClient


def stored_text(story_id: int) -> str:
    db.session.rollback()  # see what the server committed
    return persistence.load_text(story_id)


def log_rows(story_id: int) -> int:
    db.session.rollback()
    return db.session.query(StoryUpdate).filter_by(story_id=story_id).count()


def one_group_story(writers: int = 1) -> tuple[Workshop, int, list[str]]:
    workshop = factories.workshop(groups=2)
    group = workshop.groups[0]
    tokens = [factories.participant(group, f"Writer {i + 1}")[1] for i in range(writers)]
    return workshop, factories.story_of(group).id, tokens


def writer(url: str, token: str, story_id: int) -> tuple[Client, Editor]:
    """A raw client that opened the story and applied the server's answer to its step 1."""
    client = Client(url, auth={"token": token})
    assert open_story(client, story_id) == {"ok": True, "writable": True}
    editor = Editor()
    assert client.call("yjs", story_id, crdt.sync_step1(editor.doc.get_state())) == {"ok": True}
    for update in update_payloads(yjs_messages(client, story_id)):
        editor.receive(update)
    return client, editor


def send(client: Client, story_id: int, update: bytes) -> dict:
    return client.call("yjs", story_id, crdt.update_message(update))


# --- many writers ------------------------------------------------------------------------------------------


def test_five_clients_typing_at_once_converge_on_what_the_server_stored(
    live_server: ServerProcess, app_ctx
) -> None:
    _, story_id, tokens = one_group_story(writers=6)
    clients = [StoryClient(live_server.url, token, story_id) for token in tokens[:5]]
    try:
        assert all(client.synced.wait(5) for client in clients)
        typed: list[str] = []

        def type_(client, seed: int) -> None:
            rng = random.Random(seed)
            for n in range(30):
                letter = "abcdefghij"[seed] + str(n % 10)
                typed.append(letter)
                if rng.random() < 0.5:
                    client.append(letter)
                else:  # ASCII text only grows here: any index up to its length is a character boundary
                    client.insert(rng.randint(0, len(client.text_now())), letter)
                time.sleep(rng.random() * 0.01)

        threads = [threading.Thread(target=type_, args=(c, i)) for i, c in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        expected = stored_text(story_id)
        assert sorted(expected) == sorted("".join(typed))  # every acknowledged keystroke is stored
        assert wait_until(lambda: all(c.text_now() == expected for c in clients)), [
            c.text_now() for c in clients
        ]
        late = StoryClient(live_server.url, tokens[5], story_id)  # a late joiner gets it all by sync
        try:
            assert late.synced.wait(5)
            assert wait_until(lambda: late.text_now() == expected)
        finally:
            late.close()
    finally:
        for client in clients:
            client.close()


def test_the_protocol_document_shows_the_example_client_that_is_tested() -> None:
    doc = (EXAMPLE.parent / "protocol.md").read_text()
    assert EXAMPLE.read_text().strip() in doc


# --- who may read and write -----------------------------------------------------------------------------


def test_a_member_of_another_group_is_refused_and_receives_nothing(
    live_server: ServerProcess, app_ctx
) -> None:
    workshop, story_id, tokens = one_group_story()
    _, outsider = factories.participant(workshop.groups[1], "Outsider")
    with connected(live_server.url, auth={"token": outsider}) as other:
        refused = open_story(other, story_id)
        assert refused["ok"] is False
        assert refused["error"]["code"] == "forbidden"
        editor = Editor()
        sneaky = send(other, story_id, editor.insert(0, "not mine"))
        assert sneaky["error"]["code"] == "forbidden"
        member, member_editor = writer(live_server.url, tokens[0], story_id)
        try:
            assert send(member, story_id, member_editor.insert(0, "ours")) == {"ok": True}
            time.sleep(0.3)
            assert yjs_messages(other) == []
        finally:
            member.close()
    assert stored_text(story_id) == "ours"


@pytest.mark.parametrize("how", ["group", "workshop", "phase"])
def test_a_locked_editor_gets_locked_then_writes_again_once_unlocked(
    live_server: ServerProcess, app_ctx, how: str
) -> None:
    workshop, story_id, tokens = one_group_story()
    client, editor = writer(live_server.url, tokens[0], story_id)
    try:
        assert send(client, story_id, editor.insert(0, "before ")) == {"ok": True}

        def lock(value: bool) -> None:
            if how == "group":
                db.session.get(Group, workshop.groups[0].id).locked = value
            elif how == "workshop":
                db.session.get(Workshop, workshop.id).all_locked = value
            else:  # the next phase closes the editors
                db.session.get(Workshop, workshop.id).phase_index = 1 if value else 0
            db.session.commit()

        lock(True)
        refused = send(client, story_id, editor.insert(7, "during"))
        assert refused["ok"] is False
        assert refused["error"]["code"] == "locked"
        assert stored_text(story_id) == "before "
        lock(False)
        # The refused change stays in the client's doc; the next one builds on it, so it is refused as
        # out of sync, and the client's resync (its step 2) brings both in.
        assert send(client, story_id, editor.insert(0, "again "))["error"]["code"] == "out_of_sync"
        assert client.call("yjs", story_id, crdt.sync_step2(editor.doc.get_update())) == {"ok": True}
        assert stored_text(story_id) == "again before during"
    finally:
        client.close()


def test_a_participant_moved_to_another_group_loses_the_old_story_at_once(
    live_server: ServerProcess, app_ctx
) -> None:
    workshop, story_id, tokens = one_group_story()
    client, editor = writer(live_server.url, tokens[0], story_id)
    try:
        assert send(client, story_id, editor.insert(0, "mine")) == {"ok": True}
        participant = db.session.query(Participant).filter_by(group_id=workshop.groups[0].id).one()
        participant.group_id = workshop.groups[1].id
        db.session.commit()
        refused = send(client, story_id, editor.insert(4, " still?"))
        assert refused["error"]["code"] == "forbidden"
        step1 = client.call("yjs", story_id, crdt.sync_step1(b"\x00"))
        assert step1["error"]["code"] == "forbidden"
    finally:
        client.close()
    assert stored_text(story_id) == "mine"


def test_a_socket_without_identity_is_refused(live_server: ServerProcess, app_ctx) -> None:
    with (
        pytest.raises(socketio.exceptions.ConnectionError),
        connected(live_server.url, auth={"token": "x" * 20}),
    ):
        pass


def test_facilitators_read_and_write_only_when_they_choose(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator("lead@example.org")
    workshop = factories.workshop(owner, groups=1)
    story_id = factories.story_of(workshop.groups[0]).id
    headers = facilitator_cookie(live_server.url, "lead@example.org", factories.PASSWORD)
    auth = {"role": "facilitator", "workshop_id": workshop.id}
    with connected(live_server.url, auth=auth, headers=headers) as reader:
        assert open_story(reader, story_id) == {"ok": True, "writable": False}
        assert send(reader, story_id, Editor().insert(0, "x"))["error"]["code"] == "locked"
    with connected(live_server.url, auth=auth, headers=headers) as author:
        assert open_story(author, story_id, write=True) == {"ok": True, "writable": True}
        assert send(author, story_id, Editor().insert(0, "Facilitator's note.")) == {"ok": True}
    assert stored_text(story_id) == "Facilitator's note."
    factories.facilitator("other@example.org")
    headers = facilitator_cookie(live_server.url, "other@example.org", factories.PASSWORD)
    with connected(live_server.url, auth={"role": "facilitator"}, headers=headers) as stranger:
        assert open_story(stranger, story_id, write=True)["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        ({"story_id": 10**9}, "forbidden"),
        ({"story_id": "abc"}, "invalid"),
        ({"story_id": "1"}, "invalid"),  # an id is a JSON integer (docs/protocol.md), not its decimal string
        ({"story_id": -1}, "invalid"),
        ({"story_id": True}, "invalid"),
        ({}, "invalid"),
        ("7", "invalid"),
        ({"story_id": 1, "write": "yes"}, "invalid"),
        ({"story_id": 1, "extra": 1}, "invalid"),
    ],
)
def test_bad_open_requests_get_an_error_ack(live_server: ServerProcess, app_ctx, payload, code: str) -> None:
    _, _, tokens = one_group_story()
    with connected(live_server.url, auth={"token": tokens[0]}) as client:
        ack = client.call("story:open", payload)
        assert ack["ok"] is False
        assert ack["error"]["code"] == code
        assert ack["error"]["message"]


def test_a_socket_opening_stories_over_and_over_is_rate_limited_and_stays(
    server_on, database: str, app_ctx
) -> None:
    """Each `story:open` takes a token of the socket's `yjs` bucket (`PLUME_SOCKET_BURST`, 5 at once and 2 a
    second here): past it, `rate_limited` at once, in the socket's words; the socket stays, and opens again
    once the bucket has refilled; its `yjs` messages draw on the same tokens."""
    server = server_on(database, PLUME_SOCKET_BURST="5/2")
    _, story_id, tokens = one_group_story()
    with connected(server.url, auth={"token": tokens[0]}) as client:
        acks = [open_story(client, story_id) for _ in range(8)]
        assert [a["ok"] for a in acks[:5]] == [True] * 5
        refused = [a for a in acks[5:] if not a["ok"]]
        assert refused, "the bucket is empty after 5 openings"
        assert {a["error"]["code"] for a in refused} == {"rate_limited"}
        assert all(a["error"]["message"] for a in refused)
        assert client.call("yjs", story_id, crdt.sync_step1(b"\x00"))["error"]["code"] == "rate_limited"
        time.sleep(1.2)  # two tokens more
        assert open_story(client, story_id)["ok"] is True
        assert client.sio.connected


# --- bad messages ------------------------------------------------------------------------------------------


def test_oversized_and_malformed_messages_are_refused_and_change_nothing(
    live_server: ServerProcess, app_ctx
) -> None:
    _, story_id, tokens = one_group_story(writers=2)
    client, editor = writer(live_server.url, tokens[0], story_id)
    try:
        assert send(client, story_id, editor.insert(0, "Intact.")) == {"ok": True}
        rows = log_rows(story_id)
        huge = Editor().insert(0, "x" * 300_000)
        cases = {
            "too_large": [crdt.update_message(huge)],
            "malformed": [
                b"\x00\x02\x03abc",  # an update that does not decode
                b"\x00\x02\x05\x00\x00",  # a length that lies
                b"\x00\x07\x00",  # an unknown sync message
                b"\x05\x00",  # an unknown message type
                b"",
                "text, not bytes",
                crdt.update_message(editor.insert(0, "x"))[:-3],  # cut short
            ],
            "invalid": [],
        }
        for code, messages in cases.items():
            for message in messages:
                ack = client.call("yjs", story_id, message)
                assert ack["ok"] is False, message
                assert ack["error"]["code"] == code, message
        assert client.call("yjs", story_id)["error"]["code"] == "invalid"  # one argument only
        assert client.call("yjs", "nope", b"\x00")["error"]["code"] == "invalid"
        assert log_rows(story_id) == rows
        assert stored_text(story_id) == "Intact."
        fresh, fresh_editor = writer(live_server.url, tokens[1], story_id)
        fresh.close()
        assert str(fresh_editor) == "Intact."
    finally:
        client.close()


def test_messages_for_a_story_the_socket_did_not_open_are_refused(
    live_server: ServerProcess, app_ctx
) -> None:
    _, story_id, tokens = one_group_story()
    with connected(live_server.url, auth={"token": tokens[0]}) as client:
        ack = send(client, story_id, Editor().insert(0, "x"))
        assert ack["error"] == {
            "code": "forbidden",
            "message": "Open the story before sending changes to it.",
        }
        assert log_rows(story_id) == 0
    # The refusal speaks the socket's language (here its browser's), like every other ack.
    french = {"Accept-Language": "fr-FR,fr;q=0.9"}
    with connected(live_server.url, auth={"token": tokens[0]}, headers=french) as client:
        ack = send(client, story_id, Editor().insert(0, "x"))
        assert ack["error"]["message"] == "Ouvrez le récit avant d’y envoyer des modifications."
        assert client.call("yjs", story_id)["error"]["message"] == "Cette requête n’est pas valide."


# --- the sync itself ---------------------------------------------------------------------------------------


def test_open_sends_step1_and_a_step1_gets_what_the_client_lacks(live_server: ServerProcess, app_ctx) -> None:
    _, story_id, tokens = one_group_story(writers=2)
    first, first_editor = writer(live_server.url, tokens[0], story_id)
    try:
        send(first, story_id, first_editor.insert(0, "Hello"))
    finally:
        first.close()
    with connected(live_server.url, auth={"token": tokens[1]}) as client:
        assert open_story(client, story_id)["ok"]
        (step1,) = yjs_messages(client, story_id)
        parsed = crdt.parse_message(step1)
        assert parsed.kind is crdt.Kind.SYNC_STEP1
        assert crdt.state_vector(parsed.payload) == {first_editor.doc.client_id: 5}
        # A client that already has "Hello" gets an empty diff; one with nothing gets it all.
        assert client.call("yjs", story_id, crdt.sync_step1(first_editor.doc.get_state())) == {"ok": True}
        assert client.call("yjs", story_id, crdt.sync_step1(b"\x00")) == {"ok": True}
        replies = [crdt.parse_message(m) for m in yjs_messages(client, story_id)]
        assert [r.kind for r in replies] == [crdt.Kind.SYNC_STEP2, crdt.Kind.SYNC_STEP2]
        assert crdt.text_of([replies[0].payload]) == ""
        assert crdt.text_of([replies[1].payload]) == "Hello"
        assert client.call("yjs", story_id, crdt.sync_step2(crdt.EMPTY_UPDATE)) == {"ok": True}


def test_a_socket_s_updates_are_stored_in_the_order_it_sent_them(live_server: ServerProcess, app_ctx) -> None:
    """A burst of keystrokes sent without waiting for acks lands in the log in typing order (what
    docs/protocol.md promises: each socket's messages are handled in the order they arrive)."""
    _, story_id, tokens = one_group_story()
    a, editor = writer(live_server.url, tokens[0], story_id)
    try:
        messages = [
            crdt.update_message(editor.insert(i, "abcdefghijklmnopqrstuvwxyz0123"[i])) for i in range(30)
        ]
        acks: list[dict] = []
        for message in messages:
            a.sio.emit("yjs", (story_id, message), callback=acks.append)
        assert wait_until(lambda: len(acks) == len(messages))
        assert all(ack == {"ok": True} for ack in acks)
        db.session.rollback()
        stored = [
            bytes(row.data)
            for row in db.session.query(StoryUpdate).filter_by(story_id=story_id).order_by(StoryUpdate.seq)
        ]
        assert stored == [crdt.parse_message(m).payload for m in messages]
    finally:
        a.close()


def test_updates_are_relayed_as_sent_to_the_others_only(live_server: ServerProcess, app_ctx) -> None:
    _, story_id, tokens = one_group_story(writers=2)
    a, a_editor = writer(live_server.url, tokens[0], story_id)
    b, _ = writer(live_server.url, tokens[1], story_id)
    try:
        message = crdt.update_message(a_editor.insert(0, "relayed"))
        assert a.call("yjs", story_id, message) == {"ok": True}
        assert b.wait_for("yjs") == (story_id, message)
        step2 = crdt.sync_step2(a_editor.insert(0, "also "))
        assert a.call("yjs", story_id, step2) == {"ok": True}
        relayed = b.wait_for("yjs")
        assert relayed == (story_id, crdt.update_message(crdt.parse_message(step2).payload))  # same bytes
        time.sleep(0.2)
        assert yjs_messages(a) == []
    finally:
        a.close()
        b.close()


def test_awareness_is_relayed_not_stored_and_cleared_when_a_socket_leaves(
    live_server: ServerProcess, app_ctx
) -> None:
    _, story_id, tokens = one_group_story(writers=3)
    a, _ = writer(live_server.url, tokens[0], story_id)
    b, _ = writer(live_server.url, tokens[1], story_id)
    try:
        doc = Doc()
        awareness = Awareness(doc)
        awareness.set_local_state({"user": {"name": "Writer 1", "color": "#9a3412"}, "cursor": None})
        message = create_awareness_message(awareness.encode_awareness_update([doc.client_id]))
        assert a.call("yjs", story_id, message) == {"ok": True}
        assert b.wait_for("yjs") == (story_id, message)
        assert log_rows(story_id) == 0
        with connected(live_server.url, auth={"token": tokens[2]}) as outsider_socket:  # did not open it
            assert outsider_socket.call("yjs", story_id, message)["error"]["code"] == "forbidden"
        assert a.call("story:close", {"story_id": story_id}) == {"ok": True}
        _, removal = b.wait_for("yjs")
        clients = crdt.awareness_clients(crdt.parse_message(removal).payload)
        assert clients == {doc.client_id: (awareness.meta[doc.client_id]["clock"] + 1, False)}
        assert send(a, story_id, Editor().insert(0, "closed"))["error"]["code"] == "forbidden"
    finally:
        a.close()
        b.close()


def test_a_dropped_socket_s_cursor_is_cleared_for_the_others(live_server: ServerProcess, app_ctx) -> None:
    _, story_id, tokens = one_group_story(writers=2)
    a, _ = writer(live_server.url, tokens[0], story_id)
    b, _ = writer(live_server.url, tokens[1], story_id)
    try:
        doc = Doc()
        awareness = Awareness(doc)
        awareness.set_local_state({"user": {"name": "Writer 1"}})
        a.call("yjs", story_id, create_awareness_message(awareness.encode_awareness_update([doc.client_id])))
        b.wait_for("yjs")
        a.sio.disconnect()  # no story:close
        _, removal = b.wait_for("yjs", timeout=6)
        assert crdt.awareness_clients(crdt.parse_message(removal).payload)[doc.client_id][1] is False
    finally:
        b.close()


def test_the_facilitator_console_gets_throttled_activity(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator("console@example.org")
    workshop = factories.workshop(owner, groups=1)
    group = workshop.groups[0]
    story_id = factories.story_of(group).id
    _, token = factories.participant(group)
    headers = facilitator_cookie(live_server.url, "console@example.org", factories.PASSWORD)
    auth = {"role": "facilitator", "workshop_id": workshop.id}
    with connected(live_server.url, auth=auth, headers=headers) as console:
        client, editor = writer(live_server.url, token, story_id)
        try:
            started = time.monotonic()
            for i in range(20):
                assert send(client, story_id, editor.insert(i, "a")) == {"ok": True}
            burst = time.monotonic() - started
            first = console.wait_for("story:activity")[0]
            assert set(first) == {"story_id", "group_id", "length", "last_activity_at"}
            assert first["story_id"] == story_id
            assert first["group_id"] == group.id
            assert first["last_activity_at"].endswith("Z")
            time.sleep(1.3)  # past the throttle window: the last state must have arrived
            events = [first, *(args[0] for args in console.events("story:activity"))]
            assert events[-1]["length"] == 20
            assert len(events) <= 2 + int(burst + 1.3)  # at most one a second
        finally:
            client.close()
