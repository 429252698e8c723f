"""CPU-heavy pure work (pycrdt merges and replays) in a child process of each worker, off the event loop.

A native thread would not free the loop: pycrdt holds the GIL while it works, and a gevent loop sharing the
interpreter with a thread replaying 5,000 updates got 92 of its 291 heartbeats (stalls of 43 ms) where it
would get all of them alone. So each worker (each process) has one child, a fresh interpreter started at the
first call (`python -m core.cpu_process`), and `run(function, *args)` sends it the function's name and its
arguments (pickled, over its stdin) and reads the result back from its stdout. Under gevent the pipes are
gevent's (subprocess is patched), so the wait yields to the loop: other sockets are served meanwhile. On
plain threads (the tests, the CLI) the caller's thread waits. One call at a time per process (a lock): the
work is queued, never run twice at once. A child that died (killed, crashed) is started again at the next
call; the call that saw it die raises `CpuProcessError`.

Only module-level functions of Plume's own modules, with picklable arguments and results, are run so.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, TypeVar, cast

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
T = TypeVar("T")
_HEADER = struct.Struct("!Q")
NICENESS = 10  # the child's priority below the worker's


class CpuProcessError(RuntimeError):
    """The child process died or answered nonsense; the next call starts a new one."""


def _write(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_HEADER.pack(len(payload)) + payload)
    stream.flush()


def _read_exactly(stream: IO[bytes], size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError("the other end closed the pipe")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read(stream: IO[bytes]) -> bytes:
    (size,) = _HEADER.unpack(_read_exactly(stream, _HEADER.size))
    return _read_exactly(stream, size)


class CpuProcess:
    """The child process of this worker and the lock that lets one call at a time talk to it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # gevent's under gevent: waiting for it yields
        self._child: subprocess.Popen[bytes] | None = None
        self.started = 0  # children started so far (a restart counts)

    def run(self, function: Callable[..., T], *args: Any) -> T:
        """`function(*args)` computed in the child; its exception is raised here as it was raised there."""
        request = pickle.dumps((function.__module__, function.__qualname__, args), pickle.HIGHEST_PROTOCOL)
        with self._lock:
            child = self._running()
            try:
                _write(child.stdin, request)  # type: ignore[arg-type]  # both are pipes
                reply = _read(child.stdout)  # type: ignore[arg-type]
            except (OSError, EOFError, struct.error, ValueError) as exc:
                self._stop()
                what = function.__qualname__
                raise CpuProcessError(f"the CPU process died while computing {what}") from exc
        ok, value = pickle.loads(reply)  # noqa: S301 (our own child's answer)
        if not ok:
            raise value
        return cast("T", value)

    def _running(self) -> subprocess.Popen[bytes]:
        if self._child is None or self._child.poll() is not None:
            self._child = subprocess.Popen(
                [sys.executable, "-m", "core.cpu_process"],
                cwd=ROOT,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                close_fds=True,
            )
            self.started += 1
            log.info("CPU process started (pid %s)", self._child.pid)
        return self._child

    def _stop(self) -> None:
        if self._child is not None:
            if self._child.poll() is None:
                self._child.kill()
            self._child.wait()
            self._child = None

    def pid(self) -> int | None:
        """The running child's pid (None before the first call)."""
        with self._lock:
            return self._child.pid if self._child is not None and self._child.poll() is None else None


_process: CpuProcess | None = None
_pid: int | None = None  # the process `_process` belongs to: a forked worker starts its own child


def process() -> CpuProcess:
    global _process, _pid
    if _process is None or _pid != os.getpid():
        _process, _pid = CpuProcess(), os.getpid()
    return _process


def run(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` computed in this worker's CPU process (see the module's docstring)."""
    return process().run(function, *args)


# --- the child ----------------------------------------------------------------------------------------


def _call(request: bytes) -> tuple[bool, Any]:
    import importlib

    try:
        module, name, args = pickle.loads(request)  # noqa: S301 (from the worker that started us)
        target: Any = importlib.import_module(module)
        for part in name.split("."):
            target = getattr(target, part)
        return True, target(*args)
    except Exception as exc:
        return False, exc
    except BaseException as exc:  # a Rust panic in pycrdt is pyo3's PanicException
        if isinstance(exc, KeyboardInterrupt | SystemExit):
            raise
        return False, RuntimeError(f"{type(exc).__name__}: {exc}")


def _answer(outcome: tuple[bool, Any]) -> bytes:
    try:
        return pickle.dumps(outcome, pickle.HIGHEST_PROTOCOL)
    except Exception as exc:  # an exception that does not pickle
        return pickle.dumps((False, RuntimeError(f"{outcome[1]!r} ({exc})")), pickle.HIGHEST_PROTOCOL)


def _configure_logging() -> None:
    """The child's few records (a stored row that does not apply, an update our reader cannot read) go to
    the worker's stderr, one line each, in key=value fields like the worker's (`logs.py`, which the core
    does not import; always this format, even with PLUME_LOG_FORMAT=json)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("time=%(asctime)s level=%(levelname)s logger=%(name)s process=cpu msg=%(message)r")
    )
    logging.getLogger().addHandler(handler)
    logging.getLogger().setLevel(logging.INFO)


def main() -> None:
    """Answer requests from stdin until the worker closes it (or dies)."""
    requests, replies = sys.stdin.buffer, os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # a stray print (even from C) goes to the log, not into the replies
    sys.stdout = sys.stderr
    os.nice(NICENESS)  # on a busy host the worker's event loop gets the CPU first
    _configure_logging()
    while True:
        try:
            request = _read(requests)
        except EOFError:
            return
        _write(replies, _answer(_call(request)))


if __name__ == "__main__":
    main()
