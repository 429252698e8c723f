"""Prometheus metrics at `/metrics` (docs/deploy.md, "Metrics"): every name starts with `plume_`.

Under gunicorn, `PROMETHEUS_MULTIPROC_DIR` is set (gunicorn.conf.py makes a per-run directory when it is
unset): each worker writes its figures to files there and a scrape, whichever worker answers it, adds up
every worker's. Without it (tests in one process, `python app.py`) the figures are this process's.

Counters and histograms move where things happen (the writer once per batch, a refusal, a relay, an HTTP
request). The gauges of what a worker holds (sockets, participants, the writer's queue, pool connections)
are sampled every `SAMPLE_SECONDS` by a task of each worker's runtime and summed over the live workers
(`livesum`); in one process a scrape reads them itself. Workshops running is read from the database at
scrape time.

The endpoint answers loopback by default; `PLUME_METRICS_ALLOW` (CIDRs) replaces that list and
`PLUME_METRICS_TOKEN` admits `Authorization: Bearer <token>` from anywhere. Anyone else gets a 404.
`PLUME_METRICS=0` turns it all off (nothing counted, no endpoint): `make bench` measures Plume both ways, to
show what counting costs.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Iterable, Iterator
from functools import cache, partial
from typing import Any

from flask import Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from core import runtime
from core.settings import of as settings_of
from core.settings import settings

log = logging.getLogger(__name__)
PATH = "/metrics"
SAMPLE_SECONDS = 5.0
LOOPBACK = "127.0.0.0/8,::1/128"
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# This process's registry (one process); under gunicorn a scrape reads every worker's files instead.
REGISTRY = CollectorRegistry(auto_describe=True)

UPDATES_STORED = Counter("plume_updates_stored", "Story updates committed.", registry=REGISTRY)
UPDATES_REFUSED = Counter(
    "plume_updates_refused", "Yjs messages refused, by error code.", ["reason"], registry=REGISTRY
)
COMMIT_SECONDS = Histogram(
    "plume_update_commit_seconds",
    "From an update handed to the writer to its commit.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=REGISTRY,
)
BATCHES = Counter("plume_writer_batches", "Transactions of the story writer.", registry=REGISTRY)
RELAYS = Counter("plume_relays_sent", "Yjs messages relayed to a story's room.", registry=REGISTRY)
HTTP_SECONDS = Histogram(
    "plume_http_request_seconds",
    "HTTP request durations, by endpoint and status (not /metrics, not Socket.IO).",
    ["endpoint", "status"],
    registry=REGISTRY,
)
SOCKETS = Gauge(
    "plume_sockets_open", "Socket.IO connections.", registry=REGISTRY, multiprocess_mode="livesum"
)
PARTICIPANTS = Gauge(
    "plume_participants_connected",
    "Participants holding a socket (one holding sockets on two workers counts twice).",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)
WRITER_QUEUE = Gauge(
    "plume_writer_queue", "Jobs waiting for the story writer.", registry=REGISTRY, multiprocess_mode="livesum"
)
POOL_IN_USE = Gauge(
    "plume_db_pool_in_use",
    "Database connections checked out of the pool.",
    registry=REGISTRY,
    multiprocess_mode="livesum",
)


_counting = True  # False in a process whose app has PLUME_METRICS off (`register`)


def stored(count: int, received: Iterable[float]) -> None:
    """A batch committed `count` updates, handed to the writer at the `received` monotonic times."""
    if not _counting:
        return
    BATCHES.inc()
    if count:
        UPDATES_STORED.inc(count)
        now = time.monotonic()
        for at in received:
            COMMIT_SECONDS.observe(now - at)


def refused(code: str) -> None:
    if _counting:
        UPDATES_REFUSED.labels(code).inc()


def relayed() -> None:
    if _counting:
        RELAYS.inc()


# --- sampling what a worker holds -----------------------------------------------------------------


def sample(app: Flask) -> None:
    """Set this worker's gauges from what it holds now."""
    from extensions import db, socketio
    from workshops import presence

    with app.app_context():
        SOCKETS.set(len(getattr(socketio.server.eio, "sockets", {})) if socketio.server else 0)
        entries = presence.store().local_entries().values()
        PARTICIPANTS.set(len({(e.workshop_id, e.participant_id) for e in entries}))
        stories = app.extensions.get("plume.stories")
        WRITER_QUEUE.set(stories.writer.queued() if stories else 0)
        checkedout = getattr(db.engine.pool, "checkedout", None)
        POOL_IN_USE.set(checkedout() if checkedout else 0)


