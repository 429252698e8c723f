"""`make bench BENCH_ARGS="--workers 2"`: scale out for real, on PostgreSQL and Redis behind nginx.

The same load as `make bench`, at each W against one Plume server and then against N (`--workers`), each a
gunicorn of its own on its own port (as docs/deploy.md says to run them), behind nginx configured from the
deploy notes. Capacity is the most writers served at relay p99 ≤ 50 ms with nothing lost; the issue asks for
at least 1.6× the writers of one worker. Then a facilitator's broadcast sent on one worker is timed to
participants on another. Each run gets a throw-away PostgreSQL database `plume_bench_<pid>` (dropped after);
Redis is db 9 unless BENCH_REDIS_URL says otherwise. Every run also says where the machine's CPU went
(servers, load generator, nginx, PostgreSQL, and the whole machine's busy time): on a machine that runs
the clients too, what a second worker can add is bounded by what the other parts leave it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import redis

from bench import cpucap, facilitator, nginx, procs, report, seed, servers
from bench import loadgen as lg
from bench.driver import CLUSTER_WRITERS, load_options

POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
RELAY_P99_MS = 50


@contextlib.contextmanager
def throwaway_database() -> Iterator[str]:
    """A new PostgreSQL database for one run, dropped afterwards (never any other database)."""
    name = f"plume_bench_{os.getpid()}"
    with psycopg.connect(POSTGRES + "postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES.replace("postgresql://", "postgresql+psycopg://", 1) + name
    finally:
        with psycopg.connect(POSTGRES + "postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_workers(count: int, database_url: str, tmp: Path) -> list[servers.Server]:
    env = {"REDIS_URL": REDIS, "PLUME_WORKERS": "1"}
    started: list[servers.Server] = []
    try:
        for _ in range(count):
            started.append(servers.start_plume(database_url, tmp, env))
    except Exception:
        for server in started:
            server.stop()
        raise
    return started


def capped(backend: servers.Server, cores: float) -> cpucap.CpuCap:
    """Put a started server (its gunicorn and worker) under a CPU cap of its own."""
    cap = cpucap.CpuCap(f"plume-bench-{backend.ports[0]}", cores)
    cap.add(backend.pids())
    return cap


def run_one(
    workers: int, writers: int, args: argparse.Namespace, tmp: Path, check_facilitator: bool
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """W writers through nginx to `workers` servers; and, if asked, the cross-worker broadcast."""
    with throwaway_database() as database_url:
        plan_file = seed.in_subprocess(database_url, writers, tmp / f"plan-{workers}-{writers}.json")
        backends = start_workers(workers, database_url, tmp)
        caps: list[cpucap.CpuCap] = []
        proxy = None
        try:
            if args.worker_cores:
                caps = [capped(backend, args.worker_cores) for backend in backends]
            proxy, proxy_url = nginx.start([b.ports[0] for b in backends], tmp)
            whole = servers.Server("plume", proxy_url, [p for b in backends for p in b.processes])
            ports = [b.ports[0] for b in backends]
            result = lg.measure(
                whole,
                writers,
                load_options(args),
                plan_file,
                extra_pids=lambda: procs.tree(proxy.pid),
                probe=lambda: {"sockets_per_worker": [procs.established(port) for port in ports]},
            )
            result["label"] = f"plume ×{workers}"
            result["server_workers"] = workers
            if caps:
                result["worker_cores"] = args.worker_cores
                result["throttled_s"] = round(sum(cap.throttled_seconds() for cap in caps), 1)
            across = None
            if check_facilitator:
                plan = json.loads(plan_file.read_text())
                across = facilitator.measure(backends[0].url, backends[1].url, plan)
                across |= facilitator.polling_sticks(proxy_url, plan)
            return result, across
        finally:
            if proxy is not None:
                procs.stop(proxy)
            for backend in backends:
                backend.stop()
            for cap in caps:
                cap.remove()


def capacity(results: list[dict[str, Any]], workers: int) -> int:
    """The most writers served at relay p99 ≤ 50 ms with nothing lost."""
    served = [
        r["writers"]
        for r in results
        if r["server_workers"] == workers
        and r["relay_ms"]["p99"] is not None
        and r["relay_ms"]["p99"] <= RELAY_P99_MS
        and r["lost"] == 0
        and r["acked"] == r["sent"]
        and r["server_matches"] == r["groups"]
    ]
    return max(served, default=0)


def cpu_split(results: list[dict[str, Any]]) -> str:
    """Where the machine's CPU went in each run: servers, load generator, nginx, PostgreSQL, all of it."""
    cores = os.cpu_count() or 1
    lines = [
        f"CPU by part (% of one core; the machine has {cores} cores, {100 * cores} %):",
        "  ".join(name.ljust(width) for name, width in CPU_COLUMNS),
    ]
    for r in results:
        cells = [str(r["writers"]), r["label"], *(str(r.get(key, "–")) for key in CPU_PARTS)]
        lines.append("  ".join(c.ljust(width) for c, (_, width) in zip(cells, CPU_COLUMNS, strict=True)))
    return "\n".join(lines)


