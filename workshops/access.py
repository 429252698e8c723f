"""The workshop's rules of who may do what (phase visibility, locks, comment modes, co-facilitators).

`RULES` implements `core.access.AccessRules`; `workshops.register` plugs it in when the app is created, and
the engine and `feedback` ask `core.access`, never this module. `workshops` itself may call these directly.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from core.access import Access, BoardRules, CommentAccess, fits_id
from core.identity import Identity
from extensions import db
from workshops.access_version import versions
from workshops.models import COMMENTS, Group, Participant, Phase, Workshop, WorkshopFacilitator

LIVE = ("running", "paused")


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


# Why a group may write now or not (`writing`): the first two open its editor, the others keep it closed.
OPEN_REASONS = ("phase", "facilitator")
WRITING = (*OPEN_REASONS, "locked", "agenda", "not_live")


def is_locked(workshop: Workshop, group: Group) -> bool:
    """Whether the group's editor is locked: its own lock, or everyone's, unless the facilitator gave it time
    of its own (`Group.extra_seconds`): then it writes on until its own deadline (`workshops.group_time`)."""
    return group.locked or (workshop.all_locked and not (group.extra_seconds or 0) > 0)


def writing(workshop: Workshop, group: Group, phase: Phase | None = None) -> str:
    """Why `group` may write now or not (one of `WRITING`): the phase opens the editors ("phase"), or the
    facilitator opened a phase that keeps them closed ("facilitator", until the next phase); or the
    facilitator locked them ("locked", every group or this one), the phase keeps them closed ("agenda"), the
    workshop is not live ("not_live"). The console and the participants are told the same (`workshops.state`).
    """
    if workshop.status not in LIVE:
        return "not_live"
    if is_locked(workshop, group):
        return "locked"
    phase = phase if phase is not None else current_phase(workshop)
    if phase is not None and phase.editors_open:
        return "phase"
    return "facilitator" if group.opened and phase is not None else "agenda"


def editors_open(workshop: Workshop, group: Group, phase: Phase | None = None) -> bool:
    """Whether the group may write now (`writing`): live, open by the phase or the facilitator, not locked."""
    return writing(workshop, group, phase) in OPEN_REASONS


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
    ring = [g.id for g in groups]  # "next": each group reads the following group's draft, in a ring
    if group.id in ring and len(ring) > 1:
        visible.add(ring[(ring.index(group.id) + 1) % len(ring)])
    return visible


FACILITATOR = BoardRules(board="write", text=True, dots=0, member=None)  # edits cards, places no dots


def board_rules(phase: Phase | None, member: int) -> BoardRules:
    """What a writing member may change in this phase: the board where the phase shows it and not read-only,
    the story's text unless the phase shows only the board, at most the phase's dots."""
    tool = phase.tool if phase is not None else "story"
    if tool not in ("board", "both"):
        board = "read" if phase is not None and phase.board_readonly else "none"
    else:
        board = "read" if phase is not None and phase.board_readonly else "write"
    return BoardRules(board=board, text=tool != "board", dots=phase.dots if phase else 0, member=member)


def story_access(identity: Identity | None, group: Group, *, facilitator_writes: bool = False) -> Access:
    """What `identity` may do with the story of `group` right now."""
    if identity is None:
        return Access.none()
    workshop = group.workshop
    if identity.is_facilitator:
        if not facilitates(identity.id, workshop.id):
            return Access.none()
        # Swept by retention, its drafts are gone for good: an editor left open must not write them back.
        may_write = facilitator_writes and workshop.retention_swept_at is None
        return Access(read=True, write=may_write, reason=None if may_write else "locked", rules=FACILITATOR)
    participant = db.session.get(Participant, identity.id)
    if participant is None or participant.workshop_id != workshop.id:
        return Access.none()
    if participant.group_id == group.id:
        phase = current_phase(workshop)
        if editors_open(workshop, group, phase):
            return Access(read=True, write=True, rules=board_rules(phase, participant.id))
        return Access(read=True, write=False, reason="locked")
    if group.id in visible_group_ids(workshop, participant.group):
        return Access(read=True, write=False, reason="locked")
    return Access.none()


def story_access_of(identity: Identity | None, group_id: int, *, facilitator_writes: bool = False) -> Access:
    """`story_access` to the story of the group `group_id` (a group that is gone: no access)."""
    group = db.session.get(Group, group_id)
    if group is None:
        return Access.none()
    return story_access(identity, group, facilitator_writes=facilitator_writes)


def comment_mode(workshop: Workshop, phase: Phase | None = None) -> str:
    """The current phase's comment setting (one of `COMMENTS`); "off" when the workshop is not live."""
    if workshop.status not in LIVE:
        return "off"
    phase = phase if phase is not None else current_phase(workshop)
    return phase.comments if phase is not None and phase.comments in COMMENTS else "off"


