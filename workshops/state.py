"""The `workshop:state` event: what each receiver sees of a workshop, built from the database, and sent.

One payload per receiver kind. A group's participants all get the same state (their group, its members, its
lock, the drafts they may read); the facilitators get every group with its roster, lock and activity. Both
share the clock (ISO 8601 UTC ``deadline`` and ``server_time``; clients count down from their offset to the
server's clock), the current phase with its instructions rendered by ``core.rendering``, the agenda and
the broadcast message. ``docs/protocol.md`` documents every field.

Delivery (:func:`publish_state`) goes to each group's room and to the facilitators' room, never to the whole
workshop room, so nobody gets two states or another group's. The payloads are built at once, from what the
caller's transaction sees, and go out when it commits (:mod:`core.outbox`); a rollback sends nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from core import outbox
from core.events import FacilitatorState, ParticipantState, Presence, WorkshopState
from core.identity import Identity
from core.outbox import emit_now, emit_on_commit, on_commit
from core.realtime import facilitators_room, group_room
from core.rendering import render_markdown
from extensions import db
from stories.models import Story
from workshops import phases, presence
from workshops.access import OPEN_REASONS, is_locked, visible_group_ids, writing
from workshops.models import Group, Participant, Phase, Workshop

log = logging.getLogger(__name__)

EVENT = ParticipantState.name
PRESENCE_EVENT = Presence.name


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in UTC; a naive datetime (SQLite drops the zone) is read as UTC."""
    if moment is None:
        return None
    if moment.tzinfo is None or moment.utcoffset() is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def clock_of(workshop: Workshop) -> phases.Clock:
    """The workshop's clock from its columns; a row that breaks the clock's rules reads as not started."""
    try:
        return phases.from_row(
            workshop.phase_index, workshop.status, workshop.deadline, workshop.remaining_seconds
        )
    except ValueError:
        return phases.Clock.initial()


class StoryFigures(NamedTuple):
    """What the states show of a story: read as plain rows (a workshop's 40 stories as ORM objects were half
    of the time a socket's connection took)."""

    id: int
    group_id: int
    published_at: datetime | None
    length: int
    last_activity_at: datetime | None


@dataclass
class Snapshot:
    """A workshop with its agenda, groups, members and stories, loaded once to build many payloads."""

    workshop: Workshop
    now: datetime
    phases: list[Phase]
    groups: list[Group]
    members: dict[int, list[Participant]] = field(default_factory=dict)
    stories: dict[int, StoryFigures] = field(default_factory=dict)

    @classmethod
    def load(
        cls, workshop_id: int, now: datetime | None = None, members_of: int | None = None
    ) -> Snapshot | None:
        """Load the workshop; with `members_of`, the members of that group only (what its state shows), so
        that a participant's connection costs the same in a workshop of 20 people as in one of 500."""
        fresh = {"populate_existing": True}  # rows as the transaction has them (its UPDATEs too)
        workshop = db.session.scalar(
            select(Workshop)
            .where(Workshop.id == workshop_id)
            .options(selectinload(Workshop.phases), selectinload(Workshop.groups))
            .execution_options(**fresh)
        )
        if workshop is None:
            return None
        snapshot = cls(workshop, now or datetime.now(UTC), list(workshop.phases), list(workshop.groups))
        people = (
            select(Participant)
            .where(Participant.workshop_id == workshop_id, Participant.removed_at.is_(None))
            .execution_options(**fresh)
        )
        if members_of is not None:
            people = people.where(Participant.group_id == members_of)
        for group in snapshot.groups:
            snapshot.members[group.id] = []
        for person in db.session.scalars(people.order_by(Participant.id)):
            snapshot.members.setdefault(person.group_id, []).append(person)
        figures = select(*(getattr(Story, name) for name in StoryFigures._fields))
        stories = db.session.execute(figures.where(Story.workshop_id == workshop_id))
        snapshot.stories = {row.group_id: StoryFigures(*row) for row in stories}
        return snapshot

    @property
    def phase(self) -> Phase | None:
        """The phase the clock is on (the last one if the agenda shrank under it)."""
        if not self.phases:
            return None
        index = min(self.workshop.phase_index, len(self.phases) - 1)
        return self.phases[max(index, 0)]

    def locked(self, group: Group) -> bool:
        return is_locked(self.workshop, group)

    def writing(self, group: Group) -> str:
        """Why the group may write now or not (`workshops.access.writing`), for the console and the group."""
        return writing(self.workshop, group, self.phase)

    def story_id(self, group: Group) -> int | None:
        story = self.stories.get(group.id)
        return story.id if story else None

    def roster(self, group: Group) -> list[dict[str, Any]]:
        return [{"id": p.id, "name": p.display_name, "color": p.color} for p in self.members[group.id]]


