"""Many greenlets or threads asking Redis at once wait for a connection instead of failing."""

from __future__ import annotations

import threading

import pytest

from core import redis_client

pytestmark = pytest.mark.redis


def test_more_callers_than_connections_all_get_an_answer(redis_url: str, monkeypatch) -> None:
    monkeypatch.setenv("PLUME_REDIS_CONNECTIONS", "2")
    monkeypatch.setattr(redis_client, "_clients", {})
    client = redis_client.client(redis_url)
    assert client is redis_client.client(redis_url)  # one per process and URL
    errors: list[Exception] = []

    def ask(n: int) -> None:
        try:
            client.blpop([f"plume:test:nothing:{n}"], timeout=0.2)  # holds its connection 0.2 s
            client.set(f"plume:test:{n}", "é")
            assert client.get(f"plume:test:{n}") == "é"  # strings decoded
        except Exception as exc:  # redis-py's default pool: MaxConnectionsError past its size
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert client.connection_pool.max_connections == 2
