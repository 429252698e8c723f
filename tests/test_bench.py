"""The bench's instrument itself: its load generator, briefly, against a real server (not a timing test)."""

from __future__ import annotations

import re
import shutil
import zlib
from pathlib import Path

import pytest

from bench import driver, loadgen, procs, report, seed, serverlog, servers
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
        counts = driver.scraped_counts(server.url)
    finally:
        server.stop()
    assert driver.scraped_counts(server.url) == {}  # a server that no longer answers
    stored, batches = counts["plume_updates_stored_total"], counts["plume_writer_batches_total"]
    assert stored == result["acked_all"]
    assert batches >= 1  # a batch may only check access (a sync step 1): at 5 writers some are only that
    line = report.metrics_line({**result, "metrics_stored": stored, "metrics_batches": batches})
    assert f"writer batches {batches:.0f} ({stored / batches:.1f} updates a batch)" in line
    assert "writer batches" not in report.metrics_line({**result, "metrics_stored": stored})
    assert result["connected"] == 5
    assert result["sent"] > 20
    assert result["acked"] == result["sent"]
    assert result["delivered"] == 4 * result["sent"]
    assert result["lost"] == 0
    assert result["relay_ms"]["p50"] > 0
    assert result["ack_ms"]["p99"] > 0
    assert result["awareness_received"] > 0
    assert result["converged_groups"] == result["server_matches"] == 1


def test_load_generator_moves_cards_beside_the_typing_and_times_them_apart(seeded: tuple[str, Path]) -> None:
    """`--board-moves`: each writer adds a card to the board of the seeded phase (story and board side by
    side), then moves it to another column, 4 times a second here; every move is a real Yjs change that
    the server stores and relays, the story's relay figures stay the keystrokes' alone, and the server's
    copy of the board (each card's column) equals the writers'."""
    from bench import report

    database_url, plan = seeded
    server = ServerProcess(database_url, env={"REDIS_URL": ""}).start()
    try:
        arguments = ["--target", "plume", "--url", server.url, "--plan", str(plan), "--writers", "5"]
        result = loadgen.run(
            [*arguments, "--warmup", "0.5", "--duration", "1.5", "--board-moves", "4"], timeout=60
        )
    finally:
        server.stop()
    board = result["board"]
    assert board["columns"] == seed.BOARD_COLUMNS
    assert board["sent"] >= 5 * 4  # 5 writers, 4 moves a second, 1.5 s
    assert board["acked"] == board["sent"]
    assert board["refused"] == 0
    assert board["delivered"] == 4 * board["sent"]
    assert board["relay_ms"]["p50"] > 0
    assert result["acked"] == result["sent"] > 20
    assert result["delivered"] == 4 * result["sent"]  # the keystrokes' relays only
    assert result["lost"] == 0
    assert result["converged_groups"] == result["server_matches"] == 1
    # The report compares the story's relay p99 with and without the moves, at each W run both ways.
    alone = {**result, "board": None, "relay_ms": {**result["relay_ms"], "p99": 10.0}, "load_average": 1.0}
    moving = {**result, "label": report.PLUME_BOARD, "relay_ms": {**result["relay_ms"], "p99": 11.5}}
    rounds = [{**alone, "round": 1}, {**moving, "round": 1}, {**alone, "round": 2}, {**moving, "round": 2}]
    [cost] = report.board_cost(report.medians(rounds))
    assert (cost["alone_p99"], cost["moving_p99"], cost["ratio"], cost["within"]) == (10.0, 11.5, 1.15, True)
    assert "ratio ×1.15, within 20 %: yes" in report.board_lines([cost])
    assert cost["rounds"] == 2
    assert report.board_rounds(rounds).count("×1.15") == 2  # each round's pair, beside the medians


