"""The story update log in the database: read it, append to it, compact it.

`story_updates` holds the Yjs updates exactly as clients sent them, in `seq` order per story. Compaction
replaces the rows up to seq N with one snapshot row at seq N (seq stays monotonic, so a reader that has seen
up to some seq can always catch up with `seq > last_seq`); it first copies the raw rows into `story_log`,
which history and replay read (docs/history.md). Nothing here holds a cache: these functions
read and write the database in the caller's session, and the callers commit.
"""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

from flask import current_app
from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError

from core.settings import settings
from extensions import db
from stories.cowriting import crdt, merge
from stories.models import Story, StoryUpdate

compaction_log = logging.getLogger("plume.compaction")  # one INFO line per compaction (docs/deploy.md)
RETRIES = 8
CHUNK_ROWS = 200  # log rows read at a time by compaction, with a pause between (`_read_log`)
COMPACT_AFTER_BYTES = 512 * 1024  # a log tail this heavy is compacted however few its rows (`heavy`)
KEEP_ROWS = 1000  # log rows copied into story_log by one statement (`keep_for_history`): a millisecond or two


def rows_after(story_id: int, seq: int = 0) -> list[tuple[int, bytes]]:
    """(seq, update) of the story's log rows after `seq`, in order."""
    result = db.session.execute(
        select(StoryUpdate.seq, StoryUpdate.data)
        .where(StoryUpdate.story_id == story_id, StoryUpdate.seq > seq)
        .order_by(StoryUpdate.seq)
    )
    return [(row.seq, bytes(row.data)) for row in result]


def load_text(story_id: int) -> str:
    """The story's text, read from the database log (no cache): what publishing and exports use. A long log
    is replayed in the CPU process (`merge.offloaded`)."""
    rows = rows_after(story_id)
    return merge.offloaded(len(rows), crdt.text_of, [data for _, data in rows])


@dataclass(frozen=True)
class Tip:
    """Where a story stands for the writer: its log's last seq (0 when empty) and its workshop's access."""

    last_seq: int
    workshop_id: int
    group_id: int
    access_version: int


_TIPS = (
    "SELECT s.id, s.workshop_id, s.group_id, w.access_version,"
    " (SELECT max(u.seq) FROM story_updates u WHERE u.story_id = s.id)"
    " FROM stories s JOIN workshops w ON w.id = s.workshop_id"
    " WHERE s.id IN ({ids}) ORDER BY s.id"
)
_APPEND = "INSERT INTO story_updates ({columns}) VALUES ({values})"
_MARKS = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # positional placeholders: sqlite3, psycopg


def _placeholders(paramstyle: str, count: int) -> str:
    """`count` positional placeholders in the driver's style (the writer's statements are SQL for the
    driver: see `tips`)."""
    if paramstyle not in _MARKS:
        raise NotImplementedError(f"no positional placeholder for paramstyle {paramstyle!r}")
    return ", ".join([_MARKS[paramstyle]] * count)


@functools.lru_cache(maxsize=1024)
def _tips_sql(dialect: str, paramstyle: str, count: int) -> str:
    """The tips statement for `count` stories in the driver's placeholders, locking except on SQLite."""
    lock = "" if dialect == "sqlite" else " FOR UPDATE OF s"
    return _TIPS.format(ids=_placeholders(paramstyle, count)) + lock


def tips(story_ids: Sequence[int]) -> dict[int, Tip]:
    """Each story's `Tip`, in one statement (a story that is gone is missing), locking their rows.

    Writers and compaction lock the rows of the stories they touch, in id order, so that a seq that
    compaction has just freed (rows up to N replaced by one row at N) is never taken by a writer that read
    the old maximum: across workers, seqs only ever grow. SQLite serialises writers by itself.

    Every batch runs it, and SQLAlchemy's statement machinery cost far more than the database: for three
    stories on SQLite, 70 µs as a `text()` with an expanding IN, 25 µs through `exec_driver_sql`, 6 µs on
    the raw cursor. So it is SQL for the driver, sent with `exec_driver_sql` on the session's connection:
    the batch's transaction still, and errors still come as `sqlalchemy.exc`'s (OperationalError,
    IntegrityError), which the writer retries on; a raw cursor would raise the driver's own.
    """
    if not story_ids:
        return {}
    connection = db.session.connection()
    dialect = connection.dialect
    sql = _tips_sql(dialect.name, dialect.paramstyle, len(story_ids))
    rows = connection.exec_driver_sql(sql, tuple(story_ids))
    return {row[0]: Tip(row[4] or 0, row[1], row[2], row[3]) for row in rows}


