"""A pooled database connection is pinged before use only when it sat idle (for `IDLE_SECONDS` or more).

SQLAlchemy's `pool_pre_ping` pings on every checkout: one more round trip to PostgreSQL for each of the
story writer's batches and each request (3 % of a worker's samples in a profile at 40 writers). A connection
checked in a moment ago was working then; one that sat idle (the database restarted, a proxy dropped it)
is pinged, and replaced by a fresh one if the ping fails. What is left is a connection that dies within
those seconds: its statement fails, SQLAlchemy invalidates it, and the writer retries its batch.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.pool import Pool

IDLE_SECONDS = 5.0
_IDLE_SINCE = "plume_idle_since"


def install() -> None:
    """Listen on every pool of the process (idempotent)."""
    if not event.contains(Pool, "checkout", _checked_out):
        event.listen(Pool, "checkin", _checked_in)
        event.listen(Pool, "checkout", _checked_out)


def _checked_in(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_IDLE_SINCE] = time.monotonic()


def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    since = record.info.get(_IDLE_SINCE)
    if since is not None and time.monotonic() - since < IDLE_SECONDS:
        return
    try:
        ping(dbapi_connection)
    except Exception as exc:  # the pool then tries again with a new connection
        raise DisconnectionError("a pooled connection did not answer its ping") from exc


def ping(dbapi_connection: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("SELECT 1")
    finally:
        cursor.close()
