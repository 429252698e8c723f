"""Print the bench's figures: one row per run, the medians of the rounds, what Plume's log showed in each
window, the ratios of Plume to its rivals, and the issue's targets."""

from __future__ import annotations

import statistics
from collections import Counter
from typing import Any

HOCUSPOCUS, HOCUSPOCUS_SQLITE = "hocuspocus", "hocuspocus+sqlite"
METRICS_OFF = "plume-metrics-off"  # Plume with PLUME_METRICS=0 (bench/servers.py)
METRICS_LIMIT_PERCENT = 5  # what counting may cost, in CPU per update (issue 27)
PLUME_BOARD = "plume+board"  # Plume, its writers also moving a card once a second (issue 29)
FLOOR = "floor"  # Plume's stack relaying from memory, nothing more (bench/floor.py)
# Each subject of the ratios, and the rivals it is divided by.
RATIOS = (("plume", (HOCUSPOCUS, HOCUSPOCUS_SQLITE, FLOOR)), (FLOOR, (HOCUSPOCUS,)))
BOARD_LIMIT_PERCENT = 20  # how much slower the story's relay p99 may get with the cards moving (issue 29)
STALL_LIMIT_MS = 50
# Figures of a run that the medians take the median of; every count is added up over the rounds instead.
MEDIAN_KEYS = ("server_cpu_percent", "server_cpu_ms_per_update", "loadgen_lag_p99_ms", "load_average")
SUMMED_KEYS = (
    "sent", "skipped", "acked", "delivered", "lost", "groups", "converged_groups", "server_matches",
    "server_unread", "dropped", "connect_failed",
)  # fmt: skip

COLUMNS = (
    ("W", 5),
    ("server", 25),  # the longest label with its rounds: "hocuspocus+sqlite (med 2)"
    ("relay p50/p99 ms", 18),
    ("ack p50/p99 ms", 18),
    ("delivered", 16),
    ("acked/sent", 13),
    ("offered", 7),
    ("converged", 9),
    ("dropped", 7),
    ("CPU %", 6),
    ("CPU ms/upd", 10),
    ("lg lag", 6),
)


def _ms(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def pair(summary: dict[str, Any], low: str = "p50", high: str = "p99") -> str:
    return f"{_ms(summary.get(low))} / {_ms(summary.get(high))}"


def row(result: dict[str, Any]) -> list[str]:
    expected = result["delivered"] + result["lost"]
    groups = result["groups"]
    converged = f"{result['converged_groups']}/{groups}"
    if result["target"] == "plume" or result["server_matches"] != groups or result.get("rounds", 1) > 1:
        converged += f" s{result['server_matches']}"
        if result.get("server_unread"):
            converged += f" ({result['server_unread']} unread)"
    name = result.get("label", result["target"])
    if "round" in result:
        name += f" #{result['round']}"
    elif result.get("rounds", 1) > 1:
        name += f" (med {result['rounds']})"
    return [
        str(result["writers"]),
        name,
        pair(result["relay_ms"]),
        pair(result["ack_ms"]),
        f"{result['delivered']}/{expected}",
        f"{result['acked']}/{result['sent']}",
        f"{100 * offered(result):.0f} %",
        converged,
        str(result["dropped"] + result["connect_failed"]),
        f"{result.get('server_cpu_percent', '–')}",
        f"{result.get('server_cpu_ms_per_update', '–')}",
        f"{result['loadgen_lag_p99_ms']}",
    ]


def table(results: list[dict[str, Any]]) -> str:
    lines = ["  ".join(name.ljust(width) for name, width in COLUMNS)]
    for result in results:
        cells = row(result)
        lines.append("  ".join(cell.ljust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True)))
    return "\n".join(lines)


