"""The loop-stall watchdog (core/watchdog.py): in a real gevent worker, a stall is logged once, with what held
the loop; an idle worker logs none."""

from __future__ import annotations

import re
import sys
import time
import urllib.request
from collections.abc import Iterator

import pytest

from core import watchdog
from tests.server import ServerProcess
from tests.stories.clients import wait_until

STALL = re.compile(r"logger=plume\.watchdog msg=\"loop_stall_ms=(\d+) held_by=(\S+) cpu_ms=\d+\"")


def stalls(server: ServerProcess, since: int = 0) -> list[tuple[int, str]]:
    """(ms, held_by) of every stall the server logged after byte `since` of its log."""
    text = server.log.read_bytes()[since:].decode("utf-8", errors="replace")
    return [(int(ms), held_by) for ms, held_by in STALL.findall(text)]


@pytest.fixture
def server(database: str) -> Iterator[ServerProcess]:
    started = ServerProcess(database, env={"PLUME_DEBUG_HOLD_LOOP": "1", "PLUME_STALL_MS": "50"}).start()
    yield started
    started.stop()


def hold(server: ServerProcess, ms: int) -> None:
    request = urllib.request.Request(f"{server.url}/debug/hold-loop?ms={ms}", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (local URL)
        assert response.status == 200


def test_a_stall_is_logged_once_with_what_held_the_loop(server: ServerProcess) -> None:
    start = server.log.stat().st_size
    time.sleep(1.0)  # idle: the heartbeat runs, the loop is free
    assert [ms for ms, _ in stalls(server, start) if ms > 250] == []  # no false alarm (a loaded host aside)
    before = server.log.stat().st_size
    hold(server, 400)
    assert wait_until(lambda: stalls(server, before), timeout=10)
    time.sleep(0.3)
    held = [(ms, by) for ms, by in stalls(server, before) if ms >= 300]
    assert len(held) == 1, stalls(server, before)  # once per stall, not once per tick
    ms, held_by = held[0]
    assert 380 <= ms < 5000
    assert held_by.startswith("core.watchdog:hold_the_loop:"), held_by


def test_the_debug_route_is_absent_unless_asked(live_server: ServerProcess) -> None:
    request = urllib.request.Request(f"{live_server.url}/debug/hold-loop?ms=1", method="POST")  # noqa: S310
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # noqa: S310 (local URL)
    assert refused.value.code in (404, 405)


def test_the_holder_is_the_innermost_frame_of_plume_code() -> None:
    def inner() -> str:
        return watchdog.holder(sys._getframe())

    assert re.fullmatch(r"tests\.test_watchdog:inner:\d+", inner())
    assert watchdog.holder(None) == "unknown"


def test_a_late_heartbeat_logs_one_line_with_its_own_sample(caplog: pytest.LogCaptureFixture) -> None:
    dog = watchdog.Watchdog(50)
    dog.sample = (100.0, "stories.cowriting.persistence:compact:12")
    with caplog.at_level("WARNING", logger="plume.watchdog"):
        dog.check(100.0, 100.0 + watchdog.TICK_SECONDS + 0.030)  # 30 ms late: not a stall
        dog.check(200.0, 200.0 + watchdog.TICK_SECONDS + 0.120, 0.004)  # sampled after another beat
        dog.check(100.0, 100.0 + watchdog.TICK_SECONDS + 0.200, 0.180)
    assert [r.getMessage() for r in caplog.records] == [
        "loop_stall_ms=120 held_by=unknown cpu_ms=4",
        "loop_stall_ms=200 held_by=stories.cowriting.persistence:compact:12 cpu_ms=180",
    ]
