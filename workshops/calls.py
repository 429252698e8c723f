"""Calls to the facilitator: a group's participants press "Call the facilitator", the console shows the call
on the group's card (since when), and a facilitator answers it.

A call is `Group.called_at`, so every worker's console, and one opened later, shows it: raising or answering
one changes the row and queues the new `workshop:state` (`workshops.state`), which goes out once the caller
commits, to every worker's sockets through the message queue. Both are idempotent: a second press while the
group is waiting keeps the first moment; answering a group that is not calling changes nothing. Presses are
rate-limited per participant (`PLUME_CALL_RATE`).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from core import rates
from core.commands import Id, command, parse
from core.identity import Identity
from core.refusals import refusal
from core.settings import settings
from errors import RefusedError
from extensions import db
from workshops import access_version, state
from workshops.access import LIVE
from workshops.models import Group, Participant, Workshop


class CallError(RefusedError):
    """A refused call: `code` for programs (docs/protocol.md), `message` translated for people."""


@command("call", error=CallError)
class Call:
    """`group:call`: `{"group_id"}`, the caller's own group."""

    group_id: Id


def _refused(code: str) -> CallError:
    return refusal(CallError, "call", code)


def call(identity: Identity | None, payload: object, now: datetime) -> datetime:
    """Raise the call of the sender's group (flushed, the state queued; the caller commits); when it was
    raised, now or by an earlier press that nobody answered yet."""
    if identity is None or identity.is_facilitator:
        raise _refused("forbidden")
    asked = parse(Call, payload)
    participant = db.session.get(Participant, identity.id)
    if participant is None or participant.removed_at is not None or participant.group_id != asked.group_id:
        raise _refused("forbidden")
    if not rates.allow("call", participant.token_hash[:32], settings().call_rate):
        raise _refused("rate_limited")
    workshop = db.session.get(Workshop, participant.workshop_id)
    if workshop is None or workshop.status not in LIVE:
        raise _refused("not_live")
    raised = db.session.execute(  # of two presses at once, the first one's moment stays
        update(Group)
        .where(Group.id == asked.group_id, Group.called_at.is_(None))
        .values(called_at=now)
        .execution_options(synchronize_session=False, **access_version.COUNTED)  # cosmetic: moves none
    )
    group = db.session.get(Group, asked.group_id, populate_existing=True)
    if raised.rowcount == 1:
        state.publish_state(workshop.id, now)
    return group.called_at if group is not None and group.called_at is not None else now


def answer(group: Group) -> None:
    """A facilitator answers the group's call (flushed, the state queued); nothing when it is not calling."""
    if group.called_at is None:
        return
    group.called_at = None
    db.session.flush()
    state.publish_state(group.workshop_id)
