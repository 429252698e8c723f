"""`/metrics` (metrics.py) on a real gunicorn server with two workers: the figures of both add up, refusals
are counted by reason, HTTP requests are timed; the endpoint answers only loopback or the configured
addresses and token, and a 404 to anyone else."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from flask import Flask
from prometheus_client.parser import text_string_to_metric_families

import metrics
from stories.cowriting import crdt
from tests import factories
from tests.server import ServerProcess
from tests.sockets import Client
from tests.stories.ydocs import Editor

pytestmark = [pytest.mark.slow, pytest.mark.redis]

UPDATES = 30
TOKEN = "metrics-test-token"


@pytest.fixture(scope="module")
def two_workers(app: Flask, database: str, redis_url: str) -> Iterator[ServerProcess]:
    server = ServerProcess(database, env={"REDIS_URL": redis_url, "PLUME_WORKERS": "2"})
    server.env.pop("PROMETHEUS_MULTIPROC_DIR", None)  # gunicorn.conf.py makes one for the run
    server.start()
    yield server
    server.stop()


def get(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> str:
    """`url`/metrics; its text (an HTTPError for a 4xx)."""
    request = urllib.request.Request(url + "/metrics", headers=headers or {}, method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (local URL)
        return response.read().decode()


def scrape(url: str, headers: dict[str, str] | None = None) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of one scrape."""
    text = get(url, headers)
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def status_of(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> int:
    try:
        get(url, headers, method)
    except urllib.error.HTTPError as exc:
        return exc.code
    return 200


def test_updates_from_clients_on_both_workers_add_up(two_workers: ServerProcess, app_ctx) -> None:
    workshop = factories.workshop(groups=1)
    story_id = factories.story_of(workshop.groups[0]).id
    tokens = [factories.participant(workshop.groups[0])[1] for _ in range(4)]
    clients = [Client(two_workers.url, auth={"token": token}) for token in tokens]
    try:
        for client in clients:
            assert client.call("story:open", {"story_id": story_id})["ok"] is True
        editors = [Editor() for _ in clients]
        for i in range(UPDATES):
            client, editor = clients[i % len(clients)], editors[i % len(clients)]
            update = editor.insert(len(str(editor)), f"{i},")
            assert client.call("yjs", story_id, crdt.update_message(update)) == {"ok": True}
        figures = scrape(two_workers.url)
        # Several scrapes: whichever worker answers, the figures are both workers' together.
        assert all(scrape(two_workers.url)[("plume_updates_stored_total", ())] == UPDATES for _ in range(4))
        assert figures[("plume_updates_stored_total", ())] == UPDATES
        assert figures[("plume_update_commit_seconds_count", ())] == UPDATES
        assert figures[("plume_workshops_running", ())] >= 1
        assert ("plume_sockets_open", ()) in figures
        assert ("plume_writer_queue", ()) in figures
        assert ("plume_db_pool_in_use", ()) in figures
        assert all(name.startswith("plume_") for name, _ in figures)
    finally:
        for client in clients:
            client.close()


def test_refusals_are_counted_by_reason(two_workers: ServerProcess, app_ctx) -> None:
    workshop = factories.workshop(groups=1, phases=[{"title": "Read", "editors_open": False}])
    story_id = factories.story_of(workshop.groups[0]).id
    _, token = factories.participant(workshop.groups[0])
    before = scrape(two_workers.url).get(("plume_updates_refused_total", (("reason", "locked"),)), 0)
    client = Client(two_workers.url, auth={"token": token})
    try:
        assert client.call("story:open", {"story_id": story_id})["ok"] is True
        update = Editor().insert(0, "not allowed")
        ack = client.call("yjs", story_id, crdt.update_message(update))
        assert ack["error"]["code"] == "locked"
    finally:
        client.close()
    after = scrape(two_workers.url)[("plume_updates_refused_total", (("reason", "locked"),))]
    assert after == before + 1


def test_http_requests_are_timed_by_endpoint_and_status(two_workers: ServerProcess) -> None:
    for _ in range(3):
        urllib.request.urlopen(two_workers.url + "/healthz", timeout=5).close()  # noqa: S310
    figures = scrape(two_workers.url)
    assert figures[("plume_http_request_seconds_count", (("endpoint", "/healthz"), ("status", "200")))] >= 3
    assert not any(dict(labels).get("endpoint") == "/metrics" for _, labels in figures)


def test_other_addresses_get_a_404_and_the_token_a_200(app: Flask, database: str) -> None:
    server = ServerProcess(
        database, env={"REDIS_URL": "", "PLUME_METRICS_ALLOW": "10.0.0.0/8", "PLUME_METRICS_TOKEN": TOKEN}
    )
    server.start()
    try:
        assert status_of(server.url) == 404
        for method in ("POST", "PUT", "DELETE", "OPTIONS", "HEAD"):  # no 405, no Allow header: nothing told
            assert status_of(server.url, method=method) == 404, method
        assert status_of(server.url, {"Authorization": "Bearer wrong"}) == 404
        assert status_of(server.url, {"Authorization": f"Bearer {TOKEN}"}) == 200
    finally:
        server.stop()


def test_loopback_is_allowed_by_default_and_nothing_else() -> None:
    allow = metrics.networks("")
    assert metrics.allowed("127.0.0.1", None, allow, "")
    assert metrics.allowed("::1", None, allow, "")
    assert not metrics.allowed("192.168.1.5", None, allow, "")
    assert not metrics.allowed("192.168.1.5", "Bearer ", allow, "")  # no token configured: none matches
    assert not metrics.allowed(None, None, allow, "")
    assert metrics.allowed("192.168.1.5", "Bearer t", allow, "t")
    assert metrics.allowed("10.1.2.3", None, metrics.networks("10.0.0.0/8, 2001:db8::/32"), "")


def test_metrics_off_count_nothing_and_serve_no_endpoint(database: str, monkeypatch) -> None:
    """`PLUME_METRICS=0` (what `make bench` compares against): no endpoint, and nothing counted."""
    server = ServerProcess(database, env={"REDIS_URL": "", "PLUME_METRICS": "0"})
    server.start()
    try:
        assert status_of(server.url) == 404  # from loopback too
    finally:
        server.stop()
    monkeypatch.setattr(metrics, "_counting", False)
    stored = "plume_updates_stored_total"
    before = metrics.REGISTRY.get_sample_value(stored)
    metrics.stored(3, [0.0, 0.0, 0.0])
    assert metrics.REGISTRY.get_sample_value(stored) == before
