"""The organiser's live overview of a consultation: every workshop at a glance (phase and time left, who is
connected, which group writes or sits idle, words, comments) and its alerts, kept live over Socket.IO.

- :func:`rows` reads the figures of some workshops in a fixed number of statements (plus one presence
  read per workshop): what a snapshot or a push costs grows with the workshops, never with the changes.
- It follows what the consoles already hear: every `workshop:state`, `presence`, `story:activity` and
  `comment:counts` sent to a workshop's facilitators' room goes through `core.outbox`, whose `on_sent`
  hook notes the workshop here (:func:`noticed`: a set insertion). The worker that noted changes pushes one
  `overview:workshops` per consultation with the rows of its changed workshops, to the consultation's
  overview room, when somebody watches it (on this worker or, through the message queue, on another): at
  once (within :data:`TICK_SECONDS`) after a quiet moment, then at most once every :data:`PUSH_SECONDS`, so
  that a workshop that changes 100 times in a second costs one row.
- What changes with time alone (time left, a group falling idle, a workshop falling behind) is computed by
  the page from the timestamps (`static/src/overview/`), so nothing is pushed for it.

Alerts (the page computes them with these thresholds): a workshop whose current phase ran past its deadline
by more than :data:`LATE_SECONDS` (behind its agenda), a group of a running workshop with members but nobody
connected, a group calling its facilitator (`workshops.calls`).
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, url_for
from sqlalchemy import select

from core import runtime
from core.events import OverviewWorkshops
from core.outbox import emit_now, on_sent
from extensions import db, socketio
from feedback import comments as feedback_comments
from stories.models import Story
from workshops import phases as clocks
from workshops import presence, state
from workshops.models import Group, Participant, Phase, Workshop

log = logging.getLogger(__name__)

PUSH_SECONDS = 1.0  # a worker pushes the changed workshops at most this often
TICK_SECONDS = 0.1  # how often it looks for changes (a set's emptiness): a lone change waits this, not more
IDLE_SECONDS = 180  # a group that wrote nothing for this long is idle
LATE_SECONDS = 300  # a workshop this far past its phase's deadline is behind its agenda
CHARS_PER_WORD = 6  # drafts keep their length in characters: words are estimated (a word and its space)
FOLLOWED = frozenset({"workshop:state", "presence", "story:activity", "comment:counts"})
_FACILITATORS = "facilitators:"
NAMESPACE = "/"


def overview_room(consultation_id: int) -> str:
    return f"overview:{consultation_id}"


def thresholds() -> dict[str, int]:
    """What the page needs to compute the alerts that time alone raises."""
    return {"idle_seconds": IDLE_SECONDS, "late_seconds": LATE_SECONDS}


# --- Reading ----------------------------------------------------------------------------------------


def rows(workshop_ids: Iterable[int], *, runs: set[int] | None = None) -> list[dict[str, Any]]:
    """The overview's row of each workshop (by id), in the order of their ids.

    Presence is read first (it may live in Redis, and no read should stay open while the greenlet waits
    for it), then six statements whatever the number of workshops. `runs`: the workshops whose console the
    reader may open (None: leave `console_url` to the page that knows who reads).
    """
    ids = sorted(set(workshop_ids))
    if not ids:
        return []
    store = presence.store()
    connected = {wid: store.connected(wid) for wid in ids}
    now = datetime.now(UTC)
    workshops = db.session.scalars(select(Workshop).where(Workshop.id.in_(ids)).order_by(Workshop.id)).all()
    phases: dict[int, list[Phase]] = defaultdict(list)
    for phase in db.session.scalars(
        select(Phase).where(Phase.workshop_id.in_(ids)).order_by(Phase.workshop_id, Phase.position)
    ):
        phases[phase.workshop_id].append(phase)
    groups: dict[int, list[Group]] = defaultdict(list)
    for group in db.session.scalars(
        select(Group).where(Group.workshop_id.in_(ids)).order_by(Group.workshop_id, Group.position, Group.id)
    ):
        groups[group.workshop_id].append(group)
    members: dict[int, list[int]] = defaultdict(list)  # group id → its participants (not removed)
    for participant_id, group_id in db.session.execute(
        select(Participant.id, Participant.group_id).where(
            Participant.workshop_id.in_(ids), Participant.removed_at.is_(None)
        )
    ):
        members[group_id].append(participant_id)
    stories = {
        group_id: (story_id, length, last)
        for story_id, group_id, length, last in db.session.execute(
            select(Story.id, Story.group_id, Story.length, Story.last_activity_at).where(
                Story.workshop_id.in_(ids)
            )
        )
    }
    comments = feedback_comments.counts([story_id for story_id, _, _ in stories.values()])
    found = [
        _row(w, phases[w.id], groups[w.id], members, stories, comments, connected[w.id], now, runs)
        for w in workshops
    ]
    db.session.rollback()  # end the read before the caller emits (no transaction across a switch)
    return found


def _row(
    workshop: Workshop,
    phases: list[Phase],
    groups: list[Group],
    members: dict[int, list[int]],
    stories: dict[int, tuple[int, int, datetime | None]],
    comments: dict[int, dict[str, int]],
    connected: set[int],
    now: datetime,
    runs: set[int] | None,
) -> dict[str, Any]:
    clock = state.clock_of(workshop)
    index = min(max(clock.phase, 0), len(phases) - 1) if phases else 0
    phase = phases[index] if phases else None
    timing = clocks.to_dict(clock, now)
    cards = []
    for group in groups:
        people = members.get(group.id, [])
        story_id, length, last = stories.get(group.id, (None, 0, None))
        tally = comments.get(story_id, {"total": 0, "open": 0}) if story_id else {"total": 0, "open": 0}
        cards.append(
            {
                "id": group.id,
                "name": group.name,
                "joined": len(people),
                "connected": sum(1 for p in people if p in connected),
                "words": words(length or 0),
                "last_activity_at": state.iso(last),
                "comments": tally["total"],
                "called_at": state.iso(group.called_at),
            }
        )
    row: dict[str, Any] = {
        "id": workshop.id,
        "title": workshop.title,
        "status": timing["status"],
        "ended": timing["status"] == "finished" or workshop.archived_at is not None,
        "deadline": timing["deadline"],
        "remaining_seconds": timing["remaining_seconds"],
        "phase_index": phase.position if phase else 0,
        "phase_count": len(phases),
        "phase_title": phase.title if phase else "",
        "joined": sum(c["joined"] for c in cards),
        "connected": sum(c["connected"] for c in cards),
        "words": sum(c["words"] for c in cards),
        "comments": sum(c["comments"] for c in cards),
        "groups": cards,
        "as_of": state.iso(now),
    }
    if runs is not None:
        row["console_url"] = (
            url_for("workshops.console", workshop_id=workshop.id) if workshop.id in runs else None
        )
    return row


def words(length: int) -> int:
    """The words of a draft of `length` characters, estimated (0 stays 0, a few characters are a word)."""
    return 0 if length <= 0 else max(1, round(length / CHARS_PER_WORD))


def workshop_ids(consultation_id: int) -> list[int]:
    statement = select(Workshop.id).where(Workshop.consultation_id == consultation_id).order_by(Workshop.id)
    return list(db.session.scalars(statement))


def snapshot(consultation_id: int, runs: set[int] | None = None) -> dict[str, Any]:
    """Every workshop of the consultation, as the page shows it at first (and after a reconnect)."""
    found = rows(workshop_ids(consultation_id), runs=runs)
    return {
        "consultation_id": consultation_id,
        "server_time": state.iso(datetime.now(UTC)),
        "workshops": found,
        **thresholds(),
    }


# --- Following the consoles' events -----------------------------------------------------------------


class Changes:
    """What changed since the last push, by id (this process's): the workshops whose facilitators heard
    something, for the overview; the consultations whose vote moved, for its results."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dirty: set[int] = set()
        self._pushed_at = float("-inf")

    def note(self, workshop_id: int) -> None:
        with self._lock:
            self._dirty.add(workshop_id)

    def take(self) -> set[int]:
        with self._lock:
            taken, self._dirty = self._dirty, set()
        return taken

    def due(self, now: float) -> bool:
        """Whether changes wait and the last push is PUSH_SECONDS old (then the push starts now)."""
        with self._lock:
            if not self._dirty or now - self._pushed_at < PUSH_SECONDS:
                return False
            self._pushed_at = now
            return True


CHANGES = Changes()


def noticed(name: str, room: str) -> None:
    """`core.outbox.on_sent` hook: note the workshop whose facilitators' room got a followed event."""
    if name in FOLLOWED and room.startswith(_FACILITATORS):
        tail = room[len(_FACILITATORS) :]
        if tail.isdigit():
            CHANGES.note(int(tail))


def watched(consultation_id: int) -> bool:
    """Whether a socket may be in the consultation's overview room (:func:`watched_room`)."""
    return watched_room(overview_room(consultation_id))


def watched_room(room: str) -> bool:
    """Whether a socket may be in `room`: on this worker, or on another one that said so through the
    message queue (`core.room_queue`; while it is not in sync, assume so)."""
    manager = socketio.server.manager
    if manager.rooms.get(NAMESPACE, {}).get(room):
        return True
    remote = getattr(manager, "remote", None)
    if remote is None:  # no message queue: every socket is on this worker
        return False
    return not getattr(manager, "in_sync", False) or (NAMESPACE, room) in remote


def push_changes() -> int:
    """Push the rows of the workshops changed since the last push to their consultations' overview rooms;
    how many rows were pushed. Run every PUSH_SECONDS by the app's runtime."""
    changed = CHANGES.take()
    if not changed:
        return 0
    pushed = 0
    try:
        by_consultation: dict[int, list[int]] = defaultdict(list)
        for workshop_id, consultation_id in db.session.execute(
            select(Workshop.id, Workshop.consultation_id).where(
                Workshop.id.in_(changed), Workshop.consultation_id.is_not(None)
            )
        ):
            by_consultation[consultation_id].append(workshop_id)
        db.session.rollback()
        for consultation_id, ids in sorted(by_consultation.items()):
            if not watched(consultation_id):
                continue
            found = rows(ids)
            message = OverviewWorkshops(
                consultation_id=consultation_id,
                server_time=state.iso(datetime.now(UTC)) or "",
                workshops=found,
            )
            emit_now(message, to=overview_room(consultation_id))
            pushed += len(found)
    except Exception:
        log.exception("overview: could not push the changes of workshops %s", sorted(changed)[:20])
    finally:
        db.session.remove()
    return pushed


_hooked = threading.Lock()
_FOLLOWERS: list[tuple[Changes, Callable[[], int]]] = [(CHANGES, push_changes)]


def follow(changes: Changes, push: Callable[[], int]) -> None:
    """Also push `changes` with `push` on the overview's tick, coalesced the same way (at once after a
    quiet moment, then at most once every PUSH_SECONDS): another live view for the organisers (the vote's
    results, `consultations.vote_live`). Once per process, whatever the number of apps built."""
    if all(known is not changes for known, _ in _FOLLOWERS):
        _FOLLOWERS.append((changes, push))


def push_due() -> None:
    """Push each followed kind of change that waits and whose last push is old enough (run every
    TICK_SECONDS)."""
    now = time.monotonic()
    for changes, push in list(_FOLLOWERS):
        if changes.due(now):
            push()


def register(app: Flask) -> None:
    """Follow the consoles' events (once per process) and push in each worker (tests that build the app
    in-process call :func:`push_changes` themselves)."""
    if _hooked.acquire(blocking=False):  # never released: one hook per process
        on_sent(noticed)
    if not app.testing:
        runtime.of(app).every(TICK_SECONDS, push_due, "overview-push")
