"""Joining a workshop: a join code and a display name give a participant, a group and a secret token.

Plain functions, callable without a request. Every rule is checked before anything is written
(:class:`JoinError` carries a code for machines and a translated message for people). A successful join
flushes; once the caller commits, the workshop's facilitators and the new participant's group hear of it
(their rosters changed).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from core.identity import new_token
from errors import RefusedError
from extensions import db
from forms import has_hidden_characters
from workshops import state
from workshops.join_codes import normalise_join_code
from workshops.models import Group, Participant, Workshop, name_key
from workshops.people import participant_by_token

MAX_NAME = 60  # Participant.display_name column

#: Writers' colours (the editor's palette, static/src/colors.js): white name labels on them pass AA.
PALETTE: tuple[str, ...] = (
    "#9a3412", "#1d4ed8", "#166534", "#7e22ce", "#b91c1c",
    "#0f766e", "#a16207", "#be185d", "#3f6212", "#4338ca",
)  # fmt: skip


class JoinError(RefusedError):
    """A join was refused; `code` is stable for API clients, `message` is translated and safe to show."""


@dataclass(frozen=True)
class Joined:
    """A participant and the token that proves it is them (shown once, never stored in clear)."""

    participant: Participant
    token: str


def clean_name(value: object) -> str:
    """A display name: one line of visible text, 1 to 60 characters, spaces collapsed."""
    if not isinstance(value, str):
        raise JoinError("invalid", _("Enter your name."))
    if len(value) > MAX_NAME * 4:  # refuse absurd input before any work on it
        raise JoinError("name_too_long", _("At most %(limit)d characters, please.", limit=MAX_NAME))
    value = unicodedata.normalize("NFC", value)
    if has_hidden_characters(value):  # a name must read as what it is
        raise JoinError("name_invalid", _("Your name contains invisible control characters: remove them."))
    name = " ".join(value.split())
    if not name:
        raise JoinError("name_required", _("Enter your name."))
    if len(name) > MAX_NAME:
        raise JoinError("name_too_long", _("At most %(limit)d characters, please.", limit=MAX_NAME))
    return name


def find_workshop(code: object) -> Workshop:
    """The workshop that this join code opens, if it is open for joining."""
    canonical = normalise_join_code(code)
    workshop = (
        db.session.scalar(select(Workshop).where(Workshop.join_code == canonical)) if canonical else None
    )
    if workshop is None:
        raise JoinError("unknown_code", _("No workshop has this code. Check it with your facilitator."))
    if not workshop.joining_open or workshop.archived_at is not None:
        raise JoinError("joining_closed", _("This workshop is closed to new participants."))
    return workshop


def group_sizes(workshop: Workshop) -> dict[int, int]:
    """How many participants each group of the workshop has (every group listed, empty ones too)."""
    counts = dict(
        db.session.execute(
            select(Participant.group_id, func.count(Participant.id))
            .where(Participant.workshop_id == workshop.id, Participant.removed_at.is_(None))
            .group_by(Participant.group_id)
        ).all()
    )
    return {group.id: counts.get(group.id, 0) for group in workshop.groups}


def balanced_group(workshop: Workshop) -> Group:
    """The group with the fewest participants (the first in agenda order on a tie)."""
    if not workshop.groups:
        raise JoinError("no_group", _("This workshop has no group yet. Ask your facilitator."))
    sizes = group_sizes(workshop)
    return min(workshop.groups, key=lambda group: (sizes[group.id], group.position))


def chosen_group(workshop: Workshop, group_id: object) -> Group:
    """The group a participant picked, when the workshop lets participants choose."""
    if not workshop.participants_choose_group:
        raise JoinError("choice_not_allowed", _("Your facilitator assigns the groups in this workshop."))
    group = next((g for g in workshop.groups if g.id == group_id and not isinstance(group_id, bool)), None)
    if group is None:
        raise JoinError("invalid_group", _("Choose one of the groups of this workshop."))
    return group


def colour_for(group: Group) -> str:
    """The palette colour least used in the group, so that writers side by side look different."""
    used = [p.color for p in group.participants if p.removed_at is None]
    return min(PALETTE, key=lambda colour: (used.count(colour), PALETTE.index(colour)))


def name_taken() -> JoinError:
    return JoinError(
        "name_taken",
        _("Someone in this workshop already goes by this name: add an initial or choose another one."),
    )


def check_name_free(workshop: Workshop, display_name: str) -> None:
    """Two participants of a workshop cannot share a display name (case and spacing do not count)."""
    taken = db.session.scalar(
        select(Participant.id).where(
            Participant.workshop_id == workshop.id, Participant.name_key == name_key(display_name)
        )
    )
    if taken is not None:
        raise name_taken()


def join(code: object, name: object, *, group_id: object = None) -> Joined:
    """Join the workshop of `code` as `name`: in the chosen group (when allowed), else the smallest one.

    A name already taken in the workshop is refused (`name_taken`), also when two people send it at once
    (the database's unique constraint decides).
    """
    display_name = clean_name(name)
    workshop = find_workshop(code)
    check_name_free(workshop, display_name)
    group = chosen_group(workshop, group_id) if group_id is not None else balanced_group(workshop)
    token, token_hash = new_token()
    participant = Participant(
        workshop_id=workshop.id,
        group_id=group.id,
        display_name=display_name,
        token_hash=token_hash,
        color=colour_for(group),
    )
    db.session.add(participant)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise name_taken() from None
    state.publish_state(workshop.id)  # sent when the caller commits
    return Joined(participant, token)


def rejoin(token: object) -> Participant:
    """The participant whose token this is: the same identity, in the same group, after a reload."""
    participant = participant_by_token(token)
    if participant is None:
        raise JoinError("unknown_token", _("This link to the workshop is no longer valid. Join again."))
    return participant


def set_joining(workshop: Workshop, open_: bool) -> None:
    """Open or close the workshop to new participants (an archived one stays closed)."""
    if not isinstance(open_, bool):
        raise JoinError("invalid", _("Expected true or false."))
    if open_ and workshop.archived_at is not None:
        raise JoinError("archived", _("An archived workshop cannot be opened for joining."))
    workshop.joining_open = open_
    db.session.flush()
    state.publish_state(workshop.id)  # sent when the caller commits
