"""The co-writing engine of one process: live documents, the group-commit writer, who has which story open,
the facilitators' activity feed, and a housekeeping thread (evict idle documents, compact long logs,
clear the awareness of sockets that went away).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select

from extensions import db, socketio
from stories import crdt, persistence
from stories.live import LiveStories, LiveStory
from stories.models import Story
from stories.writer import GroupCommitWriter
from workshops.realtime import facilitators_room, story_room

log = logging.getLogger(__name__)
NAMESPACE = "/"
TICK_SECONDS = 0.2
ACTIVITY_INTERVAL = 1.0  # at most one story:activity per story per second
SOCKET_SWEEP_SECONDS = 2.0
IDLE_SWEEP_SECONDS = 10.0


@dataclass(frozen=True)
class StoryMeta:
    workshop_id: int
    group_id: int


@dataclass
class Subscription:
    """A socket that opened a story: whether a facilitator chose to write, and its awareness clients."""

    story_id: int
    facilitator_writes: bool = False
    awareness: dict[int, int] = field(default_factory=dict)  # Yjs client id -> last awareness clock


class Engine:
    def __init__(self, app: Flask) -> None:
        self.app = app
        self.stories = LiveStories()
        self.writer = GroupCommitWriter(self)
        self._lock = threading.Lock()
        self._meta: dict[int, StoryMeta] = {}
        self._subscriptions: dict[str, dict[int, Subscription]] = {}
        self._activity_sent: dict[int, float] = {}
        self._activity_due: dict[int, tuple[int, dict[str, Any]]] = {}
        self._to_compact: set[int] = set()
        self._housekeeper: threading.Thread | None = None

    # --- stories ----------------------------------------------------------------------------------

    def meta(self, story_id: int) -> StoryMeta | None:
        """The story's workshop and group (they never change), or None for an unknown story."""
        cached = self._meta.get(story_id)
        if cached is not None:
            return cached
        row = db.session.execute(
            select(Story.workshop_id, Story.group_id).where(Story.id == story_id)
        ).one_or_none()
        if row is None:
            return None
        meta = self._meta[story_id] = StoryMeta(row.workshop_id, row.group_id)
        return meta

    @contextmanager
    def synced(self, story_id: int) -> Iterator[LiveStory]:
        """The live story, caught up from the log and locked: what every sync reply is computed from."""
        live = self.stories.get(story_id)
        with live.lock:
            live.catch_up(persistence.rows_after(story_id, live.last_seq))
            yield live

    # --- subscriptions ----------------------------------------------------------------------------

    def subscribe(self, sid: str, story_id: int, facilitator_writes: bool) -> Subscription:
        with self._lock:
            per_socket = self._subscriptions.setdefault(sid, {})
            sub = per_socket.get(story_id)
            if sub is None:
                sub = per_socket[story_id] = Subscription(story_id)
            sub.facilitator_writes = facilitator_writes
            return sub

    def subscription(self, sid: str, story_id: int) -> Subscription | None:
        with self._lock:
            return self._subscriptions.get(sid, {}).get(story_id)

    def unsubscribe(self, sid: str, story_id: int) -> Subscription | None:
        with self._lock:
            per_socket = self._subscriptions.get(sid, {})
            sub = per_socket.pop(story_id, None)
            if not per_socket:
                self._subscriptions.pop(sid, None)
            return sub

    # --- after each commit (writer thread) --------------------------------------------------------

    def stored(self, lives: dict[int, LiveStory], at: datetime) -> None:
        """Queue the activity events and the compactions that a committed batch calls for."""
        threshold = self.app.config.get("PLUME_COMPACT_AFTER_ROWS", persistence.COMPACT_AFTER_ROWS)
        with self._lock:
            for story_id, live in lives.items():
                meta = self._meta.get(story_id)
                if meta is not None:
                    payload = {
                        "story_id": story_id,
                        "group_id": meta.group_id,
                        "length": live.length,
                        "last_activity_at": at.isoformat().replace("+00:00", "Z"),
                    }
                    self._activity_due[story_id] = (meta.workshop_id, payload)
                if live.tail_rows > threshold:
                    self._to_compact.add(story_id)

    # --- housekeeping -----------------------------------------------------------------------------

    def start(self) -> None:
        """Start the housekeeping thread of this process (once, lazily: after gunicorn forks)."""
        if self._housekeeper is not None and self._housekeeper.is_alive():
            return
        with self._lock:
            if self._housekeeper is None or not self._housekeeper.is_alive():
                self._housekeeper = threading.Thread(
                    target=self._housekeep, name="plume-story-housekeeper", daemon=True
                )
                self._housekeeper.start()

    def _housekeep(self) -> None:
        last_socket_sweep = last_idle_sweep = time.monotonic()
        while True:
            time.sleep(TICK_SECONDS)
            now = time.monotonic()
            try:
                with self.app.app_context():
                    self.flush_activity(now)
                    self.run_compactions()
                    if now - last_socket_sweep >= SOCKET_SWEEP_SECONDS:
                        last_socket_sweep = now
                        self.forget_gone_sockets()
                    if now - last_idle_sweep >= IDLE_SWEEP_SECONDS:
                        last_idle_sweep = now
                        idle = self.app.config.get("PLUME_STORY_IDLE_SECONDS", 120)
                        self.stories.evict_idle(self.room_is_open, idle, now)
            except Exception:
                log.exception("story housekeeping failed")

    def flush_activity(self, now: float) -> None:
        """Emit the due `story:activity` events whose story has not had one in the last second."""
        with self._lock:
            ready = [
                (story_id, item)
                for story_id, item in self._activity_due.items()
                if now - self._activity_sent.get(story_id, -ACTIVITY_INTERVAL) >= ACTIVITY_INTERVAL
            ]
            for story_id, _ in ready:
                del self._activity_due[story_id]
                self._activity_sent[story_id] = now
        for _, (workshop_id, payload) in ready:
            socketio.emit("story:activity", payload, to=facilitators_room(workshop_id))

    def run_compactions(self) -> None:
        with self._lock:
            todo, self._to_compact = self._to_compact, set()
        for story_id in sorted(todo):
            try:
                if persistence.compact_if_long(story_id) and story_id in self.stories:
                    self.stories.get(story_id).tail_rows = 1
            except Exception:
                db.session.rollback()
                log.exception("compaction of story %s failed", story_id)

    def room_is_open(self, story_id: int) -> bool:
        """Whether a socket of this process is in the story's room."""
        return any(True for _ in socketio.server.manager.get_participants(NAMESPACE, story_room(story_id)))

    def forget_gone_sockets(self) -> None:
        """Drop the subscriptions of disconnected sockets and tell their rooms that their cursors left."""
        manager = socketio.server.manager
        with self._lock:
            gone = [sid for sid in self._subscriptions if not manager.is_connected(sid, NAMESPACE)]
            dropped = [self._subscriptions.pop(sid) for sid in gone]
        for per_socket in dropped:
            for sub in per_socket.values():
                if sub.awareness:
                    removal = crdt.awareness_removal(sub.awareness)
                    socketio.emit("yjs", (sub.story_id, removal), to=story_room(sub.story_id))


_engines_lock = threading.Lock()


def engine() -> Engine:
    """The current app's engine (one per process and app)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get("plume.stories")
    if found is None:
        with _engines_lock:
            found = app.extensions.get("plume.stories")
            if found is None:
                found = app.extensions["plume.stories"] = Engine(app)
    return found
