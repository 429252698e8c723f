"""The app's runtime (core/runtime.py): periodic tasks and services, started once per process, never from a
request, stopped together."""

from __future__ import annotations

import gc
import logging
import os
import re
import runpy
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from flask import Flask, request
from sqlalchemy import text
from werkzeug.test import EnvironBuilder

from core import runtime
from core.runtime import Periodic, Runtime
from extensions import db
from tests.server import ServerProcess

ROOT = Path(__file__).resolve().parent.parent


def wait_for(condition: Callable[[], bool], timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.fixture
def fresh(app: Flask) -> Iterator[Runtime]:
    """A runtime of its own on the test app (the app's own keeps the features' tasks)."""
    own = Runtime(app)
    yield own
    assert own.stop()


def test_the_features_register_their_loops_with_the_apps_runtime(app: Flask) -> None:
    own = runtime.of(app)
    assert own is app.extensions[runtime.EXTENSION]
    assert {"socket-sweeper", "token-expiry", "retention"} <= set(own.tasks)
    assert "watchdog" in own.services
    assert "deadlines" not in own.tasks  # tests drive the deadline pass themselves
    assert not own.running  # the tests' app is never started by the factory nor by a request


def test_requests_do_not_start_the_runtime(client, app: Flask) -> None:
    for _ in range(20):
        client.get("/healthz")
        client.get("/")
    assert not runtime.of(app).running


def test_tasks_start_once_per_process_however_often_start_is_called(fresh: Runtime, client) -> None:
    threads: list[int] = []
    fresh.every(0.01, lambda: threads.append(threading.get_ident()), "counter")
    for _ in range(20):
        fresh.start()
        client.get("/healthz")
    assert wait_for(lambda: len(threads) >= 5)
    assert len(set(threads)) == 1  # one loop, however many starts and requests
    assert fresh.running


def test_gunicorns_worker_hook_starts_the_runtime(app: Flask) -> None:
    own = Runtime(app)
    app.extensions[runtime.EXTENSION], saved = own, app.extensions[runtime.EXTENSION]
    try:
        hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
        hooks["start_runtime"](SimpleNamespace(wsgi=app))
        assert own.running
    finally:
        app.extensions[runtime.EXTENSION] = saved
        assert own.stop()


def test_a_worker_freezes_its_app_and_paces_full_collections_slowly() -> None:
    """What gunicorn's post_worker_init leaves: the app's objects out of the collector's reach, and a full
    pass only after 100 middle-generation passes (gunicorn.conf.py says why)."""
    hooks = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    saved = gc.get_threshold()
    try:
        hooks["post_worker_init"].__globals__["start_runtime"] = lambda worker: None  # no runtime here
        hooks["post_worker_init"](SimpleNamespace())
        assert gc.get_threshold() == (700, 10, 100)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*saved)


CONFIGURED = """
import runpy
import subprocess
import sys
from sqlalchemy import inspect
from app import create_app
from workshops.models import Workshop

create_app()
before = inspect(Workshop).configured
hooks = runpy.run_path("gunicorn.conf.py")
hooks["post_worker_init"].__globals__["start_runtime"] = lambda worker: None
hooks["post_worker_init"](None)
print(before, inspect(Workshop).configured)
"""


