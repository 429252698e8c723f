"""Run `bench/loadgen.mjs` and sample a server's CPU over exactly its measured window."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import procs, serverlog
from bench.servers import Server

ROOT = Path(__file__).resolve().parent.parent
LOADGEN = ROOT / "bench" / "loadgen.mjs"


def run(
    arguments: list[str], on_phase: Callable[[dict[str, Any]], None] | None = None, timeout: float = 600
) -> dict[str, Any]:
    """The load generator's JSON result; `on_phase` sees each progress line of its stderr as it comes."""
    process = subprocess.Popen(
        ["node", str(LOADGEN), *arguments],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    errors: list[str] = []

    def read_stderr() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            try:
                message = json.loads(line)
            except ValueError:
                errors.append(line)
                continue
            if on_phase and isinstance(message, dict) and "phase" in message:
                on_phase(message)

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    try:
        assert process.stdout is not None
        out = process.stdout.read()  # not communicate(): the reader thread owns stderr
        process.wait()
    finally:
        killer.cancel()
    reader.join(timeout=5)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"load generator failed ({process.returncode}): {''.join(errors)[-3000:]}")
    return json.loads(lines[-1])


class Sampler:
    """CPU and memory of a server between the load generator's measure-start and measure-end."""

    def __init__(
        self,
        server: Server,
        extra_pids: Callable[[], list[int]] | None = None,
        probe: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self.server = server
        self.extra_pids = extra_pids or (lambda: [])
        self.probe = probe  # more figures, taken when the measured window starts
        self.started: tuple[float, tuple[float, float, float], tuple[int, int]] | None = None
        self.figures: dict[str, Any] = {}
        self.log = serverlog.Window(server.log) if server.log else None
        self.arrivals = serverlog.Window(server.log) if server.log else None  # until the window: connecting
        if self.arrivals:
            self.arrivals.start()

    def _cpu(self) -> tuple[float, float, float]:
        """CPU seconds so far of the server, of the extra processes (nginx) and of PostgreSQL."""
        return (
            procs.cpu_seconds(self.server.pids()),
            procs.cpu_seconds(self.extra_pids()),
            procs.cpu_seconds(procs.named("postgres")),
        )

    def __call__(self, message: dict[str, Any]) -> None:
        if message["phase"] == "measure-start":
            self.started = (time.monotonic(), self._cpu(), procs.machine_jiffies())
            if self.log and self.arrivals:  # both or neither: the server's log
                self.arrivals.end()
                self.log.start()
            if self.probe:
                self.figures.update(self.probe())
        elif message["phase"] == "measure-end" and self.started:
            at, before, (all_before, idle_before) = self.started
            if self.log:
                self.log.end()
            elapsed = time.monotonic() - at
            server, extra, database = (now - then for now, then in zip(self._cpu(), before, strict=True))
            all_now, idle_now = procs.machine_jiffies()
            busy = 1 - (idle_now - idle_before) / max(1, all_now - all_before)
            pids = self.server.pids()
            self.figures |= {
                "server_cpu_s": server,
                "server_cpu_percent": round(100 * server / elapsed, 1),
                "proxy_cpu_percent": round(100 * extra / elapsed, 1),
                "database_cpu_percent": round(100 * database / elapsed, 1),
                "machine_busy_percent": round(100 * (os.cpu_count() or 1) * busy, 1),
                "server_rss_mb": round(procs.status_mb(pids), 1),
                "server_threads": procs.threads(pids),
                "load_average": round(os.getloadavg()[0], 2),  # the machine's, over the last minute
            }


def measure(
    server: Server,
    writers: int,
    options: dict[str, Any],
    plan: Path | None = None,
    url: str | None = None,
    extra_pids: Callable[[], list[int]] | None = None,
    probe: Callable[[], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """One load: W writers against `server` (or `url`, e.g. a proxy before it); result and CPU figures."""
    arguments = ["--target", server.name, "--url", url or server.url, "--writers", str(writers)]
    if plan is not None:
        arguments += ["--plan", str(plan)]
    for key in ("rate", "warmup", "duration", "threads", "seed"):
        if options.get(key) is not None:
            arguments += [f"--{key}", str(options[key])]
    if not options.get("awareness", True):
        arguments.append("--no-awareness")
    if not options.get("deflate", True):
        arguments.append("--no-deflate")
    if options.get("board_moves"):
        arguments += ["--board-moves", str(options["board_moves"])]
    sampler = Sampler(server, extra_pids, probe)
    result = run(arguments, sampler)
    result.update(sampler.figures)
    result["label"] = result.get("label") or server.label
    if server.name == "plume" and sampler.log and sampler.started:
        result["window_log"] = serverlog.parse(sampler.log.text(), serverlog.kinds_logged())
        if sampler.arrivals:
            result["arrival_log"] = serverlog.parse(sampler.arrivals.text(), serverlog.kinds_logged())
    acked = (result.get("acked") or 0) + ((result.get("board") or {}).get("acked") or 0)  # the moves too
    if "server_cpu_s" in result and acked:
        result["server_cpu_ms_per_update"] = round(1000 * result["server_cpu_s"] / acked, 3)
    return result
