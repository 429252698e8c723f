"""How this process runs concurrent work: gevent greenlets under gunicorn, plain threads elsewhere.

`make run` serves with gunicorn's gevent worker, which monkey-patches the standard library before the app
is imported: `threading`, `queue` and `time.sleep` then switch greenlets instead of blocking, so a
WebSocket costs a greenlet, not a thread, and the engine's writer, locks and futures work unchanged. The
CLI and the in-process tests run without gevent, on real threads. What must run on a real OS thread
whatever the mode (the render watchdog, and CPU-heavy renders that must not stall every socket) asks here.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

T = TypeVar("T")


def gevent_active() -> bool:
    """Whether gevent has patched this process (gunicorn's gevent worker, `python app.py`)."""
    from gevent import monkey

    return bool(monkey.is_module_patched("socket"))


def async_mode() -> str:
    """Flask-SocketIO's async mode for this process."""
    return "gevent" if gevent_active() else "threading"


def _original(module: str, name: str) -> Any:
    """The standard library's own `module.name`, even where gevent has patched it."""
    if gevent_active():
        from gevent import monkey

        return monkey.get_original(module, name)
    return getattr(importlib.import_module(module), name)


def start_native_thread(target: Callable[[], None]) -> None:
    """Start an OS thread (not a greenlet, even under gevent); it ends with the process."""
    _original("_thread", "start_new_thread")(target, ())


def native_ident() -> int:
    """The OS thread id of the caller (under gevent, `threading.get_ident` names the greenlet)."""
    return _original("_thread", "get_ident")()


def native_lock() -> Any:
    """A lock that blocks the OS thread: for state shared with a native thread, held for microseconds."""
    return _original("_thread", "allocate_lock")()


def native_sleep(seconds: float) -> None:
    _original("time", "sleep")(seconds)


def native_sleep_function() -> Callable[[float], None]:
    """`native_sleep` itself, looked up once: for a native thread that sleeps many times a second."""
    return _original("time", "sleep")


def off_loop(work: Callable[[], T]) -> T:
    """Run CPU-heavy `work` in a native thread under gevent, so the sockets keep being served meanwhile."""
    if not gevent_active():
        return work()
    import gevent

    return gevent.get_hub().threadpool.apply(work)


class Turnstile:
    """Paces work that is short but comes in crowds, such as setting up a socket, so that the event loop
    serves its sockets between one handful and the next.

    When 200 browsers reconnect at once (a restart, a network blip), their setups (5 to 10 ms each) would
    run back to back: gevent runs 50 ready greenlets before it looks at the clock, so the loop was held for
    100 to 400 ms at a time, and every writer of every workshop waited that long for their relays. Through
    a turnstile, setups run back to back for `BUDGET_SECONDS` at most (plus the last one's own length);
    the others wait in line, and one greenlet, the pacer, lets them in: one at a time, each once the one
    before has ended or waits on the network, and a pause on a timer whenever the budget is spent (the
    timer fires after the loop has polled its sockets). The crowd takes as long; nobody else waits more
    than a handful.

    No lock is held: a setup that waits on the network (Redis, the database) lets the next one in, so an
    outage that makes each setup wait makes them wait side by side, not one after another. Without gevent
    (threads: the tests' server, the CLI) a turn is free.
    """

    BUDGET_SECONDS = 0.01  # setups run back to back for this long, then the loop gets its turn
    PAUSE_SECONDS = 0.0002  # a timer: it fires after the loop has polled its sockets

    def __init__(self) -> None:
        self._since = 0.0  # when the current handful began (after a pause: the loop had polled)
        self._line: deque[Any] = deque()  # the events of the setups waiting, first come first
        self._pacing = False

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Run the block now if the current handful has time left and nobody waits, else in line."""
        if gevent_active() and (self._line or time.monotonic() - self._since >= self.BUDGET_SECONDS):
            import gevent
            from gevent.event import Event

            admitted = Event()
            self._line.append(admitted)
            if not self._pacing:
                self._pacing = True
                gevent.spawn(self._pace)
            admitted.wait()
        yield

    def _pace(self) -> None:
        import gevent

        try:
            while self._line:
                if time.monotonic() - self._since >= self.BUDGET_SECONDS:
                    gevent.sleep(self.PAUSE_SECONDS)  # the loop polls its sockets
                    gevent.sleep(0)  # and the greenlets that the poll woke run
                    self._since = time.monotonic()
                self._line.popleft().set()
                gevent.sleep(0)  # the setup runs, to its end or to its first wait
        finally:
            self._pacing = False


class SlotTimeoutError(TimeoutError):
    """`Slot.result` waited its whole timeout."""


_slot_states = threading.Lock()  # every slot's state changes: held for a few instructions, never waited in


class Slot(Generic[T]):
    """One result handed from one thread (or greenlet) to another: the part of `concurrent.futures.Future`
    that the story writer's jobs use, at a fraction of its cost (an Event, where a Future builds a Condition
    and its lock, and a lock more on each wait: a few percent of a busy worker's time under gevent).

    A slot is pending, then running (`set_running_or_notify_cancel`) or cancelled (`cancel`, only while
    pending), then done once its result is set.
    """

    __slots__ = ("_done", "_result", "_state")

    def __init__(self) -> None:
        self._state = "pending"
        self._result: T | None = None
        self._done = threading.Event()

    def cancel(self) -> bool:
        """Withdraw a slot nobody has started on; False once it runs or is done."""
        with _slot_states:
            if self._state == "pending":
                self._state = "cancelled"
            return self._state == "cancelled"

    def set_running_or_notify_cancel(self) -> bool:
        """Start on the slot; False if it was cancelled (its waiter has gone)."""
        with _slot_states:
            if self._state == "cancelled":
                return False
            self._state = "running"
            return True

    def done(self) -> bool:
        return self._done.is_set()

    def set_result(self, result: T) -> None:
        self._result = result
        self._done.set()

    def result(self, timeout: float | None = None) -> T:
        """The result, once set; `SlotTimeoutError` after `timeout` seconds without one."""
        if not self._done.wait(timeout):
            raise SlotTimeoutError
        return self._result  # type: ignore[return-value]
