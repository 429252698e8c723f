"""On SQLite, deleted rows leave no trace in the files: every connection overwrites the pages they freed with
zeros (`PRAGMA secure_delete`, set in `app.py`), and once the delete is committed the write-ahead log, which
still holds the pages as they were, is copied back and emptied (`wal_checkpoint(TRUNCATE)`). PostgreSQL
needs neither: a deleted row is not readable by any query, and its space is reclaimed by (auto)vacuum.
"""

from __future__ import annotations

import logging
import time

from core.outbox import on_commit
from extensions import db

log = logging.getLogger(__name__)
BUSY_TRIES = 5
BUSY_PAUSE_SECONDS = 0.05


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def checkpoint() -> None:
    """Copy the write-ahead log into the database file and truncate it. A reader still open, or the
    worker's own checkpoint running meanwhile (`core/sqlite_checkpoints.py`), makes it busy: it tries
    again a few times, then logs it; the next checkpoint finishes the work."""
    for attempt in range(BUSY_TRIES):
        if attempt:
            time.sleep(BUSY_PAUSE_SECONDS * attempt)  # nothing open: under gevent, the others go on
        with db.engine.connect() as connection:
            busy, _, _ = connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
        if not busy:
            return
    log.warning("the write-ahead log could not be checkpointed whole: a reader held it")


def checkpoint_on_commit() -> None:
    """Checkpoint once the current transaction has committed (SQLite only)."""
    if _sqlite():
        on_commit(checkpoint)
