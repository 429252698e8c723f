"""One runtime per app for the work that runs beside the requests: periodic tasks and long-lived services.

The factory creates it (:func:`of` finds it); features register their tasks with it, at app creation or
later (a task registered after the start starts at once); it starts once per worker process, from
gunicorn's `post_worker_init` (`gunicorn.conf.py`) or before `socketio.run` (`python app.py`), never from a
request. Tests that use the factory's app never start it (they drive each pass themselves) unless they mean
to, and their fixture calls :meth:`Runtime.stop` after each test.

- :meth:`Runtime.every` — a periodic task: it sleeps `seconds` (give or take `jitter`, a fraction, so that
  workers polling one database spread out), then runs once in an app context of its own; a pass that fails
  is logged and rolled back, and the next pass comes as usual. Registering a name twice keeps the first.
- :meth:`Runtime.service` — something long-lived with its own start (and stop), such as the loop-stall
  watchdog.

Each task is a Socket.IO background task (a greenlet under gevent, a daemon thread in threading mode).
"""

from __future__ import annotations

import logging
import os
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask

from extensions import db, socketio

log = logging.getLogger(__name__)
EXTENSION = "plume.runtime"


@dataclass
class Periodic:
    """One periodic task: `fn()` every `seconds` (± `jitter` × `seconds`), each pass in an app context."""

    app: Flask
    name: str
    seconds: float
    fn: Callable[[], Any]
    jitter: float = 0.0
    app_context: bool = True
    runs: int = 0  # passes done (failed ones included)
    failures: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _handle: Any = None  # the thread or greenlet running it

    def delay(self) -> float:
        """The wait before the next pass."""
        return max(0.0, self.seconds * (1 + random.uniform(-self.jitter, self.jitter)))  # noqa: S311

    def run_once(self) -> bool:
        """One pass; False if it failed (logged, its session rolled back)."""
        try:
            if self.app_context:
                with self.app.app_context():
                    try:
                        self.fn()
                    except Exception:
                        db.session.rollback()
                        raise
                    finally:
                        db.session.remove()
            else:
                self.fn()
            return True
        except Exception:
            self.failures += 1
            log.exception("background task %s failed", self.name)
            return False
        finally:
            self.runs += 1

    def start(self) -> None:
        self._stop = threading.Event()
        self._handle = socketio.start_background_task(self._loop, self._stop)

    def stop(self) -> None:
        self._stop.set()

    def join(self, timeout: float) -> bool:
        """Wait for the task to end after :meth:`stop`; False if it was still running after `timeout`."""
        handle, self._handle = self._handle, None
        if handle is None:
            return True
        handle.join(timeout)
        alive = getattr(handle, "is_alive", None)
        return not alive() if alive is not None else bool(getattr(handle, "dead", True))

    def _loop(self, stop: threading.Event) -> None:
        while not stop.wait(self.delay()):
            self.run_once()


@dataclass
class Service:
    """Something long-lived: `start()` once per process, `stop()` (if any) when the runtime stops."""

    name: str
    start: Callable[[], Any]
    stop: Callable[[], Any] | None = None


class Runtime:
    """The periodic tasks and services of one app, started once per process and stopped together."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.tasks: dict[str, Periodic] = {}
        self.services: dict[str, Service] = {}
        self.started_in: int | None = None  # the process it runs in (None: not running)
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.started_in == os.getpid()

    def every(
        self,
        seconds: float,
        fn: Callable[[], Any],
        name: str,
        *,
        jitter: float = 0.0,
        app_context: bool = True,
    ) -> Periodic:
        """Run `fn()` every `seconds` in this process (from the start, or at once if already started)."""
        with self._lock:
            task = self.tasks.get(name)
            if task is not None:
                return task
            task = self.tasks[name] = Periodic(self.app, name, seconds, fn, jitter, app_context)
            if self.running:
                task.start()
        return task

    def service(self, name: str, start: Callable[[], Any], stop: Callable[[], Any] | None = None) -> None:
        """Start `start()` with the runtime (or at once if already started); `stop()` when it stops."""
        with self._lock:
            if name in self.services:
                return
            self.services[name] = Service(name, start, stop)
            if self.running:
                start()

    def start(self) -> None:
        """Start every task and service, once per process (a second call does nothing)."""
        with self._lock:
            if self.running:
                return
            self.started_in = os.getpid()
            for service in self.services.values():
                service.start()
            for task in self.tasks.values():
                task.start()
            log.info("runtime started pid=%d tasks=%s", self.started_in, ",".join(self.tasks) or "-")

    def stop(self, timeout: float = 10) -> bool:
        """Stop every task and service and wait for the tasks to end; False if one still ran after
        `timeout`. The runtime may be started again."""
        with self._lock:
            if not self.running:
                return True
            self.started_in = None
            for task in self.tasks.values():
                task.stop()
            for service in self.services.values():
                if service.stop is not None:
                    service.stop()
            tasks = list(self.tasks.values())
        return all([task.join(timeout) for task in tasks])


def of(app: Flask) -> Runtime:
    """The app's runtime (created by the factory; here too, for apps built otherwise)."""
    found = app.extensions.get(EXTENSION)
    if found is None:
        found = app.extensions[EXTENSION] = Runtime(app)
    return found
