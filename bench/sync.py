"""`make bench`: W writers in groups of 5 type into their group's story against a real server.

The server runs as `make run` runs it (gunicorn with gunicorn.conf.py) on a temporary SQLite database, on
loopback. Writers are real python-socketio clients with real pycrdt documents, spread over a few client
processes (each process holds whole groups, so a keystroke and its arrival at the group's other members
are timed on one clock). Each writer types at `--rate` keystrokes a second for `--duration` seconds.

Prints: p50/p99 time from a keystroke to the other members of the group receiving it, p50/p99 time to
the ack (stored), updates stored per second, and the server's CPU and memory.

    .venv/bin/python -m bench.sync --writers 200 --duration 20
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GROUP_SIZE = 5
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- the server --------------------------------------------------------------------------------------------


def seed(database_url: str, writers: int, group_size: int) -> list[dict[str, Any]]:
    """Create the schema and one running workshop with enough groups; return each group's story and tokens."""
    from accounts.operations import create_facilitator
    from app import create_app
    from extensions import db
    from stories.models import Story
    from workshops.identity import new_token
    from workshops.models import Group, Participant, Phase, Workshop, WorkshopFacilitator

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "bench"})
    groups = math.ceil(writers / group_size)
    with app.app_context():
        db.create_all()
        owner = create_facilitator("bench@example.org", "bench password long enough")
        workshop = Workshop(title="Bench", join_code="BENCH001", owner_id=owner.id, status="running")
        workshop.phases = [Phase(position=0, title="Write", duration_seconds=3600, editors_open=True)]
        workshop.groups = [Group(position=i, name=f"Group {i + 1}") for i in range(groups)]
        db.session.add(workshop)
        db.session.flush()
        db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=owner.id))
        plan = []
        for index, group in enumerate(workshop.groups):
            story = Story(workshop_id=workshop.id, group_id=group.id)
            db.session.add(story)
            tokens = []
            for n in range(min(group_size, writers - index * group_size)):
                token, token_hash = new_token()
                db.session.add(
                    Participant(
                        workshop_id=workshop.id,
                        group_id=group.id,
                        display_name=f"Writer {index}.{n}",
                        token_hash=token_hash,
                        color="#9a3412",
                    )
                )
                tokens.append(token)
            db.session.flush()
            plan.append({"story_id": story.id, "tokens": tokens})
        db.session.commit()
        db.engine.dispose()
    return plan


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(database_url: str, port: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "PLUME_THREADS": str(threads),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", ""),
    }
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "app:create_app()"]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    stop_server(process)
    raise RuntimeError("server did not start in 30 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def server_pids(master: int) -> list[int]:
    """The gunicorn master and its workers."""
    children = Path(f"/proc/{master}/task/{master}/children")
    found = [master]
    if children.exists():
        found += [int(pid) for pid in children.read_text().split()]
    return found


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of the man page)
    return total / CLK_TCK


def memory_mb(pids: list[int], key: str = "VmRSS") -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


# --- the writers (in client processes) ---------------------------------------------------------------------


@dataclass
class Figures:
    """What one client process measured (seconds)."""

    delivery: list[float] = field(default_factory=list)
    ack: list[float] = field(default_factory=list)
    sent: int = 0
    acked: int = 0
    acked_while_typing: int = 0  # the throughput figure: acks within the typing window
    refused: int = 0
    disconnected: int = 0  # writers whose connection the server dropped (overload: missed pings)
    diverged: int = 0
    groups: int = 0

    def acked_after(self, sent_at: float) -> Any:
        """The ack callback of an update sent at `sent_at`."""

        def acked(answer: dict) -> None:
            self.ack.append(time.monotonic() - sent_at)
            if answer.get("ok"):
                self.acked += 1
            else:
                self.refused += 1

        return acked


def inline_client() -> Any:
    """A python-socketio client that handles each message in its reading thread, in order.

    By default the client starts a thread per message received; with 50 writers a process that is
    thousands of threads a second, and the bench would measure its own thread churn more than the server.
    """
    import engineio
    import socketio

    class InlineEngineIO(engineio.Client):
        def _trigger_event(self, event: str, *args: Any, **kwargs: Any) -> Any:
            kwargs["run_async"] = False
            return super()._trigger_event(event, *args, **kwargs)

    class InlineClient(socketio.Client):
        def _engineio_client_class(self) -> type:
            return InlineEngineIO

    return InlineClient(reconnection=False)


