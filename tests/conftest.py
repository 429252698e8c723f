"""Shared fixtures: an app on a throw-away database, a live server, real clients and Chromium.

SQLite in a temporary file by default; PostgreSQL when DATABASE_URL is set (each test then starts from
empty tables). A live server runs the real app under gunicorn (HTTP and Socket.IO) on a free port, on the
same database, so tests prepare rows with the factories and then drive it with real clients.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app import create_app
from core import background, runtime, settings
from extensions import db, limiter
from tests import overrides
from tests.server import ServerProcess, free_port

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("PLUME_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        return url.replace("postgresql://", "postgresql+psycopg://", 1).replace(
            "postgres://", "postgresql+psycopg://", 1
        )
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'plume-test.db'}"


@pytest.fixture(scope="session")
def app(database: str) -> Iterator[Flask]:
    """One app for the test session; tables are created once and emptied after every test."""
    application = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test-secret-key",
            "SQLALCHEMY_DATABASE_URI": database,
            "SERVER_NAME": None,
            "PLUME_LOGIN_RATE": "5 per minute",
            "PLUME_JOIN_RATE": "20 per minute",
        }
    )
    with application.app_context():
        db.drop_all()
        db.create_all()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Let background work finish and stop the app's runtime (if a test started it), then empty every table
    and reset rate limits after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    assert background.worker(application).wait_idle(60), (
        "background work (phase-end checkpoints) still running"
    )
    assert runtime.of(application).stop(), "a periodic task of the app's runtime did not stop"
    with application.app_context():
        db.session.rollback()
        db.session.remove()
        with db.engine.begin() as connection:
            for table in reversed(db.metadata.sorted_tables):
                connection.execute(table.delete())
        limiter.reset()


@pytest.fixture
def app_ctx(app: Flask) -> Iterator[Flask]:
    """An application context, for tests that call operations directly."""
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def change_settings(app: Flask) -> Iterator[Callable[..., settings.Settings]]:
    """`change_settings(write_linger_seconds=0.5)`: the app's settings changed until the end of the test."""
    before = settings.of(app)
    yield lambda **values: overrides.change(app, **values)
    app.extensions[settings.KEY] = before


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def csrf_client(app: Flask) -> Iterator[FlaskClient]:
    """A test client with CSRF protection off, for tests about something other than CSRF."""
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        yield app.test_client()
    finally:
        app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    return database_url(tmp_path_factory)


@pytest.fixture(scope="session")
def live_server(app: Flask, database: str) -> Iterator[ServerProcess]:
    """The real app under gunicorn on a free port, sharing the tests' database."""
    server = ServerProcess(database).start()
    yield server
    server.stop()


@pytest.fixture
def server_on() -> Iterator:
    """Start more servers (`server_on(database_url, **env)`); all are stopped after the test."""
    started: list[ServerProcess] = []

    def start(url: str, **env: str) -> ServerProcess:
        server = ServerProcess(url, env=env).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def redis_url() -> Iterator[str]:
    """A private redis-server on a free port for this module (skipped where redis-server is missing)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed")
    import redis

    port = free_port()
    process = subprocess.Popen(
        [binary, "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


# --- Chromium through Playwright ------------------------------------------------------------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium): browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser: Any, live_server: ServerProcess) -> Iterator[Any]:
    """Make fresh browser contexts (one per simulated person); all are closed after the test."""
    contexts: list[Any] = []

    def make(**options: Any) -> Any:
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Any) -> Any:
    return new_context().new_page()


@pytest.fixture(scope="module")
def two_workers(app: Flask, database: str, redis_url: str) -> Iterator[ServerProcess]:
    """Two gunicorn workers sharing a private Redis: sockets land on either (the kernel's accept)."""
    server = ServerProcess(database, env={"REDIS_URL": redis_url, "PLUME_WORKERS": "2"})
    server.start()
    yield server
    server.stop()
