"""`python -m bench.overview`: how soon a phase change reaches the organiser's live overview, across workers.

A consultation of 40 workshops (4 groups, 30 participants each, joined) on a throw-away PostgreSQL database;
two Plume servers of one worker each share it and Redis (BENCH_REDIS_URL, as `bench.cluster`). The
organiser's overview socket (what its page opens: `overview:join`) is on worker B; one console socket per
workshop is on worker A. Each workshop's phase is moved (`facilitator:command` `next`/`previous`), one
workshop at a time, then all 40 at once, and each change is timed from the command's emit to the first
`overview:workshops` row that carries the new phase on B: p50/p99. The pushes are coalesced per workshop
and sent at most once a `consultations.overview.PUSH_SECONDS` per worker, so the figure is that period's
wait plus the path through Redis. No participant socket is connected and nobody writes: this is the
overview's own path, not the load of a writing day (`make bench` measures that).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import socketio

from bench import cluster, facilitator, seed, servers

WORKSHOPS, GROUPS, PARTICIPANTS = 40, 4, 30
EMAIL, PASSWORD = "organiser@bench.example", "bench-organiser-password"


def seed_consultation(database_url: str, plan: Path) -> None:
    """Migrate, then the organiser, the consultation and its workshops with their participants (a child
    process: the app's globals stay out of the driver)."""
    from accounts.operations import create_facilitator
    from app import create_app
    from consultations import operations as ops
    from core.identity import new_token
    from extensions import db
    from workshops.models import Participant

    seed.migrate(database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        owner = create_facilitator(EMAIL, PASSWORD)
        details = ops.Details(
            title="Bench", question="?", description="", language="en", slug="bench-overview"
        )
        consultation = ops.create_consultation(owner, details)
        workshops = ops.add_batch(consultation, owner, WORKSHOPS, GROUPS)
        for workshop in workshops:
            for n in range(PARTICIPANTS):
                group = workshop.groups[n % GROUPS]
                _, token_hash = new_token()
                db.session.add(
                    Participant(
                        workshop_id=workshop.id,
                        group_id=group.id,
                        display_name=f"P{n}",
                        token_hash=token_hash,
                        color="#9a3412",
                    )
                )
        db.session.commit()
        data = {"consultation_id": consultation.id, "workshop_ids": [w.id for w in workshops]}
        db.engine.dispose()
    plan.write_text(json.dumps(data))


class Overview:
    """The organiser's overview socket: when each workshop was first seen at each phase."""

    def __init__(self, url: str, cookie: str, consultation_id: int) -> None:
        self.seen: dict[tuple[int, int], float] = {}
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False, serializer="msgpack")
        self.client.on("overview:workshops", self.on_rows)
        self.client.connect(
            url, auth={"role": "facilitator"}, headers={"Cookie": cookie}, transports=["websocket"]
        )
        ack = self.client.call("overview:join", {"consultation_id": consultation_id}, timeout=30)
        if not ack or not ack.get("ok"):
            raise RuntimeError(f"overview:join refused: {ack}")

    def on_rows(self, message: dict[str, Any]) -> None:
        now = time.monotonic()
        with self.lock:
            for row in message.get("workshops", []):
                self.seen.setdefault((row["id"], row["phase_index"]), now)

    def forget(self, workshop_id: int, phase: int) -> None:
        with self.lock:
            self.seen.pop((workshop_id, phase), None)

    def wait(self, key: tuple[int, int], timeout: float = 10) -> float | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if key in self.seen:
                    return self.seen[key]
            time.sleep(0.002)
        return None


class Move:
    """A phase command sent without waiting for its ack: when it was sent, and when it was acked."""

    def __init__(self, console: socketio.Client, action: str) -> None:
        self.acked: float | None = None
        self.sent = time.monotonic()
        console.emit("facilitator:command", {"action": action}, callback=self._ack)

    def _ack(self, *_answer: Any) -> None:
        self.acked = time.monotonic()


def timed(moves: dict[int, Move], overview: Overview, phase: int, into: dict[str, list[float]]) -> int:
    """Wait for each move's row on the overview; note its latency from the emit and from the ack; how many
    never came."""
    missed = 0
    for workshop_id, move in moves.items():
        seen = overview.wait((workshop_id, phase))
        if seen is None:
            missed += 1
            continue
        into["emit"].append(seen - move.sent)
        if move.acked is not None:
            into["ack"].append(seen - move.acked)
    return missed


def measure(url_a: str, url_b: str, plan: dict[str, Any], rounds: int) -> dict[str, Any]:
    from consultations.overview import PUSH_SECONDS  # the period its pushes wait for

    cookie_a = facilitator.sign_in(url_a, EMAIL, PASSWORD)
    cookie_b = facilitator.sign_in(url_b, EMAIL, PASSWORD)
    ids = plan["workshop_ids"]
    consoles = {}
    for workshop_id in ids:
        console = socketio.Client(reconnection=False, serializer="msgpack")
        auth = {"role": "facilitator", "workshop_id": workshop_id}
        console.connect(url_a, auth=auth, headers={"Cookie": cookie_a}, transports=["websocket"])
        consoles[workshop_id] = console
    overview = Overview(url_b, cookie_b, plan["consultation_id"])
    for workshop_id, console in consoles.items():
        ack = console.call("facilitator:command", {"action": "start"}, timeout=30)
        if not ack or not ack.get("ok"):
            raise RuntimeError(f"start refused for workshop {workshop_id}: {ack}")
    time.sleep(2)
    one_by_one: dict[str, list[float]] = {"emit": [], "ack": []}
    at_once: dict[str, list[float]] = {"emit": [], "ack": []}
    jitter = random.Random(40)
    missed = 0
    for _ in range(rounds):  # each round: every workshop to phase 2 one at a time, then all back at once
        for workshop_id in ids:
            overview.forget(workshop_id, 1)
            time.sleep(jitter.uniform(0, PUSH_SECONDS))  # not in step with the pushes
            missed += timed({workshop_id: Move(consoles[workshop_id], "next")}, overview, 1, one_by_one)
        for workshop_id in ids:
            overview.forget(workshop_id, 0)
        time.sleep(jitter.uniform(0, PUSH_SECONDS))
        moves = {workshop_id: Move(consoles[workshop_id], "previous") for workshop_id in ids}
        missed += timed(moves, overview, 0, at_once)
    overview.client.disconnect()
    for console in consoles.values():
        console.disconnect()
    return {
        "workshops": len(ids),
        "participants_joined": len(ids) * PARTICIPANTS,
        "push_seconds": PUSH_SECONDS,
        "one_at_a_time": {"from_emit": figures(one_by_one["emit"]), "from_ack": figures(one_by_one["ack"])},
        "all_at_once": {"from_emit": figures(at_once["emit"]), "from_ack": figures(at_once["ack"])},
        "missed": missed,
    }


def figures(latencies: list[float]) -> dict[str, Any]:
    if not latencies:
        return {"samples": 0}
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "samples": len(ordered),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p99_ms": round(1000 * p99, 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.overview", description=__doc__)
    parser.add_argument("--rounds", type=int, default=4, help="rounds of (40 one at a time, 40 at once)")
    parser.add_argument("--seed", nargs=2, metavar=("DATABASE_URL", "PLAN"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed:
        seed_consultation(args.seed[0], Path(args.seed[1]))
        return 0
    with (
        tempfile.TemporaryDirectory(prefix="plume-bench-overview-") as folder,
        cluster.throwaway_database() as db,
    ):
        tmp = Path(folder)
        plan_path = tmp / "plan.json"
        done = subprocess.run(
            [sys.executable, "-m", "bench.overview", "--seed", db, str(plan_path)],
            cwd=servers.ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise RuntimeError(f"seeding failed: {done.stderr[-2000:]}")
        workers = cluster.start_workers(2, db, tmp)
        try:
            result = measure(workers[0].url, workers[1].url, json.loads(plan_path.read_text()), args.rounds)
        finally:
            for worker in workers:
                worker.stop()
    print(json.dumps({"overview": result}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
