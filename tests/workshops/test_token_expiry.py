"""Expired tokens stay expired (issue 22, finding 6): a socket opened before its token expired is closed
once it has, and reopening or unarchiving a finished workshop does not bring expired tokens back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import socketio

from core.unit_of_work import committed
from extensions import db
from tests import factories
from tests.sockets import Client
from tests.workshops.test_removal import console_of, rejoin, until
from workshops import management
from workshops.models import Workshop

pytestmark = pytest.mark.slow


def test_a_socket_closes_once_its_token_has_expired(server_on: Any, database: str, app_ctx) -> None:
    server = server_on(database, PLUME_EXPIRY_SWEEP_SECONDS="0.3")
    workshop = factories.workshop(groups=2)
    _, token = factories.participant(workshop.groups[0])
    other_story = factories.story_of(workshop.groups[1]).id
    client = Client(server.url, auth={"token": token})
    try:
        row = db.session.get(Workshop, workshop.id)
        row.status, row.finished_at = "finished", datetime.now(UTC) - timedelta(days=31)  # ended long ago
        db.session.commit()
        assert client.wait_for("workshop:revoked", timeout=5) == ({"workshop_id": workshop.id},)
        assert until(lambda: not client.sio.connected)
        with pytest.raises(socketio.exceptions.BadNamespaceError):  # nothing more can be asked on it
            client.call("story:open", {"story_id": other_story})
    finally:
        client.close()


def test_reopening_a_long_finished_workshop_keeps_its_tokens_expired(live_server: Any, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(
        owner, status="finished", finished_at=datetime.now(UTC) - timedelta(days=31)
    )
    _, token = factories.participant(workshop.groups[0])
    console = console_of(live_server, owner.email, workshop.id)
    try:
        assert console.call("facilitator:command", {"action": "previous"}) == {"ok": True}  # on again
    finally:
        console.close()
    db.session.expire_all()
    assert db.session.get(Workshop, workshop.id).finished_at is None
    with pytest.raises(socketio.exceptions.ConnectionError):
        Client(live_server.url, auth={"token": token})
    assert rejoin(live_server, token).status_code == 404


def test_unarchiving_keeps_expired_tokens_expired_and_recent_ones_valid(live_server: Any, app_ctx) -> None:
    long_ago = factories.workshop(status="not_started", archived_at=datetime.now(UTC) - timedelta(days=31))
    lately = factories.workshop(status="not_started", archived_at=datetime.now(UTC) - timedelta(days=2))
    _, expired = factories.participant(long_ago.groups[0])
    _, valid = factories.participant(lately.groups[0])
    for workshop in (long_ago, lately):
        with committed():
            management.unarchive_workshop(db.session.get(Workshop, workshop.id))
    assert rejoin(live_server, expired).status_code == 404
    assert rejoin(live_server, valid).status_code == 200
