"""One unit of work: whoever owns a request, a socket event, a CLI command or a background job commits, once.

Operations (``workshops.management``, ``stories.reading.publishing``, ``stories.reading.reactions``,
``accounts.operations``, ``workshops.live``, ...) only ``flush`` and queue their events
(:mod:`core.outbox`), so that two of them can share a transaction and no caller can forget their events.
Their caller wraps them in :func:`committed`, the one place in the app that commits (the co-writing engine's
writer and persistence layer keep their own short transactions, see ``stories.cowriting``)::

    with committed():
        ops.add_group(workshop)
        state.publish_state(workshop.id)

It commits when the block ends normally (the queued events then go out) and rolls back when it raises (they
are dropped), then re-raises: a refusal (`errors.RefusedError`) is caught outside the block, with nothing
written. It also works as a decorator (``@committed()``). Blocks do not nest: an inner one would commit the
outer one's work early (`workshops.live.run_command` is a unit of work of its own: call it outside one).

The rule of :mod:`core.transactions` still holds: a block does its slow work (renders, exports, Redis
calls, emits that may wait) before its first write, and nothing in it yields after that write. What must
run after the commit (sockets closed, messages sent) is queued with `core.outbox.on_commit`.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from extensions import db


@contextmanager
def committed(session: Session | None = None) -> Iterator[Session]:
    """Commit the session's transaction when the block succeeds, roll it back (and re-raise) when it fails."""
    session = session if session is not None else db.session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
