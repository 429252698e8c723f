"""First run → create the facilitator account → sign out → sign in, in real Chromium, checked by axe."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.a11y import assert_accessible

pytestmark = pytest.mark.e2e


def test_first_run_account_sign_out_sign_in(page: Any) -> None:
    page.goto("/")
    assert_accessible(page)
    page.get_by_role("link", name="Facilitator sign in").first.click()
    page.wait_for_url("**/setup")
    assert_accessible(page)

    page.get_by_label("Your name").fill("Ada")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Repeat the password").fill("short")
    page.get_by_role("button", name="Create the account").click()
    assert page.get_by_role("alert").is_visible()
    assert_accessible(page)  # the error state too

    page.get_by_label("Password", exact=True).fill("a good long password")
    page.get_by_label("Repeat the password").fill("a good long password")
    page.get_by_role("button", name="Create the account").click()
    assert page.get_by_text("Your facilitator account is ready").is_visible()

    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_text("You are signed out.").is_visible()
    assert page.goto("/setup").status == 404

    page.goto("/login")
    assert_accessible(page)
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("wrong password!")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_text("Wrong email or password.").is_visible()
    page.get_by_label("Password").fill("a good long password")
    page.get_by_role("button", name="Sign in").click()
    assert page.get_by_role("button", name="Sign out").is_visible()


def test_language_switcher_in_the_browser(page: Any) -> None:
    page.goto("/")
    page.get_by_role("button", name="Français").click()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Imaginez un futur désirable")
    assert_accessible(page)
