"""On SQLite, the write-ahead log is copied into the database file by a native thread, not by the commit
that fills it.

SQLite checkpoints by itself: the commit that takes the log past 1,000 pages (4 MB) copies them into the
database file and syncs it before it returns. In a worker that commit runs on the event loop (the story
writer's, compaction's, anybody's), and every socket of the worker waits: 7-15 ms on this project's test
machines, far more on a slow disk, whatever the commit itself wrote. So once a worker has started its
runtime, its connections are opened with `wal_autocheckpoint=0`, and every `CHECKPOINT_SECONDS` a thread
of gevent's pool checkpoints through a connection of its own. The `sqlite3` module lets go of the GIL while
SQLite works, so the loop serves its sockets meanwhile. The checkpoint is `PASSIVE`: it waits for no
reader and no writer, and copies next time what it could not copy now.

Elsewhere (the CLI, the in-process tests, PostgreSQL) nothing changes. A reader that never ends keeps
SQLite's checkpoints from finishing, its own as much as these.
"""

from __future__ import annotations

import os
import sqlite3
from typing import Literal, NamedTuple

from flask import Flask
from sqlalchemy.engine import Engine

import concurrency
from core import runtime
from extensions import db

CHECKPOINT_SECONDS = 1.0
EXTENSION = "plume.sqlite_checkpoints"
_running_in: int | None = None  # the process whose checkpoints run off its commits (none: SQLite's own)


def off_the_commits() -> bool:
    """Whether this process checkpoints in its own thread: its connections then turn SQLite's own off
    (`app._sqlite_pragmas`)."""
    return _running_in == os.getpid()


class Checkpoint(NamedTuple):
    """What `PRAGMA wal_checkpoint` answers."""

    busy: bool  # a writer or a reader kept it from copying the whole log
    log_pages: int
    copied_pages: int


class Checkpoints:
    """The checkpoints of one SQLite file in this process, one at a time (a native lock), on a connection
    of their own: the periodic passes and an erasure's (`erasure/sqlite.py`) never find each other busy."""

    def __init__(self, path: str, engine: Engine | None = None) -> None:
        self.path = path
        self.engine = engine  # the app's, whose connections must leave checkpoints to this
        self.last: Checkpoint | None = None
        self._connection: sqlite3.Connection | None = None
        self._lock = concurrency.native_lock()  # taken in threads of gevent's pool, never on the loop

    def start(self) -> None:
        """From now on, this process's connections leave checkpoints to `run_pass` (under gevent only)."""
        global _running_in
        if not concurrency.gevent_active() or off_the_commits():
            return
        _running_in = os.getpid()
        if self.engine is not None:
            self.engine.dispose()  # a connection opened before now would still checkpoint on its commits

    def run_pass(self) -> None:
        """One checkpoint, in a native thread (a periodic task of the runtime, on the loop, waits for it)."""
        if off_the_commits():
            self.last = concurrency.off_loop(self.checkpoint)

    def checkpoint(self, mode: Literal["PASSIVE", "TRUNCATE"] = "PASSIVE") -> Checkpoint:
        """Copy what the log holds into the database file (call it off the loop: `concurrency.off_loop`).
        `PASSIVE` copies what nobody is in the way of; `TRUNCATE` waits for the readers (the connection's
        busy timeout) and empties the log."""
        with self._lock:
            return self._checkpoint(mode)

    def _checkpoint(self, mode: str) -> Checkpoint:
        if self._connection is None:
            self._connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        try:
            busy, log_pages, copied = self._connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                return Checkpoint(True, -1, -1)  # someone else's turn: the next pass copies it
            self._close()
            raise
        except sqlite3.Error:
            self._close()
            raise
        return Checkpoint(bool(busy), log_pages, copied)

    def _close(self) -> None:
        """Forget a connection that failed: the next pass opens another."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None


def database_file(engine: Engine) -> str | None:
    """The engine's SQLite database file, or None (another database, or SQLite in memory)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return url.database


def install(app: Flask) -> None:
    """Register the app's checkpoints with its runtime (an SQLite file only): they start with it."""
    with app.app_context():
        engine = db.engine
    path = database_file(engine)
    if path is None:
        return
    checkpoints = app.extensions[EXTENSION] = Checkpoints(path, engine)
    work = runtime.of(app)
    work.service("sqlite-checkpoints", checkpoints.start)
    work.every(CHECKPOINT_SECONDS, checkpoints.run_pass, "sqlite-checkpoints", app_context=False)


def of(app: Flask) -> Checkpoints | None:
    """The app's checkpoints (None: not an SQLite file)."""
    return app.extensions.get(EXTENSION)
