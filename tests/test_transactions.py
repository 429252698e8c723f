"""No write transaction open across a greenlet switch (issue 22, finding 2): writers of every kind at once,
on the real server (SQLite by default, PostgreSQL when DATABASE_URL is set), are all stored, none refused
`unavailable`, nothing "database is locked", and `/healthz` keeps answering meanwhile; and the guard of
`core.transactions` catches a handler that yields with its write open."""

from __future__ import annotations

import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from extensions import db
from feedback.models import ChatMessage, Comment
from tests.feedback.test_comment_sockets import Setting
from tests.server import ServerProcess

pytestmark = pytest.mark.slow

REVISE = 2  # the phase of tests.feedback's agenda where the group writes and comments its own story
ACK_TIMEOUT = 60  # seconds: long enough to count refusals, not time-outs
HEALTHZ_BOUND = 1.0  # seconds: generous on this loaded machine (the issue saw 4 s; ~10-50 ms here)


@pytest.fixture
def setting(live_server: ServerProcess, app_ctx: Any) -> Iterator[Setting]:
    found = Setting(live_server)
    found.phase(REVISE)
    yield found
    for client in found.clients:
        client.close()


class Healthz:
    """Polls `/healthz` in a thread while a burst runs; the slowest answer it saw."""

    def __init__(self, url: str) -> None:
        self.url = url + "/healthz"
        self.slowest = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def _poll(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            with urllib.request.urlopen(self.url, timeout=30):  # noqa: S310 (local URL)
                pass
            self.slowest = max(self.slowest, time.monotonic() - started)
            time.sleep(0.02)

    def __enter__(self) -> Healthz:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def at_once(calls: list[Callable[[], Any]]) -> list[Any]:
    """Run every call in a thread of its own, released together; their results in order."""
    results: list[Any] = [None] * len(calls)
    start = threading.Barrier(len(calls))

    def run(k: int) -> None:
        start.wait()
        try:
            results[k] = calls[k]()
        except Exception as exc:  # a timeout is a result too: no ack
            results[k] = exc

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def ask(client: Any, event: str, payload: Any) -> Any:
    return client.call(event, payload, timeout=ACK_TIMEOUT)


def comment(setting: Setting, client: Any, word: str, body: str) -> Any:
    payload = {"story_id": setting.story_id, "body": body, **setting.passage(word)}
    return ask(client, "comment:create", payload)


def outcome(ack: Any) -> str:
    if isinstance(ack, Exception):
        return "no ack"
    return "ok" if ack.get("ok") else ack["error"]["code"]


def test_two_participants_commenting_at_once_are_all_stored(setting: Setting) -> None:
    """On main: 8 of 16 refused `unavailable` ("database is locked"), /healthz 4 s."""
    ana, abel = setting.client("ana"), setting.client("abel")
    calls = [
        (lambda c=c, k=k: comment(setting, c, "glowed", f"Comment {k}"))
        for c in (ana, abel)
        for k in range(8)
    ]
    with Healthz(setting.server.url) as health:
        acks = at_once(calls)
    print("comments:", Counter(outcome(a) for a in acks), f"slowest /healthz {health.slowest:.3f} s")
    assert Counter(outcome(a) for a in acks) == {"ok": 16}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 16
    assert health.slowest < HEALTHZ_BOUND
    assert "database is locked" not in setting.server.log.read_text()


def test_writers_of_every_kind_at_once(setting: Setting) -> None:
    """Comments, replies, edits, chat messages and a facilitator's chat to every group, all at once."""
    ana, abel = setting.client("ana"), setting.client("abel")
    facilitator = setting.facilitator()
    first = setting.comment(ana, "glowed", "First")
    assert first["ok"], first
    first_id = first["comment"]["id"]
    calls: list[Callable[[], Any]] = []
    for k in range(4):
        calls.append(lambda k=k: comment(setting, ana, "river", f"On the river {k}"))
        calls.append(lambda k=k: ask(abel, "comment:reply", {"comment_id": first_id, "body": f"Reply {k}"}))
        calls.append(lambda k=k: ask(ana, "chat:send", {"body": f"Chat from ana {k}"}))
        calls.append(lambda k=k: ask(abel, "chat:send", {"body": f"Chat from abel {k}"}))
        calls.append(lambda k=k: ask(facilitator, "chat:send", {"body": f"To all {k}", "group_id": None}))
    calls.append(lambda: ask(ana, "comment:edit", {"comment_id": first_id, "body": "First, edited"}))
    with Healthz(setting.server.url) as health:
        acks = at_once(calls)
    print("every kind:", Counter(outcome(a) for a in acks), f"slowest /healthz {health.slowest:.3f} s")
    assert Counter(outcome(a) for a in acks) == {"ok": len(calls)}
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Comment)) == 9
    assert db.session.scalar(select(func.count()).select_from(ChatMessage)) == 12
    assert health.slowest < HEALTHZ_BOUND
    log = setting.server.log.read_text()
    assert "database is locked" not in log
    assert "WriteAcrossSwitchError" not in log
