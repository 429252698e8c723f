"""Facilitator account rules, usable from views, the CLI and tests alike.

The operations flush; their caller commits (`core.unit_of_work.committed`). Signing out closes the
browser's sockets once the deletion is committed (`core.outbox.on_commit`), never before.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from functools import partial

from flask import current_app
from sqlalchemy import delete, func, select

from accounts import sockets as login_sockets
from accounts.forms import PASSWORD_MIN
from accounts.models import Facilitator, FacilitatorSession
from core.outbox import on_commit
from extensions import db

#: Key of the signed-in browser's session token in Flask's session cookie.
SESSION_KEY = "facilitator_session"


class AccountError(ValueError):
    """A rule about accounts was broken; the message is safe to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def facilitator_exists() -> bool:
    return db.session.scalar(select(func.count(Facilitator.id))) > 0


def find_by_email(email: str) -> Facilitator | None:
    return db.session.scalar(select(Facilitator).where(Facilitator.email == normalise_email(email)))


def create_facilitator(email: str, password: str, name: str = "") -> Facilitator:
    """Create a facilitator (flushed); refuses a taken email or a short password."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError("invalid email")
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"password shorter than {PASSWORD_MIN} characters")
    if find_by_email(email):
        raise AccountError("a facilitator with this email exists already")
    facilitator = Facilitator(email=email, name=name.strip()[:80])
    facilitator.set_password(password)
    db.session.add(facilitator)
    db.session.flush()
    return facilitator


def authenticate(email: str, password: str) -> Facilitator | None:
    """The facilitator with these credentials, or None (same work either way, against timing probes)."""
    facilitator = find_by_email(email)
    if facilitator is None:
        Facilitator(password_hash="").set_password(password)  # spend the same time as a real check
        return None
    return facilitator if facilitator.check_password(password) else None


def set_password(facilitator: Facilitator, password: str) -> None:
    """Change the password and end every session of the facilitator (the caller may start a new one)."""
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"password shorter than {PASSWORD_MIN} characters")
    facilitator.set_password(password)
    end_sessions(facilitator)


# --- Server-side sessions: one row per signed-in browser ----------------------------------------------


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _oldest_live() -> datetime:
    """Sessions started before this are over: a sign-in lasts PERMANENT_SESSION_LIFETIME at most."""
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    seconds = lifetime.total_seconds() if isinstance(lifetime, timedelta) else float(lifetime)
    return datetime.now(UTC) - timedelta(seconds=seconds)


def start_session(facilitator: Facilitator) -> str:
    """A new signed-in session for the facilitator; returns the token to keep in the session cookie.

    The facilitator's sessions that are over by age are deleted on the way.
    """
    token = secrets.token_urlsafe(32)
    db.session.execute(
        delete(FacilitatorSession).where(
            FacilitatorSession.facilitator_id == facilitator.id,
            FacilitatorSession.created_at < _oldest_live(),
        )
    )
    now = datetime.now(UTC)
    db.session.add(FacilitatorSession(facilitator_id=facilitator.id, token_hash=_hash(token), created_at=now))
    db.session.flush()
    return token


def find_session(token: object, facilitator_id: int | None = None) -> FacilitatorSession | None:
    """The live session this token names (of this facilitator, when given), else None."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        return None
    query = select(FacilitatorSession).where(
        FacilitatorSession.token_hash == _hash(token), FacilitatorSession.created_at >= _oldest_live()
    )
    if facilitator_id is not None:
        query = query.where(FacilitatorSession.facilitator_id == facilitator_id)
    return db.session.scalar(query)


def session_alive(session_id: object) -> bool:
    return isinstance(session_id, int) and db.session.get(FacilitatorSession, session_id) is not None


def end_session(token: object) -> None:
    """Sign out the browser that holds this token: its row goes, its open sockets close."""
    found = find_session(token)
    if found is not None:
        _end([found.id])


def end_sessions(facilitator: Facilitator) -> None:
    """Sign the facilitator out everywhere (a password change, a reset)."""
    ids = db.session.scalars(
        select(FacilitatorSession.id).where(FacilitatorSession.facilitator_id == facilitator.id)
    ).all()
    _end(list(ids))


def _end(session_ids: list[int]) -> None:
    """Delete the sessions' rows; their sockets close once that is committed (a disconnect's handler ends
    the database session it runs in, so it runs after the commit, last)."""
    if not session_ids:
        return
    db.session.execute(delete(FacilitatorSession).where(FacilitatorSession.id.in_(session_ids)))
    on_commit(partial(login_sockets.close_all, session_ids))
