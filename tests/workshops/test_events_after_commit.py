"""Events leave with the commit: a real Socket.IO client, connected to the app served in this process, hears
nothing of a transaction that rolls back, and hears a committed one exactly once, only after the commit.

The server runs in this process (werkzeug, threads) so that the test owns the transaction: it runs the
operations, holds the transaction open while it listens, and then commits or rolls back.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from werkzeug.serving import make_server

from core import outbox
from extensions import db, socketio
from tests import factories
from tests.server import free_port
from tests.sockets import Client, connected
from workshops import live
from workshops.models import Workshop

QUIET = 0.6  # seconds to listen for what must not arrive


def _socketio_server(app: Flask) -> Any:
    """The python-socketio server behind `app`'s WSGI middleware (other apps of the session may have rebound
    the shared `socketio` extension since)."""
    layer: Any = app.wsgi_app
    while not hasattr(layer, "engineio_app"):
        layer = layer.app
    return layer.engineio_app


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    """The test session's app served on a free port in a thread of this process; its URL."""
    bound, socketio.server = socketio.server, _socketio_server(app)
    server = make_server("127.0.0.1", free_port(), app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)
        socketio.server = bound


@pytest.fixture
def seat(app: Flask) -> dict[str, Any]:
    """A workshop with one group and a participant's token."""
    with app.app_context():
        workshop = factories.workshop(groups=1)
        _, token = factories.participant(workshop.groups[0])
        seat = {"workshop_id": workshop.id, "token": token}
        db.session.remove()
    return seat


def quiet(client: Client) -> list[tuple[Any, ...]]:
    """The `workshop:state` events that arrive within QUIET seconds (none expected)."""
    time.sleep(QUIET)
    return client.events("workshop:state")


def test_a_rolled_back_command_sends_nothing(app: Flask, served: str, seat: dict[str, Any]) -> None:
    with connected(served, auth={"token": seat["token"]}) as client:
        client.wait_for("workshop:state")  # the state every socket gets on connect
        with app.app_context():
            live.broadcast(db.session.get(Workshop, seat["workshop_id"]), "Never said", datetime.now(UTC))
            assert outbox.pending() > 0
            assert quiet(client) == []
            db.session.rollback()
            assert outbox.pending() == 0
            db.session.commit()  # a later commit of the same session sends nothing either
            db.session.remove()
        assert quiet(client) == []


def test_committed_commands_are_sent_once_each_after_the_commit(
    app: Flask, served: str, seat: dict[str, Any]
) -> None:
    """Two operations share one transaction: nothing before the commit, then both states, in order."""
    with connected(served, auth={"token": seat["token"]}) as client:
        client.wait_for("workshop:state")
        with app.app_context():
            workshop = db.session.get(Workshop, seat["workshop_id"])
            live.set_lock(workshop, True)
            live.broadcast(workshop, "Tea break", datetime.now(UTC))
            assert quiet(client) == []  # queued, not sent
            db.session.commit()
            db.session.remove()
        (locked,) = client.wait_for("workshop:state")
        (broadcast,) = client.wait_for("workshop:state")
        assert (locked["all_locked"], locked["broadcast"]) == (True, "")
        assert (broadcast["all_locked"], broadcast["broadcast"]) == (True, "Tea break")
        assert quiet(client) == []  # exactly once each
