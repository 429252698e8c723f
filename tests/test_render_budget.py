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
