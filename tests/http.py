"""Real HTTP against the live server: a page's CSRF token, a session's cookies (sign-in: tests/signin.py)."""

from __future__ import annotations

import re

import requests

CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"|name="csrf-token" content="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match[1] or match[2]


def cookie_header(session: requests.Session) -> str:
    """The session's cookies as a Cookie header (for a Socket.IO client, or a copied cookie)."""
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)
