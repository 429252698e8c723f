"""Cursors (Yjs awareness): kept per story on the server, owned by their socket, named by the server."""

from __future__ import annotations

import json
import time

import pytest
from pycrdt import Awareness, Doc, create_awareness_message

from stories.cowriting import crdt, cursors
from stories.cowriting.cursors import CursorError, Cursors
from tests import factories
from tests.server import ServerProcess
from tests.sockets import Client
from tests.stories.clients import open_story, wait_until, yjs_messages

ADA = {"name": "Ada", "color": "#9a3412"}


def awareness_payload(client: int, clock: int, state: object) -> bytes:
    return crdt.parse_message(cursors.encode({client: cursors.Entry(clock, json.dumps(state))})).payload


def states_in(message: bytes) -> dict[int, tuple[int, object]]:
    """{client: (clock, state)} of an awareness message."""
    entries = crdt.awareness_entries(crdt.parse_message(message).payload)
    return {client: (clock, json.loads(text)) for client, clock, text in entries}


# --- the bookkeeping ---------------------------------------------------------------------------------------


def test_a_state_is_relayed_under_the_name_the_server_knows() -> None:
    book = Cursors()
    lying = {"user": {"name": "The facilitator", "color": "red"}, "cursor": {"anchor": 1}}
    relay = book.receive(1, "sid-a", awareness_payload(7, 1, lying), ADA, now=10.0)
    assert relay is not None
    assert states_in(relay.message) == {7: (1, {"user": ADA, "cursor": {"anchor": 1}})}


def test_another_socket_cannot_speak_for_a_client_id_or_remove_it() -> None:
    book = Cursors()
    book.receive(1, "sid-a", awareness_payload(7, 1, {"cursor": None}), ADA, now=10.0)
    for state in ({"cursor": None}, None):
        with pytest.raises(CursorError) as refused:
            book.receive(1, "sid-b", awareness_payload(7, 2, state), {"name": "Eve", "color": "#000"}, now=11)
        assert refused.value.code == "forbidden"
    assert book.clients_of(1, "sid-a") == {7}
    assert book.clients_of(1, "sid-b") == set()


def test_a_socket_holds_a_few_client_ids_at_most() -> None:
    book = Cursors()
    for client in range(cursors.MAX_CLIENTS_PER_SOCKET):
        book.receive(1, "sid-a", awareness_payload(client + 1, 1, {}), ADA, now=10.0 + client)
    with pytest.raises(CursorError):
        book.receive(1, "sid-a", awareness_payload(99, 1, {}), ADA, now=20.0)


def test_an_oversized_or_malformed_state_is_refused_and_nothing_kept() -> None:
    book = Cursors()
    with pytest.raises(CursorError) as refused:
        book.receive(1, "sid-a", awareness_payload(7, 1, {"x": "a" * cursors.MAX_STATE_BYTES}), ADA)
    assert refused.value.code == "too_large"
    for bad in (awareness_payload(7, 1, [1, 2]), b"\x01\x07\x01\x03nul", b"\x05"):
        with pytest.raises(crdt.MalformedError):
            book.receive(1, "sid-a", bad, ADA)
    assert book.snapshot(1) is None


def test_a_state_a_browser_could_not_parse_or_too_deep_to_read_is_malformed() -> None:
    """Nested 1,024 deep (it fits the size bound) it overflowed `json`'s reader: an exception the handler
    logged and acked `unavailable`; NaN is not JSON for the browsers that would receive it."""
    book = Cursors()
    deep = "[" * 1024 + "]" * 1024
    for text in (deep, '{"cursor": NaN}', '{"name": "\\ud800"}'):
        raw = crdt.parse_message(cursors.encode({7: cursors.Entry(1, text)})).payload
        with pytest.raises(crdt.MalformedError):
            book.receive(1, "sid-a", raw, ADA)
    assert book.snapshot(1) is None


def test_a_burst_is_coalesced_into_its_latest_state() -> None:
    book = Cursors()
    first = book.receive(1, "sid-a", awareness_payload(7, 1, {"cursor": 1}), ADA, now=10.0)
    assert first is not None
    assert first.skip == "sid-a"
    for clock in range(2, 30):  # 28 more within the interval: none goes out at once
        assert (
            book.receive(1, "sid-a", awareness_payload(7, clock, {"cursor": clock}), ADA, now=10.01) is None
        )
    assert book.due(now=10.02) == []
    (relay, *rest) = book.due(now=10.0 + cursors.RELAY_INTERVAL + 1e-6)
    assert (relay.story_id, relay.skip, rest) == (1, "sid-a", [])
    assert states_in(relay.message) == {7: (29, {"cursor": 29, "user": ADA})}
    assert book.due(now=20.0) == []  # nothing waits any more


