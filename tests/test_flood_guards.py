"""The pieces that keep a flood cheap: a socket's token bucket (`core.rates.Buckets`) and the filter that
logs leftover events of a gone socket once a minute (`logs.LeftoverEventFilter`)."""

from __future__ import annotations

import logging

from core.rates import Buckets
from logs import LeftoverEventFilter


def test_a_bucket_gives_its_burst_then_its_rate() -> None:
    bucket = Buckets(burst=3, per_second=2.0)
    assert [bucket.take("s", now=0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take("s", now=0.5) is True  # one token back after half a second
    assert bucket.take("s", now=0.5) is False
    assert bucket.take("other", now=0.5) is True  # each socket has its own
    bucket.forget("s")
    assert bucket.take("s", now=0.5) is True  # a new socket with that id starts full


def _record(message: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord("socketio.server", logging.WARNING, __file__, 1, message, args, None)


def test_leftover_events_are_logged_once_a_minute() -> None:
    leftover = LeftoverEventFilter()
    passed = [leftover.filter(_record("%s is not connected to namespace %s", None, "/")) for _ in range(3500)]
    assert passed.count(True) == 1
    assert leftover.filter(_record("something else")) is True
    leftover.last -= LeftoverEventFilter.WINDOW  # a minute later
    later = _record("%s is not connected to namespace %s", None, "/")
    assert leftover.filter(later) is True
    assert "3499 more" in later.getMessage()
