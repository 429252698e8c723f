"""A facilitator's session lives on the server: signing out ends it (a copied cookie is then worth nothing),
a password change ends the others. Browser-like sessions and Socket.IO clients against the live server."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
import requests
import socketio
from sqlalchemy import delete, update

from accounts.models import FacilitatorSession
from extensions import db
from tests import factories
from tests.http import cookie_header, csrf_of
from tests.server import ServerProcess
from tests.signin import signed_in
from tests.sockets import Client

pytestmark = pytest.mark.slow

NEW_PASSWORD = "a brand new passphrase"


def is_signed_in(server: ServerProcess, cookie: str) -> bool:
    """Whether a request with this Cookie header gets the signed-in workshops page (not the login page)."""
    response = requests.get(
        f"{server.url}/workshops", headers={"Cookie": cookie}, timeout=15, allow_redirects=False
    )
    return response.status_code == 200


def console(server: ServerProcess, cookie: str, workshop_id: int) -> Client:
    return Client(
        server.url, auth={"role": "facilitator", "workshop_id": workshop_id}, headers={"Cookie": cookie}
    )


def closed(client: Client, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while client.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    return not client.sio.connected


def sign_out(server: ServerProcess, session: requests.Session) -> None:
    token = csrf_of(session.get(f"{server.url}/workshops", timeout=15).text)
    response = session.post(
        f"{server.url}/logout", data={"csrf_token": token}, timeout=15, allow_redirects=False
    )
    assert response.status_code == 302


def test_signing_out_ends_the_session_on_the_server(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    session, _ = signed_in(live_server, owner.email)
    copied = cookie_header(session)  # what a thief would keep from a shared computer
    assert is_signed_in(live_server, copied)
    open_socket = console(live_server, copied, workshop.id)
    try:
        sign_out(live_server, session)
        assert not is_signed_in(live_server, copied)
        with pytest.raises(socketio.exceptions.ConnectionError):
            console(live_server, copied, workshop.id)
        assert closed(open_socket)  # a console still open with that session is closed
    finally:
        open_socket.close()
    # Signing in again works, in a new session.
    again, _ = signed_in(live_server, owner.email)
    assert is_signed_in(live_server, cookie_header(again))


def test_a_password_change_ends_the_other_sessions(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    here, _ = signed_in(live_server, owner.email)
    elsewhere, _ = signed_in(live_server, owner.email)
    other_cookie = cookie_header(elsewhere)
    other_socket = console(live_server, other_cookie, workshop.id)
    try:
        token = csrf_of(here.get(f"{live_server.url}/account/password", timeout=15).text)
        response = here.post(
            f"{live_server.url}/account/password",
            data={
                "csrf_token": token,
                "current": factories.PASSWORD,
                "password": NEW_PASSWORD,
                "confirm": NEW_PASSWORD,
            },
            timeout=15,
            allow_redirects=False,
        )
        assert response.status_code == 302
        assert is_signed_in(live_server, cookie_header(here))  # the one who changed it stays signed in
        assert not is_signed_in(live_server, other_cookie)
        with pytest.raises(socketio.exceptions.ConnectionError):
            console(live_server, other_cookie, workshop.id)
        assert closed(other_socket)
    finally:
        other_socket.close()
    with pytest.raises(AssertionError):
        signed_in(live_server, owner.email)  # the old password is gone
    signed_in(live_server, owner.email, NEW_PASSWORD)


def test_a_forged_or_stale_session_cookie_signs_nobody_in(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    session, _ = signed_in(live_server, owner.email)
    cookie = cookie_header(session)
    sign_out(live_server, session)
    # Signing in again does not bring the old cookie back to life.
    signed_in(live_server, owner.email)
    assert not is_signed_in(live_server, cookie)


def test_a_sign_in_lasts_the_session_lifetime_at_most(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    session, _ = signed_in(live_server, owner.email)
    cookie = cookie_header(session)
    assert is_signed_in(live_server, cookie)
    started = datetime.now(UTC) - timedelta(days=15)  # PERMANENT_SESSION_LIFETIME is 14 days
    db.session.execute(update(FacilitatorSession).values(created_at=started))
    db.session.commit()
    assert not is_signed_in(live_server, cookie)
    signed_in(live_server, owner.email)  # a new sign-in clears the old rows
    assert db.session.query(FacilitatorSession).filter(FacilitatorSession.created_at == started).count() == 0


def test_a_socket_whose_session_ended_elsewhere_can_no_longer_command(
    live_server: ServerProcess, app_ctx
) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(owner)
    session, _ = signed_in(live_server, owner.email)
    socket_ = console(live_server, cookie_header(session), workshop.id)
    try:
        assert socket_.call("facilitator:command", {"action": "pause"}) == {"ok": True}
        # The row goes without the server closing the socket (a worker that missed the disconnect).
        db.session.execute(delete(FacilitatorSession))
        db.session.commit()
        ack = socket_.call("facilitator:command", {"action": "resume"})
        assert ack["ok"] is False
        assert ack["error"]["code"] == "forbidden"
    finally:
        socket_.close()
