"""The bench's instrument itself: its load generator, briefly, against a real server (not a timing test)."""

from __future__ import annotations

import re
import shutil
import zlib
from pathlib import Path

import pytest

from bench import loadgen, procs, seed
from tests.server import ServerProcess

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("node") is None, reason="the load generator runs on Node"),
]


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[str, Path]:
    """A throw-away SQLite database with a workshop for 5 writers, and its plan (tokens per group)."""
    database_url = f"sqlite:///{tmp_path / 'bench.db'}"
    return database_url, seed.in_subprocess(database_url, 5, tmp_path / "plan.json")


def test_load_generator_reports_deliveries_acks_and_convergence(seeded: tuple[str, Path]) -> None:
    database_url, plan = seeded
    server = ServerProcess(database_url, env={"REDIS_URL": ""}).start()
    try:
        arguments = ["--target", "plume", "--url", server.url, "--plan", str(plan), "--writers", "5"]
        result = loadgen.run([*arguments, "--warmup", "0.5", "--duration", "1.5"], timeout=60)
    finally:
        server.stop()
    assert result["connected"] == 5
    assert result["sent"] > 20
    assert result["acked"] == result["sent"]
    assert result["delivered"] == 4 * result["sent"]
    assert result["lost"] == 0
    assert result["relay_ms"]["p50"] > 0
    assert result["ack_ms"]["p99"] > 0
    assert result["awareness_received"] > 0
    assert result["converged_groups"] == result["server_matches"] == 1


def _nginx_plain_hash_peer(key: str, peers: int) -> int:
    """The peer nginx's `hash $key;` (not `consistent`) picks first (ngx_http_upstream_hash_module.c)."""
    return ((zlib.crc32(key.encode()) >> 16) & 0x7FFF) % peers


def test_the_documented_upstream_splits_a_workshops_groups_evenly_between_two_workers() -> None:
    from bench import nginx

    hashes = re.findall(r"^\s*hash\s+([^;]*);", nginx.documented_site(), re.MULTILINE)
    assert hashes == ["$plume_affinity"]  # the plain hash: `consistent` gave 14 and 6 of 20 groups
    for first in (1, 37, 500):
        picks = [_nginx_plain_hash_peer(f"group-{first + n}", 2) for n in range(20)]
        assert abs(picks.count(0) - picks.count(1)) <= 4


def test_the_sampler_splits_the_machines_cpu_by_part() -> None:
    """The figures `make bench --workers 2` prints as "CPU by part", from a sampler over a busy window."""
    import os
    import time

    from bench import cluster
    from bench.servers import Server

    me = Path("/proc/self/comm").read_text().strip()
    assert os.getpid() in procs.named(me)
    sampler = loadgen.Sampler(Server("plume", "http://127.0.0.1:1", []), extra_pids=lambda: [os.getpid()])
    sampler({"phase": "measure-start"})
    ends = time.process_time() + 0.3
    while time.process_time() < ends:  # busy: the "proxy" (this process) and the machine have worked
        pass
    sampler({"phase": "measure-end"})
    figures = sampler.figures
    assert figures["server_cpu_percent"] == 0
    assert figures["proxy_cpu_percent"] > 30
    assert figures["machine_busy_percent"] >= figures["proxy_cpu_percent"] - 10
    assert figures["database_cpu_percent"] >= 0
    run = {"writers": 40, "label": "plume ×2", **figures, "loadgen_cpu_percent": 12}
    table = cluster.cpu_split([run])
    assert table.splitlines()[2].split()[:3] == ["40", "plume", "×2"]
    assert str(figures["machine_busy_percent"]) in table


def test_a_cpu_cap_holds_a_busy_process_to_its_share() -> None:
    """`--worker-cores`: the cgroup quota the bench gives each worker does bound its CPU (root only)."""
    import os
    import subprocess
    import sys
    import time

    from bench import cpucap

    if os.geteuid() != 0 or cpucap.controller() is None:
        pytest.skip("CPU caps need root and the cgroup cpu controller")
    cap = cpucap.CpuCap(f"plume-test-{os.getpid()}", 0.2)
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        cap.add([busy.pid])
        before, started = procs.cpu_seconds([busy.pid]), time.monotonic()
        time.sleep(1.5)
        share = (procs.cpu_seconds([busy.pid]) - before) / (time.monotonic() - started)
        assert share < 0.3  # uncapped, it would take a whole core
        assert cap.throttled_seconds() > 0
    finally:
        busy.kill()
        busy.wait()
        cap.remove()
    assert not cap.path.exists()
