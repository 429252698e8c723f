"""The co-writing engine of one process: live documents, the group-commit writer, who has which story open
and may still read it, their cursors, the facilitators' activity feed, the queue of long logs to compact
(`compactions.py`), and a housekeeping task that the app's runtime runs (flush waiting cursors, evict idle
documents, forget sockets that went away).

Access follows the workshop: every subscription remembers the workshop's access version it was checked
at; when the version moves (`core.access_version.Watcher`), each subscription is checked again and a
socket that may no longer read the story leaves its room and gets `story:revoked`, one whose right to
write changed gets `story:access`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from core import audience, runtime, settings
from core.access import story_access_of
from core.access_version import watcher
from core.events import StoryAccess, StoryActivity, StoryRevoked
from core.identity import Identity
from core.outbox import emit_now
from core.realtime import facilitators_room, story_room
from extensions import db, socketio
from stories.cowriting import persistence
from stories.cowriting.compactions import CompactionQueue
from stories.cowriting.cursors import Cursors
from stories.cowriting.live import LiveStories, LiveStory
from stories.cowriting.writer import GroupCommitWriter
from stories.models import Story

log = logging.getLogger(__name__)
NAMESPACE = "/"
TICK_SECONDS = 0.05  # cursors that waited their turn go out at the next tick
ACTIVITY_INTERVAL = 1.0  # at most one story:activity per story per second
SOCKET_SWEEP_SECONDS = 2.0
IDLE_SWEEP_SECONDS = 10.0


@dataclass(frozen=True)
class StoryMeta:
    workshop_id: int
    group_id: int


@dataclass
class Subscription:
    """A socket that opened a story: who holds it, what it may do, and as of which access version."""

    story_id: int
    workshop_id: int
    identity: Identity | None
    user: dict[str, str]  # the name and colour its cursors carry
    writable: bool
    version: int | None  # the workshop's access version when its access was last checked
    facilitator_writes: bool = False


class Engine:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stories = LiveStories()
        self.writer = GroupCommitWriter(self)
        self.cursors = Cursors()
        watcher(app).add_hook(self.watched_workshops, self.access_moved)
        self._lock = threading.Lock()
        self._meta: dict[int, StoryMeta] = {}
        self._subscriptions: dict[str, dict[int, Subscription]] = {}
        self._activity_sent: dict[int, float] = {}
        self._activity_due: dict[int, tuple[LiveStory, datetime]] = {}
        self.compactions = CompactionQueue(app, self._compacted)
        self._last_socket_sweep = self._last_idle_sweep = time.monotonic()

    # --- stories ----------------------------------------------------------------------------------

    def meta(self, story_id: int) -> StoryMeta | None:
        """The story's workshop and group (they never change), or None for an unknown story (or one kept,
        anonymous, after its workshop was deleted: it has no group, and no live text)."""
        cached = self._meta.get(story_id)
        if cached is not None:
            return cached
        row = db.session.execute(
            select(Story.workshop_id, Story.group_id).where(Story.id == story_id)
        ).one_or_none()
        if row is None or row.group_id is None:
            return None
        meta = self._meta[story_id] = StoryMeta(row.workshop_id, row.group_id)
        return meta

    @contextmanager
    def synced(self, story_id: int) -> Iterator[LiveStory]:
        """The live story, caught up from the log and locked: what every sync reply is computed from.

        The log is read before the lock is taken, and the session's transaction is ended (its connection
        goes back to the pool) before waiting for it: a handler holding the lock and waiting for a pooled
        connection, while the handlers holding every connection waited for the lock, stalled whole rooms
        until the pool's timeout (30 s) under a crowd of opens. So nobody waits for a story holding a
        connection, and the writer, which takes the story locks after its connection (and again on a
        retry), always gets one. Rows the writer applied meanwhile are skipped by `catch_up`.
        """
        for attempt in range(3):  # a document the writer found broken meanwhile is loaded again
            live = self.stories.get(story_id)
            rows = persistence.rows_after(story_id, live.last_seq)
            db.session.commit()  # the callers only read: this ends their transaction, frees the connection
            with live.lock:
                if live.broken and attempt < 2:
                    continue
                live.catch_up(rows)
                yield live
                return

    # --- subscriptions ----------------------------------------------------------------------------

    def subscribe(self, sid: str, sub: Subscription) -> Subscription:
        with self._lock:
            self._subscriptions.setdefault(sid, {})[sub.story_id] = sub
            return sub

    def subscription(self, sid: str, story_id: int) -> Subscription | None:
        with self._lock:
            return self._subscriptions.get(sid, {}).get(story_id)

    def unsubscribe(self, sid: str, story_id: int) -> bytes | None:
        """Forget that `sid` opened the story; the message removing its cursors for the others, if any."""
        with self._lock:
            per_socket = self._subscriptions.get(sid, {})
            sub = per_socket.pop(story_id, None)
            if not per_socket:
                self._subscriptions.pop(sid, None)
        return self.cursors.leave(story_id, sid) if sub is not None else None

    def drop_socket(self, sid: str) -> None:
        """A socket went away: forget its stories and take its cursors out of every room."""
        with self._lock:
            story_ids = list(self._subscriptions.get(sid, {}))
        for story_id in story_ids:
            self._emit_removal(story_id, self.unsubscribe(sid, story_id))

    def _emit_removal(self, story_id: int, removal: bytes | None) -> None:
        if removal is not None:
            socketio.emit("yjs", (story_id, removal), to=story_room(story_id), namespace=NAMESPACE)

    # --- access that follows the workshop ----------------------------------------------------------

    def watched_workshops(self) -> set[int]:
        with self._lock:
            return {sub.workshop_id for subs in self._subscriptions.values() for sub in subs.values()}

    def access_moved(self, current: dict[int, int], _moved: set[int]) -> None:
        """Check again every subscription whose workshop's access version is not the one it was checked at."""
        with self._lock:
            stale = [
                (sid, sub)
                for sid, subs in self._subscriptions.items()
                for sub in subs.values()
                if current.get(sub.workshop_id) != sub.version or sub.version is None
            ]
        for sid, sub in stale:
            self.recheck(sid, sub, current.get(sub.workshop_id))

    def recheck(self, sid: str, sub: Subscription, version: int | None) -> None:
        """Apply what the socket may do with the story now: leave its room, or learn it may (not) write."""
        group_id = self.meta(sub.story_id).group_id if version is not None else None  # type: ignore[union-attr]  # subscribed: known
        granted = (
            story_access_of(sub.identity, group_id, facilitator_writes=sub.facilitator_writes)
            if group_id
            else None
        )
        if granted is None or not granted.read:
            socketio.server.leave_room(sid, story_room(sub.story_id), namespace=NAMESPACE)
            audience.leave(sid, sub.story_id)
            self._emit_removal(sub.story_id, self.unsubscribe(sid, sub.story_id))
            emit_now(StoryRevoked(story_id=sub.story_id), to=sid)  # follows no transaction of a session
            return
        sub.version = version
        if granted.write != sub.writable:
            sub.writable = granted.write
            emit_now(StoryAccess(story_id=sub.story_id, writable=granted.write), to=sid)

    # --- after each commit (writer thread) --------------------------------------------------------

    def stored(self, lives: dict[int, LiveStory], at: datetime) -> None:
        """Note the stories a committed batch changed (their figures are due) and those to compact (past
        their own point, `persistence.compact_point`: stories crossing the threshold together do not come
        due together; or whose tail has grown heavy, `persistence.heavy`)."""
        threshold = settings.of(self.app).compact_after_rows
        with self._lock:
            for story_id, live in lives.items():
                self._activity_due[story_id] = (live, at)
        for story_id, live in lives.items():
            point = persistence.compact_point(story_id, threshold)
            if live.tail_rows > point or persistence.heavy(live.tail_bytes):
                self.compactions.add(story_id)

    # --- housekeeping -----------------------------------------------------------------------------

    def start(self) -> None:
        """Hand the housekeeping to the app's runtime (once; it runs in each worker process) and start the
        compaction queue."""
        runtime.of(self.app).every(TICK_SECONDS, self.housekeep, "story-housekeeper")
        self.compactions.start()

    def housekeep(self) -> None:
        """One tick (in an app context): relay waiting cursors and activity; now and then forget gone
        sockets and evict idle stories."""
        now = time.monotonic()
        self.flush_cursors(now)
        self.flush_activity(now)
        if now - self._last_socket_sweep >= SOCKET_SWEEP_SECONDS:
            self._last_socket_sweep = now
            self.forget_gone_sockets()
        if now - self._last_idle_sweep >= IDLE_SWEEP_SECONDS:
            self._last_idle_sweep = now
            idle = settings.of(self.app).story_idle_seconds
            self.stories.evict_idle(self.room_is_open, idle, now)

    def flush_cursors(self, now: float) -> None:
        """Relay the cursors that waited for their story's interval (`cursors.RELAY_INTERVAL`) to pass."""
        for relay in self.cursors.due(now):
            socketio.emit(
                "yjs",
                (relay.story_id, relay.message),
                to=story_room(relay.story_id),
                skip_sid=relay.skip,
                namespace=NAMESPACE,
            )

    def flush_activity(self, now: float) -> None:
        """Keep the figures of the stories changed since their last second and tell their facilitators.

        At most once a second per story: the length is counted, `stories.length` and `last_activity_at`
        written and committed, then `story:activity` sent to the workshop's facilitators.
        """
        with self._lock:
            ready = [
                (story_id, item)
                for story_id, item in self._activity_due.items()
                if now - self._activity_sent.get(story_id, -ACTIVITY_INTERVAL) >= ACTIVITY_INTERVAL
            ]
            for story_id, _ in ready:
                del self._activity_due[story_id]
                self._activity_sent[story_id] = now
        if not ready:
            return
        figures: list[dict[str, Any]] = []
        for story_id, (live, at) in ready:
            with live.lock:
                figures.append({"id": story_id, "length": live.length, "at": at})
        persistence.record_activity(figures)
        db.session.commit()
        for figure in figures:
            meta = self._meta.get(figure["id"])
            if meta is not None:
                activity = StoryActivity(
                    story_id=figure["id"],
                    group_id=meta.group_id,
                    length=figure["length"],
                    last_activity_at=figure["at"].isoformat().replace("+00:00", "Z"),
                )
                emit_now(activity, to=facilitators_room(meta.workshop_id))  # after its commit

    def run_compactions(self) -> int:
        """Compact the stories due now, in this thread (the compaction queue's thread does it otherwise)."""
        return self.compactions.run_pending()

    def _compacted(self, story_id: int) -> None:
        if story_id in self.stories:
            live = self.stories.get(story_id)
            live.tail_rows, live.tail_bytes = 1, 0

    def room_is_open(self, story_id: int) -> bool:
        """Whether a socket of this process is in the story's room."""
        return any(True for _ in socketio.server.manager.get_participants(NAMESPACE, story_room(story_id)))

    def forget_gone_sockets(self) -> None:
        """Drop the subscriptions of sockets that disconnected without our hearing of it."""
        manager = socketio.server.manager
        with self._lock:
            gone = [sid for sid in self._subscriptions if not manager.is_connected(sid, NAMESPACE)]
        for sid in gone:
            self.drop_socket(sid)


_engines_lock = threading.Lock()


def engine() -> Engine:
    """The current app's engine (one per process and app)."""
    return engine_of(current_app._get_current_object())  # type: ignore[attr-defined]


def engine_of(app: Flask) -> Engine:
    """`app`'s engine, without an app context (a keystroke's handler pushes none, `sockets.on_yjs`)."""
    found: Engine | None = app.extensions.get("plume.stories")
    if found is None:
        with _engines_lock:
            found = app.extensions.get("plume.stories")
            if found is None:
                found = app.extensions["plume.stories"] = Engine(app)
    return found
