"""Who may do what: run a workshop, read a story, write to it. Every handler asks here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from extensions import db
from workshops.identity import Identity
from workshops.models import Group, Participant, Phase, Workshop, WorkshopFacilitator

LIVE = ("running", "paused")


@dataclass(frozen=True)
class Access:
    """What an identity may do with a story; `reason` says why writing is refused."""

    read: bool
    write: bool
    reason: str | None = None  # "forbidden" (no access at all) or "locked" (read-only for now)

    @classmethod
    def none(cls) -> Access:
        return cls(read=False, write=False, reason="forbidden")


def fits_id(value: int) -> bool:
    """Whether an id from a URL can be a row's id (larger ones would overflow the database's integers)."""
    return 0 < value < 2**63


def facilitates(facilitator_id: int, workshop_id: int) -> bool:
    """True when the facilitator owns or co-runs the workshop."""
    if not fits_id(workshop_id):
        return False
    row = db.session.get(WorkshopFacilitator, (workshop_id, facilitator_id))
    return row is not None


def current_phase(workshop: Workshop) -> Phase | None:
    return db.session.scalar(
        select(Phase).where(Phase.workshop_id == workshop.id, Phase.position == workshop.phase_index)
    )


def editors_open(workshop: Workshop, group: Group, phase: Phase | None = None) -> bool:
    """Whether the group may write now: the workshop is live, the phase opens editors, nothing is locked."""
    if workshop.status not in LIVE or workshop.all_locked or group.locked:
        return False
    phase = phase if phase is not None else current_phase(workshop)
    return bool(phase and phase.editors_open)


def visible_group_ids(workshop: Workshop, group: Group, phase: Phase | None = None) -> set[int]:
    """Groups whose drafts `group` may read now: its own, plus what the current phase opens; every group's
    once the workshop has finished (read-only: nobody writes after the end)."""
    visible = {group.id}
    if workshop.status == "finished":
        groups = db.session.scalars(select(Group.id).where(Group.workshop_id == workshop.id)).all()
        return visible | set(groups)
    if workshop.status not in LIVE:
        return visible
    phase = phase if phase is not None else current_phase(workshop)
    if phase is None or phase.visibility == "none":
        return visible
    groups = db.session.scalars(
        select(Group).where(Group.workshop_id == workshop.id).order_by(Group.position)
    ).all()
    if phase.visibility == "all":
        return visible | {g.id for g in groups}
    ids = [g.id for g in groups]  # "next": each group reads the following group's draft, in a ring
    if group.id in ids and len(ids) > 1:
        visible.add(ids[(ids.index(group.id) + 1) % len(ids)])
    return visible


def story_access(identity: Identity | None, group: Group, *, facilitator_writes: bool = False) -> Access:
    """What `identity` may do with the story of `group` right now."""
    if identity is None:
        return Access.none()
    workshop = group.workshop
    if identity.is_facilitator:
        if not facilitates(identity.id, workshop.id):
            return Access.none()
        return Access(read=True, write=facilitator_writes, reason=None if facilitator_writes else "locked")
    participant = db.session.get(Participant, identity.id)
    if participant is None or participant.workshop_id != workshop.id:
        return Access.none()
    if participant.group_id == group.id:
        if editors_open(workshop, group):
            return Access(read=True, write=True)
        return Access(read=True, write=False, reason="locked")
    if group.id in visible_group_ids(workshop, participant.group):
        return Access(read=True, write=False, reason="locked")
    return Access.none()
