"""The rule for writes under gevent: render before you open the write, commit before you yield.

One gevent worker serves every workshop. A write transaction holds the database's write lock (SQLite's for
the whole file; PostgreSQL's row locks) until it commits; if the greenlet that holds it gives way meanwhile
(a render in the threadpool, a socket emit that waits, a sleep), every other writer waits: on SQLite in
its busy handler, which blocks the event loop itself, then fails with "database is locked" (issue 22:
8 of 16 simultaneous comments refused, `/healthz` 17 s). So a handler does its slow work (rendering
Markdown, diffs, exports) before its first write, and commits before anything that may switch.

This module enforces the rule in one place. With `PLUME_TRANSACTION_GUARD` on (the tests' servers, and
any debug run), it marks the greenlet that sends a write statement (INSERT, UPDATE, DELETE) until its
connection commits or rolls back, and a greenlet tracer notes any switch away from a marked greenlet other
than the driver's own wait for the database (psycopg waits cooperatively inside a statement: that is the
database at work, not the handler yielding). The commit of a transaction that switched raises
`WriteAcrossSwitchError` (naming where it switched), so the offending handler fails loudly in tests
instead of stalling everyone in production.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any, Literal
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class WriteAcrossSwitchError(RuntimeError):
    """A greenlet gave way while its write transaction was open (see the module's rule)."""


class _Guard:
    def __init__(self) -> None:
        self.installed = False
        self.writing: WeakKeyDictionary[Any, bool] = WeakKeyDictionary()  # greenlet -> inside the driver
        self.switched: WeakKeyDictionary[Any, str] = WeakKeyDictionary()  # greenlet -> where it gave way

    def trace(self, what: str, args: tuple[Any, Any]) -> None:
        origin = args[0]
        if what in ("switch", "throw") and self.writing.get(origin) is False and origin not in self.switched:
            frame = getattr(origin, "gr_frame", None)  # where the origin now waits
            self.switched[origin] = "".join(traceback.format_stack(frame, limit=14)) if frame else "?"


_guard = _Guard()


def _current() -> Any:
    import greenlet

    return greenlet.getcurrent()


def _before_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    me = _current()
    if me in _guard.writing or _WRITE.match(statement):
        _guard.writing[me] = True  # inside the driver: its own waits are not the handler's


def _after_execute(_conn: Any, _cursor: Any, _statement: str, *_args: Any) -> None:
    me = _current()
    if me in _guard.writing:
        _guard.writing[me] = False


def _handle_error(_context: Any) -> None:
    me = _current()
    if me in _guard.writing:
        _guard.writing[me] = False


def _write_over() -> str | None:
    """The write of this greenlet is over; where it stayed open across a switch, logged, if it did."""
    me = _current()
    _guard.writing.pop(me, None)
    where = _guard.switched.pop(me, None)
    if where is not None:
        log.error("WriteAcrossSwitchError: a write transaction stayed open across a switch at\n%s", where)
    return where


def _ended(_conn: Any) -> None:
    """Commit: the write is over, and a commit after a switch raises."""
    where = _write_over()
    if where is not None:
        raise WriteAcrossSwitchError("a write transaction stayed open across a greenlet switch:\n" + where)


def _rolled_back(_conn: Any) -> None:
    """Rollback: the write is over (what it held is forgotten: logged only)."""
    _write_over()


def install() -> None:
    """Watch every engine's writes and this thread's greenlet switches (once per process)."""
    if _guard.installed:
        return
    import greenlet

    _guard.installed = True
    event.listen(Engine, "before_cursor_execute", _before_execute)
    event.listen(Engine, "after_cursor_execute", _after_execute)
    event.listen(Engine, "handle_error", _handle_error)
    event.listen(Engine, "commit", _ended)
    event.listen(Engine, "rollback", _rolled_back)
    previous = greenlet.gettrace()

    def trace(what: Literal["switch", "throw"], args: tuple[Any, Any]) -> None:
        _guard.trace(what, args)
        if previous is not None:
            previous(what, args)

    greenlet.settrace(trace)