@pytest.mark.skipif(
    not servers.rivals_installed(), reason="bench/rivals is installed by make test / make bench"
)
def test_load_generator_drives_hocuspocus_storing_in_sqlite(tmp_path: Path) -> None:
    """The rival of `make bench` (bench/rivals/hocuspocus.mjs --sqlite) serves the same load, and stores."""

    server = servers.start_hocuspocus(tmp_path, sqlite=True)
    try:
        assert server.label == servers.HOCUSPOCUS_SQLITE
        options = {"warmup": 0.5, "duration": 1.5, "rate": 5}
        result = loadgen.measure(server, 5, options)
        stored = tmp_path / f"hocuspocus-{server.ports[0]}.db"
        assert wait_for(lambda: _documents(stored) >= 1, 15), (
            "the document is stored (2 s after its last change)"
        )
    finally:
        server.stop()
    assert result["label"] == servers.HOCUSPOCUS_SQLITE
    assert result["acked"] == result["sent"] > 20
    assert result["delivered"] == 4 * result["sent"]
    assert result["converged_groups"] == result["server_matches"] == 1
    assert result["dropped"] == 0
    assert result["drop_reasons"] == {}
    assert "window_log" not in result  # only Plume's log is read


def test_the_floor_serves_the_load_generator_as_plume_does(tmp_path: Path) -> None:
    """The floor (bench/floor.py) speaks Plume's protocol: it relays, acks and keeps each story's document."""
    server, plan = servers.start_floor(tmp_path, 7, 5)
    try:
        assert server.label == servers.FLOOR
        result = loadgen.measure(server, 7, {"warmup": 0.5, "duration": 1.5, "rate": 5}, plan)
    finally:
        server.stop()
    assert result["connected"] == 7
    assert result["acked"] == result["sent"] > 20
    assert result["lost"] == 0
    assert result["converged_groups"] == result["server_matches"] == 2  # a group of 5, then one of 2
    assert result["server_cpu_ms_per_update"] > 0
    assert "window_log" not in result  # it logs no compaction nor stall


def _documents(path: Path) -> int:
    import sqlite3

    if not path.exists():
        return 0
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM documents").fetchone()[0]


def wait_for(check, timeout: float) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


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
    started, ends = time.monotonic(), time.process_time() + 0.3
    while time.process_time() < ends:  # busy: the "proxy" (this process) and the machine have worked
        pass
    sampler({"phase": "measure-end"})
    worked = 30 / (time.monotonic() - started)  # its share of a core in %, 100 on an idle machine
    figures = sampler.figures
    assert figures["server_cpu_percent"] == 0
    assert figures["proxy_cpu_percent"] > worked / 2
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


# --- the steady-state bench's pure parts: the server's log, the seeded logs, the medians, the targets -----


def test_the_server_log_gives_the_compactions_snapshots_and_worst_stall_of_the_window(tmp_path: Path) -> None:
    from bench import serverlog

    log = tmp_path / "plume.log"
    log.write_text('time=1 level=info logger=plume.compaction msg="compaction story=3 rows=501 ms=40.5"\n')
    window = serverlog.Window(log)
    window.start()
    with log.open("a") as out:
        out.write('time=2 level=info logger=plume.compaction msg="compaction story=4 rows=502 ms=12.0"\n')
        out.write('time=3 level=info logger=plume.compaction msg="snapshots story=4 extended=5 ms=7.5"\n')
        held = "stories.cowriting.persistence:compact:230"
        out.write(f'time=4 level=warning msg="loop_stall_ms=72 held_by={held} cpu_ms=64"\n')
        held = "gc.gen2@stories.cowriting.sync:on_yjs:40"
        out.write(f'{{"logger": "plume.watchdog", "msg": "loop_stall_ms=55 held_by={held} cpu_ms=50"}}\n')
    window.end()
    with log.open("a") as out:
        out.write('time=9 level=warning logger=plume.watchdog msg="loop_stall_ms=900 held_by=after"\n')
    figures = serverlog.parse(window.text())
    assert figures["compactions"] == 1  # the one before the window is not counted, nor the stall after
    assert figures["compaction_ms_max"] == 12.0
    assert (figures["snapshot_extensions"], figures["snapshots_added"]) == (1, 5)
    assert (figures["stalls"], figures["worst_stall_ms"]) == (2, 72)
    assert figures["worst_stall_held_by"] == "stories.cowriting.persistence:compact:230"
    assert figures["worst_stall_cpu_ms"] == 64


