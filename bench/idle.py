"""Protection: hold N idle websockets against Plume and time its pages meanwhile (every one under 1 s)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import loadgen, pages, procs
from bench.servers import Server


def measure(server: Server, plan: Path, sockets: int, hold: float) -> dict[str, Any]:
    """Open `sockets` idle connections (half participants, half bare Engine.IO), then time the pages."""
    before = pages.time_pages(server.url, within=0, rounds=3)
    during: dict[str, Any] = {}
    held: dict[str, Any] = {}

    def on_phase(message: dict[str, Any]) -> None:
        if message["phase"] == "held":
            held.update(message, threads=procs.threads(server.pids()))
            during.update(pages.time_pages(server.url, within=max(1.0, hold - 5)))

    arguments = ["--url", server.url, "--plan", str(plan), "--idle", str(sockets), "--hold", str(hold)]
    result = loadgen.run(arguments, on_phase)
    result.update(pages_before=before, pages_while_held=during, server_threads_held=held.get("threads"))
    slowest = [v["max_ms"] for v in during.values()]
    result["every_page_under_1s"] = bool(slowest) and all(v is not None and v < 1000 for v in slowest)
    return result
