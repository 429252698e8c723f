"""The servers under test: Plume as `make run` serves it (gunicorn, gunicorn.conf.py), Hocuspocus, in memory
or with its SQLite persistence (`bench/rivals/`, an npm package of its own), and the floor: Plume's stack
relaying from memory (`bench/floor.py`)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

from bench import procs, report

ROOT = Path(__file__).resolve().parent.parent
RIVALS = ROOT / "bench" / "rivals"
HOCUSPOCUS_SQLITE = "hocuspocus+sqlite"
METRICS_OFF = report.METRICS_OFF
PLUME_BOARD = report.PLUME_BOARD
FLOOR = report.FLOOR


@dataclass
class Server:
    """A started server: where to reach it and the processes it runs as."""

    name: str  # the load generator's target: plume or hocuspocus
    url: str
    processes: list[Popen] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    label: str = ""  # what the figures call it (default: its name)
    log: Path | None = None  # where its output goes

    def __post_init__(self) -> None:
        self.label = self.label or self.name

    def pids(self) -> list[int]:
        return [pid for process in self.processes for pid in procs.tree(process.pid)]

    def stop(self) -> None:
        for process in self.processes:
            procs.stop(process)


def start_plume(database_url: str, log_dir: Path, env: dict[str, str] | None = None, port: int = 0) -> Server:
    """One gunicorn with the app's own settings (its workers from PLUME_WORKERS).

    Every simulated client connects from 127.0.0.1: the cap on sockets per address is lifted for the bench.
    """
    port = port or procs.free_port()
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py"]
    command += ["--bind", f"127.0.0.1:{port}", "app:create_app()"]
    log = log_dir / f"plume-{port}.log"
    environment = {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "bench",
        "PLUME_SOCKETS_PER_ADDRESS": "100000",
        "PLUME_LOG_LEVELS": "plume.compaction=INFO",  # the compaction lines bench/serverlog.py counts
        **(env or {}),
    }
    process = procs.spawn(command, log, environment, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    procs.wait_until(procs.answers(url + "/healthz"), process, log)
    return Server("plume", url, [process], [port], log=log)


def rivals_installed() -> bool:
    """Whether `bench/rivals/` has its node_modules (`make bench` and `make test` install them)."""
    return (RIVALS / "node_modules" / "@hocuspocus" / "server").is_dir()


def start_hocuspocus(log_dir: Path, sqlite: bool = False) -> Server:
    """`bench/rivals/hocuspocus.mjs` on a free loopback port: in memory, or storing in a fresh SQLite file."""
    if not rivals_installed():
        raise RuntimeError("bench/rivals is not installed: npm ci --prefix bench/rivals")
    port = procs.free_port()
    log = log_dir / f"hocuspocus-{port}.log"
    command = ["node", str(RIVALS / "hocuspocus.mjs"), "--port", str(port)]
    if sqlite:
        command += ["--sqlite", str(log_dir / f"hocuspocus-{port}.db")]
    process = procs.spawn(command, log, cwd=RIVALS)
    procs.wait_until(procs.listens(port), process, log)
    label = HOCUSPOCUS_SQLITE if sqlite else "hocuspocus"
    return Server("hocuspocus", f"ws://127.0.0.1:{port}", [process], [port], label=label, log=log)


def start_floor(log_dir: Path, writers: int, group_size: int) -> tuple[Server, Path]:
    """`bench/floor.py` in one gunicorn worker as Plume's (its worker class and connections), and the plan the
    load generator drives it with: its groups' stories, tokens it does not check."""
    port = procs.free_port()
    log = log_dir / f"floor-{port}.log"
    # Not gunicorn.conf.py, which starts Plume's runtime: bench/floor.py sets the garbage collector itself.
    command = [sys.executable, "-m", "gunicorn", "--config", "/dev/null"]
    command += ["--worker-class", "websocket_worker.Worker", "--workers", "1", "--worker-connections", "2000"]
    command += ["--bind", f"127.0.0.1:{port}"]
    process = procs.spawn([*command, "bench.floor:app"], log, {}, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    procs.wait_until(procs.listens(port), process, log)
    plan = log_dir / f"floor-plan-{port}.json"
    groups = [
        {
            "story_id": g + 1,
            "tokens": [f"floor-{g}-{m}" for m in range(min(group_size, writers - g * group_size))],
        }
        for g in range(-(-writers // group_size))
    ]
    plan.write_text(json.dumps({"groups": groups}))
    # Spoken to as Plume (the load generator's target); no log to read: it logs no compaction nor stall.
    return Server("plume", url, [process], [port], label=FLOOR), plan
