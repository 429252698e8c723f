"""Configuration comes from the environment, with safe defaults and a refusal where it matters."""

from __future__ import annotations

from pathlib import Path

import pytest

import config
from app import create_app
from core import settings
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_use_sqlite_in_the_instance_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PLUME_ENV"):
        monkeypatch.delenv(name, raising=False)
    settings = config.load(tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'plume.db'}"
    assert settings["REDIS_URL"] is None
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["SESSION_COOKIE_SECURE"] is False


def test_a_secret_key_is_generated_once_and_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("PLUME_ENV", raising=False)
    first = config.load(tmp_path)["SECRET_KEY"]
    assert len(first) >= 32
    assert config.load(tmp_path)["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_a_secret_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("PLUME_ENV", "production")
    with pytest.raises(config.ConfigError):
        config.load(tmp_path)


def test_production_uses_secure_cookies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLUME_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    settings = config.load(tmp_path)
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_url_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", given)
    assert config.load(tmp_path)["SQLALCHEMY_DATABASE_URI"] == expected


def test_postgresql_connections_give_up_on_an_unreachable_server_and_a_held_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://plume@db.example/plume")
    connect_args = config.load(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]["connect_args"]
    assert connect_args == {"options": "-c lock_timeout=5000", "connect_timeout": 5}
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assert "connect_args" not in config.load(tmp_path)["SQLALCHEMY_ENGINE_OPTIONS"]


def test_redis_url_turns_on_the_message_queue_and_shared_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    settings = config.load(tmp_path)
    assert settings["REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_sqlite_runs_in_wal_mode(tmp_path: Path) -> None:
    from sqlalchemy import text

    from extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.db'}", "SECRET_KEY": "x"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1


# --- Plume's own settings (core/settings.py) ------------------------------------------------------------


def test_settings_come_from_the_environment_parsed_by_their_type(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLUME_SOCKET_BURST", "5/2")
    monkeypatch.setenv("PLUME_TRANSACTION_GUARD", "yes")
    monkeypatch.setenv("PLUME_PUBLIC_URL", "https://plume.example.org/")
    monkeypatch.setenv("PLUME_MAX_UPDATE_BYTES", "1000")
    monkeypatch.setenv("PLUME_LOG_LEVEL", "warning")
    made = Settings.from_config(config.load(tmp_path))
    assert made.socket_burst == (5, 2.0)
    assert made.transaction_guard is True
    assert made.public_url == "https://plume.example.org"
    assert made.max_update_bytes == 1000
    assert made.log_level == "WARNING"
    assert made.work_slots == Settings().work_slots == 2  # unset: the one default


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PLUME_MAX_UPDATE_BYTES", "lots"),
        ("PLUME_COMMENT_RATE", "fast"),
        ("PLUME_ENV", "prod"),
        ("PLUME_WORK_SLOTS", "-1"),
        ("PLUME_TRANSACTION_GUARD", "maybe"),
        ("PLUME_LOG_FORMAT", "xml"),
    ],
)
def test_a_bad_setting_stops_the_app_with_an_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(config.ConfigError, match=name):
        config.load(tmp_path)


def test_an_override_of_the_wrong_type_is_refused_too(tmp_path: Path) -> None:
    with pytest.raises(config.ConfigError, match="PLUME_STALL_MS"):
        config.load(tmp_path, {"PLUME_STALL_MS": [50]})
    with pytest.raises(config.ConfigError, match="PLUME_SOCKETS_PER_ADDRESS"):
        Settings().replaced(sockets_per_address=2.5)


def test_the_loop_is_never_held_on_purpose_in_production(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PLUME_DEBUG_HOLD_LOOP", "1")
    assert Settings.from_config(config.load(tmp_path)).debug_hold_loop is True
    monkeypatch.setenv("PLUME_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    assert Settings.from_config(config.load(tmp_path)).debug_hold_loop is False


def test_the_app_keeps_its_settings_and_its_config_agrees(tmp_path: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 's.db'}", "SECRET_KEY": "x"})
    with app.app_context():
        assert settings.settings() is settings.of(app)
        assert settings.settings().as_config() == {
            key: value for key, value in app.config.items() if key.startswith("PLUME_")
        }


def test_docs_list_every_setting() -> None:
    """docs/settings.md is `python -m core.settings`: regenerate it when a setting changes."""
    assert (ROOT / "docs" / "settings.md").read_text() == settings.table()
