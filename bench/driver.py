"""`make bench`: a steady writing phase, Plume beside Hocuspocus (in memory and on SQLite), then idle sockets.

For each W, `--rounds` rounds of Plume, Hocuspocus, Hocuspocus + SQLite in turn (A B C A B C: a noisy machine
hits each alike), each driven by `bench/loadgen.mjs` (W writers in groups of 5, 5 keystrokes/s, awareness as
a browser sends it) for a 30 s window after a warm-up. Plume runs as `make run` serves it (gunicorn,
gunicorn.conf.py) on a fresh SQLite database whose stories have long logs just short of the compaction
threshold (bench/seed.py), so that each story compacts inside the window; the compactions, snapshot
extensions and event-loop stalls its log shows in the window are counted (bench/serverlog.py). The medians
of the rounds are then compared with the issue's targets. Then 1,000 idle websockets held against Plume while
its pages are timed. At W = 200, each round also runs Plume with its writers moving a card once a second
beside their typing (`plume+board`, right after `plume`: A B A B), and the story's relay p99 of both is
compared (issue 29: within 20 %). `--short`: one W (200), one round, 10 s, no idle sockets: a quick look.
`--workers 2`: the same load behind nginx on PostgreSQL and Redis, one worker against two (bench/cluster.py).

    make bench
    make bench BENCH_ARGS="--short"
    make bench BENCH_ARGS="--writers 200 --rounds 3"
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
SHORT_WRITERS = "200"
TARGETS = f"plume,{servers.PLUME_BOARD},hocuspocus,{servers.HOCUSPOCUS_SQLITE},{servers.METRICS_OFF}"
# Not run by default: Plume's stack relaying from memory (bench/floor.py), which `--targets` may add.
OPTIONAL_TARGETS = (servers.FLOOR,)
GROUP_SIZE = 5
METRICS_WRITERS = 200  # the W at which Plume also runs with its metrics off
BOARD_WRITERS = 200  # the W at which Plume also runs with the cards moving (`--board-writers`)
CLUSTER_WRITERS = "100,150,200,250,300,350,400"  # steps of 50: capacity is the largest W that passes


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="make bench", description=(__doc__ or "").split("\n\n")[0])
    add = parser.add_argument
    add("--writers", default=None, help=f"W, or a list: {WRITERS} (default; --workers 2: {CLUSTER_WRITERS})")
    add(
        "--targets",
        default=TARGETS,
        help=f"servers to measure (default {TARGETS}; also {', '.join(OPTIONAL_TARGETS)})",
    )
    add("--rounds", type=int, default=None, help="rounds of the servers in turn, medians printed (default 2)")
    add("--short", action="store_true", help="a quick look: one W (200), one round, 10 s, no idle sockets")
    add(
        "--duration",
        type=float,
        default=None,
        help="measured seconds per run (default 30; --short, --workers: 10)",
    )
    add("--warmup", type=float, default=3, help="seconds of typing before measuring (default 3)")
    add("--history", type=int, default=4000, help="keystrokes already in each story, as one snapshot row")
    add(
        "--no-long-logs",
        action="store_true",
        help="Plume's stories start empty (no compaction in the window)",
    )
    add("--rate", type=float, default=5, help="keystrokes a second per writer (default 5)")
    add("--no-awareness", action="store_true", help="send no awareness (cursor) updates")
    add("--no-deflate", action="store_true", help="clients do not offer permessage-deflate (browsers do)")
    add(
        "--idle",
        type=int,
        default=None,
        help="idle websockets to hold while timing pages (default 1000; 0: skip)",
    )
    add("--hold", type=float, default=20, help="seconds to hold them (default 20)")
    add("--workers", type=int, default=1, help="2 or more: behind nginx, on PostgreSQL and Redis")
    add("--worker-cores", type=float, default=None, help="cap each worker at this many cores (cgroups, root)")
    add("--loadgen-threads", type=int, default=None, help="load generator threads (default: W/100, 1 to 4)")
    add(
        "--board-moves",
        type=float,
        default=1,
        help="plume+board: card moves a second per writer, beside its typing (default 1)",
    )
    add(
        "--board-writers",
        default=str(BOARD_WRITERS),
        help=f"the Ws at which plume+board runs (default {BOARD_WRITERS}; 'all': every W)",
    )
    add("--seed", type=int, default=1)
    add("--json", type=Path, default=None, help="also write every result to this file")
    args = parser.parse_args(argv)
    default = CLUSTER_WRITERS if args.workers > 1 else SHORT_WRITERS if args.short else WRITERS
    args.rounds = args.rounds or (1 if args.short else 2)
    args.duration = args.duration or (10 if args.short or args.workers > 1 else 30)
    args.idle = (0 if args.short else 1000) if args.idle is None else args.idle
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


def long_logs(args: argparse.Namespace) -> seed.LongLogs | None:
    """Stories that cross the compaction threshold between 10 % and 60 % into the measured window (a
    group types rate × 5 rows a second), and again about threshold / that rate seconds later."""
    if args.no_long_logs:
        return None
    rows_per_second = args.rate * GROUP_SIZE
    start = args.warmup + 0.1 * args.duration
    return seed.LongLogs(rows_per_second, start, start + 0.5 * args.duration, history=args.history)


def fresh_plume(
    tmp: Path, writers: int, logs: seed.LongLogs | None = None, metrics: bool = True
) -> tuple[servers.Server, Path]:
    """A new SQLite database with a workshop for `writers` (stories with `logs`), and Plume serving it
    (`metrics` off: PLUME_METRICS=0, to measure what counting costs)."""
    run = next(RUNS)
    database_url = f"sqlite:///{tmp / f'bench-{run}.db'}"
    plan = seed.in_subprocess(database_url, writers, tmp / f"plan-{run}.json", logs)
    if metrics:
        return servers.start_plume(database_url, tmp), plan
    server = servers.start_plume(database_url, tmp, env={"PLUME_METRICS": "0"})
    server.label = servers.METRICS_OFF
    return server, plan


def runs_at(target: str, writers: int, args: argparse.Namespace) -> bool:
    """Whether `target` runs at W = `writers` (metrics off and the moving cards are measured at one W)."""
    if target == servers.METRICS_OFF:
        return writers == METRICS_WRITERS
    if target == servers.PLUME_BOARD:
        return args.board_writers == "all" or str(writers) in args.board_writers.split(",")
    return True


def run_one(target: str, writers: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    options = load_options(args)
    if target in ("plume", servers.METRICS_OFF, servers.PLUME_BOARD):
        server, plan = fresh_plume(tmp, writers, long_logs(args), metrics=target != servers.METRICS_OFF)
        if target == servers.PLUME_BOARD:
            server.label = servers.PLUME_BOARD
            options["board_moves"] = args.board_moves
    elif target == servers.FLOOR:
        server, plan = servers.start_floor(tmp, writers, GROUP_SIZE)
    elif target in ("hocuspocus", servers.HOCUSPOCUS_SQLITE):
        server, plan = servers.start_hocuspocus(tmp, sqlite=target == servers.HOCUSPOCUS_SQLITE), None
    else:
        raise RuntimeError(f"unknown target {target!r} ({TARGETS}, {', '.join(OPTIONAL_TARGETS)})")
    try:
        result = lg.measure(server, writers, options, plan)
        if target in (
            "plume",
            servers.PLUME_BOARD,
        ):  # the server's own counts, summed over its workers (metrics.py)
            scraped = scraped_counts(server.url)
            result["metrics_stored"] = scraped.get("plume_updates_stored_total")
            result["metrics_batches"] = scraped.get("plume_writer_batches_total")
        return result
    finally:
        server.stop()


SCRAPED = ("plume_updates_stored_total", "plume_writer_batches_total")  # what the bench reads of /metrics


def scraped_counts(url: str) -> dict[str, float]:
    """The `SCRAPED` counters from the server's /metrics (loopback may read it); {} if it does not answer."""
    import urllib.request

    from prometheus_client.parser import text_string_to_metric_families

    try:
        with urllib.request.urlopen(url + "/metrics", timeout=10) as response:  # noqa: S310 (local URL)
            text = response.read().decode()
    except OSError:
        return {}
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name in SCRAPED
    }


