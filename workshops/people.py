"""The participants' directory: who a token proves, until when, and how a participant appears.

`DIRECTORY` implements `core.identity.Participants`; `workshops.register` plugs it in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from flask import session
from sqlalchemy import select

from core.dates import aware
from core.identity import SESSION_KEY, Member, hash_token
from core.settings import settings
from extensions import db
from workshops.models import Participant, Workshop


def ended_at(workshop: Workshop) -> datetime | None:
    """When the workshop ended: its last phase finished, or it was archived (the earlier); None while it
    goes on."""
    ends = [aware(moment) for moment in (workshop.finished_at, workshop.archived_at) if moment is not None]
    return min(ends) if ends else None


def token_expiry(workshop: Workshop) -> datetime | None:
    """When the tokens of the workshop's participants stop working: PLUME_TOKEN_TTL_DAYS after it ended;
    None while it goes on."""
    ended = ended_at(workshop)
    return None if ended is None else ended + timedelta(days=settings().token_ttl_days)


def participant_by_token(token: object, *, now: datetime | None = None) -> Participant | None:
    """The participant this token proves, unless they were removed or their workshop ended long enough ago."""
    if not isinstance(token, str) or not 10 <= len(token) <= 200:
        return None
    found = db.session.execute(
        select(Participant, Workshop)
        .join(Workshop, Workshop.id == Participant.workshop_id)
        .where(Participant.token_hash == hash_token(token), Participant.removed_at.is_(None))
    ).first()
    if found is None:
        return None
    participant, workshop = found
    expiry = token_expiry(workshop)
    if expiry is not None and (now or datetime.now(UTC)) >= expiry:
        return None
    return participant


def session_participant() -> Participant | None:
    """The participant whose token this browser's session cookie holds."""
    return participant_by_token(session.get(SESSION_KEY))


class Directory:
    """`core.identity.Participants` over the `Participant` rows."""

    def by_token(self, token: object) -> int | None:
        participant = participant_by_token(token)
        return participant.id if participant is not None else None

    def display(self, participant_id: int) -> tuple[str, str] | None:
        participant = db.session.get(Participant, participant_id)
        return (participant.display_name, participant.color) if participant is not None else None

    def names(self, participant_ids: set[int]) -> dict[int, str]:
        query = select(Participant.id, Participant.display_name).where(Participant.id.in_(participant_ids))
        return {row.id: row.display_name for row in db.session.execute(query)}

    def members(self, workshop_id: int, group_id: int, also: Iterable[int]) -> list[Member]:
        query = select(Participant).where(
            Participant.workshop_id == workshop_id,
            (Participant.group_id == group_id) | Participant.id.in_(set(also) or {-1}),
        )
        return list(db.session.scalars(query.order_by(Participant.id)))


DIRECTORY = Directory()