class Writer:
    """One person: a socket, a pycrdt document, and the times of the keystrokes in flight."""

    def __init__(self, url: str, token: str, story_id: int, group: Group, rng: random.Random) -> None:
        from stories import crdt

        self.crdt = crdt
        self.story_id, self.group, self.rng = story_id, group, rng
        self.doc = crdt.StoryDoc()
        self.lock = threading.Lock()
        self.outgoing: list[bytes] = []
        self.doc.doc.observe(lambda event: self.outgoing.append(event.update))
        self.synced = threading.Event()
        self.sio = inline_client()
        self.sio.on("yjs", self.on_yjs)
        self.sio.connect(url, auth={"token": token}, transports=["websocket"], wait_timeout=10)
        ack = self.sio.call("story:open", {"story_id": story_id}, timeout=30)
        if not ack.get("ok"):
            raise RuntimeError(f"open refused: {ack}")
        self.sio.emit("yjs", (story_id, crdt.sync_step1(self.doc.doc.get_state())))

    def on_yjs(self, story_id: int, message: bytes) -> None:
        now = time.monotonic()
        parsed = self.crdt.parse_message(message)
        if parsed.kind is self.crdt.Kind.SYNC_STEP1:
            return  # nothing typed before the open: no step 2 to send
        sent_at = self.group.sent_at.get(bytes(message))
        if sent_at is not None:
            self.group.figures.delivery.append(now - sent_at)
        with self.lock:
            self.doc.apply(parsed.payload)
            self.outgoing.clear()
        if parsed.kind is self.crdt.Kind.SYNC_STEP2:
            self.synced.set()

    def keystroke(self) -> bool:
        """Type one character and send the update; False once the connection is gone."""
        if not self.sio.connected:
            return False
        with self.lock:  # only ASCII is typed, so a character index is a byte index (pycrdt counts bytes)
            size = len(self.doc.body)
            cut = self.rng.randint(0, size)
            if cut and size > 20 and self.rng.random() < 0.1:
                del self.doc.body[cut - 1 : cut]  # a backspace
            else:
                self.doc.body.insert(cut, self.rng.choice("abcdefghijklmnopqrstuvwxyz  \n"))
            updates, self.outgoing = self.outgoing, []
        for update in updates:
            message = self.crdt.update_message(update)
            sent_at = time.monotonic()
            self.group.sent_at[message] = sent_at
            self.group.figures.sent += 1
            try:
                self.sio.emit(
                    "yjs", (self.story_id, message), callback=self.group.figures.acked_after(sent_at)
                )
            except Exception:  # dropped meanwhile
                return False
        return True

    def text(self) -> str:
        with self.lock:
            return str(self.doc.body)


@dataclass
class Group:
    figures: Figures
    sent_at: dict[bytes, float] = field(default_factory=dict)


def run_clients(
    url: str, plan: list[dict[str, Any]], rate: float, duration: float, seed: int, out: Any, go: Any
) -> None:
    """A client process: connect its groups' writers, wait for `go`, type for `duration`, report."""
    sys.path.insert(0, str(ROOT))
    rng = random.Random(seed)
    figures = Figures(groups=len(plan))
    writers: list[Writer] = []
    for entry in plan:
        group = Group(figures)
        writers += [Writer(url, token, entry["story_id"], group, rng) for token in entry["tokens"]]
    for writer in writers:
        writer.synced.wait(30)
    out.put(("ready", None))
    go.wait()
    start = time.monotonic()
    interval = 1 / rate
    # Each writer gets its own phase in the tick so keystrokes are spread evenly.
    schedule = sorted((start + rng.random() * interval, i) for i in range(len(writers)))
    while schedule:
        at, i = schedule.pop(0)
        delay = at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if not writers[i].keystroke():
            figures.disconnected += 1
            continue
        if at + interval < start + duration:
            schedule.append((at + interval, i))
            schedule.sort()
    figures.acked_while_typing = figures.acked
    settle(figures)
    for group_writers in _chunks(writers, [len(entry["tokens"]) for entry in plan]):
        if len({w.text() for w in group_writers if w.sio.connected}) > 1:
            figures.diverged += 1
    for writer in writers:
        if writer.sio.connected:
            writer.sio.disconnect()
    out.put(("figures", figures.__dict__))


