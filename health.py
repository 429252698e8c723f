"""Readiness: whether this worker can serve, i.e. its database answers (and Redis, when it is configured).

`/healthz` (pages.py) only says the process answers, for a liveness probe that must not restart a worker
because the database is briefly away; `/readyz` runs these checks, for a load balancer or an orchestrator.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from flask import current_app
from sqlalchemy import text

from extensions import db

log = logging.getLogger(__name__)
REDIS_TIMEOUT_SECONDS = 2.0


def _database() -> None:
    with db.engine.connect() as connection:
        connection.execute(text("SELECT 1"))


def _redis() -> None:
    import redis

    client = redis.Redis.from_url(
        current_app.config["REDIS_URL"],
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    try:
        client.ping()
    finally:
        client.close()


def readiness() -> dict[str, str]:
    """Each dependency's state, "ok" or "failed" (why is logged, not told to whoever asks)."""
    checks: dict[str, Callable[[], None]] = {"database": _database}
    if current_app.config["REDIS_URL"]:  # the Socket.IO message queue and the rate limits' storage
        checks["redis"] = _redis
    states = {}
    for name, check in checks.items():
        try:
            check()
            states[name] = "ok"
        except Exception:
            log.warning("readiness: %s check failed", name, exc_info=True)
            states[name] = "failed"
    return states
