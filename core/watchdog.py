"""The loop-stall watchdog of a gevent worker: a line in the log for every stall of the event loop.

Under gevent every socket of a worker is served by one event loop on one OS thread: code that runs for 200 ms
without yielding makes every writer of every workshop wait 200 ms. Two parts watch for that:
- a heartbeat greenlet sleeps `TICK_SECONDS` at a time and notes when it woke up; when it wakes more than
  `PLUME_STALL_MS` (default 50) late, it logs `loop_stall_ms=<int> held_by=<where> cpu_ms=<int>` (logger
  `plume.watchdog`, WARNING), once per stall, after the stall (the loop runs again, so the log line costs
  nothing then). `cpu_ms` is the CPU time the loop's thread used meanwhile: well under `loop_stall_ms`, the
  process waited for a CPU (a host short of cores) more than code held the loop;
- a native thread (an OS thread, not a greenlet) looks at the heartbeat every `TICK_SECONDS` and, while the
  loop has been held for longer than the threshold, samples what the loop's thread is running: the innermost
  frame of Plume's own code (`module:function:line`, prefixed `gc.gen2@` when the garbage collector was
  running); the heartbeat logs the one seen most often during the stall as `held_by`.

Started once per worker process by `create_app`, only under gevent (docs/deploy.md, "Loop stalls").
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import time
from collections import Counter
from pathlib import Path
from types import FrameType

from flask import Flask

import concurrency
from core import settings

log = logging.getLogger("plume.watchdog")
TICK_SECONDS = 0.02  # 50 wake-ups a second each (at 0.01 they were most of an idle worker's CPU)
ROOT = str(Path(__file__).resolve().parent.parent) + os.sep
_LIBRARIES = (os.sep + ".venv" + os.sep, os.sep + "site-packages" + os.sep)


def holder(frame: FrameType | None) -> str:
    """The innermost frame of Plume's code in a stack (else the innermost frame), as module:function:line."""
    innermost = frame
    while frame is not None:
        path = frame.f_code.co_filename
        if path.startswith(ROOT) and not any(part in path for part in _LIBRARIES):
            return _where(frame)
        frame = frame.f_back
    return _where(innermost) if innermost is not None else "unknown"


def _where(frame: FrameType) -> str:
    module = frame.f_globals.get("__name__") or Path(frame.f_code.co_filename).stem
    return f"{module}:{frame.f_code.co_name}:{frame.f_lineno}"


class Watchdog:
    """The heartbeat (a greenlet on the loop) and the sampler (a native thread) of one worker process."""

    def __init__(self, threshold_ms: float) -> None:
        self.threshold = threshold_ms / 1000
        self.loop_thread = concurrency.native_ident()  # the thread the event loop runs on
        self.beat = time.monotonic()  # when the heartbeat last woke up (written by the heartbeat only)
        self.sample: tuple[float, str] | None = None  # (the beat it was taken after, held_by): sampler only
        self._seen: Counter[str] = Counter()  # where the loop was seen held during the current stall
        self._seen_beat = 0.0

    def start(self) -> None:
        import gevent

        gevent.spawn(self.heartbeat)
        concurrency.start_native_thread(self.sampler)

    def heartbeat(self) -> None:
        import gevent

        self.beat = time.monotonic()  # the loop runs from here on (not from when the app was built)
        while True:
            before, cpu_before = self.beat, time.thread_time()
            gevent.sleep(TICK_SECONDS)
            self.check(before, time.monotonic(), time.thread_time() - cpu_before)

    def check(self, before: float, now: float, cpu: float = 0.0) -> None:
        """The heartbeat woke at `now` after sleeping from `before`, the loop's thread having used `cpu`
        seconds meanwhile: log the stall, if it was one."""
        self.beat = now
        late = now - before - TICK_SECONDS
        if late > self.threshold:
            sample = self.sample
            held_by = sample[1] if sample is not None and sample[0] == before else "unknown"
            log.warning(
                "loop_stall_ms=%d held_by=%s cpu_ms=%d", round(late * 1000), held_by, round(cpu * 1000)
            )

    def sampler(self) -> None:
        sleep = concurrency.native_sleep_function()
        while True:
            sleep(TICK_SECONDS)
            beat = self.beat
            if time.monotonic() - beat - TICK_SECONDS > self.threshold:
                frame = sys._current_frames().get(self.loop_thread)
                where = holder(frame)
                del frame
                if _collecting is not None:  # the garbage collector holds it, wherever it was called
                    where = f"gc.gen{_collecting}@{where}"
                seen = self._seen if self._seen_beat == beat else Counter()
                seen[where] += 1
                self._seen, self._seen_beat = seen, beat
                self.sample = (beat, seen.most_common(1)[0][0])  # where the loop was seen held most


_collecting: int | None = None  # the generation the garbage collector is collecting, if it runs now


def _gc_phase(phase: str, info: dict[str, int]) -> None:
    global _collecting
    _collecting = info["generation"] if phase == "start" else None


_started_in: int | None = None  # the process the watchdog runs in (none runs after a fork)


def start(app: Flask) -> bool:
    """Start the watchdog of this process under gevent, once (after gunicorn forks); False if it does not
    run (no gevent: the tests' threading mode, the CLI; or `PLUME_STALL_MS=0`)."""
    global _started_in
    threshold = settings.of(app).stall_ms
    if not threshold or not concurrency.gevent_active():
        return False
    if _started_in != os.getpid():
        _started_in = os.getpid()
        if _gc_phase not in gc.callbacks:
            gc.callbacks.append(_gc_phase)
        Watchdog(threshold).start()
    return True


def hold_the_loop(ms: float) -> None:
    """Run for `ms` milliseconds without yielding: what a stall looks like (the debug route below)."""
    end = time.monotonic() + ms / 1000
    while time.monotonic() < end:
        pass


def install_debug_route(app: Flask) -> None:
    """`POST /debug/hold-loop?ms=N` holds the loop for N ms (at most 5,000): only with
    `PLUME_DEBUG_HOLD_LOOP=1` outside production, for the tests and for checking a deployment's logs."""
    from flask import request

    from extensions import csrf

    @csrf.exempt  # type: ignore[untyped-decorator]  # Flask-WTF is untyped
    @app.post("/debug/hold-loop")
    def debug_hold_loop() -> tuple[str, int]:
        ms = min(max(request.args.get("ms", 0.0, type=float), 0), 5000)
        hold_the_loop(ms)
        return "held\n", 200
