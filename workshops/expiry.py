"""Participants' tokens that expired stay expired, and so do the sockets they opened.

A token stops working `PLUME_TOKEN_TTL_DAYS` after its workshop ended (`workshops.people.token_expiry`). Two
holes are closed here:

- A socket connected before the expiry stays connected: every `PLUME_EXPIRY_SWEEP_SECONDS` each worker closes
  its participants' sockets whose workshop's tokens have expired (`workshop:revoked`, then disconnected).
- Reopening a finished workshop, or unarchiving it, clears the moment it ended and would make expired
  tokens valid again: `keep_expired` first replaces every expired token by an unknown one (the people
  join again; their rows, names and texts stay).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import or_, select

from core import runtime, settings
from core.identity import hash_token, new_token
from core.unit_of_work import committed
from extensions import db, socketio
from workshops import presence, rooms
from workshops.models import Participant, Workshop
from workshops.people import token_expiry

log = logging.getLogger(__name__)


def expired(workshop: Workshop, now: datetime | None = None) -> bool:
    """Whether the tokens of the workshop's participants have expired."""
    expiry = token_expiry(workshop)
    return expiry is not None and (now or datetime.now(UTC)) >= expiry


def keep_expired(workshop: Workshop, now: datetime | None = None) -> int:
    """Before the workshop is reopened or unarchived: if its tokens have expired, replace each by an
    unknown one, so that they stay expired. Returns how many were replaced (flushes; the caller commits)."""
    if not expired(workshop, now):
        return 0
    people = db.session.scalars(select(Participant).where(Participant.workshop_id == workshop.id)).all()
    for person in people:
        person.token_hash = hash_token(new_token()[0] + ":expired")
    db.session.flush()
    return len(people)


def sweep(now: datetime | None = None) -> list[str]:
    """Revoke this worker's participant sockets whose tokens have expired; return their ids."""
    entries = presence.store().local_entries()
    workshop_ids = {entry.workshop_id for entry in entries.values()}
    if not workshop_ids:
        return []
    with committed():  # read only, and over before the sockets are told (which may give way)
        ended = db.session.scalars(
            select(Workshop).where(
                Workshop.id.in_(workshop_ids),
                or_(Workshop.finished_at.is_not(None), Workshop.archived_at.is_not(None)),
            )
        ).all()
        gone = {w.id for w in ended if expired(w, now)}
    closed = [sid for sid, entry in entries.items() if entry.workshop_id in gone]
    for sid in closed:
        workshop_id = entries[sid].workshop_id
        held = [r for r in socketio.server.rooms(sid, namespace=rooms.NAMESPACE) if r and r != sid]
        rooms.revoke(sid, workshop_id, held)
        log.info("closed socket %s: the tokens of workshop %s have expired", sid, workshop_id)
    return closed


def register(app: Flask) -> None:
    """Run :func:`sweep` every `PLUME_EXPIRY_SWEEP_SECONDS` in each worker, spread a little."""
    seconds = settings.of(app).expiry_sweep_seconds
    runtime.of(app).every(float(seconds), sweep, "token-expiry", jitter=0.1)
