"""`/readyz` answers 200 when the database (and Redis, if configured) answer, else 503 naming what failed."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from tests.server import free_port


def test_ready_when_the_database_answers(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # .ci/run sets one: this test is about the database
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"ok": True, "checks": {"database": "ok"}}
    assert "Set-Cookie" not in response.headers  # no session for a probe
    assert "X-RateLimit-Limit" not in response.headers  # exempt from rate limits


def test_not_ready_when_the_database_does_not_answer() -> None:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "x",
            "SQLALCHEMY_DATABASE_URI": "sqlite:////nonexistent-plume-dir/x.db",
            "REDIS_URL": None,
        }
    )
    client = app.test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"ok": False, "checks": {"database": "failed"}}
    assert client.get("/healthz").status_code == 200  # alive all the same: no restart for this


def test_redis_is_checked_when_it_is_configured(
    app: Flask, client: FlaskClient, redis_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "REDIS_URL", redis_url)
    response = client.get("/readyz")
    assert (response.status_code, response.get_json()) == (
        200,
        {"ok": True, "checks": {"database": "ok", "redis": "ok"}},
    )
    monkeypatch.setitem(app.config, "REDIS_URL", f"redis://127.0.0.1:{free_port()}/5")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json() == {"ok": False, "checks": {"database": "ok", "redis": "failed"}}
