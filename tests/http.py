"""Real HTTP sessions against the live server: signed in through the real /login form, as a browser is."""

from __future__ import annotations

import re

import requests

from tests import factories
from tests.server import ServerProcess

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match[1] or match[2]


def signed_in(
    server: ServerProcess, email: str, password: str = factories.PASSWORD
) -> tuple[requests.Session, str]:
    """A browser-like session signed in through the real /login form, and its CSRF token."""
    session = requests.Session()
    token = csrf_of(session.get(f"{server.url}/login", timeout=15).text)
    response = session.post(
        f"{server.url}/login",
        data={"csrf_token": token, "email": email, "password": password},
        timeout=15,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text
    return session, token


def cookie_header(session: requests.Session) -> str:
    """The session's cookies as a Cookie header (for a Socket.IO client, or a copied cookie)."""
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)
