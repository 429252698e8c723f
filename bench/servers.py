"""The servers under test: Plume as `make run` serves it (gunicorn, gunicorn.conf.py), and Hocuspocus, in
memory or with its SQLite persistence (`bench/rivals/`, an npm package of its own)."""

from __future__ import annotations

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