def single(args: argparse.Namespace, tmp: Path) -> tuple[list[dict[str, Any]], dict[str, Any] | None]:
    results: list[dict[str, Any]] = []
    print(report.table([]), flush=True)
    for writers in args.writer_counts:
        for round_ in range(1, args.rounds + 1):
            for target in args.target_list:
                if not runs_at(target, writers, args):
                    continue
                try:
                    result = run_one(target, writers, args, tmp)
                except RuntimeError as failure:
                    print(f"{writers:<5}  {target}: failed: {failure}", flush=True)
                    continue
                result["round"] = round_
                results.append(result)
                print(report.table([result]).splitlines()[1], flush=True)
                if result.get("metrics_stored") is not None:
                    print(report.metrics_line(result), flush=True)
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
    medians = report.medians(results)
    print()
    print(report.LEGEND)
    print()
    print(report.plume_log_lines(results))
    print(report.load_line(results))
    if args.rounds > 1:
        print(f"\nMedians of {args.rounds} rounds:")
        print(report.table(medians))
    if report.ratios(medians):
        print()
        print(report.ratio_lines(report.ratios(medians)))
    if report.metrics_cost(medians):
        print(report.metrics_lines(report.metrics_cost(medians)))
    if report.board_cost(medians):
        print(report.board_lines(report.board_cost(medians)))
        print("  each round (story relay p99, load average at the end of the window):")
        print(report.board_rounds(results))
    if idle_result:
        print()
        print(report.idle_lines(idle_result))
    checks = report.targets(medians, idle_result)
    if checks:
        print(f"\nTargets (for the server{', medians of the rounds' if args.rounds > 1 else ''}):")
        print(report.target_lines(checks))
    summary = {
        "runs": results,
        "medians": medians,
        "ratios": report.ratios(medians),
        "board": report.board_cost(medians),
        "idle": idle_result,
    }
    if args.json:
        args.json.write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary))
    return 0
