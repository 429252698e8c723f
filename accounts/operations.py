"""Facilitator account rules, usable from views, the CLI and tests alike."""

from __future__ import annotations

from sqlalchemy import func, select

from accounts.forms import PASSWORD_MIN
from accounts.models import Facilitator
from extensions import db


class AccountError(ValueError):
    """A rule about accounts was broken; the message is safe to show."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def facilitator_exists() -> bool:
    return db.session.scalar(select(func.count(Facilitator.id))) > 0


def find_by_email(email: str) -> Facilitator | None:
    return db.session.scalar(select(Facilitator).where(Facilitator.email == normalise_email(email)))


def create_facilitator(email: str, password: str, name: str = "") -> Facilitator:
    """Create and commit a facilitator; refuses a taken email or a short password."""
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
    db.session.commit()
    return facilitator


def authenticate(email: str, password: str) -> Facilitator | None:
    """The facilitator with these credentials, or None (same work either way, against timing probes)."""
    facilitator = find_by_email(email)
    if facilitator is None:
        Facilitator(password_hash="").set_password(password)  # spend the same time as a real check
        return None
    return facilitator if facilitator.check_password(password) else None


def set_password(facilitator: Facilitator, password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"password shorter than {PASSWORD_MIN} characters")
    facilitator.set_password(password)
    db.session.commit()
