"""The stories of this process due for compaction, compacted one at a time by a thread of their own.

The writer notes a story once its log passed the story's own point (`persistence.compact_point`, between
half of `PLUME_COMPACT_AFTER_ROWS` and all of it, so stories written at the same pace come due at different
times); this queue compacts them in the order they came due, one after the other, in its own thread (a
greenlet under gevent): the merge itself runs in the CPU process, and neither the housekeeping (cursors,
activity) nor the event loop waits for it.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable

from flask import Flask

from extensions import db
from stories.cowriting import persistence

log = logging.getLogger(__name__)


class CompactionQueue:
    def __init__(self, app: Flask, compacted: Callable[[int], None]) -> None:
        self.app = app
        self.compacted = compacted  # told the id of each story compacted
        self._due: deque[int] = deque()
        self._queued: set[int] = set()
        self._ready = threading.Condition()
        self._thread: threading.Thread | None = None

    def add(self, story_id: int) -> None:
        """Compact the story when its turn comes (once, however often it is added meanwhile)."""
        with self._ready:
            if story_id not in self._queued:
                self._queued.add(story_id)
                self._due.append(story_id)
                self._ready.notify()

    def __len__(self) -> int:
        with self._ready:
            return len(self._due)

    def start(self) -> None:
        """Start the queue's thread (once per process, lazily: after gunicorn forks)."""
        with self._ready:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="plume-compactions", daemon=True)
                self._thread.start()

    def run_pending(self) -> int:
        """Compact every story due now, in this thread (the tests; the queue's thread does it otherwise)."""
        done = 0
        while (story_id := self._next(wait=False)) is not None:
            self._compact(story_id)
            done += 1
        return done

    def _next(self, wait: bool) -> int | None:
        with self._ready:
            while wait and not self._due:
                self._ready.wait()
            if not self._due:
                return None
            story_id = self._due.popleft()
            self._queued.discard(story_id)
            return story_id

    def _run(self) -> None:
        while True:
            story_id = self._next(wait=True)
            if story_id is not None:
                self._compact(story_id)

    def _compact(self, story_id: int) -> None:
        with self.app.app_context():
            try:
                if persistence.compact_if_long(story_id):
                    self.compacted(story_id)
            except Exception:
                db.session.rollback()
                log.exception("compaction of story %s failed", story_id)