def test_the_sampler_reads_the_arrivals_and_the_window_apart(tmp_path: Path) -> None:
    """What the server logged from the sampler's start (the writers connecting, opening their stories, the
    warm-up) to the window's start is the arrivals' log; the window's is what follows, until its end."""
    from bench.servers import Server

    log = tmp_path / "plume.log"
    log.write_text('time=0 msg="loop_stall_ms=999 held_by=before"\n')  # an earlier run's
    sampler = loadgen.Sampler(Server("plume", "http://127.0.0.1:1", [], log=log))

    def stall(ms: int, held_by: str) -> None:
        with log.open("a") as out:
            out.write(
                f'time=1 level=warning logger=plume.watchdog msg="loop_stall_ms={ms} held_by={held_by}"\n'
            )

    stall(210, "workshops.state:load:83")
    sampler({"phase": "measure-start"})
    stall(60, "socket_frames:__call__:143")
    sampler({"phase": "measure-end"})
    stall(300, "after")
    assert sampler.arrivals is not None
    assert sampler.log is not None
    arrivals, window = serverlog.parse(sampler.arrivals.text()), serverlog.parse(sampler.log.text())
    assert (arrivals["stalls"], arrivals["worst_stall_ms"]) == (1, 210)
    assert (window["stalls"], window["worst_stall_ms"]) == (1, 60)


def test_a_kind_of_line_the_server_never_writes_is_not_applicable_rather_than_zero() -> None:
    from bench import serverlog

    figures = serverlog.parse("nothing here\n", known={"compactions"})
    assert figures["compactions"] == 0
    assert figures["snapshot_extensions"] is None
    assert figures["worst_stall_ms"] is None
    assert serverlog.kinds_logged() <= set(serverlog.MARKERS)


def test_seeded_logs_put_each_story_short_of_the_threshold_by_its_own_number_of_rows() -> None:
    logs = seed.LongLogs(rows_per_second=25, compact_from=6, compact_to=18)
    rows = [logs.live_rows(500, i, 5) for i in range(5)]
    assert rows == [350, 275, 200, 125, 50]  # 25 rows/s × 6, 9, 12, 15, 18 s short of 500
    assert logs.live_rows(500, 0, 1) == 350
    assert seed.LongLogs(25, 0, 100).live_rows(500, 1, 2) == 0  # never below an empty log


def test_long_logs_are_seeded_as_real_updates_the_server_can_replay(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'long.db'}"
    logs = seed.LongLogs(rows_per_second=25, compact_from=2, compact_to=4, history=300)
    plan = seed.in_subprocess(database_url, 10, tmp_path / "plan.json", logs)
    import json
    import sqlite3

    groups = json.loads(plan.read_text())["groups"]
    with sqlite3.connect(tmp_path / "long.db") as connection:
        counts = dict(connection.execute("SELECT story_id, count(*) FROM story_updates GROUP BY story_id"))
        rows = connection.execute("SELECT data FROM story_updates WHERE story_id = ? ORDER BY seq", (1,))
        first = [bytes(data) for (data,) in rows]
    assert [counts[g["story_id"]] for g in groups] == [1 + 450, 1 + 400]  # the snapshot row, then live rows
    from stories.cowriting import crdt

    assert len(crdt.text_of(first)) > 300  # history and live rows replay into one text


def _run(label: str, round_: int, p99: float, cpu: float, lost: int = 0, **extra: object) -> dict:
    return {
        "target": "plume" if label == "plume" else "hocuspocus",
        "label": label,
        "round": round_,
        "writers": 200,
        "relay_ms": {"p50": p99 / 4, "p90": p99 / 2, "p99": p99, "max": p99 * 2},
        "ack_ms": {"p50": p99 / 4, "p90": p99 / 2, "p99": p99 + 1, "max": p99 * 2},
        "server_cpu_ms_per_update": cpu,
        "server_cpu_percent": 50.0,
        "load_average": 2.0 + round_,
        "loadgen_lag_p99_ms": 10,
        "sent": 100,
        "skipped": 0,
        "acked": 100,
        "delivered": 400 - lost,
        "lost": lost,
        "groups": 4,
        "converged_groups": 4,
        "server_matches": 4,
        "dropped": 0,
        "connect_failed": 0,
        **extra,
    }


