"""Who is making a request or holding a socket: a participant (by token) or a facilitator (by login)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from flask import current_app, session
from flask_login import current_user
from sqlalchemy import select

from accounts.models import Facilitator
from core.dates import aware
from extensions import db
from workshops.models import Participant, Workshop

SESSION_KEY = "participant_token"
FACILITATOR_COLOR = "#1d4ed8"  # a facilitator's cursor and name in the editors
TOKEN_BYTES = 24


@dataclass(frozen=True)
class Identity:
    """A proven identity: a participant id or a facilitator id."""

    kind: Literal["participant", "facilitator"]
    id: int

    @property
    def is_facilitator(self) -> bool:
        return self.kind == "facilitator"


def new_token() -> tuple[str, str]:
    """A fresh secret participant token and the hash that is stored (the token itself never is)."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def token_expiry(workshop: Workshop) -> datetime | None:
    """When the tokens of the workshop's participants stop working: PLUME_TOKEN_TTL_DAYS after it ended
    (its last phase finished, or it was archived); None while it goes on."""
    ends = [aware(moment) for moment in (workshop.finished_at, workshop.archived_at) if moment is not None]
    if not ends:
        return None
    return min(ends) + timedelta(days=current_app.config["PLUME_TOKEN_TTL_DAYS"])


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


def remember_participant(token: str) -> None:
    """Keep the participant's token in the (signed, HttpOnly) session cookie, for rejoining after a reload."""
    session[SESSION_KEY] = token
    session.permanent = True


def identify(auth: Mapping[str, Any] | None = None) -> Identity | None:
    """Identity from a Socket.IO `auth` payload or the browser's cookies, else None.

    `{"token": ...}` names a participant; `{"role": "facilitator"}` asks for the signed-in facilitator
    (a facilitator's browser may also hold a participant cookie from a test join).
    """
    auth = auth if isinstance(auth, Mapping) else {}
    if "token" in auth:
        participant = participant_by_token(auth.get("token"))
        return Identity("participant", participant.id) if participant else None
    facilitator = current_user if current_user and current_user.is_authenticated else None
    if auth.get("role") == "facilitator":
        return Identity("facilitator", facilitator.id) if facilitator else None
    participant = session_participant()
    if participant is not None:
        return Identity("participant", participant.id)
    return Identity("facilitator", facilitator.id) if facilitator else None


def display_of(identity: Identity) -> tuple[str, str]:
    """The name and colour under which `identity` appears to the others (cursors, authorship)."""
    if identity.is_facilitator:
        facilitator = db.session.get(Facilitator, identity.id)
        return (facilitator.display_name if facilitator else "?"), FACILITATOR_COLOR
    participant = db.session.get(Participant, identity.id)
    return (participant.display_name, participant.color) if participant else ("?", FACILITATOR_COLOR)


def display_names(participant_ids: Iterable[int]) -> dict[int, str]:
    """{participant id: display name} of those that exist."""
    wanted = set(participant_ids)
    if not wanted:
        return {}
    query = select(Participant.id, Participant.display_name).where(Participant.id.in_(wanted))
    return {row.id: row.display_name for row in db.session.execute(query)}


def group_members(workshop_id: int, group_id: int, also: Iterable[int] = ()) -> list[Participant]:
    """The participants of a group, and those of its workshop named in `also` (e.g. moved since), by id."""
    query = select(Participant).where(
        Participant.workshop_id == workshop_id,
        (Participant.group_id == group_id) | Participant.id.in_(set(also) or {-1}),
    )
    return list(db.session.scalars(query.order_by(Participant.id)))
