"""An erased participant's sockets close on every worker: through Redis at once, and from the command line
(another process) when the workshop's access version moves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio
from flask import Flask

from tests import factories
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.sockets import Client
from tests.stories.clients import wait_until

pytestmark = pytest.mark.slow


@pytest.fixture
def two_servers(database: str, redis_url: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    servers = [ServerProcess(database, env={"REDIS_URL": redis_url, "PLUME_WORKERS": "1"}) for _ in range(2)]
    for server in servers:
        server.start()
    yield servers[0], servers[1]
    for server in servers:
        server.stop()


def test_an_erase_on_one_server_closes_the_sockets_on_the_other(
    two_servers: tuple[ServerProcess, ServerProcess], app_ctx: Any
) -> None:
    first, second = two_servers
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    workshop_id = workshop.id
    story_id = factories.story_of(workshop.groups[0]).id
    mallory, token = factories.participant(workshop.groups[0], "Mallory")
    mallory_id = mallory.id
    _, ada_token = factories.participant(workshop.groups[0], "Ada")
    far, near = Client(second.url, auth={"token": token}), Client(first.url, auth={"token": token})
    ada = Client(second.url, auth={"token": ada_token})
    try:
        assert far.call("story:open", {"story_id": story_id})["ok"]
        session, csrf = signed_in(first, owner.email)
        erased = session.post(
            f"{first.url}/workshops/{workshop_id}/participants/erase",
            data={"csrf_token": csrf, "participant_id": str(mallory_id)},
            timeout=30,
            allow_redirects=False,
        )
        assert erased.status_code == 302
        assert wait_until(lambda: not far.sio.connected and not near.sio.connected)
        # Told why, through Redis (the access watcher would have sent `workshop:revoked` instead).
        assert [e[0]["erased"] for e in far.events("participant:removed")] == [True]
        assert [e[0]["erased"] for e in near.events("participant:removed")] == [True]
        assert ada.sio.connected
        with pytest.raises(socketio.exceptions.ConnectionError):
            Client(second.url, auth={"token": token})
        assert (
            requests.post(f"{second.url}/api/v1/join", json={"token": token}, timeout=15).status_code == 404
        )
    finally:
        for client in (far, near, ada):
            client.close()


def test_an_erase_from_the_command_line_closes_the_servers_sockets(
    live_server: ServerProcess, app: Flask, app_ctx: Any
) -> None:
    workshop = factories.workshop()
    mallory, token = factories.participant(workshop.groups[0], "Mallory")
    socket = Client(live_server.url, auth={"token": token})
    try:
        assert socket.sio.connected
        result = app.test_cli_runner().invoke(args=["participant", "erase", str(mallory.id), "--yes"])
        assert result.exit_code == 0, result.output
        assert wait_until(lambda: not socket.sio.connected)
        with pytest.raises(socketio.exceptions.ConnectionError):
            Client(live_server.url, auth={"token": token})
    finally:
        socket.close()
