"""`make bench`: Plume beside Hocuspocus on the same load, from the same load generator, then idle sockets.

For each W, in turn: Plume as `make run` serves it (gunicorn, gunicorn.conf.py) on a fresh SQLite database,
then Hocuspocus in memory; both driven by `bench/loadgen.mjs` (W writers in groups of 5, 5 keystrokes/s,
awareness as a browser sends it). Then 1,000 idle websockets held against Plume while its pages are timed.
`--workers 2`: the same load behind nginx on PostgreSQL and Redis, one worker against two (bench/cluster.py).

    make bench
    make bench BENCH_ARGS="--writers 200 --duration 20"
    make bench BENCH_ARGS="--workers 2"
"""

from __future__ import annotations

import argparse
import itertools
import json
import tempfile
from pathlib import Path
from typing import Any

from bench import idle, report, seed, servers
from bench import loadgen as lg

RUNS = itertools.count(1)
WRITERS = "50,200,400"
CLUSTER_WRITERS = "100,150,200,250,300,350,400"  # steps of 50: capacity is the largest W that passes


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench", description=(__doc__ or "").split("\n\n")[0])
    add = parser.add_argument
    add("--writers", default=None, help=f"W, or a list: {WRITERS} (default; --workers 2: {CLUSTER_WRITERS})")
    add("--targets", default="plume,hocuspocus", help="servers to measure (default plume,hocuspocus)")
    add("--duration", type=float, default=10, help="measured seconds per run (default 10)")
    add("--warmup", type=float, default=3, help="seconds of typing before measuring (default 3)")
    add("--rate", type=float, default=5, help="keystrokes a second per writer (default 5)")
    add("--no-awareness", action="store_true", help="send no awareness (cursor) updates")
    add("--no-deflate", action="store_true", help="clients do not offer permessage-deflate (browsers do)")
    add("--idle", type=int, default=1000, help="idle websockets to hold while timing pages (0: skip)")
    add("--hold", type=float, default=20, help="seconds to hold them (default 20)")
    add("--workers", type=int, default=1, help="2 or more: behind nginx, on PostgreSQL and Redis")
    add("--worker-cores", type=float, default=None, help="cap each worker at this many cores (cgroups, root)")
    add("--loadgen-threads", type=int, default=None, help="load generator threads (default: W/100, 1 to 4)")
    add("--seed", type=int, default=1)
    add("--json", type=Path, default=None, help="also write every result to this file")
    args = parser.parse_args(argv)
    default = CLUSTER_WRITERS if args.workers > 1 else WRITERS
    args.writer_counts = [int(w) for w in (args.writers or default).split(",")]
    args.target_list = [t.strip() for t in args.targets.split(",") if t.strip()]
    return args


def load_options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "rate": args.rate,
        "warmup": args.warmup,
        "duration": args.duration,
        "threads": args.loadgen_threads,
        "seed": args.seed,
        "awareness": not args.no_awareness,
        "deflate": not args.no_deflate,
    }


def fresh_plume(tmp: Path, writers: int) -> tuple[servers.Server, Path]:
    """A new SQLite database with a workshop for `writers`, and Plume serving it."""
    run = next(RUNS)
    database_url = f"sqlite:///{tmp / f'bench-{run}.db'}"
    plan = seed.in_subprocess(database_url, writers, tmp / f"plan-{run}.json")
    return servers.start_plume(database_url, tmp), plan


def run_one(target: str, writers: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    if target == "plume":
        server, plan = fresh_plume(tmp, writers)
    else:
        server, plan = servers.start_hocuspocus(tmp), None
    try:
        return lg.measure(server, writers, load_options(args), plan)
    finally:
        server.stop()


def single(args: argparse.Namespace, tmp: Path) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    results: list[dict[str, Any]] = []
    print(report.table([]), flush=True)
    for writers in args.writer_counts:
        for target in args.target_list:
            try:
                result = run_one(target, writers, args, tmp)
            except RuntimeError as failure:
                print(f"{writers:<5}  {target}: failed: {failure}", flush=True)
                continue
            results.append(result)
            print(report.table([result]).splitlines()[1], flush=True)
    idle_result = None
    if args.idle and "plume" in args.target_list:
        server, plan = fresh_plume(tmp, max(50, args.idle // 2))  # a participant for each of its sockets
        try:
            idle_result = idle.measure(server, plan, args.idle, args.hold)
        finally:
            server.stop()
    return results, idle_result


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    with tempfile.TemporaryDirectory(prefix="plume-bench-") as name:
        tmp = Path(name)
        if args.workers > 1:
            from bench import cluster

            return cluster.main(args, tmp)
        results, idle_result = single(args, tmp)
    print()
    print(report.LEGEND)
    if report.ratios(results):
        print()
        print(report.ratio_lines(report.ratios(results)))
    if idle_result:
        print()
        print(report.idle_lines(idle_result))
    checks = report.targets(results, idle_result)
    if checks:
        print("\nTargets (for the server):")
        print(report.target_lines(checks))
    if args.json:
        args.json.write_text(json.dumps({"runs": results, "idle": idle_result}, indent=1))
    print(json.dumps({"runs": results, "ratios": report.ratios(results), "idle": idle_result}))
    return 0