def test_the_medians_of_the_rounds_give_the_ratios_and_the_targets() -> None:
    from bench import report

    stall = {"compactions": 3, "snapshot_extensions": 3, "snapshots_added": 12, "stalls": 1,
             "worst_stall_ms": 80, "worst_stall_held_by": "compaction",
             "compaction_ms_max": 90.0}  # fmt: skip
    calm = {**stall, "stalls": 0, "worst_stall_ms": 0, "worst_stall_held_by": None}
    runs = [
        _run("plume", 1, 40, 0.30, window_log=stall),
        _run("hocuspocus", 1, 5, 0.20),
        _run("hocuspocus+sqlite", 1, 10, 0.25),
        _run("plume", 2, 20, 0.28, lost=1, window_log=calm, drop_reasons={"ping timeout": 2}),
        _run("hocuspocus", 2, 7, 0.22),
        _run("hocuspocus+sqlite", 2, 12, 0.27),
        _run("plume", 3, 30, 0.26, window_log=calm, connect_errors={"open timed out": 1}),
    ]
    medians = {m["label"]: m for m in report.medians(runs)}
    plume = medians["plume"]
    assert plume["rounds"] == 3
    assert plume["relay_ms"]["p99"] == 30  # the median of 40, 20, 30
    assert plume["server_cpu_ms_per_update"] == 0.28
    assert plume["lost"] == 1  # counts add up: a relay lost in any round is lost
    assert plume["window_log"]["compactions"] == 9
    assert plume["window_log"]["worst_stall_ms"] == 80
    assert medians["hocuspocus"]["relay_ms"]["p99"] == 6
    ratios = {r["rival"]: r for r in report.ratios(list(medians.values())) if r["subject"] == "plume"}
    assert ratios["hocuspocus+sqlite"]["relay_p99"] == 2.7  # 30 / 11
    assert ratios["hocuspocus"]["cpu_per_update"] == 1.3  # 0.28 / 0.21
    checks = {name: ok for name, _, ok in report.targets(list(medians.values()), None)}
    assert checks["W=200: relay p99 ≤ 50 ms"] is True
    assert checks["W=200: nothing lost, every group converges"] is False
    assert "(open timed out 1, ping timeout 2)" in report._lost(plume)
    assert checks["W=200: relay p99 ≤ 3× Hocuspocus + SQLite"] is True
    assert checks["W=200: CPU per update ≤ 1.5× Hocuspocus"] is True
    assert checks["no event-loop stall > 50 ms in any window"] is False
    assert "W=200 #1: compactions 3 (slowest 90 ms)" in report.plume_log_lines(runs)
    arriving = {**calm, "stalls": 2, "worst_stall_ms": 140, "worst_stall_held_by": "workshops.state:load:83"}
    runs[3]["arrival_log"] = arriving  # round 2's sockets held the loop as they connected
    assert report.medians(runs)[0]["arrival_log"]["worst_stall_ms"] == 140
    lines = report.plume_log_lines(runs).splitlines()
    assert lines[2].endswith(
        "; arriving: loop stalls > 50 ms 2, worst 140 ms (held by workshops.state:load:83)"
    )
    assert "arriving" not in lines[1]  # round 1 has no log of its arrivals
    assert checks["no event-loop stall > 50 ms in any window"] is False  # still the window's alone
    assert "median 4.00" in report.load_line(runs)
    assert "(med 3)" in report.table([plume])


def test_a_stall_never_logged_by_a_server_without_a_watchdog_is_not_applicable() -> None:
    from bench import report

    unknown = {"compactions": None, "snapshot_extensions": None, "snapshots_added": None, "stalls": None,
               "worst_stall_ms": None, "worst_stall_held_by": None, "compaction_ms_max": None}  # fmt: skip
    checks = report.targets(report.medians([_run("plume", 1, 10, 0.3, window_log=unknown)]), None)
    assert ("no event-loop stall > 50 ms in any window", "worst n/a", None) in checks
    assert "compactions n/a" in report.plume_log_lines([_run("plume", 1, 10, 0.3, window_log=unknown)])