LEGEND = (
    "relay: keystroke → each other member of the group; ack: keystroke → the server's answer (Plume: stored;"
    " Hocuspocus and the floor: applied in memory). delivered: relays received / expected (sent × the other"
    " members)."
    " offered: keystrokes typed on time / due (below 99 % the load generator could not keep up: the run"
    " says little about the server and its targets show n/a). converged: groups whose writers' documents"
    " are equal; s: groups where the server's copy (read back through a fresh connection) equals them too"
    " (unread: that read-back could not open the story within 15 s)."
    " dropped: writers disconnected or never connected. #n: the round; med: the median of the rounds (counts"
    " added up). CPU: the server's processes over the measured"
    " window; per update: CPU time / acked updates (each stored update also carries its relays and the"
    " awareness traffic; Hocuspocus + SQLite stores each document 2 s after its last change). lg lag: the"
    " load generator's event-loop delay p99 in ms (high: the client side is saturated too; figures are"
    " then pessimistic)."
)


def offered(result: dict[str, Any]) -> float:
    """The share of the keystrokes due that the load generator typed on time (the rest it skipped)."""
    due = result["sent"] + result.get("skipped", 0)
    return result["sent"] / due if due else 0.0


def valid(result: dict[str, Any]) -> bool:
    """A run measures the server only if the load generator offered the load (≥ 99 % of keystrokes)."""
    return offered(result) >= 0.99


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 1) if a is not None and b else None