class NewRow(NamedTuple):
    """A row to append to the log. `created_at` is not one of its fields: the database's default sets it
    (server side, as it did for the ORM's and Core's inserts)."""

    story_id: int
    seq: int
    data: bytes
    author_id: int | None


@functools.lru_cache(maxsize=8)
def _append_sql(paramstyle: str) -> str:
    fields = NewRow._fields
    return _APPEND.format(columns=", ".join(fields), values=_placeholders(paramstyle, len(fields)))


def append_rows(rows: Sequence[NewRow]) -> None:
    """Insert log rows in one executemany (not committed).

    SQL for the driver, as `tips` is and for the same reason: three rows took 38 µs as a Core `insert()`
    executemany on SQLite, 13 µs so.
    """
    if rows:
        connection = db.session.connection()
        connection.exec_driver_sql(_append_sql(connection.dialect.paramstyle), list(rows))


def record_activity(figures: list[dict[str, Any]]) -> None:
    """Keep the facilitator console's figures, [{id, length, at}] (not committed).

    The rows are updated in id order, the order in which writers lock them (`tips`): no deadlock.
    """
    if figures:
        stories = Story.__table__
        db.session.execute(
            update(stories)
            .where(stories.c.id == bindparam("story"))
            .values(length=bindparam("chars"), last_activity_at=bindparam("at")),
            [
                {"story": f["id"], "chars": f["length"], "at": f["at"]}
                for f in sorted(figures, key=lambda f: f["id"])
            ],
        )


def log_size(story_id: int) -> int:
    """How many rows the story's log has (a compacted story has one)."""
    return db.session.scalar(select(func.count()).where(StoryUpdate.story_id == story_id)) or 0


def tail_bytes(story_id: int) -> int:
    """The bytes of the story's log rows but its first (a compacted story's snapshot)."""
    first = select(func.min(StoryUpdate.seq)).where(StoryUpdate.story_id == story_id).scalar_subquery()
    weight = select(func.coalesce(func.sum(func.length(StoryUpdate.data)), 0)).where(
        StoryUpdate.story_id == story_id, StoryUpdate.seq > first
    )
    return db.session.scalar(weight) or 0


def heavy(tail: int) -> bool:
    """Whether a log tail of `tail` bytes is due for compaction whatever its rows: a first load applies the
    tail row by row on the event loop, and updates that only delete add no weight to the document
    (`LiveStory.weigh`) but each may take up to `PLUME_MAX_UPDATE_BYTES` of the log."""
    return tail > COMPACT_AFTER_BYTES


def snapshot(updates: Sequence[bytes]) -> bytes | None:
    """One update equivalent to `updates`, or None while some update waits (`merge.compacted`)."""
    return merge.compacted(updates)


def _lock_story(story_id: int) -> None:
    """Serialise compactions of one story across workers (a row lock on PostgreSQL; SQLite locks anyway)."""
    db.session.execute(select(Story.id).where(Story.id == story_id).with_for_update())


_KEEP = (
    "INSERT INTO story_log (story_id, seq, data, author_id, created_at)"
    " SELECT story_id, seq, data, author_id, created_at FROM story_updates"
    " WHERE story_id = {mark} AND seq > {mark} AND seq <= {mark}"
)
_KEPT = "SELECT max(seq) FROM story_log WHERE story_id = {mark}"