def test_a_worker_configures_the_orm_before_it_serves(tmp_path: Path) -> None:
    """Not at its first query, on the loop, as the first sockets arrive (a fresh process: the tests' own
    queries configured this one's long ago)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'plume.db'}", "SECRET_KEY": "test"}
    done = subprocess.run(
        [sys.executable, "-c", CONFIGURED], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "True"]


def test_the_workers_greenlets_do_not_keep_the_stack_that_spawned_them() -> None:
    """A socket's greenlets live as long as it: gevent's spawning tree kept ten frame objects each alive."""
    import gevent

    import websocket_worker

    assert websocket_worker.Worker.wsgi_handler is websocket_worker.CappedWebSocketHandler
    greenlet = gevent.spawn(lambda: None)
    greenlet.join()
    assert greenlet.spawning_stack is None


@pytest.mark.parametrize(
    ("transport", "headers"),
    [("websocket", {"Upgrade": "websocket", "Connection": "Upgrade"}), ("polling", {})],
)
def test_a_socket_events_request_context_leaves_no_garbage_cycle(
    app: Flask, transport: str, headers: dict[str, str]
) -> None:
    """Flask-SocketIO pushes one from the handshake's environ for each event but `yjs`: matching its URL must
    not raise (the exception's traceback tied the context into a cycle only a full collection frees)."""
    query = f"EIO=4&transport={transport}"
    environ = EnvironBuilder(path="/socket.io/", query_string=query, headers=headers).get_environ()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        with app.request_context(environ):
            assert request.routing_exception is None
        gc.collect()
        kinds = {type(found).__name__ for found in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert not kinds & {"RequestContext", "Request", "NotFound", "traceback", "frame"}, kinds


def test_the_socket_paths_rules_answer_nothing_over_http(client) -> None:
    """The Socket.IO server still answers its path; Flask's rules for it only ever say 404, never redirect."""
    assert client.get("/socket.io/?EIO=4&transport=polling").status_code == 200
    assert client.get("/socket.io").status_code == 404  # no redirect to the Socket.IO path
    assert client.post("/socket.io").status_code in (404, 405)


def test_each_gunicorn_worker_starts_its_runtime_once_at_boot(database: str) -> None:
    server = ServerProcess(database, env={"PLUME_WORKERS": "2", "REDIS_URL": ""})
    server.log.unlink(missing_ok=True)  # a log of an earlier server on this port
    server.start()
    try:
        for _ in range(30):
            requests.get(f"{server.url}/healthz", timeout=5)
            requests.get(f"{server.url}/", timeout=5)
        assert wait_for(lambda: len(starts(server.log.read_text())) == 2)
        started = starts(server.log.read_text())
    finally:
        server.stop()
    assert len(started) == 2  # one start per worker process, whatever the requests
    assert all(
        {"deadlines", "token-expiry", "socket-sweeper", "retention"} <= tasks for tasks in started.values()
    )


def starts(log: str) -> dict[str, set[str]]:
    """{pid: its tasks} of every `runtime started` line of a server's log."""
    found = re.findall(r"runtime started pid=(\d+) tasks=([\w,-]+)", log)
    assert len(found) == len({pid for pid, _ in found}), f"a worker started its runtime twice: {found}"
    return {pid: set(tasks.split(",")) for pid, tasks in found}


def test_a_task_registered_after_the_start_starts_at_once(fresh: Runtime) -> None:
    fresh.start()
    ran = threading.Event()
    fresh.every(0.01, ran.set, "late")
    assert ran.wait(10)


def test_a_name_registered_twice_keeps_the_first_task(fresh: Runtime) -> None:
    first = fresh.every(1, lambda: None, "twice")
    assert fresh.every(2, lambda: None, "twice") is first
    assert first.seconds == 1


def test_a_failing_task_logs_and_keeps_running(fresh: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    def flaky() -> None:
        calls.append(1)
        db.session.execute(text("SELECT 1"))  # a session in use when it fails: rolled back, removed
        if len(calls) <= 2:
            raise RuntimeError("boom")

    task = fresh.every(0.01, flaky, "flaky")
    with caplog.at_level(logging.ERROR, logger="core.runtime"):
        fresh.start()
        assert wait_for(lambda: len(calls) >= 5)
    assert task.failures == 2
    failed = [r for r in caplog.records if r.getMessage() == "background task flaky failed"]
    assert len(failed) == 2
    assert failed[0].exc_info is not None


def test_stop_stops_every_task_and_service(fresh: Runtime) -> None:
    counts = {"a": 0, "b": 0}
    services: list[str] = []

    def count(name: str) -> Callable[[], None]:
        def run() -> None:
            counts[name] += 1

        return run

    fresh.every(0.01, count("a"), "a")
    fresh.every(0.01, count("b"), "b", app_context=False)
    fresh.service("svc", lambda: services.append("started"), lambda: services.append("stopped"))
    fresh.start()
    assert wait_for(lambda: counts["a"] >= 2 and counts["b"] >= 2)
    assert fresh.stop()
    assert services == ["started", "stopped"]
    after = dict(counts)
    time.sleep(0.2)
    assert counts == after  # nothing ran after stop()
    assert not fresh.running
    fresh.start()  # and it may start again (a test after another)
    assert wait_for(lambda: counts["a"] > after["a"])
    assert services == ["started", "stopped", "started"]


def test_stop_ends_a_task_in_the_middle_of_a_long_wait(fresh: Runtime) -> None:
    fresh.every(3600, lambda: None, "hourly")
    fresh.start()
    started = time.monotonic()
    assert fresh.stop(timeout=10)
    assert time.monotonic() - started < 5  # it did not wait for the hour


def test_a_task_waits_its_interval_before_the_first_pass(fresh: Runtime) -> None:
    ran = threading.Event()
    fresh.every(30, ran.set, "slow")
    fresh.start()
    assert not ran.wait(0.3)


def test_jitter_spreads_the_interval_within_its_bounds(app: Flask) -> None:
    steady = Periodic(app, "steady", 2.0, lambda: None)
    assert {steady.delay() for _ in range(100)} == {2.0}
    spread = Periodic(app, "spread", 2.0, lambda: None, jitter=0.25)
    delays = [spread.delay() for _ in range(1000)]
    assert all(1.5 <= d <= 2.5 for d in delays)
    assert min(delays) < 1.7
    assert max(delays) > 2.3
