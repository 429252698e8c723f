"""Arrivals are paced (concurrency.Turnstile): under gevent a crowd of socket setups lets the event loop
serve its sockets between handfuls, and setups that wait on the network wait side by side; a socket's
connection, its story's opening and its departure each take a turn before they do anything."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, request
from flask_socketio import ConnectionRefusedError

import concurrency
from stories.cowriting import sockets as story_sockets
from workshops import sockets as workshop_sockets

ROOT = Path(__file__).resolve().parent.parent

CROWD = """
from gevent import monkey; monkey.patch_all()
import socket, time
import gevent
import concurrency

turns = concurrency.Turnstile()
{setup}
seen = []
loop_side, crowd_side = socket.socketpair()

def serve():  # a socket the loop serves: it wakes only when the loop polls
    while True:
        data = loop_side.recv(64)
        seen.append("io")

def arrive(n):
    with turns.turn():
        crowd_side.send(b"x")  # the loop's socket has work from now on
        seen.append(n)
        end = time.perf_counter() + 0.004  # a setup: 4 ms without yielding
        while time.perf_counter() < end:
            pass

server = gevent.spawn(serve)
gevent.sleep(0.01)
gevent.joinall([gevent.spawn(arrive, n) for n in range(12)])
gevent.sleep(0.01)
server.kill()
print(" ".join(map(str, seen)))
"""


def crowd(setup: str = "") -> list[str]:
    """What happened, in order, when 12 setups of 4 ms arrived at once: their numbers, and "io" each time
    the loop served its socket."""
    done = subprocess.run(
        [sys.executable, "-c", CROWD.format(setup=setup)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.split()


def runs_without_the_loop(seen: list[str]) -> list[int]:
    """How many turns ran back to back between two times the loop served its socket."""
    runs, current = [], 0
    for event in seen:
        if event == "io":
            runs.append(current)
            current = 0
        else:
            current += 1
    return [*runs, current]


def test_a_crowd_of_setups_lets_the_loop_serve_its_sockets_between_turns() -> None:
    """12 setups of 4 ms arrive at once: they run first come first served, at most 3 (10 ms of budget) back
    to back, and the loop serves its socket in between; without turns, all 12 ran before it (48 ms)."""
    seen = crowd()
    assert [e for e in seen if e != "io"] == [str(n) for n in range(12)]
    assert max(runs_without_the_loop(seen)) <= 3
    assert seen.count("io") >= 4
    free = crowd("from contextlib import nullcontext\nturns.turn = nullcontext")  # what a crowd did before
    assert max(runs_without_the_loop(free)) == 12


def test_with_no_budget_the_loop_runs_after_every_turn() -> None:
    assert crowd("turns.BUDGET_SECONDS = 0") == [event for n in range(12) for event in (str(n), "io")]


WAITING = """
from gevent import monkey; monkey.patch_all()
import time
import gevent
import concurrency

turns, inside, most = concurrency.Turnstile(), [], [0]

def arrive():
    with turns.turn():
        inside.append(1)
        most[0] = max(most[0], len(inside))
        time.sleep(0.3)  # waits on the network (Redis away, a pool out of connections): the loop is free
        inside.pop()

started = time.monotonic()
gevent.joinall([gevent.spawn(arrive) for _ in range(12)])
print(most[0], time.monotonic() - started)
"""


def test_setups_that_wait_on_the_network_wait_side_by_side() -> None:
    """No lock is held across a turn: 12 setups that each wait 0.3 s are all waiting at once, and the crowd
    takes about 0.3 s, not 3.6 (an outage must not line the arrivals up behind each other's timeouts)."""
    done = subprocess.run(
        [sys.executable, "-c", WAITING], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    most, took = done.stdout.split()
    assert int(most) == 12
    assert float(took) < 1.5


def test_without_gevent_a_turn_is_free() -> None:
    """Threads already take turns: the tests' server and the CLI neither wait nor pause."""
    turns = concurrency.Turnstile()
    with turns.turn(), turns.turn():  # one inside the other: no lock, no wait
        pass


class TurnRefusedError(Exception):
    """What the recording turnstile raises: the handler got no further than its turn."""


class Recording:
    def __init__(self) -> None:
        self.turns = 0

    def turn(self) -> Any:
        self.turns += 1
        raise TurnRefusedError


@pytest.fixture
def turns(monkeypatch: pytest.MonkeyPatch) -> Recording:
    recording = Recording()
    monkeypatch.setattr(workshop_sockets, "ARRIVALS", recording)
    monkeypatch.setattr(story_sockets, "ARRIVALS", recording)
    return recording


def test_connecting_opening_a_story_and_leaving_each_take_a_turn_first(app: Flask, turns: Recording) -> None:
    """Before any work of their own (`story:open` only spends its rate token before)."""
    with app.test_request_context("/socket.io/"):
        request.sid = "a-socket"  # type: ignore[attr-defined]
        with pytest.raises(ConnectionRefusedError, match="unavailable"):  # a turn that fails refuses
            workshop_sockets.on_connect({"token": "whoever"})
        assert turns.turns == 1
        assert story_sockets.on_open({"story_id": 1})["error"]["code"] == "unavailable"
        assert turns.turns == 2
        with pytest.raises(TurnRefusedError):
            workshop_sockets.on_disconnect("client disconnect")
        assert turns.turns == 3
