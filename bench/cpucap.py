"""Give a server a CPU budget of its own, as a host with that many cores would (Linux cgroups, as root).

On a machine whose cores are shared by the servers, the load generator, nginx and the database, a second
worker can only have what the others leave it: it measures the machine, not whether Plume scales out.
`make bench BENCH_ARGS="--workers 2 --worker-cores 0.5"` caps every worker at half a core (a CFS quota),
one worker and two alike, so that each is the bottleneck it would be on a host of its own.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

ROOT = Path("/sys/fs/cgroup")
PERIOD_US = 100_000


def _v1() -> Path | None:
    path = ROOT / "cpu"
    return path if (path / "cpu.cfs_quota_us").exists() else None


def _v2() -> Path | None:
    controllers = ROOT / "cgroup.controllers"
    if controllers.exists() and "cpu" in controllers.read_text().split():
        return ROOT
    return None


def controller() -> Path | None:
    """Where the cgroup `cpu` controller is mounted (v1 or v2), or None."""
    return _v1() or _v2()


class CpuCap:
    """A cgroup named `name` whose processes together get at most `cores` cores."""

    def __init__(self, name: str, cores: float) -> None:
        if cores <= 0:
            raise ValueError("a CPU cap is a positive number of cores")
        if os.geteuid() != 0:
            raise SystemExit("--worker-cores needs root (it writes a cgroup's CPU quota)")
        parent = controller()
        if parent is None:
            raise SystemExit("--worker-cores needs the cgroup `cpu` controller (v1 or v2), not found here")
        self.path = parent / name
        self.path.mkdir(exist_ok=True)
        quota = max(1000, round(cores * PERIOD_US))
        if parent is ROOT:  # v2
            (self.path / "cpu.max").write_text(f"{quota} {PERIOD_US}")
        else:
            (self.path / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (self.path / "cpu.cfs_quota_us").write_text(str(quota))
        self.cores = cores

    def add(self, pids: list[int]) -> None:
        """Move the processes into the cap (their children, forked later, stay in it)."""
        for pid in pids:
            try:
                (self.path / "cgroup.procs").write_text(str(pid))
            except ProcessLookupError:
                continue

    def throttled_seconds(self) -> float:
        """How long the cap held its processes back so far (cpu.stat)."""
        stat = dict(line.split() for line in (self.path / "cpu.stat").read_text().splitlines())
        if "throttled_usec" in stat:
            return int(stat["throttled_usec"]) / 1e6
        return int(stat.get("throttled_time", 0)) / 1e9

    def remove(self) -> None:
        """Move what is left back to the root group and delete the cap."""
        procs = self.path / "cgroup.procs"
        if not procs.exists():
            return
        for pid in procs.read_text().split():
            try:
                (self.path.parent / "cgroup.procs").write_text(pid)
            except (ProcessLookupError, OSError):
                continue
        with contextlib.suppress(OSError):  # a process that is not gone yet: the cap stays, empty
            self.path.rmdir()
