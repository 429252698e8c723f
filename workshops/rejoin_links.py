"""Rejoin links: the console hands a participant whose device died a link back in, as themselves.

A link carries the participant's id and a fingerprint of their current token, signed with the app's secret
(itsdangerous) and dated: it works for `PLUME_REJOIN_LINK_SECONDS`, for that participant only, and once,
since using it gives the participant a new token (the fingerprint no longer matches, and the old device's
token stops working too: its open sockets are closed). Removing the participant, or the end of their
token's life, ends it as well.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import update

from core.identity import new_token
from core.outbox import on_commit
from core.settings import settings
from extensions import db
from ids import parse_id
from workshops import joining, presence, rooms
from workshops.models import Participant, Workshop
from workshops.people import token_expiry

SALT = "plume.rejoin-link"
FINGERPRINT = 16  # hex characters of the token's hash: enough to tell one token from the next
MAX_LINK = 300  # a longer one is nobody's link


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key or "", salt=SALT)


def _fingerprint(participant: Participant) -> str:
    return participant.token_hash[:FINGERPRINT]


def link_token(participant: Participant) -> str:
    """The secret part of a rejoin link for `participant` (the console's facilitator checked who asks)."""
    return str(_serializer().dumps({"p": participant.id, "k": _fingerprint(participant)}))


def refused() -> joining.JoinError:
    message = _("This rejoin link has expired or was already used. Ask your facilitator for a new one.")
    return joining.JoinError("unknown_link", message)


def holder(link: object, *, now: datetime | None = None) -> Participant:
    """The participant a link still lets back in (nothing is changed), or the `unknown_link` refusal."""
    if not isinstance(link, str) or len(link) > MAX_LINK:
        raise refused()
    try:
        data = _serializer().loads(link, max_age=settings().rejoin_link_seconds)
    except BadData:  # bad signature, expired, or not ours
        raise refused() from None
    participant_id = parse_id(data.get("p")) if isinstance(data, dict) else None
    participant = db.session.get(Participant, participant_id) if participant_id is not None else None
    if participant is None or participant.removed_at is not None:
        raise refused()
    if data.get("k") != _fingerprint(participant):  # used already: the participant has a new token
        raise refused()
    expiry = token_expiry(db.session.get(Workshop, participant.workshop_id))
    if expiry is not None and (now or datetime.now(UTC)) >= expiry:
        raise refused()
    return participant


def redeem(link: object, *, now: datetime | None = None) -> joining.Joined:
    """Use a link: its participant gets a new token (flushed; the caller commits), which ends the link."""
    participant = holder(link, now=now)
    token, token_hash = new_token()
    swapped = db.session.execute(  # of two uses at once, one swaps the token the link was made for
        update(Participant)
        .where(Participant.id == participant.id, Participant.token_hash == participant.token_hash)
        .values(token_hash=token_hash)
        .execution_options(synchronize_session=False)
    )
    if swapped.rowcount != 1:
        raise refused()
    db.session.refresh(participant)
    workshop_id, participant_id = participant.workshop_id, participant.id
    on_commit(
        lambda: rooms.close(presence.store().sids_of(workshop_id, participant_id), None)
    )  # old device's
    return joining.Joined(participant, token)
