"""Guarded commands and deadline actions over the wire: real Socket.IO clients against the real server.

Two `next` commands issued from the same state advance one phase; a stale `goto` does nothing; each
phase's deadline action runs once and on time, on one worker and (PostgreSQL + Redis) on two workers with
more racers in this process.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import pytest
import requests

from app import create_app
from core import runtime
from extensions import db
from tests import factories
from tests.server import ServerProcess
from tests.sockets import WIRE_MAX, Client
from tests.workshops.test_live_sockets import facilitator_client, join, next_state
from workshops import deadlines
from workshops.models import Workshop

pytestmark = pytest.mark.slow

ON_TIME = 1.3  # seconds: the loop passes every 0.5 s; the rest is slack for a busy machine


def agenda(*steps: tuple[int, str]) -> list[dict[str, Any]]:
    return [
        {"title": f"Phase {i + 1}", "duration_seconds": seconds, "editors_open": True, "at_deadline": action}
        for i, (seconds, action) in enumerate(steps)
    ]


def states_until(client: Client, done, timeout: float) -> list[tuple[float, dict[str, Any]]]:
    """Every workshop:state with its arrival time (monotonic), until `done(state)` or the timeout."""
    seen: list[tuple[float, dict[str, Any]]] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            state = next_state(client, timeout=max(0.05, end - time.monotonic()))
        except Exception:
            break
        seen.append((time.monotonic(), state))
        if done(state):
            break
    return seen


def fresh(workshop_id: int) -> Workshop:
    db.session.expire_all()
    return db.session.get(Workshop, workshop_id)


def test_two_nexts_from_the_same_state_advance_one_phase(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(
        owner, groups=2, phases=agenda((600, "signal"), (600, "signal"), (600, "signal"))
    )
    consoles = [facilitator_client(live_server, owner.email, workshop.id) for _ in range(2)]
    try:
        version = next_state(consoles[0])["version"]
        next_state(consoles[1])
        acks: list[Any] = [None, None]

        def send(i: int) -> None:
            acks[i] = consoles[i].call("facilitator:command", {"action": "next", "version": version})

        threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(str(ack.get("ok")) for ack in acks) == ["False", "True"], acks
        refused = next(ack for ack in acks if not ack["ok"])
        assert refused["error"]["code"] == "stale"
        w = fresh(workshop.id)
        assert (w.phase_index, w.clock_version) == (1, version + 1)
        # The same double click, one after the other: the second is stale too.
        ack = consoles[0].call("facilitator:command", {"action": "next", "version": version})
        assert ack["error"]["code"] == "stale"
        assert fresh(workshop.id).phase_index == 1
    finally:
        for console in consoles:
            console.close()


def test_a_stale_goto_is_ignored_and_a_fresh_one_applies(live_server: ServerProcess, app_ctx) -> None:
    owner = factories.facilitator()
    workshop = factories.workshop(
        owner, groups=2, phases=agenda((600, "signal"), (600, "signal"), (600, "signal"))
    )
    console = facilitator_client(live_server, owner.email, workshop.id)
    try:
        version = next_state(console)["version"]
        assert console.call("facilitator:command", {"action": "pause", "version": version})["ok"] is True
        assert next_state(console)["version"] == version + 1
        stale = console.call("facilitator:command", {"action": "goto", "index": 2, "version": version})
        assert (stale["ok"], stale["error"]["code"]) == (False, "stale")
        assert stale["error"]["message"]
        assert fresh(workshop.id).phase_index == 0
        ack = console.call("facilitator:command", {"action": "goto", "index": 2, "version": version + 1})
        assert ack == {"ok": True}
        assert fresh(workshop.id).phase_index == 2
        for hostile in (WIRE_MAX, -1, "3", True, {"x": 1}, 1.5):
            ack = console.call("facilitator:command", {"action": "next", "version": hostile})
            assert (ack["ok"], ack["error"]["code"]) == (False, "invalid"), hostile
    finally:
        console.close()


def test_a_participant_cannot_send_a_versioned_command(live_server: ServerProcess, app_ctx) -> None:
    workshop = factories.workshop(groups=1, phases=agenda((600, "signal"), (600, "signal")))
    joined = join(live_server, workshop.join_code, "Ada")
    client = Client(live_server.url, auth={"token": joined["token"]})
    try:
        version = next_state(client)["version"]
        ack = client.call("facilitator:command", {"action": "next", "version": version})
        assert ack["error"]["code"] == "forbidden"
        assert fresh(workshop.id).phase_index == 0
    finally:
        client.close()


def run_deadlines_over_the_wire(server: ServerProcess, racers: int = 0, racer_app: Any = None) -> None:
    """Advance at 2 s, lock at 2 s more, then (after a next) signal at 2 s: each once, each on time.

    `racers` more deadline loops run in this process, in `racer_app` (whose Socket.IO server is the one
    this process emits with: it must publish to the workers' Redis, as another worker would).
    """
    owner = factories.facilitator()
    workshop = factories.workshop(
        owner,
        groups=2,
        status="not_started",
        phases=agenda((2, "advance"), (2, "lock"), (2, "signal"), (600, "signal")),
    )
    stop = threading.Event()
    ran: list[tuple[int, str]] = []

    def race() -> None:  # another worker's loop, in this process
        def loop() -> None:
            with racer_app.app_context():
                while not stop.is_set():
                    try:
                        ran.extend(deadlines.run_due())
                    except Exception:
                        db.session.rollback()
                    finally:
                        db.session.remove()
                    time.sleep(0.05)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        threads.append(thread)

    threads: list[threading.Thread] = []
    console = facilitator_client(server, owner.email, workshop.id)
    joined = join(server, workshop.join_code, "Ada")
    writer = Client(server.url, auth={"token": joined["token"]})
    try:
        next_state(console)
        next_state(writer)
        for _ in range(racers):
            race()
        started = time.monotonic()
        assert console.call("facilitator:command", {"action": "start", "version": 0}) == {"ok": True}
        seen = states_until(console, lambda s: s["all_locked"], timeout=8)
        times = {}
        for at, state in seen:
            times.setdefault((state["phase_index"], state["all_locked"]), at - started)
        assert [s["phase_index"] for _, s in seen if s["phase_index"] == 2] == [], "advanced twice"
        assert 2.0 <= times[(1, False)] <= 2.0 + ON_TIME, times
        assert 4.0 <= times[(1, True)] <= 4.0 + ON_TIME, times
        # Every participant's editor is locked too.
        writer_view = states_until(writer, lambda s: s["locked"], timeout=3)[-1][1]
        assert (writer_view["locked"], writer_view["writable"], writer_view["phase_index"]) == (
            True,
            False,
            1,
        )
        time.sleep(1.2)  # nothing more happens at this deadline
        assert [s for s in console.events("workshop:state") if s[0]["phase_index"] != 1] == []
        w = fresh(workshop.id)
        assert (w.phase_index, w.clock_version, w.all_locked, w.deadline_handled) == (1, 2, True, True)

        # The next phase lifts the deadline's lock and signals at its own deadline, once.
        started = time.monotonic()
        assert console.call("facilitator:command", {"action": "next", "version": 2}) == {"ok": True}
        seen = states_until(console, lambda s: s["deadline_reached"], timeout=5)
        assert (seen[0][1]["all_locked"], seen[0][1]["phase_index"]) == (False, 2)
        assert seen[-1][1]["deadline_reached"] is True
        assert 2.0 <= seen[-1][0] - started <= 2.0 + ON_TIME
        time.sleep(1.2)
        extra = console.events("workshop:state")
        assert extra == [], [
            (s[0]["version"], s[0]["deadline_reached"], s[0]["all_locked"], s[0]["server_time"])
            for s in extra
        ]
        w = fresh(workshop.id)
        assert (w.phase_index, w.clock_version, w.deadline_handled) == (2, 3, True)
        assert sorted(ran) == sorted(set(ran))  # a racer in this process never ran an action twice
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=2)
        console.close()
        writer.close()


def test_deadline_actions_run_once_and_on_time(live_server: ServerProcess, app_ctx) -> None:
    run_deadlines_over_the_wire(live_server)


@pytest.mark.postgres
@pytest.mark.redis
def test_deadline_actions_run_once_with_several_workers(database: str, app_ctx) -> None:
    if not database.startswith("postgresql"):
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL (as .ci/run sets it)")
    redis_url = os.environ.get("REDIS_URL", "").strip()
    if not redis_url:
        pytest.skip("needs REDIS_URL (as .ci/run sets it): two workers share emits through Redis")
    server = ServerProcess(database, env={"REDIS_URL": redis_url, "PLUME_WORKERS": "2"}).start()
    # Built last, so this process's Socket.IO server is its own: one that publishes to the workers' Redis.
    racer_app = create_app({"SQLALCHEMY_DATABASE_URI": database, "SECRET_KEY": "x", "REDIS_URL": redis_url})
    try:
        for _ in range(20):  # wake both workers' loops (each starts on its first request)
            requests.get(f"{server.url}/healthz", timeout=5)
        run_deadlines_over_the_wire(server, racers=3, racer_app=racer_app)
    finally:
        server.stop()


def test_the_deadline_loop_does_not_run_in_tests(app) -> None:
    deadlines.register(app)
    assert "deadlines" not in runtime.of(app).tasks  # tests drive run_due themselves


def test_another_workshops_facilitator_cannot_send_a_versioned_command(
    live_server: ServerProcess, app_ctx
) -> None:
    owner, stranger = factories.facilitator(), factories.facilitator()
    workshop = factories.workshop(owner, groups=1, phases=agenda((600, "signal"), (600, "signal")))
    theirs = factories.workshop(stranger, groups=1)
    console = facilitator_client(live_server, stranger.email, theirs.id)
    try:
        next_state(console)
        command = {"action": "goto", "index": 1, "version": 1, "workshop_id": workshop.id}
        assert console.call("facilitator:command", command)["error"]["code"] == "forbidden"
        command["workshop_id"] = WIRE_MAX  # nobody's workshop: not even a valid id
        assert console.call("facilitator:command", command)["error"]["code"] == "invalid"
        assert fresh(workshop.id).phase_index == 0
    finally:
        console.close()
