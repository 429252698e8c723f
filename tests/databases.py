"""Throw-away PostgreSQL databases (named dep_*) beside DATABASE_URL's, for backup and upgrade tests."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import make_url


@contextmanager
def new_postgres_databases() -> Iterator[Callable[[], str]]:
    """Yields a function that makes an empty database and returns its URL; drops them all at the end.

    Skips the test unless DATABASE_URL points at PostgreSQL.
    """
    base = os.environ.get("DATABASE_URL", "").strip()
    if not base.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    import psycopg

    admin = make_url(base).set(drivername="postgresql")
    dsn = admin.render_as_string(hide_password=False)
    made: list[str] = []

    def make() -> str:
        name = f"dep_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return admin.set(database=name).render_as_string(hide_password=False)

    try:
        yield make
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            for name in made:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
