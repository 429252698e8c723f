"""`python -m bench.overview` (`make bench` runs it): what the organiser's overview costs on a writing day.

The overview's figure of the issue: a consultation of 40 workshops of 30 participants (4 groups each), on a
throw-away PostgreSQL database, served by one Plume worker (gunicorn, one worker, Redis as deployed). All
1,200 participants are connected: 240 of them write (`bench/loadgen.mjs`, real Yjs clients in groups of 5,
5 keystrokes/s, awareness as a browser sends it), the other 960 are participant sockets that opened their
story and sit idle (`--idle` of the same load generator, no bare Engine.IO). One facilitator console per
workshop (`facilitator:command`) moves the workshops' phases, one at a time, about once a second (every phase
is open to writing, so the writers never stop). Runs A and B alternate (A B A B: a noisy machine hits both
alike), each a measured window of the writing load:

- A, the organiser's overview socket open (what its page opens: `overview:join`): each phase change is timed
  from the command's emit to the first `overview:workshops` row carrying the new phase (p50/p99). The pushes
  are coalesced per workshop and sent at most once a `consultations.overview.PUSH_SECONDS`, so the figure is
  that period's wait plus the path.
- B, no overview socket: the same load and the same phase changes, nobody watching.

For each: the worker's CPU per second (% of one core) and per acknowledged update over the window; the medians
of the rounds are printed, and the difference is the overview's cost. `--quick`: 10 workshops (300 sockets),
one round each, 10 s windows. `--workshops 20`: half the figure, for a loaded machine.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import socketio

from bench import cluster, facilitator, seed, servers
from bench import loadgen as lg

WORKSHOPS, GROUPS, PARTICIPANTS, WRITERS = 40, 4, 30, 240
QUICK_WORKSHOPS = 10
GROUP_SIZE = 5  # writers per writing group, as the rest of the bench
EMAIL, PASSWORD = "organiser@bench.example", "bench-organiser-password"


@dataclass
class Options:
    workshops: int = WORKSHOPS
    participants: int = PARTICIPANTS  # per workshop
    writers: int = WRITERS  # of all the participants (the rest are idle)
    rounds: int = 2  # of A and of B
    duration: float = 20  # measured seconds per run
    warmup: float = 3
    rate: float = 5  # keystrokes a second per writer
    move_every: float = 1.0  # seconds between phase changes (on average)


def seed_consultation(database_url: str, plan: Path, workshops: int, participants: int) -> None:
    """Migrate, then the organiser, the consultation and its workshops with their participants, every phase
    open to writing (a child process: the app's globals stay out of the driver). The plan lists each
    workshop's groups with their stories and their participants' tokens."""
    from sqlalchemy import select

    from accounts.operations import create_facilitator
    from app import create_app
    from consultations import operations as ops
    from core.identity import new_token
    from extensions import db
    from stories.models import Story
    from workshops.models import Participant

    seed.migrate(database_url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    with app.app_context():
        owner = create_facilitator(EMAIL, PASSWORD)
        details = ops.Details(
            title="Bench", question="?", description="", language="en", slug="bench-overview"
        )
        consultation = ops.create_consultation(owner, details)
        made = ops.add_batch(consultation, owner, workshops, GROUPS)
        listed = []
        for workshop in made:
            for phase in workshop.phases:
                phase.editors_open = True  # the writers keep writing while the phases move
                phase.tool = "story"  # (a board-only phase refuses the story's text)
            tokens: dict[int, list[str]] = {group.id: [] for group in workshop.groups}
            for n in range(participants):
                group = workshop.groups[n % len(workshop.groups)]
                token, token_hash = new_token()
                db.session.add(
                    Participant(
                        workshop_id=workshop.id,
                        group_id=group.id,
                        display_name=f"P{n}",
                        token_hash=token_hash,
                        color="#9a3412",
                    )
                )
                tokens[group.id].append(token)
            db.session.flush()
            stories = dict(
                db.session.execute(
                    select(Story.group_id, Story.id).where(Story.workshop_id == workshop.id)
                ).all()
            )
            groups = [{"story_id": stories[g], "tokens": t} for g, t in tokens.items()]
            listed.append({"id": workshop.id, "groups": groups})
        db.session.commit()
        data = {"consultation_id": consultation.id, "workshops": listed}
        db.engine.dispose()
    plan.write_text(json.dumps(data))


def split(plan: dict[str, Any], writers: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The load generator's plans: the writers' (groups of GROUP_SIZE, spread over the workshops: each
    workshop's first group, then its second...) and the idle participants' (every other seat)."""
    by_rank = [g for rank in range(GROUPS) for w in plan["workshops"] for g in w["groups"][rank : rank + 1]]
    writing, idle, left = [], [], writers
    for group in by_rank:
        take = min(GROUP_SIZE, left, len(group["tokens"]))
        if take:
            writing.append({"story_id": group["story_id"], "tokens": group["tokens"][:take]})
            left -= take
        if group["tokens"][take:]:
            idle.append({"story_id": group["story_id"], "tokens": group["tokens"][take:]})
    if left:
        raise RuntimeError(f"the consultation seats {writers - left} writers in groups, not {writers}")
    return {"groups": writing}, {"groups": idle}


class Overview:
    """The organiser's overview socket: when each workshop was first seen at each phase."""

    def __init__(self, url: str, cookie: str, consultation_id: int) -> None:
        self.seen: dict[tuple[int, int], float] = {}
        self.lock = threading.Lock()
        self.client = socketio.Client(reconnection=False, serializer="msgpack")
        self.client.on("overview:workshops", self.on_rows)
        self.client.connect(
            url,
            auth={"role": "facilitator"},
            headers={"Cookie": cookie},
            transports=["websocket"],
            wait_timeout=30,  # a worker holding a thousand sockets on a loaded machine may take seconds
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

    def when(self, key: tuple[int, int]) -> float | None:
        with self.lock:
            return self.seen.get(key)

    def close(self) -> None:
        self.client.disconnect()


class Mover(threading.Thread):
    """Moves the workshops' phases in turn (0 → 1 → 0 ...), one about every `every` seconds (jittered: not
    in step with the pushes), without waiting for the overview: the same changes whether it is open or not."""

    def __init__(self, consoles: dict[int, socketio.Client], phases: dict[int, int], every: float) -> None:
        super().__init__(daemon=True)
        self.consoles, self.phases, self.every = consoles, phases, every
        self.overview: Overview | None = None
        self.moves: list[tuple[int, int, float]] = []  # (workshop, new phase, sent)
        self.acked = 0
        self.refused = 0
        self.stopped = threading.Event()
        self.jitter = random.Random(40)

    def run(self) -> None:
        order = list(self.consoles)
        turn = 0
        while not self.stopped.wait(self.jitter.uniform(0.5 * self.every, 1.5 * self.every)):
            workshop_id = order[turn % len(order)]
            turn += 1
            phase = 1 - self.phases[workshop_id]
            self.phases[workshop_id] = phase
            if self.overview is not None:
                self.overview.forget(workshop_id, phase)
            self.moves.append((workshop_id, phase, time.monotonic()))
            action = "next" if phase else "previous"
            self.consoles[workshop_id].emit("facilitator:command", {"action": action}, callback=self._ack)

    def _ack(self, answer: Any = None, *_rest: Any) -> None:
        if isinstance(answer, dict) and answer.get("ok"):
            self.acked += 1
        else:
            self.refused += 1

    def stop(self) -> None:
        self.stopped.set()
        if self.ident is not None:  # started (the window may never have opened)
            self.join(timeout=10)

    def latencies(self, timeout: float = 10) -> tuple[list[float], int]:
        """Each move's latency to the overview (waiting up to `timeout` for the last ones); how many never
        came."""
        deadline = time.monotonic() + timeout
        found: list[float] = []
        missed = 0
        assert self.overview is not None
        for workshop_id, phase, sent in self.moves:
            while (seen := self.overview.when((workshop_id, phase))) is None and time.monotonic() < deadline:
                time.sleep(0.01)
            if seen is None:
                missed += 1
            else:
                found.append(seen - sent)
        return found, missed


@contextlib.contextmanager
def idle_participants(url: str, plan_path: Path, count: int) -> Iterator[dict[str, Any]]:
    """Hold `count` idle participant sockets (`loadgen.mjs --idle`, no bare Engine.IO) while inside."""
    command = ["node", str(lg.LOADGEN), "--url", url, "--plan", str(plan_path), "--idle", str(count)]
    # They arrive 50 at a time: a thousand connects at once exhaust the worker's database pool (each
    # handler holds a connection; past its 30 s timeout the socket is left unanswered).
    command += ["--idle-bare", "0", "--hold", "86400", "--connect-timeout", "60", "--idle-batch", "50"]
    process = subprocess.Popen(
        command, cwd=servers.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    held: dict[str, Any] = {}
    try:
        assert process.stderr is not None
        for line in process.stderr:
            if line.startswith('{"phase":"held"'):
                held = json.loads(line)
                break
        if not held:
            raise RuntimeError(f"idle sockets failed ({process.wait()})")
        threading.Thread(target=process.stderr.read, daemon=True).start()  # keep draining it
        yield held
    finally:
        process.terminate()
        process.wait(timeout=15)


def run_once(
    server: servers.Server,
    options: Options,
    writers_plan: Path,
    mover: Mover,
    overview: Overview | None,
    seed_: int,
) -> dict[str, Any]:
    """One measured window of the writing load, the phases moving; the worker's CPU and, if `overview`,
    the phase changes' latencies to it."""
    sampler = lg.Sampler(server)

    def on_phase(message: dict[str, Any]) -> None:
        sampler(message)
        if message["phase"] == "measure-start":
            mover.start()
        elif message["phase"] == "measure-end":
            mover.stop()

    arguments = ["--target", "plume", "--url", server.url, "--plan", str(writers_plan)]
    arguments += ["--writers", str(options.writers), "--rate", str(options.rate), "--seed", str(seed_)]
    arguments += ["--warmup", str(options.warmup), "--duration", str(options.duration)]
    mover.overview = overview
    result = lg.run(arguments, on_phase)
    mover.stop()
    result.update(sampler.figures)
    acked = result.get("acked") or 0
    if "server_cpu_s" in result and acked:
        result["server_cpu_ms_per_update"] = round(1000 * result["server_cpu_s"] / acked, 3)
    result |= {"overview": overview is not None, "moves": len(mover.moves), "moves_refused": mover.refused}
    if overview is not None:
        found, missed = mover.latencies()
        result |= {"phase_to_overview": figures(found), "missed": missed, "latencies": found}
    return result


def measure(server: servers.Server, plan: dict[str, Any], options: Options, tmp: Path) -> dict[str, Any]:
    """Rounds of A (overview open) and B (closed), interleaved, under the whole consultation's sockets."""
    writing, idle = split(plan, options.writers)
    writers_plan, idle_plan = tmp / "writers.json", tmp / "idle.json"
    writers_plan.write_text(json.dumps(writing))
    idle_plan.write_text(json.dumps(idle))
    idle_count = sum(len(g["tokens"]) for g in idle["groups"])
    cookie = facilitator.sign_in(server.url, EMAIL, PASSWORD)
    consoles: dict[int, socketio.Client] = {}
    runs: list[dict[str, Any]] = []
    try:
        for workshop in plan["workshops"]:
            console = socketio.Client(reconnection=False, serializer="msgpack")
            auth = {"role": "facilitator", "workshop_id": workshop["id"]}
            headers = {"Cookie": cookie}
            console.connect(server.url, auth=auth, headers=headers, transports=["websocket"], wait_timeout=30)
            consoles[workshop["id"]] = console
            ack = console.call("facilitator:command", {"action": "start"}, timeout=30)
            if not ack or not ack.get("ok"):
                raise RuntimeError(f"start refused for workshop {workshop['id']}: {ack}")
        phases = dict.fromkeys(consoles, 0)
        with idle_participants(server.url, idle_plan, idle_count) as held:
            for round_ in range(1, options.rounds + 1):
                for watched in (True, False):
                    overview = Overview(server.url, cookie, plan["consultation_id"]) if watched else None
                    try:
                        mover = Mover(consoles, phases, options.move_every)
                        result = run_once(server, options, writers_plan, mover, overview, round_)
                    finally:
                        if overview is not None:
                            overview.close()
                    result["round"] = round_
                    runs.append(result)
                    print(run_line(result), flush=True)
    finally:
        for console in consoles.values():
            console.disconnect()
    return {
        "workshops": len(plan["workshops"]),
        "sockets": options.writers + int(held.get("participants", 0)),
        "writers": options.writers,
        "idle_held": held.get("participants"),
        "idle_asked": idle_count,
        "runs": runs,
    }


def figures(latencies: list[float]) -> dict[str, Any]:
    if not latencies:
        return {"samples": 0, "p50_ms": None, "p99_ms": None, "max_ms": None}
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {
        "samples": len(ordered),
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p99_ms": round(1000 * p99, 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }


def _median(values: list[Any]) -> Any:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """The medians of the rounds, A against B, and the pooled latencies of A."""
    by = {
        True: [r for r in result["runs"] if r["overview"]],
        False: [r for r in result["runs"] if not r["overview"]],
    }
    out: dict[str, Any] = {}
    for watched, runs in by.items():
        out["open" if watched else "closed"] = {
            "server_cpu_percent": _median([r.get("server_cpu_percent") for r in runs]),
            "server_cpu_ms_per_update": _median([r.get("server_cpu_ms_per_update") for r in runs]),
            "acked_per_s": _median([r.get("acked_per_s") for r in runs]),
            "relay_p99_ms": _median([r["relay_ms"]["p99"] for r in runs]),
            "load_average": _median([r.get("load_average") for r in runs]),
        }
    opened = by[True]
    out["phase_to_overview"] = {
        "p50_ms": _median([r["phase_to_overview"]["p50_ms"] for r in opened]),
        "p99_ms": _median([r["phase_to_overview"]["p99_ms"] for r in opened]),
        "pooled": figures([v for r in opened for v in r["latencies"]]),
        "missed": sum(r["missed"] for r in opened),
    }
    return out


def run_line(r: dict[str, Any]) -> str:
    seen = r.get("phase_to_overview")
    latency = f"phase→overview p50 {seen['p50_ms']} ms p99 {seen['p99_ms']} ms" if seen else "(no overview)"
    return (
        f"round {r.get('round', '?')}  overview {'open  ' if r['overview'] else 'closed'}  worker CPU"
        f" {r.get('server_cpu_percent')} %  {r.get('server_cpu_ms_per_update')} ms/update"
        f"  acked {r['acked']}/{r['sent']}  relay p99 {r['relay_ms']['p99']} ms"
        f"  moves {r['moves']} (refused {r['moves_refused']})"
        f"  {latency}  load {r.get('load_average')}"
    )


def lines(result: dict[str, Any], medians: dict[str, Any]) -> str:
    """The figure, as `make bench` prints it."""
    opened, closed = medians["open"], medians["closed"]
    seen = medians["phase_to_overview"]
    rounds = len(result["runs"]) // 2
    cost = (
        round(opened["server_cpu_percent"] - closed["server_cpu_percent"], 1)
        if opened["server_cpu_percent"] is not None and closed["server_cpu_percent"] is not None
        else None
    )
    return "\n".join(
        [
            f"The organiser's overview: {result['workshops']} workshops, {result['sockets']} participant"
            f" sockets ({result['writers']} writing, {result['idle_held']} idle of {result['idle_asked']}),"
            f" one worker; medians of {rounds} round(s) each:",
            f"  a phase change reaching the overview: p50 {seen['p50_ms']} ms, p99 {seen['p99_ms']} ms"
            f" (pooled {seen['pooled']['samples']}: p50 {seen['pooled']['p50_ms']} ms, p99"
            f" {seen['pooled']['p99_ms']} ms; never came {seen['missed']})",
            f"  worker CPU, overview open: {opened['server_cpu_percent']} % of a core,"
            f" {opened['server_cpu_ms_per_update']} ms per update",
            f"  worker CPU, overview closed: {closed['server_cpu_percent']} % of a core,"
            f" {closed['server_cpu_ms_per_update']} ms per update",
            f"  the overview's cost: {cost} points of a core (load average {opened['load_average']}/"
            f"{closed['load_average']}, open/closed)",
        ]
    )


def run(database_url: str, redis_url: str, options: Options, tmp: Path) -> dict[str, Any]:
    """Seed `database_url` (fresh), serve it with one worker and measure."""
    plan_path = tmp / "plan.json"
    command = [sys.executable, "-m", "bench.overview", "--seed", database_url, str(plan_path)]
    command += [str(options.workshops), str(options.participants)]
    done = subprocess.run(command, cwd=servers.ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise RuntimeError(f"seeding failed: {done.stderr[-2000:]}")
    server = servers.start_plume(database_url, tmp, {"REDIS_URL": redis_url, "PLUME_WORKERS": "1"})
    try:
        result = measure(server, json.loads(plan_path.read_text()), options, tmp)
    except Exception:
        if server.log is not None:  # what the worker said, before its folder goes
            print(server.log.read_text(errors="replace")[-3000:], file=sys.stderr)
        raise
    finally:
        server.stop()
    result["medians"] = summary(result)
    return result


def _missing_services(database_url: str | None, redis_url: str) -> str | None:
    """What the figure needs and this machine lacks: PostgreSQL (for a throw-away database) or Redis."""
    import psycopg
    import redis

    try:
        psycopg.connect(database_url or cluster.POSTGRES + "postgres", connect_timeout=3).close()
    except psycopg.Error as error:
        return f"PostgreSQL ({str(error).strip().splitlines()[0]})"
    if redis_url:
        try:
            redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
        except redis.RedisError as error:
            return f"Redis ({error})"
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.overview", description=(__doc__ or "").split("\n\n")[0]
    )
    add = parser.add_argument
    add("--quick", action="store_true", help=f"{QUICK_WORKSHOPS} workshops, one round each, 10 s windows")
    add("--workshops", type=int, default=None, help=f"workshops of the consultation (default {WORKSHOPS})")
    add("--participants", type=int, default=PARTICIPANTS, help="participants per workshop (default 30)")
    add("--writers", type=int, default=None, help="of them, writing (default 6 per workshop)")
    add("--rounds", type=int, default=None, help="rounds of A and B (default 2; --quick: 1)")
    add("--duration", type=float, default=None, help="measured seconds per run (default 20; --quick: 10)")
    add("--database-url", default=None, help="an empty database to use instead of a throw-away one")
    add(
        "--redis-url",
        default=cluster.REDIS,
        help="the worker's REDIS_URL ('' for none; default BENCH_REDIS_URL)",
    )
    add("--json", type=Path, default=None, help="also write every result to this file")
    add("--seed", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seed:
        url, plan, workshops, participants = args.seed
        seed_consultation(url, Path(plan), int(workshops), int(participants))
        return 0
    workshops = args.workshops or (QUICK_WORKSHOPS if args.quick else WORKSHOPS)
    options = Options(
        workshops=workshops,
        participants=args.participants,
        writers=args.writers if args.writers is not None else workshops * WRITERS // WORKSHOPS,
        rounds=args.rounds or (1 if args.quick else 2),
        duration=args.duration or (10 if args.quick else 20),
    )
    missing = _missing_services(args.database_url, args.redis_url)
    if missing:
        print(f"overview: skipped, it needs {missing} (BENCH_POSTGRES_URL, BENCH_REDIS_URL or the options)")
        return 0
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}", flush=True)
    with (
        tempfile.TemporaryDirectory(prefix="plume-bench-overview-") as folder,
        contextlib.ExitStack() as stack,
    ):
        database_url = args.database_url or stack.enter_context(cluster.throwaway_database())
        result = run(database_url, args.redis_url, options, Path(folder))
    print()
    print(lines(result, result["medians"]))
    if result["idle_held"] != result["idle_asked"]:
        print(f"  [MISS] idle participant sockets held: {result['idle_held']} of {result['idle_asked']}")
    for r in result["runs"]:
        r.pop("latencies", None)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1))
    print(json.dumps({"overview": result["medians"]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
