"""Gunicorn settings: gevent workers, so that a WebSocket costs a greenlet rather than a thread.

gevent-websocket's worker is gunicorn's gevent worker (it patches the standard library before it loads
the app, `concurrency.py`) with a WebSocket handler that declines permessage-deflate: compressing every
small frame cost more than it saved (at 200 writers, relay p99 12.6 s with it, 0.58 s without). One worker by
default: Socket.IO sessions live in a worker, so more workers need sticky sessions and REDIS_URL (see
docs/deploy.md). `PLUME_CONNECTIONS` bounds the connections one worker holds at once.

Metrics (metrics.py) run in prometheus_client's multi-process mode: every worker writes its figures to
files in `PROMETHEUS_MULTIPROC_DIR` and a scrape adds them up. When it is unset, `on_starting` makes a
directory for this run (removed by `on_exit`); a given one is emptied at start. `child_exit` retires a dead
worker's live gauges.
"""

import os
import shutil
import tempfile

workers = int(os.environ.get("PLUME_WORKERS", "1"))
worker_class = "websocket_worker.Worker"  # gevent-websocket's, refusing a full address with 429
worker_connections = int(os.environ.get("PLUME_CONNECTIONS", "2000"))
timeout = 30  # the gevent worker heartbeats from its event loop: a loop stuck for 30 s is restarted
graceful_timeout = 10
# No `accesslog`: gevent-websocket's handler serves every request and writes its own access line
# (logger `geventwebsocket.handler`, shown with PLUME_LOG_LEVEL=DEBUG), so gunicorn's would stay empty.
errorlog = "-"


GC_THRESHOLDS = (700, 10, 100)  # Python's defaults but the last: a full pass after 100 middle ones, not 10


def post_worker_init(worker: object) -> None:
    """Freeze what the worker holds once the app is loaded (modules, the app, its config): the garbage
    collector's full passes then skip those objects. Without it a full pass over them held the event loop
    for 250-450 ms at a time, under load (the stalls core/watchdog.py logs as `held_by=gc.gen2@...`).

    Freezing also takes those objects out of the count that paces full passes (one runs once the objects
    that survived since the last reach a quarter of those that survived it): with only the sockets' and
    stories' objects left to count, a writing phase of 200 writers ran a full pass every 5 s, each holding
    the loop 25-100 ms. A full pass now waits for 100 passes of the middle generation (about a minute at
    that load) instead of 10; what it finds meanwhile is only cyclic garbage, freed at the next one.

    The ORM's mappers are configured first, and frozen with the rest: SQLAlchemy does it at a worker's
    first query, which held the loop 40-80 ms as the first sockets arrived."""
    import gc

    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)
    start_runtime(worker)


def start_runtime(worker: object) -> None:
    """Start this worker's background loops (core/runtime.py), once, before it serves a request."""
    from core import runtime

    runtime.of(worker.wsgi).start()  # type: ignore[attr-defined]  (the app `create_app()` returned)


_made_metrics_dir: list[str] = []  # the directory this run created (removed on exit)


def on_starting(server: object) -> None:
    """Before the first fork: the metrics directory, empty (set in the environment the workers inherit)."""
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        path = tempfile.mkdtemp(prefix="plume-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = path
        _made_metrics_dir.append(path)
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):  # the last run's figures must not add up with this one's
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))


def child_exit(server: object, worker: object) -> None:
    """A worker died or was replaced: its `livesum` gauges no longer count."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]


def on_exit(server: object) -> None:
    for path in _made_metrics_dir:
        shutil.rmtree(path, ignore_errors=True)
