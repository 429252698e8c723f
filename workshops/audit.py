"""Who did what: facilitators' actions on people and data, for the workshop's facilitators to read (issue 26).

An entry names the participant by id only; the page reads their name from their row when it is shown, so a
participant erased since reads as "a participant" there, and their name is in no entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from accounts.models import Facilitator
from core.unit_of_work import committed
from extensions import db
from workshops.models import AuditEntry, Group, Participant

ACTIONS = {
    "erase": _l("erased %(participant)s"),
    "remove": _l("removed %(participant)s from the workshop"),
    "move": _l("moved %(participant)s to %(group)s"),
    "export_feedback": _l("downloaded the workshop's feedback (comments and chats)"),
    "export_history": _l("downloaded the stories' history"),
    "retention_erase": _l("erased %(participant)s: the workshop's retention period was over"),
    "retention": _l(
        "erased the chats, the comments and the drafts of unpublished stories: the workshop's retention "
        "period was over"
    ),
}
AUTOMATIC = {"retention_erase", "retention"}
"""Actions of Plume itself (the retention job, `erasure.retention`), not of a facilitator."""


def on_exported(_sender: object, *, workshop_id: int, facilitator_id: int, what: str) -> None:
    """Receiver of `core.signals.data_exported`: the download goes to the log, committed before it is made."""
    with committed():
        record(workshop_id, f"export_{what}", by=facilitator_id)


def record(
    workshop_id: int,
    action: str,
    *,
    by: int | None,
    participant_id: int | None = None,
    group_id: int | None = None,
) -> None:
    """Add an entry to the workshop's log (flushed with the action; the caller commits)."""
    if action not in ACTIONS:
        raise ValueError(action)
    db.session.add(
        AuditEntry(
            workshop_id=workshop_id,
            action=action,
            facilitator_id=by,
            participant_id=participant_id,
            group_id=group_id,
        )
    )
    db.session.flush()


def _who(entry: AuditEntry, facilitators: dict[int, str]) -> str | None:
    if entry.action in AUTOMATIC:
        return str(_l("Plume, automatically"))
    return facilitators.get(entry.facilitator_id) if entry.facilitator_id is not None else None


@dataclass(frozen=True)
class Line:
    """An entry as the page shows it: when, who, and what."""

    at: datetime
    who: str | None  # a facilitator's name, or Plume's; None: the command line (or a deleted account)
    what: str


def lines(workshop_id: int, limit: int = 500) -> list[Line]:
    """The workshop's entries, newest first, worded in the reader's language."""
    entries = list(
        db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.workshop_id == workshop_id)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
    people = {e.participant_id for e in entries if e.participant_id is not None}
    groups = {e.group_id for e in entries if e.group_id is not None}
    helpers = {e.facilitator_id for e in entries if e.facilitator_id is not None}
    names = {
        p.id: p.display_name
        for p in db.session.scalars(select(Participant).where(Participant.id.in_(people or {-1})))
    }
    group_names = {
        g.id: g.name for g in db.session.scalars(select(Group).where(Group.id.in_(groups or {-1})))
    }
    facilitators = {
        f.id: f.display_name
        for f in db.session.scalars(select(Facilitator).where(Facilitator.id.in_(helpers or {-1})))
    }
    return [
        Line(
            at=e.created_at,
            who=_who(e, facilitators),
            what=str(ACTIONS[e.action])
            % {
                "participant": names.get(e.participant_id or -1) or _l("a participant"),
                "group": group_names.get(e.group_id or -1) or _l("a group"),
            },
        )
        for e in entries
    ]
