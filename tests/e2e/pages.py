"""What the browser tests share: viewport sizes, where screenshots go, and signing a facilitator in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests import factories

SHOTS = Path(__file__).resolve().parents[2] / "screenshots"  # ignored by git; look at them
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def sign_in(page: Any, email: str) -> None:
    """Sign the facilitator `email` in (password from the factories) and wait for the signed-in header."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
