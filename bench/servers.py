"""The servers under test: Plume as `make run` serves it (gunicorn, gunicorn.conf.py), and Hocuspocus."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import Popen

from bench import procs

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    """A started server: where to reach it and the processes it runs as."""

    name: str
    url: str
    processes: list[Popen] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)

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
        **(env or {}),
    }
    process = procs.spawn(command, log, environment, cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    procs.wait_until(procs.answers(url + "/healthz"), process, log)
    return Server("plume", url, [process], [port])


def start_hocuspocus(log_dir: Path) -> Server:
    """`bench/hocuspocus.mjs`: @hocuspocus/server in memory, on a free loopback port."""
    port = procs.free_port()
    log = log_dir / f"hocuspocus-{port}.log"
    process = procs.spawn(
        ["node", str(ROOT / "bench" / "hocuspocus.mjs"), "--port", str(port)], log, cwd=ROOT
    )
    procs.wait_until(procs.listens(port), process, log)
    return Server("hocuspocus", f"ws://127.0.0.1:{port}", [process], [port])