class WorkshopsRunning(Collector):
    """Workshops running, read from the database at scrape time (one figure, not one per worker)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from sqlalchemy import func, select

        from extensions import db
        from workshops.models import Workshop
        from workshops.phases import Status

        count = db.session.scalar(
            select(func.count()).select_from(Workshop).where(Workshop.status == Status.RUNNING.value)
        )
        db.session.rollback()
        yield GaugeMetricFamily("plume_workshops_running", "Workshops running.", value=count or 0)


# --- the endpoint ---------------------------------------------------------------------------------


@cache
def networks(value: str) -> tuple[Network, ...]:
    """`PLUME_METRICS_ALLOW`: comma-separated CIDRs (or addresses); empty means loopback only."""
    parts = (part.strip() for part in (value or LOOPBACK).split(","))
    return tuple(ipaddress.ip_network(part, strict=False) for part in parts if part)


def allowed(remote: str | None, authorization: str | None, allow: tuple[Network, ...], token: str) -> bool:
    """Whether a scrape from `remote` with that Authorization header may read the metrics."""
    bearer = (
        authorization[len("Bearer ") :] if authorization and authorization.startswith("Bearer ") else None
    )
    if token and bearer is not None and hmac.compare_digest(bearer.encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(remote or "")
    except ValueError:
        return False
    return any(address in network for network in allow)


def exposition() -> bytes:
    """Every metric: all workers' in multi-process mode, else this process's; plus workshops running."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(registry)
        sample(current_app._get_current_object())  # type: ignore[attr-defined]  # this worker's, fresh
        text = generate_latest(registry)
    else:
        sample(current_app._get_current_object())  # type: ignore[attr-defined]
        text = generate_latest(REGISTRY)
    running = CollectorRegistry()
    running.register(WorkshopsRunning())
    return text + generate_latest(running)


def _metrics() -> Response:
    own = settings()
    if not allowed(
        request.remote_addr,
        request.headers.get("Authorization"),
        networks(own.metrics_allow),
        own.metrics_token,
    ):
        abort(404)  # not 403, whatever the method: the endpoint is not advertised
    if request.method not in ("GET", "HEAD"):
        abort(405)
    return Response(exposition(), content_type=CONTENT_TYPE_LATEST)


def register(app: Flask) -> None:
    """The `/metrics` route and the HTTP timing hooks. Under gunicorn (multi-process mode) each worker
    samples its gauges in a task of its runtime (`core/runtime.py`); in one process a scrape samples what
    it shows. With `PLUME_METRICS` off, none of it: nothing is counted and `/metrics` is a 404."""
    global _counting
    _counting = settings_of(app).metrics
    if not _counting:
        return
    networks(settings_of(app).metrics_allow)  # a malformed list stops the app here, not at the first scrape
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        runtime.of(app).every(SAMPLE_SECONDS, partial(sample, app), "metrics-sampler", app_context=False)
    from extensions import csrf

    # Every method reaches the view (no automatic OPTIONS, no CSRF check): the others get a 404 for each.
    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
    app.add_url_rule(PATH, "metrics", csrf.exempt(_metrics), methods=methods, provide_automatic_options=False)

    @app.before_request
    def _http_started() -> None:
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _http_done(response: Any) -> Any:
        started = g.pop("metrics_started", None)
        if started is not None and request.path != PATH:
            endpoint = request.url_rule.rule if request.url_rule else "unmatched"
            HTTP_SECONDS.labels(endpoint, str(response.status_code)).observe(time.perf_counter() - started)
        return response
