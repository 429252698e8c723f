"""The CPU process of a worker (core/cpu_process.py): work done in a child, its errors raised here, a child
that died started again, and under gevent the loop kept running while the child works."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from core import cpu_process
from core.cpu_process import CpuProcess, CpuProcessError
from stories.cowriting import crdt
from tests.server import ROOT
from tests.stories.ydocs import Editor


def test_the_work_is_done_in_another_process() -> None:
    child = CpuProcess()
    editor = Editor()
    updates = [editor.insert(0, "monde"), editor.insert(0, "bonjour ")]
    assert child.run(crdt.text_of, updates) == "bonjour monde"
    assert child.run(os.getpid) == child.pid() != os.getpid()


def test_an_error_in_the_child_is_raised_here() -> None:
    child = CpuProcess()
    with pytest.raises(crdt.MalformedError):
        child.run(crdt.parse_message, b"\xff\x00")
    assert child.run(crdt.text_of, []) == ""  # the child is still there
    assert child.started == 1


def test_a_child_that_dies_is_started_again() -> None:
    child = CpuProcess()
    first = child.run(os.getpid)
    killer = threading.Timer(0.3, lambda: os.kill(first, signal.SIGKILL))
    killer.start()
    with pytest.raises(CpuProcessError):
        child.run(time.sleep, 5)  # killed while it works
    second = child.run(os.getpid)
    assert second != first
    os.kill(second, signal.SIGKILL)  # killed while idle: the next call notices it is gone
    time.sleep(0.2)
    assert child.run(os.getpid) not in (first, second)
    assert child.started == 3


def test_one_process_per_worker() -> None:
    assert cpu_process.process() is cpu_process.process()


GEVENT_SCRIPT = """
from gevent import monkey; monkey.patch_all()
import time, gevent
from core import cpu_process
beats = []
def beat():
    while True:
        gevent.sleep(0.01); beats.append(time.monotonic())
gevent.spawn(beat)
cpu_process.run(time.sleep, 0.01)  # started
gevent.sleep(0.05); beats.clear()
cpu_process.run(time.sleep, 1.0)
print(len(beats))
"""


def test_under_gevent_the_loop_runs_while_the_child_works() -> None:
    done = subprocess.run(
        [sys.executable, "-c", GEVENT_SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) >= 30  # about 100 heartbeats in 1 s; none if the wait held the loop
