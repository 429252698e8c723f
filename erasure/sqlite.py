"""On SQLite, deleted rows leave no trace in the files: every connection overwrites the pages they freed with
zeros (`PRAGMA secure_delete`, set in `app.py`), and once the delete is committed the write-ahead log, which
still holds the pages as they were, is copied back and emptied (`wal_checkpoint(TRUNCATE)`). PostgreSQL
needs neither: a deleted row is not readable by any query, and its space is reclaimed by (auto)vacuum.
"""

from __future__ import annotations

import logging
from functools import partial

from flask import current_app

import concurrency
from core import sqlite_checkpoints
from core.outbox import on_commit
from extensions import db

log = logging.getLogger(__name__)


def _sqlite() -> bool:
    return db.session.get_bind().dialect.name == "sqlite"


def checkpoint() -> None:
    """Copy the write-ahead log into the database file and truncate it, in a thread (it waits for the
    readers still open), one at a time with the worker's own checkpoints (`core/sqlite_checkpoints.py`).
    A reader that outlasts the wait keeps it from completing: logged; the next checkpoint finishes the work.
    A database in memory has no log."""
    checkpoints = sqlite_checkpoints.of(current_app)
    if checkpoints is None:
        return
    if concurrency.off_loop(partial(checkpoints.checkpoint, "TRUNCATE")).busy:
        log.warning("the write-ahead log could not be checkpointed whole: a reader held it")


def checkpoint_on_commit() -> None:
    """Checkpoint once the current transaction has committed (SQLite only)."""
    if _sqlite():
        on_commit(checkpoint)