@functools.lru_cache(maxsize=8)
def _keep_sql(paramstyle: str) -> tuple[str, str]:
    """The statements of `keep_for_history` in the driver's placeholders."""
    mark = _placeholders(paramstyle, 1)
    return _KEEP.format(mark=mark), _KEPT.format(mark=mark)


def keep_for_history(story_id: int, rows: Sequence[Any]) -> list[Any]:
    """Copy the rows (seq, data, author_id, created_at, in seq order, as read from the live log) that
    `story_log` lacks into it (not committed); returns those it copied. Call with the story locked.

    Rows up to the log's last kept seq are there already (the snapshot row compaction left is one of them).
    The database copies them from `story_updates` itself: they are still there, as read, since compaction
    keeps the rows it folds before it deletes them, under the same lock, so a folded row's seq is never past
    the last kept one. Sending the rows back through the driver cost the event loop 5 ms per 400 rows
    (SQLite's times formatted again in Python); this costs it nothing that grows with them.
    """
    if not rows:
        return []
    connection = db.session.connection()
    insert_sql, kept_sql = _keep_sql(connection.dialect.paramstyle)
    kept = connection.exec_driver_sql(kept_sql, (story_id,)).scalar() or 0
    fresh = [r for r in rows if r.seq > kept]
    if fresh:
        connection.exec_driver_sql(insert_sql, (story_id, kept, fresh[-1].seq))
    return fresh


def compact(story_id: int, min_rows: int = 2) -> bool:
    """Merge the story's whole log into one snapshot row at the last seq, if it has `min_rows` rows.

    Never waits holding a transaction, and never holds the event loop for long: the rows up to seq N are
    read (in chunks) and the transaction ended; the merge runs in the CPU process (`merge.compacted`); the
    raw rows of a long log, all but its last `KEEP_ROWS`, are copied into `story_log` for history, in
    chunks (`_keep_in_chunks`); then one short transaction locks the story, checks that the rows up to N
    are still those read (another worker may have compacted meanwhile: then nothing is done), copies the
    rest of them into `story_log`, deletes `seq <= N` and stores the snapshot at N. A usual compaction
    (a few hundred rows) is thus two reads and that one transaction. Appends that landed meanwhile (at
    seq > N) are kept. Commits (the caller's transaction too); True if merged.
    Logs `compaction story=.. rows=.. ms=..` (logger `plume.compaction`).
    """
    for attempt in range(RETRIES):
        try:
            return _compact(story_id, min_rows)
        except (OperationalError, IntegrityError):
            db.session.rollback()
            if attempt == RETRIES - 1:
                raise
            retry_pause(attempt)
    return False


def pause() -> None:
    """Let the other greenlets run (under gevent; another thread, on threads) between two chunks of work."""
    time.sleep(0)


def _read_log(story_id: int) -> tuple[list[Any], list[bytes]]:
    """The story's log rows (seq, data, author_id, created_at) and their updates for the merge, read
    `CHUNK_ROWS` at a time with a pause between, so that a long log does not hold the event loop while its
    rows are read. Each read is a statement of its own: a compaction committed between two shows
    as a change of the seqs, which `_compact` checks before it writes."""
    rows: list[Any] = []
    updates: list[bytes] = []
    while True:
        chunk = db.session.execute(
            select(StoryUpdate.seq, StoryUpdate.data, StoryUpdate.author_id, StoryUpdate.created_at)
            .where(StoryUpdate.story_id == story_id, StoryUpdate.seq > (rows[-1].seq if rows else 0))
            .order_by(StoryUpdate.seq)
            .limit(CHUNK_ROWS)
        ).all()
        rows.extend(chunk)
        updates.extend(bytes(r.data) for r in chunk)
        if len(chunk) < CHUNK_ROWS:
            return rows, updates
        pause()


