"""Configuration from the environment only, with safe defaults for a laptop."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off"}


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the app may start with."""


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance / 'plume.db'}"
    # Heroku-style URLs and bare postgresql:// both mean psycopg 3 here.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _engine_options(url: str) -> dict[str, Any]:
    """Pool options; on PostgreSQL no statement waits more than 5 s for a lock (the writer retries), and
    no connection attempt more than 5 s for an unreachable server (so `/readyz` answers 503, not a hang).

    No `pool_pre_ping`: `core.pool_ping` pings only a connection that sat idle.
    """
    options: dict[str, Any] = {}
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


def _log_level(value: str) -> str:
    level = value.strip().upper() or "INFO"
    if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
        raise ConfigError(f"PLUME_LOG_LEVEL is DEBUG, INFO, WARNING, ERROR or CRITICAL, not {value!r}")
    return level


def _log_levels(value: str) -> dict[str, str]:
    """ "plume.compaction=INFO,plume.watchdog=WARNING": a level for some loggers, whatever the root's."""
    levels = {}
    for item in value.replace(";", ",").split(","):
        if item.strip():
            name, sep, level = item.partition("=")
            if not sep or not name.strip():
                raise ConfigError(f"PLUME_LOG_LEVELS is LOGGER=LEVEL,LOGGER=LEVEL, not {value!r}")
            levels[name.strip()] = _log_level(level)
    return levels


def _log_format(value: str) -> str:
    name = value.strip().lower() or "keyvalue"
    if name not in ("keyvalue", "json"):
        raise ConfigError(f"PLUME_LOG_FORMAT is keyvalue or json, not {value!r}")
    return name


def _rate(value: str) -> tuple[int, float]:
    """ "10/30": at most 10 actions in 30 seconds."""
    count, _, seconds = value.partition("/")
    try:
        return int(count), float(seconds)
    except ValueError as exc:
        raise ConfigError(f"a rate is COUNT/SECONDS, not {value!r}") from exc


