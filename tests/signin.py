"""Signing people in for the tests: one helper per kind of client, used by every test that needs someone
signed in (the login form and the join itself have their own tests: tests/accounts/test_accounts.py,
tests/test_rate_limits.py, tests/workshops/test_joining.py).

- `sign_in(client, facilitator)`: a Flask test client as a facilitator, its session as the login form
  leaves it (Flask-Login's keys and a live sign-in session);
- `as_participant(client, token)`: a Flask test client as a participant (the session cookie joining sets);
- `signed_in(server, email)`: a `requests` session against a live server, signed in through the real
  /login form as a browser is, and its CSRF token (`log_in` posts that form, whatever the answer);
- `facilitator_cookie(server, email)`: the headers that carry such a session's cookie to a Socket.IO client.

The browser tests sign in through the page itself (tests/e2e/pages.py).
"""

from __future__ import annotations

import requests
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import select

from accounts import operations as accounts
from accounts.models import Facilitator
from core.identity import SESSION_KEY
from core.unit_of_work import committed
from extensions import db
from tests import factories
from tests.http import cookie_header, csrf_of
from tests.server import ServerProcess


def sign_in(client: FlaskClient, facilitator: Facilitator | str) -> FlaskClient:
    """Sign the test client in as `facilitator` (or the facilitator of that email); returns the client."""
    if isinstance(facilitator, str):
        found = db.session.scalar(select(Facilitator).filter_by(email=facilitator))
        assert found is not None, f"no facilitator {facilitator}"
        facilitator = found
    with client.session_transaction() as session:
        session["_user_id"] = str(facilitator.id)
        session["_fresh"] = True
        with committed():
            session[accounts.SESSION_KEY] = accounts.start_session(facilitator)  # as the login form does
    if has_app_context():  # a test's app context is its requests' too: there, as `login_user` does
        g._login_user = facilitator
    return client


def as_participant(client: FlaskClient, token: str) -> FlaskClient:
    """The test client as the participant of `token` (what joining leaves in the session)."""
    with client.session_transaction() as session:
        session[SESSION_KEY] = token
    return client


def signed_in(
    server: ServerProcess | str, email: str, password: str = factories.PASSWORD
) -> tuple[requests.Session, str]:
    """A browser-like session on a live server (or its URL) signed in through the real /login form, and
    its CSRF token."""
    session = requests.Session()
    response, token = log_in(session, server if isinstance(server, str) else server.url, email, password)
    assert response.status_code == 302, response.text
    return session, token


def log_in(session: requests.Session, url: str, email: str, password: str) -> tuple[requests.Response, str]:
    """Post the real /login form of the server at `url` in `session` (its CSRF token read from the page):
    the answer, and the token."""
    token = csrf_of(session.get(f"{url}/login", timeout=15).text)
    data = {"csrf_token": token, "email": email, "password": password}
    return session.post(f"{url}/login", data=data, timeout=15, allow_redirects=False), token


def facilitator_cookie(
    server: ServerProcess | str, email: str, password: str = factories.PASSWORD
) -> dict[str, str]:
    """Sign in through the login form; the headers that carry the session cookie to a socket."""
    return {"Cookie": cookie_header(signed_in(server, email, password)[0])}
