"""Work that a click starts and does not wait for: one worker per app and process runs the jobs handed to it,
in order, each in an app context of its own (its own database session), after the sender has moved on.

The worker is a thread like the story writer's (a greenlet under gevent), started at the first job (after
gunicorn forks). A job that fails is logged, rolled back, and does not stop the ones after it.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

from flask import Flask

from extensions import db

log = logging.getLogger(__name__)
Job = Callable[[], None]


class Worker:
    """The queue of one app's background jobs and the thread that runs them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._jobs: queue.SimpleQueue[tuple[Job, str]] = queue.SimpleQueue()
        self._pending = 0  # jobs handed in and not finished yet
        self._idle = threading.Condition()
        self._thread: threading.Thread | None = None

    def submit(self, job: Job, what: str) -> None:
        """Run `job()` soon, after the jobs already handed in; `what` names it in the log if it fails."""
        with self._idle:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="plume-background", daemon=True)
                self._thread.start()
        self._jobs.put((job, what))

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every job handed in so far has finished; False if that took longer than `timeout`."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _run(self) -> None:
        while True:
            job, what = self._jobs.get()
            try:
                with self.app.app_context():
                    try:
                        job()
                    except Exception:
                        db.session.rollback()
                        log.exception("background job failed: %s", what)
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()


def worker(app: Flask) -> Worker:
    """The app's background worker (one per process and app)."""
    found: Worker | None = app.extensions.get("plume.background")
    if found is None:
        found = app.extensions.setdefault("plume.background", Worker(app))
    return found
