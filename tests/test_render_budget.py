"""The CPU budget's watchdog (core/rendering.py): a thread whose block has ended is not interrupted again."""

from __future__ import annotations

import time

import pytest

import concurrency
from core import rendering


def test_a_timeout_delivered_inside_unwatch_still_takes_the_thread_off_the_watch(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A timeout raised just as a block ends is delivered at the next bytecode, which may be the first of
    `unwatch`: interrupted there, it used to leave the thread watched, and the watchdog then raised in it
    every 0.1 s of its CPU for the rest of its life (a hypothesis test in CI livelocked on it)."""
    real = rendering._watchdog.unwatch
    calls: list[int] = []

    def delivered_inside(tid: int) -> None:
        calls.append(tid)
        if len(calls) == 1:
            raise rendering.BudgetExceeded  # what the pending asynchronous exception does there
        real(tid)

    monkeypatch.setattr(rendering._watchdog, "unwatch", delivered_inside)
    with rendering.cpu_budget(5.0):
        pass
    me = concurrency.native_ident()
    assert calls == [me, me]
    assert me not in rendering._watchdog.deadlines
    ends = time.process_time() + 0.3  # three of the watchdog's re-arm periods: nothing may arrive now
    while time.process_time() < ends:
        pass


def _spin_within(seconds: float) -> None:
    with rendering.cpu_budget(seconds):
        while True:
            pass


def test_a_block_over_its_budget_is_interrupted_and_nothing_follows() -> None:
    with pytest.raises(rendering.BudgetExceeded):
        _spin_within(0.05)
    assert concurrency.native_ident() not in rendering._watchdog.deadlines
    ends = time.process_time() + 0.3
    while time.process_time() < ends:
        pass


def test_a_thread_left_on_the_watch_is_interrupted_a_bounded_number_of_times() -> None:
    """A block that ended without `unwatch` (a timeout delivered between its last bytecode and `unwatch`,
    its frame kept by a traceback: how a hypothesis test livelocked in CI twice) leaves its thread watched
    past its deadline. The watchdog interrupts it `_MAX_RAISES` times at most, then leaves it be."""
    import threading

    interrupted: list[int] = []
    left: list[bool] = []

    def left_on_the_watch() -> None:
        tid = concurrency.native_ident()
        clock = rendering._thread_clock(tid)
        rendering._watchdog.watch(tid, clock, clock())  # never unwatched
        while time.thread_time() < 10:  # bounded whatever happens (CPU seconds of this thread)
            try:
                while tid in rendering._watchdog.deadlines:
                    pass
                left.append(True)
                ends = time.thread_time() + 0.5  # five re-arm periods after it was let go: nothing comes
                while time.thread_time() < ends:
                    pass
                return
            except rendering.BudgetExceeded:
                interrupted.append(1)

    thread = threading.Thread(target=left_on_the_watch)
    thread.start()
    thread.join(120)
    assert not thread.is_alive()
    assert left == [True]
    assert 1 <= len(interrupted) <= rendering._MAX_RAISES