def _keep_in_chunks(story_id: int, rows: Sequence[Any]) -> list[Any]:
    """Copy the rows into `story_log` (`keep_for_history`) before compaction folds them, `KEEP_ROWS` at a
    time, each chunk in a short transaction of its own (the story locked, as compaction locks it); returns
    the rows copied (the raw rows at the end of the kept log).

    History reads the kept rows, then the live rows past the last kept one (`history.log_rows`), so rows
    kept ahead of their compaction are read once, from `story_log`."""
    copied: list[Any] = []
    for start in range(0, len(rows), KEEP_ROWS):
        _lock_story(story_id)
        copied += keep_for_history(story_id, rows[start : start + KEEP_ROWS])
        db.session.commit()
        pause()
    return copied


def _compact(story_id: int, min_rows: int) -> bool:
    started = time.perf_counter()
    db.session.commit()  # the caller's own work: nothing of ours is held during the merge
    rows, updates = _read_log(story_id)
    db.session.commit()  # read only
    if len(rows) < max(min_rows, 2):
        return False
    merged = merge.offloaded(len(rows), merge.compacted, updates)
    if merged is None:  # an update waits for one still in flight: compact later
        return False
    copied = _keep_in_chunks(story_id, rows[:-KEEP_ROWS])  # a long log's older rows, ahead
    last = rows[-1].seq
    _lock_story(story_id)
    still = db.session.scalars(
        select(StoryUpdate.seq)
        .where(StoryUpdate.story_id == story_id, StoryUpdate.seq <= last)
        .order_by(StoryUpdate.seq)
    ).all()
    if list(still) != [r.seq for r in rows]:  # compacted by another worker since: its work stands
        db.session.rollback()
        return False
    copied += keep_for_history(story_id, rows[-KEEP_ROWS:])  # with the fold, in its transaction
    db.session.execute(delete(StoryUpdate).where(StoryUpdate.story_id == story_id, StoryUpdate.seq <= last))
    db.session.add(StoryUpdate(story_id=story_id, seq=last, data=merged, author_id=None))
    db.session.commit()
    ms = (time.perf_counter() - started) * 1000
    compaction_log.info("compaction story=%s rows=%s ms=%.1f", story_id, len(rows), ms)
    _extend_snapshots(story_id, copied)
    return True


def _extend_snapshots(story_id: int, copied: Sequence[Any]) -> None:
    """Bring the story's replay snapshots up to date, off the request path (a failure only costs time);
    `copied`: the raw rows this compaction just kept, which history need not read back."""
    from stories.cowriting import history  # history reads this module's log

    try:
        history.extend_snapshots(
            story_id, [history.LogRow(r.seq, bytes(r.data), r.author_id, r.created_at) for r in copied]
        )
    except Exception:
        db.session.rollback()
        current_app.logger.exception("replay snapshots of story %s were not extended", story_id)


def compact_point(story_id: int, threshold: int) -> int:
    """How many rows the story's log may reach before it is compacted: a point between half the threshold
    and the threshold, its own (from the story id: consecutive ids spread evenly over that range), so that
    stories written at the same pace do not cross it, and compact, all at once."""
    spread = (story_id * 0.6180339887498949) % 1.0  # golden-ratio steps: evenly spread for any run of ids
    return max(2, threshold // 2 + round(spread * (threshold - threshold // 2)))


def compact_if_long(story_id: int) -> bool:
    """Compact when the log has grown past the story's point (`compact_point` of PLUME_COMPACT_AFTER_ROWS),
    or its tail has grown `heavy`."""
    threshold = settings().compact_after_rows
    point = compact_point(story_id, threshold)
    if log_size(story_id) > point:
        return compact(story_id, min_rows=point)
    if heavy(tail_bytes(story_id)):
        return compact(story_id)
    db.session.rollback()
    return False


def now() -> datetime:
    return datetime.now(UTC)


def retry_pause(attempt: int) -> None:
    """A short, growing pause before retrying a transaction that lost a race (busy SQLite, seq clash)."""
    time.sleep(min(0.5, 0.005 * 2**attempt) * (0.5 + random.random()))  # noqa: S311 (jitter, not security)
