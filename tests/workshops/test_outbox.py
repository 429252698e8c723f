"""The session hooks of `core.outbox`: what a transaction queues runs once it commits, else never."""

from __future__ import annotations

import logging
import threading

import pytest
from sqlalchemy import select

from core import outbox
from extensions import db
from tests import factories
from workshops.models import Workshop


@pytest.fixture
def workshop(app_ctx) -> Workshop:
    return factories.workshop(groups=1)


def rename(workshop_id: int, title: str) -> None:
    """A write in the current transaction (SQLite only opens it with the first write)."""
    db.session.get(Workshop, workshop_id).title = title
    db.session.flush()


def test_a_callback_runs_once_after_the_commit_and_not_before(workshop) -> None:
    ran: list[str] = []
    rename(workshop.id, "Queued")
    outbox.on_commit(lambda: ran.append("sent"))
    db.session.flush()
    assert ran == []
    assert outbox.pending() == 1
    db.session.commit()
    assert ran == ["sent"]
    assert outbox.pending() == 0
    db.session.commit()
    assert ran == ["sent"]


def test_a_rolled_back_transaction_sends_nothing_and_leaves_nothing_behind(workshop) -> None:
    ran: list[str] = []
    rename(workshop.id, "Never")
    outbox.on_commit(lambda: ran.append("rolled back"))
    db.session.rollback()
    assert outbox.pending() == 0
    rename(workshop.id, "Later")
    db.session.commit()
    assert ran == []
    assert db.session.get(Workshop, workshop.id).title == "Later"


def test_a_removed_session_drops_its_queue(workshop) -> None:
    ran: list[str] = []
    outbox.on_commit(lambda: ran.append("closed"))
    db.session.remove()  # the end of a request or of a socket event, without a commit
    assert outbox.pending() == 0
    db.session.commit()
    assert ran == []


def test_a_released_savepoint_waits_for_the_outer_commit(workshop) -> None:
    ran: list[str] = []
    rename(workshop.id, "Outer")
    outbox.on_commit(lambda: ran.append("outer"))
    with db.session.begin_nested():
        outbox.on_commit(lambda: ran.append("inner"))
    assert ran == []
    assert outbox.pending() == 2
    outbox.on_commit(lambda: ran.append("after"))
    db.session.commit()
    assert ran == ["outer", "inner", "after"]


def test_a_rolled_back_savepoint_drops_only_its_own(workshop) -> None:
    ran: list[str] = []
    rename(workshop.id, "Outer")
    outbox.on_commit(lambda: ran.append("outer"))
    savepoint = db.session.begin_nested()
    outbox.on_commit(lambda: ran.append("inner"))
    rename(workshop.id, "Inner")
    savepoint.rollback()
    assert outbox.pending() == 1
    db.session.commit()
    assert ran == ["outer"]
    assert db.session.get(Workshop, workshop.id).title == "Outer"


def test_a_callback_may_read_the_database_and_a_failing_one_is_only_logged(workshop) -> None:
    titles: list[str] = []
    logged: list[logging.LogRecord] = []
    handler = logging.Handler(logging.ERROR)
    handler.emit = logged.append  # type: ignore[method-assign]

    def broken() -> None:
        raise RuntimeError("the message queue is away")

    rename(workshop.id, "Committed")
    outbox.on_commit(broken)
    outbox.on_commit(lambda: titles.append(db.session.scalar(select(Workshop.title))))
    disabled, outbox.log.disabled = (
        outbox.log.disabled,
        False,
    )  # a migration test's fileConfig disables it
    outbox.log.addHandler(handler)  # on the module's logger: other tests may stop propagation above it
    try:
        db.session.commit()  # the commit stands: no exception
    finally:
        outbox.log.removeHandler(handler)
        outbox.log.disabled = disabled
    assert titles == ["Committed"]
    assert [record.getMessage().split(" <")[0] for record in logged] == ["after-commit callback"]


def test_queues_do_not_leak_between_sessions(app, workshop) -> None:
    """Another thread (another request or socket) has its own session: its commit sends only its own."""
    ran: list[str] = []
    outbox.on_commit(lambda: ran.append("mine"))

    def elsewhere() -> None:
        with app.app_context():
            assert outbox.pending() == 0
            outbox.on_commit(lambda: ran.append("theirs"))
            db.session.commit()
            db.session.remove()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert ran == ["theirs"]
    assert outbox.pending() == 1
    db.session.commit()
    assert ran == ["theirs", "mine"]