def ratios(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Plume / each rival (and the floor / Hocuspocus) at each W measured for both (one result per W and
    server: the medians)."""
    out = []
    by = {(r["writers"], r.get("label", r["target"])): r for r in results}
    for writers in sorted({r["writers"] for r in results}):
        for subject, rivals in RATIOS:
            mine = by.get((writers, subject))
            for rival in rivals:
                theirs = by.get((writers, rival))
                if mine and theirs:
                    out.append(_ratio(writers, subject, mine, rival, theirs))
    return out


def _ratio(
    writers: int, subject: str, mine: dict[str, Any], rival: str, theirs: dict[str, Any]
) -> dict[str, Any]:
    """`subject`'s figures (`mine`) over `rival`'s (`theirs`), at W = `writers`."""
    return {
        "writers": writers,
        "subject": subject,
        "rival": rival,
        "relay_p50": ratio(mine["relay_ms"]["p50"], theirs["relay_ms"]["p50"]),
        "relay_p99": ratio(mine["relay_ms"]["p99"], theirs["relay_ms"]["p99"]),
        "ack_p99": ratio(mine["ack_ms"]["p99"], theirs["ack_ms"]["p99"]),
        "cpu_per_update": ratio(mine.get("server_cpu_ms_per_update"), theirs.get("server_cpu_ms_per_update")),
        "valid": valid(mine) and valid(theirs),
    }


def metrics_cost(results: list[dict[str, Any]]) -> list[tuple[int, float | None]]:
    """(W, percent more CPU per update with /metrics counting than without) where both were measured."""
    by = {(r["writers"], r.get("label", r["target"])): r for r in results}
    out = []
    for writers in sorted({w for w, label in by if label == METRICS_OFF}):
        on, off = by.get((writers, "plume")), by[(writers, METRICS_OFF)]
        a, b = (on or {}).get("server_cpu_ms_per_update"), off.get("server_cpu_ms_per_update")
        out.append((writers, round(100 * (a / b - 1), 1) if a is not None and b else None))
    return out


def board_cost(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """At each W measured both ways: the story's relay p99 typing alone and with the cards moving, their
    ratio, whether it is within `BOARD_LIMIT_PERCENT`, the moves' own figures and the load averages."""
    by = {(r["writers"], r.get("label", r["target"])): r for r in results}
    out = []
    for writers in sorted({w for w, label in by if label == PLUME_BOARD}):
        alone, moving = by.get((writers, "plume")), by[(writers, PLUME_BOARD)]
        a, b = (alone or {}).get("relay_ms", {}).get("p99"), moving["relay_ms"].get("p99")
        quotient = round(b / a, 3) if a and b is not None else None
        board = moving.get("board") or {}
        out.append(
            {
                "writers": writers,
                "rounds": moving.get("rounds", 1),
                "alone_p99": a,
                "moving_p99": b,
                "ratio": quotient,
                "within": None if quotient is None else quotient <= 1 + BOARD_LIMIT_PERCENT / 100,
                "valid": bool(alone) and valid(alone) and valid(moving),
                "moves_acked": board.get("acked"),
                "moves_sent": board.get("sent"),
                "move_relay_ms": board.get("relay_ms") or {},
                "load_alone": (alone or {}).get("load_average"),
                "load_moving": moving.get("load_average"),
            }
        )
    return out


def board_rounds(results: list[dict[str, Any]]) -> str:
    """Each round's pair (typing alone, then with the cards moving): the story's relay p99 of both, their
    ratio and the load averages, so that a noisy machine shows as a spread of ratios."""
    by = {(r["writers"], r.get("label", r["target"]), r.get("round")): r for r in results}
    lines = []
    for writers, label, round_ in sorted(k for k in by if k[1] == PLUME_BOARD):
        alone, moving = by.get((writers, "plume", round_)), by[(writers, label, round_)]
        if alone is None:
            continue
        a, b = alone["relay_ms"].get("p99"), moving["relay_ms"].get("p99")
        lines.append(
            f"  W={writers} #{round_}: {_ms(a)} ms alone (load {_na(alone.get('load_average'))}),"
            f" {_ms(b)} ms moving (load {_na(moving.get('load_average'))}): ×{_na(ratio_of(b, a))}"
        )
    return "\n".join(lines)


def ratio_of(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def board_lines(costs: list[dict[str, Any]]) -> str:
    lines = []
    for c in costs:
        within = {True: "yes", False: "NO", None: "n/a"}[c["within"]]
        if not c["valid"]:
            within += " (but n/a: the load generator could not offer the whole load)"
        rounds = f"median of {c['rounds']} rounds" if c["rounds"] > 1 else "one round"
        lines.append(
            f"Cards moving at W={c['writers']} ({rounds}, interleaved): story relay p99 typing alone"
            f" {_ms(c['alone_p99'])} ms (load average {_na(c['load_alone'])}),"
            " typing + a card moved by each writer once a second"
            f" {_ms(c['moving_p99'])} ms (load average {_na(c['load_moving'])}): ratio ×{_na(c['ratio'])},"
            f" within {BOARD_LIMIT_PERCENT} %: {within}"
        )
        lines.append(
            f"  the moves: {_na(c['moves_acked'])}/{_na(c['moves_sent'])} acked, relay p50/p99"
            f" {pair(c['move_relay_ms'])} ms"
        )
    return "\n".join(lines)


def metrics_lines(costs: list[tuple[int, float | None]]) -> str:
    return "\n".join(
        f"Metrics (/metrics counting) at W={w}: CPU per update {_na(cost, ' %')} against Plume with"
        " PLUME_METRICS=0, same rounds"
        for w, cost in costs
    )


def ratio_lines(rows: list[dict[str, Any]]) -> str:
    lines = ["Plume / its rivals (same W, same rounds):"]
    for r in rows:
        subject = "Plume" if r["subject"] == "plume" else r["subject"]
        lines.append(
            f"  W={r['writers']}, {subject} / {r['rival']}: relay p50 ×{r['relay_p50']},"
            f" relay p99 ×{r['relay_p99']}, ack p99 ×{r['ack_p99']}, CPU per update ×{r['cpu_per_update']}"
        )
    return "\n".join(lines)


def _median(values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 3) if present else None


def medians(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One result per W and server over its rounds: the median of each latency and CPU figure, the sum of
    each count (so "nothing lost" means lost in no round), the worst stall and all compactions."""
    grouped: dict[tuple[int, str], list[dict[str, Any]]] = {}
    for r in results:
        grouped.setdefault((r["writers"], r.get("label", r["target"])), []).append(r)
    out = []
    for (writers, label), runs in grouped.items():
        merged: dict[str, Any] = {"writers": writers, "label": label, "target": runs[0]["target"]}
        merged["rounds"] = len(runs)
        for key in ("relay_ms", "ack_ms"):
            merged[key] = {q: _median([r[key].get(q) for r in runs]) for q in ("p50", "p90", "p99", "max")}
        merged["board"] = merged_boards([r["board"] for r in runs if r.get("board")])
        for key in MEDIAN_KEYS:
            merged[key] = _median([r.get(key) for r in runs])
        for key in SUMMED_KEYS:
            merged[key] = sum(r.get(key) or 0 for r in runs)
        for key in ("drop_reasons", "connect_errors"):
            merged[key] = _added([r.get(key) or {} for r in runs])
        for key in ("window_log", "arrival_log"):
            logs = [r[key] for r in runs if r.get(key)]
            if logs:
                merged[key] = merged_logs(logs)
        out.append(merged)
    return out


def _added(counts: list[dict[str, int]]) -> dict[str, int]:
    """Counts by reason, added up over the rounds."""
    total: Counter[str] = Counter()
    for count in counts:
        total.update(count)
    return dict(total)


def merged_boards(boards: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The card moves of several runs: counts added up, the medians of their latencies (None: no moves)."""
    if not boards:
        return None
    quantiles = ("p50", "p90", "p99", "max")
    return {
        "sent": sum(b["sent"] for b in boards),
        "acked": sum(b["acked"] for b in boards),
        **{
            key: {q: _median([b[key].get(q) for b in boards]) for q in quantiles}
            for key in ("relay_ms", "ack_ms")
        },
    }


def merged_logs(logs: list[dict[str, Any]]) -> dict[str, Any]:
    """The window logs of several runs: counts added up (None if never known), the worst stall."""

    def total(key: str) -> int | None:
        values = [log.get(key) for log in logs]
        return None if all(v is None for v in values) else sum(v or 0 for v in values)

    stalls = [log for log in logs if log.get("worst_stall_ms") is not None]
    worst = max(stalls, key=lambda log: log["worst_stall_ms"], default=None)
    return {
        "compactions": total("compactions"),
        "compaction_ms_max": max(
            (log["compaction_ms_max"] for log in logs if log.get("compaction_ms_max")), default=None
        ),
        "snapshot_extensions": total("snapshot_extensions"),
        "snapshots_added": total("snapshots_added"),
        "stalls": total("stalls"),
        "worst_stall_ms": worst["worst_stall_ms"] if worst else None,
        "worst_stall_held_by": worst.get("worst_stall_held_by") if worst else None,
        "worst_stall_cpu_ms": worst.get("worst_stall_cpu_ms") if worst else None,
    }


def _na(value: Any, unit: str = "") -> str:
    return "n/a" if value is None else f"{value}{unit}"


def plume_log_lines(results: list[dict[str, Any]]) -> str:
    """Per Plume run: the compactions and snapshot extensions logged inside its window, the worst stall."""
    lines = ["Plume's log inside each measured window (and before it, as the writers arrived):"]
    for r in results:
        log = r.get("window_log")
        if r["target"] != "plume" or log is None:
            continue
        slowest = log.get("compaction_ms_max")
        label = "" if r.get("label", "plume") == "plume" else f" {r['label']}"
        line = (
            f"  W={r['writers']}{label} #{r.get('round', 1)}: compactions {_na(log['compactions'])}"
            + (f" (slowest {slowest:.0f} ms)" if slowest else "")
            + f", snapshot extensions {_na(log['snapshot_extensions'])}"
            + f" ({_na(log['snapshots_added'])} snapshots), {_stalls(log)}"
        )
        if r.get("arrival_log"):  # the sockets connecting and opening their stories, and the warm-up
            line += f"; arriving: {_stalls(r['arrival_log'])}"
        lines.append(line)
    return "\n".join(lines)


def _stalls(log: dict[str, Any]) -> str:
    """How many loop stalls a log shows, and the worst, with what held the loop."""
    stall = _na(log["worst_stall_ms"], " ms")
    if log.get("worst_stall_held_by"):
        stall += f" (held by {log['worst_stall_held_by']}"
        if log.get("worst_stall_cpu_ms") is not None:  # low: the worker waited for a core
            stall += f", {log['worst_stall_cpu_ms']} ms of it on the CPU"
        stall += ")"
    return f"loop stalls > {STALL_LIMIT_MS} ms {_na(log['stalls'])}, worst {stall}"


def load_line(results: list[dict[str, Any]]) -> str:
    """The machine's 1-minute load average at the end of each window."""
    loads = [r["load_average"] for r in results if r.get("load_average") is not None]
    if not loads:
        return "Load average: n/a"
    return (
        f"Load average (1 min, at the end of each window; {len(loads)} runs):"
        f" median {statistics.median(loads):.2f}, min {min(loads):.2f}, max {max(loads):.2f}"
    )


def _complete(r: dict[str, Any]) -> bool:
    """Nothing lost: every update acked as stored, every relay arrived, every group converged, no drop."""
    return (
        r["lost"] == 0
        and r["acked"] == r["sent"]
        and r["converged_groups"] == r["groups"]
        and r["server_matches"] == r["groups"]
        and r["dropped"] + r["connect_failed"] == 0
    )


def _by_label(results: list[dict[str, Any]], label: str) -> dict[int, dict[str, Any]]:
    return {r["writers"]: r for r in results if r.get("label", r["target"]) == label}


def _p99_check(writers: int, r: dict[str, Any], key: str, limit: float) -> tuple[str, str, bool | None]:
    value = r[key]["p99"]
    name = "relay" if key == "relay_ms" else "ack"
    return (
        f"W={writers}: {name} p99 ≤ {limit:.0f} ms",
        f"{_ms(value)} ms",
        value is not None and value <= limit,
    )


def _ratio_checks(results: list[dict[str, Any]]) -> list[tuple[str, str, bool | None]]:
    """At W=200: relay p99 against Hocuspocus + SQLite, CPU per update against Hocuspocus."""
    checks: list[tuple[str, str, bool | None]] = []
    for r in ratios(results):
        if r["writers"] != 200 or r["subject"] != "plume" or r["rival"] == FLOOR:
            continue
        if not r["valid"]:
            checks.append(
                (f"W=200: ratios to {r['rival']}", "the load generator could not offer the load", None)
            )
        elif r["rival"] == HOCUSPOCUS_SQLITE:
            relay = r["relay_p99"]
            checks.append(
                ("W=200: relay p99 ≤ 3× Hocuspocus + SQLite", f"×{relay}", relay is not None and relay <= 3)
            )
        else:
            cpu = r["cpu_per_update"]
            checks.append(
                ("W=200: CPU per update ≤ 1.5× Hocuspocus", f"×{cpu}", cpu is not None and cpu <= 1.5)
            )
    return checks


def targets(results: list[dict[str, Any]], idle: dict[str, Any] | None) -> list[tuple[str, str, bool | None]]:
    """The issue's targets for the server (#23), with what this run measured (the medians of its rounds)."""
    checks: list[tuple[str, str, bool | None]] = []
    plume = _by_label(results, "plume")
    if 50 in plume:
        checks.append(_p99_check(50, plume[50], "relay_ms", 15))
    if 200 in plume:
        r = plume[200]
        awareness = "" if r.get("awareness", True) else " (run without awareness)"
        checks.append(_p99_check(200, r, "relay_ms", 50))
        checks.append(_p99_check(200, r, "ack_ms", 100))
        checks[-2] = (checks[-2][0] + awareness, *checks[-2][1:])
        checks.append(("W=200: nothing lost, every group converges", _lost(r), _complete(r)))
    if 400 in plume:
        r = plume[400]
        checks.append(("W=400: nothing lost, every update stored and delivered", _lost(r), _complete(r)))
        checks.append(_p99_check(400, r, "relay_ms", 250))
    checks += _ratio_checks(results)
    for c in board_cost(results):
        checks.append(
            (
                f"W={c['writers']}: story relay p99 with cards moving ≤ {100 + BOARD_LIMIT_PERCENT} % of"
                " typing alone",
                f"×{_na(c['ratio'])} ({_ms(c['moving_p99'])} against {_ms(c['alone_p99'])} ms)",
                c["within"] if c["valid"] else None,
            )
        )
    for writers, cost in metrics_cost(results):
        met = None if cost is None else cost <= METRICS_LIMIT_PERCENT
        checks.append(
            (f"W={writers}: metrics cost ≤ {METRICS_LIMIT_PERCENT} % of CPU per update", _na(cost, " %"), met)
        )
    checks = [_unless_offered(check, plume) for check in checks]
    logs = [r for r in plume.values() if r.get("window_log")]
    if logs:
        worst = merged_logs([r["window_log"] for r in logs])["worst_stall_ms"]
        met = None if worst is None else worst <= STALL_LIMIT_MS
        checks.append(
            (f"no event-loop stall > {STALL_LIMIT_MS} ms in any window", f"worst {_na(worst, ' ms')}", met)
        )
    if idle:
        slowest = ", ".join(f"{page} {_page_max(v)}" for page, v in idle["pages_while_held"].items())
        checks.append(
            (f"{idle['requested']} idle sockets held: every page < 1 s", slowest, idle["every_page_under_1s"])
        )
    return checks


def _unless_offered(
    check: tuple[str, str, bool | None], plume: dict[int, dict[str, Any]]
) -> tuple[str, str, bool | None]:
    """A check met by a run whose load was not all offered is n/a (the figure is still shown)."""
    name, value, ok = check
    writers = int(name.split(":")[0].removeprefix("W="))
    run = plume.get(writers)
    if ok and run is not None and not valid(run):  # a miss under less load than asked is a miss anyway
        pct = 100 * offered(run)
        return name, f"{value} (only {pct:.0f} % of the keystrokes offered)", None
    return check


def _lost(r: dict[str, Any]) -> str:
    why = {**(r.get("connect_errors") or {}), **(r.get("drop_reasons") or {})}
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(why.items()))
    return (
        f"unacked {r['sent'] - r['acked']}, lost relays {r['lost']}, converged {r['converged_groups']}/"
        f"{r['groups']} (server {r['server_matches']}), dropped {r['dropped'] + r['connect_failed']}"
        + (f" ({reasons})" if reasons else "")
    )


def target_lines(checks: list[tuple[str, str, bool | None]]) -> str:
    marks = {True: "ok", False: "MISS", None: "n/a"}
    return "\n".join(f"  [{marks[ok]}] {name}: {value}" for name, value, ok in checks)


def _page_max(page: dict[str, Any]) -> str:
    """The slowest answer, or how many of the tries got none within the timeout."""
    if page["failed"]:
        return f"{page['failed']}/{page['tries']} unanswered in {page['timeout_s']:.0f} s"
    return f"{_ms(page['max_ms'])} ms"


def idle_lines(idle: dict[str, Any]) -> str:
    lines = [
        f"Idle sockets: {idle['requested']} requested, held {idle['held']} (failed {idle['failed']},"
        f" closed by the server {idle['closed_by_server']}, open at the end {idle['open_at_end']});"
        f" server threads while held: {idle['server_threads_held']}",
    ]
    for label, key in (("before", "pages_before"), ("while held", "pages_while_held")):
        cells = [f"{page} {_ms(v['median_ms'])} / {_page_max(v)}" for page, v in idle[key].items()]
        lines.append(f"  pages {label} (median / max): " + "; ".join(cells))
    return "\n".join(lines)


def metrics_line(result: dict[str, Any]) -> str:
    """The server's /metrics count of stored updates beside the bench's acks (warm-up included), and the
    writer's transactions: updates a batch is what its linger (`PLUME_WRITE_LINGER_SECONDS`) buys, as each
    batch costs the worker about half a millisecond beyond its updates (docs/deploy.md)."""
    stored, acked = result["metrics_stored"], result.get("acked_all") or 0
    gap = abs(stored - acked) / acked * 100 if acked else 0.0
    line = (
        f"       /metrics plume_updates_stored_total {stored:.0f}, bench acked (warm-up included) {acked}"
        f" ({gap:.2f} % apart)"
    )
    batches = result.get("metrics_batches")
    if batches:
        line += f"; writer batches {batches:.0f} ({stored / batches:.1f} updates a batch)"
    return line
