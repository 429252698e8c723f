"""Events wait for the commit: what a transaction queues is sent once it commits, and never if it does not.

The Zulip pattern (``transaction.on_commit``) on SQLAlchemy's session events, so that operations only
``flush`` and whoever owns the unit of work (a route, a socket handler, a CLI command, a background job)
commits, through :func:`core.unit_of_work.committed`: two operations can share one transaction, and a
client never hears of a change that was rolled back.

- :func:`emit_on_commit` (or :func:`on_commit` for other work, e.g. moving a socket between rooms) queues
  on the session's current transaction: its innermost SAVEPOINT if one is open, else the transaction
  itself (begun if there is none yet, so a queue always has a transaction to wait for).
- Released SAVEPOINTs hand their queue to the enclosing transaction; rolled-back ones drop it.
- When the outermost transaction commits (``after_commit``), its queue runs in the order it was filled,
  once the transaction has ended (``after_transaction_end``): a callback that reads the database starts a
  new transaction, as any code after a commit does. A failing callback is logged, not raised: what was
  committed stands.
- A transaction that ends any other way (rollback, ``close()``, the scoped session removed at the end of a
  request or a socket event) drops its queue: nothing carries over to the next request or socket.

:func:`emit_now` sends what no transaction stands behind (presence, answers to the socket just connected).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from core.events import Event
from extensions import db, socketio

log = logging.getLogger(__name__)

NAMESPACE = "/"
_PENDING = "plume.outbox.pending"  # session.info: {transaction: [callback, ...]} not committed yet
_READY = "plume.outbox.ready"  # session.info: [callback, ...] committed, to run once the transaction ends


def on_commit(callback: Callable[[], object], session: Session | None = None) -> None:
    """Run `callback()` after the current transaction of `session` (the request's) commits; never if not."""
    session = session or db.session()
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, {}).setdefault(transaction, []).append(callback)


def emit_on_commit(message: Event, *, to: str, skip_sid: str | list[str] | None = None) -> None:
    """Send `message` to room (or socket) `to` once the transaction commits.

    The payload is built now, from what the transaction sees (it includes its own flushed changes).
    """
    on_commit(partial(_emit, message.name, message.payload(), to, skip_sid))


def emit_now(message: Event, *, to: str, skip_sid: str | list[str] | None = None) -> None:
    """Send `message` at once: for what no transaction stands behind (presence, a socket's own state)."""
    _emit(message.name, message.payload(), to, skip_sid)


def pending(session: Session | None = None) -> int:
    """How many callbacks wait for `session`'s commit (for tests and assertions)."""
    session = session or db.session()
    return sum(len(queue) for queue in session.info.get(_PENDING, {}).values())


_sent_hooks: list[Callable[[str, str], None]] = []


def on_sent(hook: Callable[[str, str], None]) -> Callable[[str, str], None]:
    """Register `hook(event_name, room)` to run after each event this process sends through the outbox (a
    feature that follows other features' events, e.g. the organiser's overview). It runs on the event loop
    for every event: it must only note, in constant time."""
    _sent_hooks.append(hook)
    return hook


def _emit(name: str, payload: dict[str, Any], to: str, skip_sid: str | list[str] | None) -> None:
    socketio.emit(name, payload, to=to, skip_sid=skip_sid, namespace=NAMESPACE)
    for hook in _sent_hooks:
        try:
            hook(name, to)
        except Exception:
            log.exception("hook %r on the sent event %s failed", hook, name)


@event.listens_for(db.session, "after_commit")
def _committed(session: Session) -> None:
    """A SAVEPOINT released hands its queue up; the outermost transaction's queue becomes ready."""
    queues = session.info.get(_PENDING)
    if not queues:
        return
    savepoint = session.get_nested_transaction()
    if savepoint is not None:
        if savepoint in queues:
            queues.setdefault(savepoint.parent, []).extend(queues.pop(savepoint))
        return
    ready = session.info.setdefault(_READY, [])
    for callbacks in session.info.pop(_PENDING).values():
        ready.extend(callbacks)


@event.listens_for(db.session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    """Drop what an uncommitted transaction queued; once the outermost one ends, run what its commit made
    ready."""
    queues = session.info.get(_PENDING)
    if queues:
        queues.pop(transaction, None)
    if transaction.parent is not None:
        return
    session.info.pop(_PENDING, None)
    for callback in session.info.pop(_READY, []):
        try:
            callback()
        except Exception:
            log.exception("after-commit callback %r failed", callback)
