"""A crowd connecting at once. The overview's bench found it (960 participants at a workshop's start): the
worker's database pool ran dry, and a socket that waited too long for a connection got no answer at all,
neither connected nor refused. Now a connection holds no database connection while it asks Redis, and one
the server cannot set up is refused `unavailable`, which the browser tries again (static/src/retry.js).

The pool here has one connection and waits 0.2 s for it: on PostgreSQL, whose queries give the loop to
the other sockets, most of the crowd is refused at first, then gets in when it tries again."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import socketio

from tests import factories
from tests.sockets import InOrderClient

CROWD = 40


def _attempt(url: str, token: str, connected: list[Any]) -> str:
    """Connect once: 'connected', 'unavailable' (refused, to try again) or what else happened."""
    client = InOrderClient(reconnection=False, serializer="msgpack")
    refusals: list[Any] = []
    client.on("connect_error", refusals.append)
    try:
        client.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=15)
    except socketio.exceptions.ConnectionError as error:
        said = refusals[0] if refusals else None
        message = said.get("message") if isinstance(said, dict) else said
        return "unavailable" if message == "unavailable" else f"no answer ({message or error})"
    connected.append(client)
    return "connected"


def test_a_crowd_connecting_at_once_is_answered_and_gets_in(
    server_on: Any, database: str, app_ctx: Any
) -> None:
    server = server_on(
        database, PLUME_DB_POOL_SIZE="1", PLUME_DB_MAX_OVERFLOW="0", PLUME_DB_POOL_TIMEOUT_S="0.2"
    )
    workshop = factories.workshop(groups=4)
    tokens = [factories.participant(workshop.groups[n % 4])[1] for n in range(CROWD)]
    connected: list[Any] = []
    try:
        with ThreadPoolExecutor(CROWD) as pool:
            first = list(pool.map(lambda token: _attempt(server.url, token, connected), tokens))
        print("a crowd of", CROWD, "at once:", dict(Counter(first)))
        assert set(first) <= {"connected", "unavailable"}, Counter(first)  # every socket is answered
        for token, outcome in zip(tokens, first, strict=True):
            for _ in range(40):  # as the browser does, a little later each time (here: every 0.25 s)
                if outcome == "connected":
                    break
                time.sleep(0.25)
                outcome = _attempt(server.url, token, connected)
            assert outcome == "connected"
        assert len(connected) == CROWD
        if "unavailable" in first:
            assert "socket connection refused as unavailable" in server.log.read_text()  # with its cause
    finally:
        for client in connected:
            client.disconnect()