def settle(figures: Figures, limit: float = 60.0) -> None:
    """Wait for every ack (an overloaded server drains its backlog), then a moment for the last relays."""
    deadline = time.monotonic() + limit
    while figures.acked + figures.refused < figures.sent and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)


def _chunks(items: list[Writer], sizes: list[int]) -> list[list[Writer]]:
    chunks, at = [], 0
    for size in sizes:
        chunks.append(items[at : at + size])
        at += size
    return chunks


# --- main --------------------------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q / 100 * len(ordered)) - 1))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--writers", type=int, default=50, help="simulated writers (default 50)")
    parser.add_argument("--duration", type=float, default=20, help="seconds of typing (default 20)")
    parser.add_argument("--rate", type=float, default=5, help="keystrokes a second per writer (default 5)")
    parser.add_argument(
        "--processes", type=int, default=0, help="client processes (default 1 per 50 writers)"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    processes = args.processes or max(1, math.ceil(args.writers / 50))

    with tempfile.TemporaryDirectory(prefix="plume-bench-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        plan = seed(database_url, args.writers, GROUP_SIZE)
        port = free_port()
        log = Path(tmp) / "server.log"
        server = start_server(database_url, port, threads=max(200, args.writers + 50), log=log)
        url = f"http://127.0.0.1:{port}"
        context = multiprocessing.get_context("spawn")
        out, go = context.Queue(), context.Event()
        shares = [plan[i::processes] for i in range(processes)]
        children = [
            context.Process(
                target=run_clients,
                args=(url, share, args.rate, args.duration, args.seed + i, out, go),
                daemon=True,
            )
            for i, share in enumerate(shares)
            if share
        ]
        try:
            for child in children:
                child.start()
            for _ in children:
                kind, _value = out.get(timeout=120)
                assert kind == "ready"
            pids = server_pids(server.pid)
            cpu_before = cpu_seconds(pids)
            go.set()
            time.sleep(args.duration)
            cpu_used = cpu_seconds(pids) - cpu_before
            rss, peak = memory_mb(pids), memory_mb(pids, "VmHWM")
            results = [out.get(timeout=120)[1] for _ in children]
            for child in children:
                child.join(timeout=10)
        finally:
            for child in children:
                if child.is_alive():
                    child.kill()
            stop_server(server)
            server_log = log.read_text(errors="replace").splitlines()

    delivery = [v for r in results for v in r["delivery"]]
    acks = [v for r in results for v in r["ack"]]
    sent, acked = sum(r["sent"] for r in results), sum(r["acked"] for r in results)
    report = {
        "writers": args.writers,
        "groups": len(plan),
        "rate_per_writer": args.rate,
        "duration_s": args.duration,
        "client_processes": len(children),
        "updates_sent": sent,
        "updates_acked": acked,
        "refused": sum(r["refused"] for r in results),
        "writers_disconnected": sum(r["disconnected"] for r in results),
        "updates_per_s": round(sum(r["acked_while_typing"] for r in results) / args.duration, 1),
        "delivery_ms_p50": round(percentile(delivery, 50) * 1000, 1),
        "delivery_ms_p99": round(percentile(delivery, 99) * 1000, 1),
        "ack_ms_p50": round(percentile(acks, 50) * 1000, 1),
        "ack_ms_p99": round(percentile(acks, 99) * 1000, 1),
        "deliveries": len(delivery),
        "server_cpu_percent": round(100 * cpu_used / args.duration, 1),
        "server_rss_mb": round(rss, 1),
        "server_peak_rss_mb": round(peak, 1),
        "groups_diverged": sum(r["diverged"] for r in results),
    }
    width = max(map(len, report))
    for key, value in report.items():
        print(f"{key:<{width}}  {value}")
    print(json.dumps(report))
    healthy = not (report["groups_diverged"] or report["refused"] or report["writers_disconnected"])
    if not healthy:
        print("unhealthy run; the server log ends with:", *server_log[-40:], sep="\n", file=sys.stderr)
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main())
