"""A budget for CPU-heavy work: what grows with its input runs off the event loop, bounded in time and in
number, and answers a clear error when over.

One gevent worker serves every workshop: a request that computes for seconds on the event loop (a history
replayed and compared, an export) stops every socket of every workshop meanwhile. `run(work, what)`:

- runs `work` in gevent's native threadpool (plain code with no database access and no object shared with
  the loop: the caller reads what it needs first, and turns the result into rows after);
- lowers the interpreter's switch interval while such work runs (`FAST_SWITCH`), since pure-Python work in
  a native thread still holds the GIL: the loop then gets it back every millisecond, not every 5 ms;
- stops the work once it has spent `PLUME_WORK_BUDGET_S` seconds of CPU (the render watchdog of
  `core.rendering` interrupts its thread) and raises `OverBudgetError("over_budget")`;
- lets at most `PLUME_WORK_SLOTS` such jobs run at once per worker; one more waits up to
  `PLUME_WORK_WAIT_S` seconds for a slot, then gets `OverBudgetError("busy")`.

The input of each path is bounded too (a story's text by `PLUME_MAX_STORY_BYTES`, a diff's work by
`textdiff.WORK_LIMIT`), so a participant cannot make a job that the budget would always cut. Routes turn
`OverBudgetError` into HTTP 503 (`pages.register_error_handlers`), sockets into an error ack.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app

import concurrency
from core import refusals, rendering
from core.settings import settings
from errors import RefusedError

T = TypeVar("T")
SLOT_POLL = 0.02  # seconds between two looks for a free slot
FAST_SWITCH = 0.001  # seconds: the switch interval while a job holds the GIL in a native thread


class OverBudgetError(RefusedError):
    """The work was cut at its budget (`over_budget`), or every slot was taken (`busy`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code, refusals.message("work", code))


class _Slots:
    """The jobs running now, and the switch interval to restore when none is left."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # a greenlet lock under gevent: only the loop's greenlets take it
        self.running = 0
        self.interval = sys.getswitchinterval()

    def take(self, limit: int) -> bool:
        with self.lock:
            if self.running >= limit:
                return False
            if self.running == 0:
                self.interval = sys.getswitchinterval()
                sys.setswitchinterval(min(self.interval, FAST_SWITCH))
            self.running += 1
            return True

    def give_back(self) -> None:
        with self.lock:
            self.running -= 1
            if self.running == 0:
                sys.setswitchinterval(self.interval)


_slots = _Slots()


def _take_slot(limit: int, wait: float) -> bool:
    """A slot, waiting up to `wait` seconds for one (a few people commenting at once all get theirs)."""
    deadline = time.monotonic() + wait
    while not _slots.take(limit):
        if limit <= 0 or time.monotonic() >= deadline:
            return False
        time.sleep(SLOT_POLL)  # cooperative under gevent
    return True


class _CutError(Exception):
    """The work was interrupted at its budget (raised in its thread, an ordinary exception across it)."""


def _budgeted(work: Callable[[], T], seconds: float) -> T:
    try:
        with rendering.cpu_budget(seconds):
            return work()
    except rendering.BudgetExceeded:
        raise _CutError from None


def run(work: Callable[[], T], what: str) -> T:
    """`work()` off the event loop within the worker's budget; raises `OverBudgetError` when over it."""
    own = settings()
    seconds, slots, wait = own.work_budget_s, own.work_slots, own.work_wait_s
    if not _take_slot(slots, wait):
        current_app.logger.warning("%s refused: every work slot is taken", what)
        raise OverBudgetError("busy")
    try:
        return concurrency.off_loop(lambda: _budgeted(work, seconds))
    except _CutError:
        current_app.logger.warning("%s cut at its budget of %.2f s of CPU", what, seconds)
        raise OverBudgetError("over_budget") from None
    finally:
        _slots.give_back()