def load(instance: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the Flask config mapping from environment variables (and test overrides)."""
    instance.mkdir(parents=True, exist_ok=True)
    env = os.environ
    production = env.get("PLUME_ENV", "development") == "production"
    redis_url = env.get("REDIS_URL", "").strip() or None
    config: dict[str, Any] = {
        "PLUME_ENV": "production" if production else "development",
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
        # How many proxies in front of Plume set X-Forwarded-For/-Proto/-Host (nginx alone: 1); 0 trusts none.
        "PLUME_TRUSTED_PROXIES": int(env.get("PLUME_TRUSTED_PROXIES", 0)),
        # Rate limits (docs/deploy.md): wrong passwords per client address and account, and per address;
        # joins per address and join code (a classroom behind one NAT), wrong join codes per address.
        "PLUME_LOGIN_RATE": env.get("PLUME_LOGIN_RATE", "10 per minute"),
        "PLUME_LOGIN_ADDRESS_RATE": env.get("PLUME_LOGIN_ADDRESS_RATE", "50 per minute"),
        "PLUME_JOIN_RATE": env.get("PLUME_JOIN_RATE", "120 per minute"),
        "PLUME_JOIN_GUESS_RATE": env.get("PLUME_JOIN_GUESS_RATE", "30 per minute"),
        # Participants' tokens stop working this many days after their workshop ended (or was archived).
        "PLUME_TOKEN_TTL_DAYS": float(env.get("PLUME_TOKEN_TTL_DAYS", 30)),
        # How often each worker closes the sockets whose tokens have expired (workshops/expiry.py).
        "PLUME_EXPIRY_SWEEP_SECONDS": float(env.get("PLUME_EXPIRY_SWEEP_SECONDS", 30)),
        "PLUME_PUBLIC_URL": env.get("PLUME_PUBLIC_URL", "").rstrip("/") or None,
        "PLUME_MAX_UPDATE_BYTES": int(env.get("PLUME_MAX_UPDATE_BYTES", 256 * 1024)),
        "PLUME_MAX_STORY_BYTES": int(env.get("PLUME_MAX_STORY_BYTES", 2 * 1024 * 1024)),
        # One Socket.IO message: beyond it the transport can only drop the connection, so it sits well above
        # every event's own limit (an update, a broadcast), which answers with an error ack instead.
        "PLUME_MAX_MESSAGE_BYTES": int(env.get("PLUME_MAX_MESSAGE_BYTES", 4 * 1024 * 1024)),
        "PLUME_COMPACT_AFTER_ROWS": int(env.get("PLUME_COMPACT_AFTER_ROWS", 500)),  # story log rows
        "PLUME_STORY_IDLE_SECONDS": float(env.get("PLUME_STORY_IDLE_SECONDS", 120)),  # then evicted
        # An update is stored and acked, or refused (`unavailable`) once it waited this long unstored.
        "PLUME_ACK_TIMEOUT_SECONDS": float(env.get("PLUME_ACK_TIMEOUT_SECONDS", 10)),
        "PLUME_WRITE_BUDGET_SECONDS": float(env.get("PLUME_WRITE_BUDGET_SECONDS", 10)),
        # While busy, the story writer waits this long for more updates to share its transaction (writer.py).
        "PLUME_WRITE_LINGER_SECONDS": float(env.get("PLUME_WRITE_LINGER_SECONDS", 0.002)),
        # Sockets: what one address or one participant may hold, and how long one may stay anonymous.
        "PLUME_SOCKETS_PER_ADDRESS": int(env.get("PLUME_SOCKETS_PER_ADDRESS", 300)),
        "PLUME_SOCKETS_PER_PARTICIPANT": int(env.get("PLUME_SOCKETS_PER_PARTICIPANT", 6)),
        "PLUME_SOCKET_AUTH_SECONDS": float(env.get("PLUME_SOCKET_AUTH_SECONDS", 10)),
        # `yjs` messages a socket may send at once, then per second (BURST/PER_SECOND); beyond: `rate_limited`
        "PLUME_SOCKET_BURST": _rate(env.get("PLUME_SOCKET_BURST", "200/50")),
        # Logs (logs.py): one line per record, key=value fields or JSON lines, from this level up.
        "PLUME_LOG_FORMAT": _log_format(env.get("PLUME_LOG_FORMAT", "")),
        "PLUME_LOG_LEVEL": _log_level(env.get("PLUME_LOG_LEVEL", "")),
        "PLUME_LOG_LEVELS": _log_levels(env.get("PLUME_LOG_LEVELS", "")),  # per logger, over PLUME_LOG_LEVEL
        # A stall of the event loop longer than this is logged (core/watchdog.py); 0: not watched.
        "PLUME_STALL_MS": float(env.get("PLUME_STALL_MS", 50)),
        # POST /debug/hold-loop?ms=N stalls the loop on purpose (never in production): tests, log checks.
        "PLUME_DEBUG_HOLD_LOOP": not production and env.get("PLUME_DEBUG_HOLD_LOOP", "").lower() in TRUE,
        "PLUME_COMMENT_RATE": _rate(env.get("PLUME_COMMENT_RATE", "10/30")),  # per author
        "PLUME_CHAT_RATE": _rate(env.get("PLUME_CHAT_RATE", "10/20")),  # per author
        # CPU-heavy work (history, exports): CPU seconds per job and jobs at once per worker (core/budget.py).
        "PLUME_WORK_BUDGET_S": float(env.get("PLUME_WORK_BUDGET_S", 10)),
        "PLUME_WORK_SLOTS": int(env.get("PLUME_WORK_SLOTS", 2)),
        "PLUME_WORK_WAIT_S": float(env.get("PLUME_WORK_WAIT_S", 5)),  # for a free slot, before `busy`
        # Fail a commit whose write stayed open across a greenlet switch (core/transactions.py): tests, debug.
        "PLUME_TRANSACTION_GUARD": env.get("PLUME_TRANSACTION_GUARD", "").lower() in TRUE,
        # edits, deletions, resolutions of comments, per person
        "PLUME_COMMENT_CHANGE_RATE": _rate(env.get("PLUME_COMMENT_CHANGE_RATE", "20/30")),
        # /metrics (metrics.py): on unless PLUME_METRICS=0 (no counting, no endpoint: `make bench` compares
        # both); the CIDRs it answers (default loopback) and a bearer token admitted anywhere.
        "PLUME_METRICS": env.get("PLUME_METRICS", "1").lower() not in FALSE,
        "PLUME_METRICS_ALLOW": env.get("PLUME_METRICS_ALLOW", ""),
        "PLUME_METRICS_TOKEN": env.get("PLUME_METRICS_TOKEN", ""),
    }
    config.update(overrides or {})
    config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", _engine_options(config["SQLALCHEMY_DATABASE_URI"]))
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _secret_key(instance, production)
    return config
