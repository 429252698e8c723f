"""Time page loads: how long `GET` of a few pages takes while the server holds many sockets."""

from __future__ import annotations

import statistics
import time
import urllib.request

PAGES = ("/healthz", "/stories", "/")


def time_page(url: str, timeout: float = 5) -> float | None:
    """Seconds to fetch the whole page, or None if it failed or took longer than `timeout`."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 (loopback)
            response.read()
    except OSError:
        return None
    return time.monotonic() - started


def time_pages(base: str, within: float, rounds: int = 5, timeout: float = 5) -> dict[str, dict]:
    """Fetch each page in turn, up to `rounds` times or until `within` seconds have passed (at least once)."""
    times: dict[str, list[float | None]] = {page: [] for page in PAGES}
    deadline = time.monotonic() + within
    for done in range(rounds):
        if done and time.monotonic() > deadline:
            break
        for page in PAGES:
            times[page].append(time_page(base + page, timeout))
    return {page: summarise(values, timeout) for page, values in times.items()}


def summarise(values: list[float | None], timeout: float) -> dict:
    answered = [v for v in values if v is not None]
    return {
        "tries": len(values),
        "failed": len(values) - len(answered),
        "median_ms": round(1000 * statistics.median(answered), 1) if answered else None,
        "max_ms": round(1000 * max(answered), 1) if len(answered) == len(values) else None,
        "timeout_s": timeout,
    }
