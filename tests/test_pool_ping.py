"""Pooled connections are pinged only after sitting idle; a dead idle one is replaced, not handed out."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import create_engine, text

from core import pool_ping


@pytest.fixture
def pings(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every ping the checkout listener sends, counted (the real ping still runs)."""
    sent: list[Any] = []
    real = pool_ping.ping

    def counted(connection: Any) -> None:
        sent.append(connection)
        real(connection)

    monkeypatch.setattr(pool_ping, "ping", counted)
    pool_ping.install()
    return sent


def test_a_connection_used_a_moment_ago_is_not_pinged(database: str, pings: list[Any]) -> None:
    engine = create_engine(database, pool_size=1, max_overflow=0)
    try:
        with engine.connect() as connection:  # a new connection: pinged once
            connection.execute(text("SELECT 1"))
        assert len(pings) == 1
        for _ in range(5):
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        assert len(pings) == 1
    finally:
        engine.dispose()


def test_an_idle_connection_that_died_is_replaced_before_use(
    database: str, pings: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    if not database.startswith("postgresql"):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (as .ci/run sets it)")
    monkeypatch.setattr(pool_ping, "IDLE_SECONDS", 0.0)  # every checkout counts as after a long idle
    engine = create_engine(database, pool_size=1, max_overflow=0)
    killer = create_engine(database, poolclass=None)
    try:
        with engine.connect() as connection:
            first = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        with killer.connect() as admin:  # the database drops it while it sits in the pool
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
            admin.commit()
        with engine.connect() as connection:
            second = connection.execute(text("SELECT pg_backend_pid()")).scalar()
        assert second != first
        assert len(pings) >= 3  # new, then the dead one (failed), then its replacement
    finally:
        engine.dispose()
        killer.dispose()