def _common(snap: Snapshot, instructions_html: str | None = None) -> dict[str, Any]:
    """The fields of `WorkshopState` that every receiver sees: the clock, the phase, the agenda, the locks
    and the broadcast (the instructions rendered now unless given)."""
    workshop, phase = snap.workshop, snap.phase
    clock = clock_of(workshop)
    timing = phases.to_dict(clock, snap.now)
    return {
        "workshop_id": workshop.id,
        "title": workshop.title,
        "language": workshop.language,
        "version": workshop.clock_version,
        "status": timing["status"],
        "paused": clock.status is phases.Status.PAUSED,
        "deadline": timing["deadline"],
        "server_time": timing["server_time"],
        "remaining_seconds": timing["remaining_seconds"],
        "phase_index": phase.position if phase else 0,
        "phase_count": len(snap.phases),
        "phase_title": phase.title if phase else "",
        "instructions_html": (
            instructions_html
            if instructions_html is not None
            else (str(render_markdown(phase.instructions)) if phase else "")
        ),
        "phase_duration_seconds": phase.duration_seconds if phase else 0,
        "phase_editors_open": bool(phase and phase.editors_open),
        "at_deadline": phase.at_deadline if phase else "signal",
        "phase_tool": phase.tool if phase else "story",
        "board": {
            "columns": phase.columns if phase else [],
            "dots": phase.dots if phase else 0,
            "readonly": bool(phase and phase.board_readonly),
            "hidden": bool(phase and phase.dots_hidden),
        },
        "deadline_reached": bool(workshop.deadline_handled) and clock.status is phases.Status.RUNNING,
        "agenda": [
            {
                "index": p.position,
                "title": p.title,
                "duration_seconds": p.duration_seconds,
                "at_deadline": p.at_deadline,
            }
            for p in snap.phases
        ],
        "all_locked": workshop.all_locked,
        "locked_groups": [g.id for g in snap.groups if snap.locked(g)],
        "broadcast": workshop.broadcast or "",
        "broadcast_at": iso(workshop.broadcast_at) if workshop.broadcast else None,
        "joining_open": workshop.joining_open,
        "stories_published": sum(1 for s in snap.stories.values() if s.published_at is not None),
        "ended": clock.status is phases.Status.FINISHED or workshop.archived_at is not None,
    }


def own_timing(snap: Snapshot, group: Group) -> dict[str, Any]:
    """The clock fields of `WorkshopState` as the group lives them: its own deadline when the facilitator gave
    it time of its own (`workshops.group_time`), and not told that time is up until it is up for it."""
    extra = group.extra_seconds or 0
    if extra <= 0:
        return {}
    timing = phases.to_dict(phases.shifted(clock_of(snap.workshop), extra), snap.now)
    return {
        "deadline": timing["deadline"],
        "remaining_seconds": timing["remaining_seconds"],
        "deadline_reached": False,
    }


def _for_group(snap: Snapshot, common: dict[str, Any], group: Group) -> ParticipantState:
    phase = snap.phase
    readable = sorted(visible_group_ids(snap.workshop, group, phase) - {group.id})
    by_id = {g.id: g for g in snap.groups}
    return ParticipantState(
        **{**common, **own_timing(snap, group)},
        locked=snap.locked(group),
        writable=snap.writing(group) in OPEN_REASONS,
        writing=snap.writing(group),
        group={
            "id": group.id,
            "name": group.name,
            "story_id": snap.story_id(group),
            "members": snap.roster(group),
            "called_at": iso(group.called_at),
            "extra_seconds": group.extra_seconds or 0,
        },
        readable=[
            {"group_id": gid, "group_name": by_id[gid].name, "story_id": snap.story_id(by_id[gid])}
            for gid in readable
            if gid in by_id
        ],
    )


def _for_facilitators(snap: Snapshot, common: dict[str, Any]) -> FacilitatorState:
    def group(g: Group) -> dict[str, Any]:
        story = snap.stories.get(g.id)
        return {
            "id": g.id,
            "name": g.name,
            "position": g.position,
            "locked": snap.locked(g),
            "writable": snap.writing(g) in OPEN_REASONS,
            "writing": snap.writing(g),
            "story_id": story.id if story else None,
            "length": story.length if story else 0,
            "last_activity_at": iso(story.last_activity_at) if story else None,
            "members": snap.roster(g),
            "called_at": iso(g.called_at),
            "extra_seconds": g.extra_seconds or 0,
            "own_deadline": own_timing(snap, g).get("deadline"),
        }

    return FacilitatorState(
        **common,
        locked=snap.workshop.all_locked,
        join_code=snap.workshop.join_code,
        groups=[group(g) for g in snap.groups],
    )


