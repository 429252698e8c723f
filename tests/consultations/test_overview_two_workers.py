"""The overview follows a workshop served by another worker: with two workers sharing the Redis message
queue, a phase change made by a facilitator's socket reaches the organiser's overview sockets wherever they
are (run it with DATABASE_URL set for PostgreSQL; SQLite otherwise).

The two workers are two servers of one worker each, sharing the database and Redis (as
tests/test_room_queue.py starts them), so that the overview's socket is on the one and the console's on the
other for certain.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from tests import factories
from tests.consultations.test_overview import consultation_with, wait_for_row
from tests.server import ServerProcess
from tests.signin import facilitator_cookie
from tests.sockets import Client

pytestmark = [pytest.mark.slow, pytest.mark.redis, pytest.mark.usefixtures("app_ctx")]


@pytest.fixture(scope="module")
def two_workers(app, database: str, redis_url: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    env = {"REDIS_URL": redis_url, "PLUME_WORKERS": "1"}
    first, second = ServerProcess(database, env=env).start(), ServerProcess(database, env=env).start()
    yield first, second
    first.stop()
    second.stop()


def test_a_phase_change_on_one_worker_reaches_the_overview_on_the_other(
    two_workers: tuple[ServerProcess, ServerProcess],
) -> None:
    here, there = two_workers
    owner = factories.facilitator()
    consultation_id, ids = consultation_with(owner, count=3)
    with ExitStack() as stack:
        overview = Client(
            here.url, auth={"role": "facilitator"}, headers=facilitator_cookie(here.url, owner.email)
        )
        stack.callback(overview.close)
        ack = overview.call("overview:join", {"consultation_id": consultation_id}, timeout=15)
        assert ack["ok"] is True
        assert [w["id"] for w in ack["overview"]["workshops"]] == ids
        assert ack["overview"]["workshops"][1]["status"] == "not_started"
        headers = facilitator_cookie(there.url, owner.email)
        console = Client(there.url, auth={"role": "facilitator", "workshop_id": ids[1]}, headers=headers)
        stack.callback(console.close)
        assert console.call("facilitator:command", {"action": "start"}, timeout=15) == {"ok": True}
        row = wait_for_row(overview, ids[1], lambda r: r["status"] == "running" and r["phase_index"] == 0)
        assert row["title"]
        assert console.call("facilitator:command", {"action": "next"}, timeout=15) == {"ok": True}
        row = wait_for_row(overview, ids[1], lambda r: r["phase_index"] == 1)
        assert row["phase_title"]
        assert row["status"] == "running"
