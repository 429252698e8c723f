"""A facilitator's session lives on the server: signing out ends it (a copied cookie is then worth nothing),
a password change ends the others. Browser-like sessions and Socket.IO clients against the live server."""

from __future__ import annotations

import time

import pytest
import requests
import socketio

from tests import factories
from tests.http import cookie_header, csrf_of, signed_in
from tests.server import ServerProcess
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
        # A console still open with that session is closed, or at least can no longer command.
        deadline = time.monotonic() + 5
        while open_socket.sio.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        if open_socket.sio.connected:
            ack = open_socket.call("facilitator:command", {"action": "pause"})
            assert ack["error"]["code"] == "forbidden"
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
        deadline = time.monotonic() + 5
        while other_socket.sio.connected and time.monotonic() < deadline:
            time.sleep(0.05)
        if other_socket.sio.connected:
            ack = other_socket.call("facilitator:command", {"action": "pause"})
            assert ack["error"]["code"] == "forbidden"
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