def participant_state(participant: Participant, now: datetime | None = None) -> dict[str, Any] | None:
    """The state that `participant` (and everyone in their group) sees now."""
    snap = Snapshot.load(participant.workshop_id, now, members_of=participant.group_id)
    group = next((g for g in snap.groups if g.id == participant.group_id), None) if snap else None
    if snap is None or group is None:
        return None
    return _for_group(snap, _common(snap), group).payload()


def facilitator_state(workshop_id: int, now: datetime | None = None) -> dict[str, Any] | None:
    """The state that the workshop's facilitators see now."""
    snap = Snapshot.load(workshop_id, now)
    return _for_facilitators(snap, _common(snap)).payload() if snap else None


def state_for(identity: Identity, workshop_id: int | None = None) -> dict[str, Any] | None:
    """The state for a socket's identity: a participant's own workshop, or the facilitator's `workshop_id`.

    The caller has checked that a facilitator runs `workshop_id`.
    """
    if identity.is_facilitator:
        return facilitator_state(workshop_id) if workshop_id is not None else None
    participant = db.session.get(Participant, identity.id)
    return participant_state(participant) if participant else None


def publish_state(workshop_id: int, now: datetime | None = None) -> None:
    """Send the state to every group's room and to the facilitators once the transaction commits.

    The states are built now, from what the transaction sees, but for the phase's instructions: rendering
    them gives way to other greenlets, and a write must not stay open meanwhile (`core.transactions`), so
    they are rendered after the commit, from the text seen now. A failure to build or to deliver (the
    message queue is away) is logged, not raised: what was committed stands, and clients get the whole
    state again with the next change or when they reconnect.
    """
    try:
        snap = Snapshot.load(workshop_id, now)
        if snap is None:
            return
        common = _common(snap, instructions_html="")
        messages: list[tuple[WorkshopState, str]] = [
            (_for_group(snap, common, group), group_room(group.id)) for group in snap.groups
        ]
        messages.append((_for_facilitators(snap, common), facilitators_room(workshop_id)))
        instructions = snap.phase.instructions if snap.phase else None
        on_commit(partial(_send_states, messages, instructions))
    except Exception:
        log.exception("workshop:state of workshop %s not sent", workshop_id)


def _send_states(messages: list[tuple[WorkshopState, str]], instructions: str | None) -> None:
    try:
        html = str(render_markdown(instructions)) if instructions is not None else ""
        for message, room in messages:
            emit_now(replace(message, instructions_html=html), to=room)
    except Exception:
        log.exception("workshop:state not sent")


def _presence(workshop_id: int, connected: Any = None) -> Presence:
    connected = presence.store().connected(workshop_id) if connected is None else connected
    rows = db.session.execute(
        select(Participant.id, Participant.group_id).where(
            Participant.workshop_id == workshop_id, Participant.removed_at.is_(None)
        )
    ).all()
    groups: dict[int, list[int]] = {}
    for participant_id, group_id in rows:
        if participant_id in connected:
            groups.setdefault(group_id, []).append(participant_id)
    return Presence(
        workshop_id=workshop_id,
        connected=sorted(pid for pid, _ in rows if pid in connected),
        groups=[{"group_id": gid, "connected": sorted(ids)} for gid, ids in sorted(groups.items())],
    )


def presence_payload(workshop_id: int) -> dict[str, Any]:
    """Who is connected now: participant ids, overall and per group."""
    return _presence(workshop_id).payload()


def publish_presence(workshop_id: int, *, on_commit: bool = True, connected: Any = None) -> None:
    """Tell the workshop's facilitators who is connected: once the transaction commits (a removal, a move),
    or now (`on_commit=False`: a socket came or went, which no transaction stands behind). Failures are
    logged, like publish_state's. Read once committed: presence may live in Redis, and a write must not stay
    open while the greenlet waits for it (`core.transactions`)."""
    if on_commit and connected is None:  # read once committed
        outbox.on_commit(partial(publish_presence, workshop_id, on_commit=False))
        return
    try:
        send = emit_on_commit if on_commit else emit_now
        send(_presence(workshop_id, connected), to=facilitators_room(workshop_id))
    except Exception:
        log.exception("presence of workshop %s not sent", workshop_id)
