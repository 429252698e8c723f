"""The facilitator account."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, String, func
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from extensions import db


class Facilitator(UserMixin, db.Model):
    """Someone who creates and runs workshops; signs in with an email and a password."""

    __tablename__ = "facilitators"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, not even on SQLite

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(80), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@", 1)[0]


class FacilitatorSession(db.Model):
    """One signed-in browser of a facilitator, kept on the server: deleting the row signs that browser out.

    The browser's session cookie holds a random token; the row stores its hash only.
    """

    __tablename__ = "facilitator_sessions"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, not even on SQLite

    id: Mapped[int] = mapped_column(primary_key=True)
    facilitator_id: Mapped[int] = mapped_column(ForeignKey("facilitators.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