def test_what_metrics_cost_is_plume_against_plume_with_metrics_off() -> None:
    from bench import report

    runs = [
        _run("plume", 1, 30, 0.30),
        _run("plume-metrics-off", 1, 30, 0.29),
        _run("plume", 2, 30, 0.33),
        _run("plume-metrics-off", 2, 30, 0.31),
    ]
    medians = report.medians(runs)
    assert report.metrics_cost(medians) == [(200, 5.0)]  # 0.315 / 0.300
    assert "CPU per update 5.0 %" in report.metrics_lines(report.metrics_cost(medians))
    checks = {name: ok for name, _, ok in report.targets(medians, None)}
    assert checks["W=200: metrics cost ≤ 5 % of CPU per update"] is True
    runs[1]["server_cpu_ms_per_update"] = 0.25
    assert report.metrics_cost(report.medians(runs))[0][1] == 12.5  # 0.315 / 0.280


def test_the_writers_are_spread_over_the_workshops_and_every_other_seat_is_idle() -> None:
    from bench import overview

    plan = {
        "consultation_id": 1,
        "workshops": [
            {"id": w, "groups": [{"story_id": 10 * w + g, "tokens": [f"t{w}.{g}.{n}" for n in range(7)]}
                                 for g in range(4)]}
            for w in range(3)
        ],
    }  # fmt: skip
    writing, idle = overview.split(plan, 18)
    assert [g["story_id"] for g in writing["groups"]] == [0, 10, 20, 1]  # each workshop's first group first
    assert [len(g["tokens"]) for g in writing["groups"]] == [5, 5, 5, 3]
    seats = [t for g in writing["groups"] + idle["groups"] for t in g["tokens"]]
    assert sorted(seats) == sorted(t for w in plan["workshops"] for g in w["groups"] for t in g["tokens"])
    with pytest.raises(RuntimeError):
        overview.split(plan, 3 * 4 * 5 + 1)  # more writers than the groups seat


def test_the_overview_bench_alternates_open_and_closed_under_writers_and_idle_participants(
    tmp_path: Path,
) -> None:
    """`python -m bench.overview`'s plumbing at a tiny size: 2 workshops of 6, 4 writing, 8 idle."""
    from bench import overview

    options = overview.Options(workshops=2, participants=6, writers=4, rounds=1, duration=2, warmup=0.5)
    result = overview.run(f"sqlite:///{tmp_path / 'overview.db'}", "", options, tmp_path)
    assert result["workshops"] == 2
    assert result["idle_asked"] == result["idle_held"] == 8
    assert result["sockets"] == 12
    opened, closed = result["runs"]
    assert opened["overview"] is True
    assert closed["overview"] is False
    for run in (opened, closed):
        assert run["acked"] == run["sent"] > 0
        assert run["moves"] > 0
        assert run["moves_refused"] == 0
        assert run["server_cpu_percent"] is not None
    assert opened["phase_to_overview"]["samples"] == opened["moves"]
    assert opened["missed"] == 0
    assert "phase_to_overview" not in closed
    figures = result["medians"]
    assert figures["phase_to_overview"]["pooled"]["samples"] == opened["moves"]
    assert "overview closed" in overview.lines(result, figures)


def test_the_floor_is_a_rival_of_plume_and_is_compared_with_hocuspocus() -> None:
    """Plume / floor and floor / Hocuspocus are printed; only Plume's ratios to Hocuspocus are targets."""
    from bench import report

    runs = [_run("plume", 1, 30, 0.60), _run(report.FLOOR, 1, 4, 0.30), _run("hocuspocus", 1, 3, 0.25)]
    ratios = {(r["subject"], r["rival"]): r for r in report.ratios(report.medians(runs))}
    assert set(ratios) == {("plume", "hocuspocus"), ("plume", "floor"), ("floor", "hocuspocus")}
    assert ratios[("plume", "floor")]["cpu_per_update"] == 2.0
    assert ratios[("floor", "hocuspocus")]["cpu_per_update"] == 1.2
    lines = report.ratio_lines(report.ratios(report.medians(runs)))
    assert "W=200, Plume / floor: relay p50" in lines
    assert "W=200, floor / hocuspocus: relay p50" in lines
    checks = [name for name, _, _ in report.targets(report.medians(runs), None)]
    assert checks.count("W=200: CPU per update ≤ 1.5× Hocuspocus") == 1  # the floor's ratio is no target
