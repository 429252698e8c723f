"""Facilitator accounts: setup page, sign in, CSRF, open redirects, rate limit, bad input, CLI."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from accounts.models import Facilitator
from extensions import db
from tests import factories


def count_facilitators(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Facilitator.id)))


def csrf_token(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf-token" content="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def test_setup_creates_the_first_facilitator_and_signs_in(client: FlaskClient, app: Flask) -> None:
    token = csrf_token(client, "/setup")
    response = client.post(
        "/setup",
        data={
            "csrf_token": token,
            "name": "Ada",
            "email": "Ada@Example.org ",
            "password": "long enough pw",
            "confirm": "long enough pw",
        },
    )
    assert response.status_code == 302
    assert count_facilitators(app) == 1
    assert "Sign out" in client.get("/").get_data(as_text=True)


def test_setup_refuses_once_a_facilitator_exists(client: FlaskClient, app_ctx: Flask) -> None:
    factories.facilitator()
    assert client.get("/setup").status_code == 404
    response = client.post(
        "/setup", data={"email": "x@example.org", "password": "p" * 12, "confirm": "p" * 12}
    )
    assert response.status_code in (400, 404)
    assert count_facilitators(app_ctx) == 1


def test_login_redirects_to_setup_on_first_run(client: FlaskClient) -> None:
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/setup")


def test_wrong_password_is_refused(csrf_client: FlaskClient, app_ctx: Flask) -> None:
    factories.facilitator("ada@example.org")
    response = csrf_client.post("/login", data={"email": "ada@example.org", "password": "not the one"})
    assert response.status_code == 200
    assert "Wrong email or password." in response.get_data(as_text=True)
    assert "Sign out" not in csrf_client.get("/").get_data(as_text=True)


def test_unknown_email_gets_the_same_answer(csrf_client: FlaskClient, app_ctx: Flask) -> None:
    factories.facilitator("ada@example.org")
    response = csrf_client.post("/login", data={"email": "bob@example.org", "password": "whatever"})
    assert "Wrong email or password." in response.get_data(as_text=True)


def test_login_without_csrf_token_is_refused(client: FlaskClient, app_ctx: Flask) -> None:
    factories.facilitator("ada@example.org")
    response = client.post("/login", data={"email": "ada@example.org", "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "Your form expired" in response.get_data(as_text=True)
    assert "Sign out" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        " //evil.example",
        "http:/evil.example",
    ],
)
def test_next_cannot_leave_the_app(csrf_client: FlaskClient, app_ctx: Flask, target: str) -> None:
    factories.facilitator("ada@example.org")
    response = csrf_client.post(
        "/login",
        query_string={"next": target},
        data={"email": "ada@example.org", "password": factories.PASSWORD},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/workshops"


def test_next_inside_the_app_is_followed(csrf_client: FlaskClient, app_ctx: Flask) -> None:
    factories.facilitator("ada@example.org")
    response = csrf_client.post(
        "/login",
        query_string={"next": "/account/password"},
        data={"email": "ada@example.org", "password": factories.PASSWORD},
    )
    assert response.headers["Location"] == "/account/password"


def test_login_is_rate_limited(csrf_client: FlaskClient, app_ctx: Flask) -> None:
    factories.facilitator("ada@example.org")
    statuses = [
        csrf_client.post("/login", data={"email": "ada@example.org", "password": "nope"}).status_code
        for _ in range(6)
    ]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    # Even the right password is refused while limited.
    response = csrf_client.post("/login", data={"email": "ada@example.org", "password": factories.PASSWORD})
    assert response.status_code == 429


def test_sign_out_needs_post_and_signs_out(csrf_client: FlaskClient, app_ctx: Flask) -> None:
    factories.facilitator("ada@example.org")
    csrf_client.post("/login", data={"email": "ada@example.org", "password": factories.PASSWORD})
    assert csrf_client.get("/logout").status_code == 405
    csrf_client.post("/logout")
    assert csrf_client.get("/account/password").status_code == 302


def test_change_password(csrf_client: FlaskClient, app_ctx: Flask) -> None:
    facilitator = factories.facilitator("ada@example.org")
    csrf_client.post("/login", data={"email": "ada@example.org", "password": factories.PASSWORD})
    wrong = csrf_client.post(
        "/account/password", data={"current": "bad", "password": "n" * 12, "confirm": "n" * 12}
    )
    assert "Wrong password." in wrong.get_data(as_text=True)
    ok = csrf_client.post(
        "/account/password", data={"current": factories.PASSWORD, "password": "n" * 12, "confirm": "n" * 12}
    )
    assert ok.status_code == 302
    db.session.refresh(facilitator)
    assert facilitator.check_password("n" * 12)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": "", "password": ""},
        {"email": "a" * 100_000, "password": "b" * 100_000},
        {"email": "\x00\x01", "password": "\x00"},
        {"email": ["a@b.c", "d@e.f"], "password": ["x", "y"]},
    ],
)
def test_bad_login_input_gets_a_form_error_not_a_crash(
    csrf_client: FlaskClient, app_ctx: Flask, data: dict
) -> None:
    factories.facilitator()
    response = csrf_client.post("/login", data=data)
    assert response.status_code == 200
    assert 'role="alert"' in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (
            {"email": "not-an-email", "password": "p" * 12, "confirm": "p" * 12},
            "Enter a valid email address.",
        ),
        ({"email": "a@b.org", "password": "short", "confirm": "short"}, "between 10 and 200"),
        ({"email": "a@b.org", "password": "p" * 12, "confirm": "q" * 12}, "The passwords do not match."),
        ({"email": "a@b.org", "password": "p" * 300, "confirm": "p" * 300}, "between 10 and 200"),
        (
            {"email": "a@b.org", "name": "n" * 5000, "password": "p" * 12, "confirm": "p" * 12},
            "longer than 80",
        ),
    ],
)
def test_bad_setup_input_writes_nothing(csrf_client: FlaskClient, app: Flask, data: dict, error: str) -> None:
    response = csrf_client.post("/setup", data=data)
    assert response.status_code == 200
    assert error in response.get_data(as_text=True)
    assert count_facilitators(app) == 0


def test_non_utf8_body_is_not_a_crash(csrf_client: FlaskClient, app_ctx: Flask) -> None:
    factories.facilitator()
    response = csrf_client.post(
        "/login",
        data=b"email=%FF%FE%FA&password=%C3%28",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200


def test_pages_render_in_french(client: FlaskClient, app_ctx: Flask) -> None:
    home = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).get_data(as_text=True)
    assert '<html lang="fr">' in home
    assert "Imaginez un futur désirable" in home
    factories.facilitator()
    login = client.get("/login", headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Connexion animateur" in login
    assert "Mot de passe" in login


def test_language_switch_overrides_accept_language(client: FlaskClient) -> None:
    token = csrf_token(client, "/")
    client.post("/lang", data={"csrf_token": token, "lang": "fr", "next": "/"})
    html = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="fr">' in html


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_flags(csrf_client: FlaskClient, app_ctx: Flask) -> None:
    factories.facilitator("ada@example.org")
    response = csrf_client.post("/login", data={"email": "ada@example.org", "password": factories.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