def test_a_group_typing_at_once_shares_one_message_per_interval() -> None:
    book = Cursors()
    bo = {"name": "Bo", "color": "#111111"}
    assert book.receive(1, "sid-a", awareness_payload(7, 1, {"cursor": 1}), ADA, now=10.0) is not None
    assert book.receive(1, "sid-b", awareness_payload(8, 1, {"cursor": 2}), bo, now=10.03) is None
    assert book.receive(1, "sid-a", awareness_payload(7, 2, {"cursor": 3}), ADA, now=10.06) is None
    assert book.receive(2, "sid-c", awareness_payload(9, 1, {}), bo, now=10.06) is not None  # its own story
    (relay,) = book.due(now=10.0 + cursors.RELAY_INTERVAL + 1e-6)
    assert relay.skip is None  # two sockets' states: each gets the other's, and its own (ignored) too
    assert states_in(relay.message) == {7: (2, {"cursor": 3, "user": ADA}), 8: (1, {"cursor": 2, "user": bo})}
    book.receive(1, "sid-b", awareness_payload(8, 2, {"cursor": 4}), bo, now=10.15)
    assert book.leave(1, "sid-b") is not None
    assert book.due(now=11.0) == []  # the leaver's waiting state went with it


def test_a_newcomer_gets_everyone_and_a_leaver_takes_its_cursors() -> None:
    book = Cursors()
    book.receive(1, "sid-a", awareness_payload(7, 3, {"cursor": 1}), ADA, now=10.0)
    book.receive(1, "sid-b", awareness_payload(8, 1, {}), {"name": "Bo", "color": "#111111"}, now=10.0)
    snapshot = book.snapshot(1)
    assert snapshot is not None
    assert set(states_in(snapshot)) == {7, 8}
    removal = book.leave(1, "sid-a")
    assert removal is not None
    assert states_in(removal) == {7: (4, None)}
    assert set(states_in(book.snapshot(1) or b"")) == {8}


def test_an_older_state_does_not_replace_a_newer_one() -> None:
    book = Cursors()
    book.receive(1, "sid-a", awareness_payload(7, 5, {"cursor": 5}), ADA, now=10.0)
    assert book.receive(1, "sid-a", awareness_payload(7, 4, {"cursor": 4}), ADA, now=20.0) is None
    assert states_in(book.snapshot(1) or b"") == {7: (5, {"cursor": 5, "user": ADA})}


# --- against the real server -------------------------------------------------------------------------------


def awareness_message(doc: Doc, state: dict) -> tuple[Awareness, bytes]:
    awareness = Awareness(doc)
    awareness.set_local_state(state)
    return awareness, create_awareness_message(awareness.encode_awareness_update([doc.client_id]))


def next_awareness(client: Client, timeout: float = 3) -> bytes:
    """The next awareness message the client receives (sync messages are passed over)."""
    deadline = time.monotonic() + timeout
    while True:
        _, data = client.wait_for("yjs", timeout=max(0.01, deadline - time.monotonic()))
        if crdt.parse_message(bytes(data)).kind is crdt.Kind.AWARENESS:
            return bytes(data)


def opened(url: str, token: str, story_id: int) -> Client:
    client = Client(url, auth={"token": token})
    assert open_story(client, story_id)["ok"] is True
    return client


def test_cursors_on_the_server_are_named_owned_shared_with_newcomers_and_gone_on_disconnect(
    live_server: ServerProcess, app_ctx
) -> None:
    workshop = factories.workshop(groups=1)
    group = workshop.groups[0]
    story_id = factories.story_of(group).id
    tokens = [factories.participant(group, name)[1] for name in ("Ada", "Bo", "Cy")]
    a, b = opened(live_server.url, tokens[0], story_id), opened(live_server.url, tokens[1], story_id)
    try:
        doc = Doc()
        _, message = awareness_message(doc, {"user": {"name": "Bo", "color": "#000000"}, "cursor": None})
        a.call("yjs", story_id, message)
        ((clock, state),) = states_in(next_awareness(b)).values()
        assert state["user"] == {"name": "Ada", "color": "#9a3412"}  # Ada cannot pass for Bo
        _, stolen = awareness_message(doc, {"user": {"name": "Bo"}})  # Bo's socket, Ada's client id
        refused = b.call("yjs", story_id, stolen)
        assert refused["ok"] is False
        assert refused["error"]["code"] == "forbidden"
        c = opened(live_server.url, tokens[2], story_id)  # a newcomer sees Ada's cursor on open
        try:
            assert wait_until(lambda: any(
                doc.client_id in states_in(m) for m in yjs_messages(c, story_id)
                if crdt.parse_message(m).kind is crdt.Kind.AWARENESS
            ), timeout=3)  # fmt: skip
            started = time.monotonic()
            a.sio.disconnect()  # no story:close: the disconnect itself takes her cursor away
            removal = next_awareness(b)
            assert time.monotonic() - started < 1.5
            assert states_in(removal) == {doc.client_id: (clock + 1, None)}
        finally:
            c.close()
    finally:
        b.close()
