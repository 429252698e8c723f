"""Socket.IO connections are authenticated: a token, a facilitator login, or nothing at all."""

from __future__ import annotations

import pytest
import socketio

from tests import factories
from tests.server import ServerProcess
from tests.sockets import connected


def test_a_participant_connects_with_the_token(live_server: ServerProcess, app_ctx) -> None:
    workshop = factories.workshop()
    _, token = factories.participant(workshop.groups[0])
    with connected(live_server.url, auth={"token": token}) as client:
        assert client.sio.connected


@pytest.mark.parametrize(
    "auth", [None, {}, {"token": "not-a-real-token"}, {"token": 42}, {"role": "facilitator"}]
)
def test_a_connection_without_identity_is_refused(live_server: ServerProcess, app_ctx, auth) -> None:
    factories.workshop()
    with pytest.raises(socketio.exceptions.ConnectionError), connected(live_server.url, auth=auth):
        pass
