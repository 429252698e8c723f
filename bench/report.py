"""Print the bench's figures: one row per run, the Plume/Hocuspocus ratios, and the issue's targets."""

from __future__ import annotations

from typing import Any

COLUMNS = (
    ("W", 5),
    ("server", 12),
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
    if result["target"] == "plume" or result["server_matches"] != groups:
        converged += f" s{result['server_matches']}"
        if result.get("server_unread"):
            converged += f" ({result['server_unread']} unread)"
    return [
        str(result["writers"]),
        result.get("label", result["target"]),
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
    " Hocuspocus: applied in memory). delivered: relays received / expected (sent × the other members)."
    " offered: keystrokes typed on time / due (below 99 % the load generator could not keep up: the run"
    " says little about the server and its targets show n/a). converged: groups whose writers' documents"
    " are equal; s: groups where the server's copy (read back through a fresh connection) equals them too"
    " (unread: that read-back could not open the story within 15 s)."
    " dropped: writers disconnected or never connected. CPU: the server's processes over the measured"
    " window; per update: CPU time / acked updates (each stored update also carries its relays and the"
    " awareness traffic). lg lag: the load generator's event-loop delay p99 in ms (high: the client side"
    " is saturated too; figures are then pessimistic)."
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
    """Plume / Hocuspocus at each W measured against both."""
    out = []
    by = {(r["writers"], r["target"]): r for r in results}
    for writers in sorted({r["writers"] for r in results}):
        plume, hocus = by.get((writers, "plume")), by.get((writers, "hocuspocus"))
        if not (plume and hocus):
            continue
        out.append(
            {
                "writers": writers,
                "relay_p50": ratio(plume["relay_ms"]["p50"], hocus["relay_ms"]["p50"]),
                "relay_p99": ratio(plume["relay_ms"]["p99"], hocus["relay_ms"]["p99"]),
                "ack_p99": ratio(plume["ack_ms"]["p99"], hocus["ack_ms"]["p99"]),
                "cpu_per_update": ratio(
                    plume.get("server_cpu_ms_per_update"), hocus.get("server_cpu_ms_per_update")
                ),
            }
        )
    return out


def ratio_lines(rows: list[dict[str, Any]]) -> str:
    lines = ["Plume / Hocuspocus:"]
    for r in rows:
        lines.append(
            f"  W={r['writers']}: relay p50 ×{r['relay_p50']}, relay p99 ×{r['relay_p99']},"
            f" ack p99 ×{r['ack_p99']}, CPU per update ×{r['cpu_per_update']}"
        )
    return "\n".join(lines)


def _complete(r: dict[str, Any]) -> bool:
    """Nothing lost: every update acked as stored, every relay arrived, every group converged, no drop."""
    return (
        r["lost"] == 0
        and r["acked"] == r["sent"]
        and r["converged_groups"] == r["groups"]
        and r["server_matches"] == r["groups"]
        and r["dropped"] + r["connect_failed"] == 0
    )


def targets(results: list[dict[str, Any]], idle: dict[str, Any] | None) -> list[tuple[str, str, bool | None]]:
    """The issue's targets for the server, with what this run measured."""
    checks: list[tuple[str, str, bool | None]] = []
    plume = {r["writers"]: r for r in results if r["target"] == "plume"}
    hocus = {r["writers"]: r for r in results if r["target"] == "hocuspocus"}
    if 200 in plume:
        r = plume[200]
        p99, ack = r["relay_ms"]["p99"], r["ack_ms"]["p99"]
        checks.append(("W=200: relay p99 ≤ 50 ms", f"{_ms(p99)} ms", p99 is not None and p99 <= 50))
        checks.append(("W=200: ack p99 ≤ 100 ms", f"{_ms(ack)} ms", ack is not None and ack <= 100))
        checks.append(("W=200: nothing lost, every group converges", _lost(r), _complete(r)))
    if 400 in plume:
        r = plume[400]
        p99 = r["relay_ms"]["p99"]
        checks.append(("W=400: nothing lost, every update stored and delivered", _lost(r), _complete(r)))
        checks.append(("W=400: relay p99 ≤ 250 ms", f"{_ms(p99)} ms", p99 is not None and p99 <= 250))
    for r in ratios(results):
        if r["writers"] == 200 and not (valid(plume[200]) and valid(hocus[200])):
            checks.append(
                ("W=200: ratios to Hocuspocus", "the load generator could not offer the load", None)
            )
        elif r["writers"] == 200:
            relay, cpu = r["relay_p99"], r["cpu_per_update"]
            checks.append(
                ("W=200: relay p99 ≤ 15× Hocuspocus", f"×{relay}", relay is not None and relay <= 15)
            )
            checks.append(("W=200: CPU per update ≤ 4× Hocuspocus", f"×{cpu}", cpu is not None and cpu <= 4))
    checks = [_unless_offered(check, plume) for check in checks]
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
    return (
        f"unacked {r['sent'] - r['acked']}, lost relays {r['lost']}, converged {r['converged_groups']}/"
        f"{r['groups']} (server {r['server_matches']}), dropped {r['dropped'] + r['connect_failed']}"
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