CPU_COLUMNS = (
    ("W", 5),
    ("server", 12),
    ("Plume", 6),
    ("load generator", 14),
    ("nginx", 6),
    ("PostgreSQL", 10),
    ("machine", 7),
)
CPU_PARTS = (
    "server_cpu_percent",
    "loadgen_cpu_percent",
    "proxy_cpu_percent",
    "database_cpu_percent",
    "machine_busy_percent",
)


def main(args: argparse.Namespace, tmp: Path) -> int:
    nginx.ensure_installed()
    redis.Redis.from_url(REDIS).ping()
    results: list[dict[str, Any]] = []
    across: dict[str, Any] | None = None
    print(report.table([]), flush=True)
    for workers in (1, args.workers):
        for writers in args.writer_counts:
            try:
                result, checked = run_one(workers, writers, args, tmp, workers > 1 and across is None)
            except (RuntimeError, OSError) as failure:
                print(f"{writers:<5}  plume ×{workers}: failed: {failure}", flush=True)
                continue
            across = across or checked
            results.append(result)
            print(
                report.table([result]).splitlines()[1],
                f"sockets per worker {result.get('sockets_per_worker')}",
            )
    one, many = capacity(results, 1), capacity(results, args.workers)
    print()
    print(cpu_split(results))
    print()
    print(report.LEGEND, "CPU is the Plume servers'; the split above gives the other parts' too.")
    cap = f", each worker capped at {args.worker_cores} cores" if args.worker_cores else ""
    print(f"\nCapacity at relay p99 ≤ {RELAY_P99_MS} ms, nothing lost{cap}: 1 worker {one} writers,")
    print(f"{args.workers} workers {many} writers (of W = {args.writers or CLUSTER_WRITERS}).")
    grown = round(many / one, 2) if one else None
    if grown is None:
        mark = "MISS" if not many else "n/a"
        print(f"  [{mark}] {args.workers} workers ≥ 1.6× one: one worker served none of these W; try smaller")
    else:
        print(f"  [{'ok' if grown >= 1.6 else 'MISS'}] {args.workers} workers ≥ 1.6× one: ×{grown}")
    if across:
        print(
            f"  [{'ok' if across['all_reached'] else 'MISS'}] a facilitator's broadcast on worker 1 reached"
            f" participants on worker 2: {across['reached']}, median {across['latency_ms_median']} ms,"
            f" max {across['latency_ms_max']} ms"
        )
        print(
            f"  [{'ok' if across['polling_sticky'] else 'MISS'}] long-polling sessions through nginx stay on"
            f" their worker: story:open answered {across['polling_opens']}"
        )
    summary = {"runs": results, "capacity": {"1": one, str(args.workers): many}, "facilitator": across}
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary))
    return 0
