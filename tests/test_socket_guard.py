"""Sockets cannot crowd out the rest: caps per address and participant, a deadline to say who you are,
and pages that answer while hundreds of WebSockets are held (against the real server, gevent workers)."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import pytest
import requests
import socketio
import websocket

from tests import factories
from tests.sockets import connected
from tests.stories.clients import wait_until


def raw_websocket(url: str) -> websocket.WebSocket:
    """An Engine.IO WebSocket that never connects to the Socket.IO namespace (an anonymous socket)."""
    ws = websocket.create_connection(
        url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=5
    )
    assert ws.recv().startswith("0{")  # the Engine.IO handshake
    return ws


def is_closed(ws: websocket.WebSocket) -> bool:
    """True once the server has closed the connection (answers pings meanwhile, like a live client)."""
    try:
        ws.settimeout(0.2)
        frame = ws.recv()
        if frame == "2":
            ws.send("3")
        return frame == ""
    except websocket.WebSocketTimeoutException:
        return False
    except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
        return True


@contextmanager
def held(url: str, count: int) -> Iterator[list[websocket.WebSocket]]:
    with ExitStack() as stack:
        sockets = []
        for _ in range(count):
            ws = raw_websocket(url)
            stack.callback(ws.close)
            sockets.append(ws)
        yield sockets


def get(url: str, timeout: float = 5) -> int:
    with urllib.request.urlopen(url, timeout=timeout) as answer:  # noqa: S310 (local URL)
        return answer.status


def test_an_address_holds_a_bounded_number_of_websockets(server_on: Any, database: str) -> None:
    server = server_on(database, PLUME_SOCKETS_PER_ADDRESS="3")
    with held(server.url, 3) as sockets:
        assert not _opens(server.url)  # the fourth is closed at once
        assert get(server.url + "/healthz") == 200  # pages are not counted
        sockets[0].close()
        assert wait_until(lambda: _opens(server.url), timeout=3)  # a closed one frees its place


def _opens(url: str) -> bool:
    """Whether a new WebSocket gets the Engine.IO handshake (a refused one is answered 429)."""
    try:
        ws = websocket.create_connection(
            url.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket", timeout=5
        )
    except websocket.WebSocketBadStatusException as refused:
        if refused.status_code != 429:
            raise
        return False
    try:
        return ws.recv().startswith("0{")
    except (websocket.WebSocketConnectionClosedException, websocket.WebSocketProtocolException):
        return False
    finally:
        ws.close()


def polling_handshake(url: str) -> requests.Response:
    """Open an Engine.IO session over long-polling (its first request)."""
    return requests.get(url + "/socket.io/?EIO=4&transport=polling", timeout=5)


def test_long_polling_counts_against_the_address_cap_and_the_next_handshake_gets_429(
    server_on: Any, database: str
) -> None:
    server = server_on(database, PLUME_SOCKETS_PER_ADDRESS="3")
    opened = [polling_handshake(server.url) for _ in range(2)]
    assert [r.status_code for r in opened] == [200, 200]
    with held(server.url, 1):  # two long-polling sessions and one WebSocket: the address is full
        refused = polling_handshake(server.url)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "30"
        with pytest.raises(websocket.WebSocketBadStatusException) as raised:  # refused before the upgrade
            raw_websocket(server.url)
        assert raised.value.status_code == 429
    assert wait_until(lambda: polling_handshake(server.url).status_code == 200, timeout=3)


def test_a_socket_that_never_says_who_it_is_is_closed_soon(server_on: Any, database: str, app_ctx) -> None:
    server = server_on(database, PLUME_SOCKET_AUTH_SECONDS="1")
    group = factories.workshop(groups=1).groups[0]
    _, token = factories.participant(group)
    with held(server.url, 2) as anonymous, connected(server.url, auth={"token": token}) as participant:
        assert wait_until(lambda: all(is_closed(ws) for ws in anonymous), timeout=6)
        assert participant.sio.connected  # an identified socket stays


def test_a_participant_holds_a_bounded_number_of_sockets(server_on: Any, database: str, app_ctx) -> None:
    server = server_on(database, PLUME_SOCKETS_PER_PARTICIPANT="2")
    group = factories.workshop(groups=1).groups[0]
    _, token = factories.participant(group)
    with connected(server.url, auth={"token": token}), connected(server.url, auth={"token": token}) as second:
        with pytest.raises(socketio.exceptions.ConnectionError):  # noqa: SIM117 (the third, refused)
            with connected(server.url, auth={"token": token}):
                pass
        second.close()
        assert wait_until(lambda: _connects(server.url, token), timeout=3)  # the same token, once below


def _connects(url: str, token: str) -> bool:
    try:
        with connected(url, auth={"token": token}):
            return True
    except socketio.exceptions.ConnectionError:
        return False


def test_pages_answer_while_hundreds_of_websockets_are_held(server_on: Any, database: str, app_ctx) -> None:
    """A thread per socket served 200 sockets and no page after that; a greenlet per socket does not."""
    server = server_on(database, PLUME_SOCKETS_PER_ADDRESS="1000")
    with held(server.url, 400):
        for path in ("/healthz", "/stories", "/"):
            assert get(server.url + path, timeout=5) == 200
