"""Configuration from the environment only, with safe defaults for a laptop.

The `PLUME_*` settings are declared in `core/settings.py` (type, default, meaning; docs/settings.md);
this module reads them from the environment with the rest.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from core.settings import TRUE, ConfigError, Settings, fields, key_of

__all__ = ["ConfigError", "load"]


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance / 'plume.db'}"
    # Heroku-style URLs and bare postgresql:// both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _engine_options(url: str, own: Settings) -> dict[str, Any]:
    """Pool options (`PLUME_DB_POOL_SIZE`, `PLUME_DB_MAX_OVERFLOW`, `PLUME_DB_POOL_TIMEOUT_S`); on PostgreSQL
    no statement waits more than 5 s for a lock (the writer retries), and no connection attempt more than
    5 s for an unreachable server (so `/readyz` answers 503, not a hang).

    No `pool_pre_ping`: `core.pool_ping` pings only a connection that sat idle.
    """
    options: dict[str, Any] = {}
    if url not in ("sqlite://", "sqlite:///:memory:"):  # an in-memory SQLite has one connection, no pool
        options.update(
            pool_size=own.db_pool_size, max_overflow=own.db_max_overflow, pool_timeout=own.db_pool_timeout_s
        )
    if url.startswith("postgresql"):
        options["connect_args"] = {"options": "-c lock_timeout=5000", "connect_timeout": 5}
    return options


def _secret_key(instance: Path, production: bool) -> str:
    key = os.environ.get("SECRET_KEY", "").strip()
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set when PLUME_ENV=production.")
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def load(instance: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables (and test overrides)."""
    instance.mkdir(parents=True, exist_ok=True)
    env = os.environ
    # Plume's own settings (their types, defaults, meaning: core/settings.py), as the environment gives them.
    plume: dict[str, Any] = {key_of(f): env[key_of(f)] for f in fields() if env.get(key_of(f), "").strip()}
    production = Settings.from_config(plume).env == "production"  # a bad value stops here
    redis_url = env.get("REDIS_URL", "").strip() or None
    config: dict[str, Any] = {
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        "REDIS_URL": redis_url,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production or env.get("PLUME_SECURE_COOKIES", "").lower() in TRUE,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 14,
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "LANGUAGES": ("en", "fr"),
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # Redis away: the limits count in this worker's memory until it is back (a join never fails on it).
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
    }
    config.update(plume)
    config.update(overrides or {})
    own = Settings.from_config(config)  # the overrides parsed and checked too
    config.update(own.as_config())
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(config["SQLALCHEMY_DATABASE_URI"], own))
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _secret_key(instance, production)
    return config
