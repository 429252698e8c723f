"""The vote's results reach the organiser across workers: with two single-worker servers sharing the
database and the Redis message queue (as tests/consultations/test_overview_two_workers.py starts them), a
ballot cast through the one reaches the organiser's socket on the other; a burst of 50 ballots gives a few
pushes, the last with the exact totals (run it with DATABASE_URL set for PostgreSQL; SQLite otherwise).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack

import pytest
from flask import Flask

from consultations import vote as votes
from core.unit_of_work import committed
from tests.consultations import vote_world
from tests.consultations.test_vote_live import cast, dots_of, wait_for_results
from tests.consultations.test_vote_two_workers import stored_totals
from tests.server import ServerProcess
from tests.signin import facilitator_cookie
from tests.sockets import Client

pytestmark = [pytest.mark.slow, pytest.mark.redis]

BURST = 50


@pytest.fixture(scope="module")
def two_workers(app: Flask, database: str, redis_url: str) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    env = {"REDIS_URL": redis_url, "PLUME_WORKERS": "1"}
    first, second = ServerProcess(database, env=env).start(), ServerProcess(database, env=env).start()
    yield first, second
    first.stop()
    second.stop()


def test_ballots_on_one_worker_reach_the_organiser_on_the_other_coalesced(
    two_workers: tuple[ServerProcess, ServerProcess], app_ctx: Flask
) -> None:
    here, there = two_workers
    world = vote_world.build(participants=BURST)
    with committed():
        vote = votes.open_vote(world.consultation, 3, False)
    cid, stories = world.consultation.id, world.stories
    with ExitStack() as stack:
        organiser = Client(
            here.url, auth={"role": "facilitator"}, headers=facilitator_cookie(here.url, world.owner.email)
        )
        stack.callback(organiser.close)
        ack = organiser.call("vote:join", {"consultation_id": cid}, timeout=15)
        assert ack["ok"] is True
        assert (ack["results"]["state"], ack["results"]["dots"]) == ("open", 0)

        # One ballot through the other worker.
        started = time.monotonic()
        response = cast(there.url, world.tokens[0], {stories[0]: 2, stories[1]: 1})
        assert response.status_code == 200, response.text
        message = wait_for_results(organiser, lambda r: r["dots"] == 3)
        print(f"\none ballot: pushed {time.monotonic() - started:.2f} s after it was sent")
        assert message["consultation_id"] == cid
        assert dots_of(message["results"]) == {stories[0]: 2, stories[1]: 1}

        # A burst: every voter at once (the first one moves their dots), through the other worker.
        organiser.events("vote:results")  # forget what came before the burst
        allocations = {token: {stories[i % len(stories)]: 3} for i, token in enumerate(world.tokens)}
        started = time.monotonic()
        with ThreadPoolExecutor(10) as pool:
            answers = list(pool.map(lambda item: cast(there.url, *item), allocations.items()))
        assert [a.status_code for a in answers] == [200] * BURST
        sent = time.monotonic()
        expected: dict[int, int] = {}
        for allocation in allocations.values():
            for story_id, count in allocation.items():
                expected[story_id] = expected.get(story_id, 0) + count
        pushes, final = 0, None
        while final is None:  # every push until the totals include the whole burst
            (message,) = organiser.wait_for("vote:results", timeout=30)
            pushes += 1
            final = message if message["results"]["dots"] == 3 * BURST else None
        arrived = time.monotonic()
        print(
            f"burst of {BURST} ballots sent in {sent - started:.2f} s: {pushes} pushes, "
            f"the last {arrived - sent:.2f} s after the last answer"
        )
        assert dots_of(final["results"]) == expected == stored_totals(vote.id)
        assert final["results"]["voters"] == BURST
        assert 1 <= pushes < BURST // 2  # coalesced: at most one a second, not one a ballot
