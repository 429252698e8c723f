"""What the browser tests share: viewport sizes, where screenshots go, signing in and joining."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests import factories
from tests.e2e.a11y import assert_accessible

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"  # ignored by git; look at them
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
SIGNALS = {  # a board-only phase: two columns, three dots each
    "title": "Signals",
    "duration_seconds": 1200,
    "editors_open": True,
    "tool": "board",
    "board_columns": "Signals\nPromising",
    "dots": 3,
}


def sign_in(page: Any, email: str) -> None:
    """Sign the facilitator `email` in (password from the factories) and wait for the signed-in header."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def join(new_context: Any, code: str, name: str, *, check: bool = False, **options: Any) -> Any:
    """A participant joining with `code` as `name` in a browser context of their own; their page."""
    page = new_context(**options).new_page()
    page.goto(f"/join/{code}")
    if check:
        assert_accessible(page)
    page.get_by_label("Your name").fill(name)
    page.get_by_role("button", name="Join").click()
    page.wait_for_url("**/w/*")
    expect(page.locator("[data-group-name]")).to_be_visible()
    return page