def comment_access(identity: Identity | None, group: Group) -> CommentAccess:
    """What `identity` may do with the comments on the story of `group` right now.

    Only who may read the story (`story_access`) may see its comments. Facilitators of the workshop see and
    moderate them always. A participant sees and writes them when the phase's setting includes them: its
    own group ("group"), or also the groups that the phase lets read the story ("readers"); the facilitator's
    lock (everyone, or the participant's group) makes them read-only.
    """
    if identity is None or not story_access(identity, group).read:
        return CommentAccess.none()
    if identity.is_facilitator:
        return CommentAccess(see=True, write=False, moderate=True, reason="forbidden")
    workshop = group.workshop
    participant = db.session.get(Participant, identity.id)
    if participant is None:
        return CommentAccess.none()
    own = participant.group_id == group.id
    mode = comment_mode(workshop)
    if mode == "off":
        return CommentAccess.none("comments_off")
    if mode == "group" and not own:
        return CommentAccess.none()
    if is_locked(workshop, participant.group):
        return CommentAccess(see=True, write=False, reason="locked")
    return CommentAccess(see=True, write=True, resolve=own)


def may_chat(identity: Identity | None, workshop_id: int, group_id: int) -> bool:
    """Whether `identity` may read and post in the chat of group `group_id` of workshop `workshop_id`.

    Members of the group while the workshop is not finished; the workshop's facilitators always.
    """
    if identity is None:
        return False
    if identity.is_facilitator:
        return facilitates(identity.id, workshop_id)
    participant = db.session.get(Participant, identity.id)
    if participant is None or participant.workshop_id != workshop_id or participant.group_id != group_id:
        return False
    workshop = db.session.get(Workshop, workshop_id)
    return workshop is not None and workshop.status != "finished"


def comment_audience(group: Group) -> set[int]:
    """The groups whose participants see the comments on the story of `group` now (`comment_access`'s
    `see`, for every participant of the workshop at once)."""
    workshop = group.workshop
    phase = current_phase(workshop)
    mode = comment_mode(workshop, phase)
    if mode == "off":
        return set()
    if mode == "group":
        return {group.id}
    groups = db.session.scalars(select(Group).where(Group.workshop_id == workshop.id)).all()
    return {g.id for g in groups if g.id == group.id or group.id in visible_group_ids(workshop, g, phase)}


class Rules:
    """`core.access.AccessRules` for workshops: the functions above, by id."""

    def story_access(self, identity: Identity | None, group_id: int, *, facilitator_writes: bool) -> Access:
        return story_access_of(identity, group_id, facilitator_writes=facilitator_writes)

    def versions(self, workshop_ids: Iterable[int]) -> dict[int, int]:
        return versions(workshop_ids)

    def audience_group(self, identity: Identity) -> int | None:
        participant = db.session.get(Participant, identity.id)
        return participant.group_id if participant is not None else None

    def facilitates(self, facilitator_id: int, workshop_id: int) -> bool:
        return facilitates(facilitator_id, workshop_id)

    def comment_access(self, identity: Identity | None, group_id: int) -> CommentAccess:
        group = db.session.get(Group, group_id) if fits_id(group_id) else None
        return comment_access(identity, group) if group is not None else CommentAccess.none()

    def comment_audience(self, group_id: int) -> set[int]:
        group = db.session.get(Group, group_id) if fits_id(group_id) else None
        return comment_audience(group) if group is not None else set()

    def current_phase_position(self, workshop_id: int) -> int | None:
        workshop = db.session.get(Workshop, workshop_id) if fits_id(workshop_id) else None
        phase = current_phase(workshop) if workshop is not None else None
        return phase.position if phase is not None else None

    def may_chat(self, identity: Identity | None, workshop_id: int, group_id: int) -> bool:
        return may_chat(identity, workshop_id, group_id)


RULES = Rules()
