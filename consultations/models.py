"""A consultation: many workshops around one question, and who organises it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accounts.models import Facilitator
from extensions import db


class Consultation(db.Model):
    """Workshops gathered around one question, published together at `/c/<slug>`."""

    __tablename__ = "consultations"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused, not even on SQLite

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text, default="")
    description: Mapped[str] = mapped_column(Text, default="")  # Markdown, shown through core.rendering
    language: Mapped[str] = mapped_column(String(8), default="fr")
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    template: Mapped[str] = mapped_column(String(32), default="bright_mirror")  # workshops.templates key
    themes: Mapped[str] = mapped_column(Text, default="")  # one theme per line
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("facilitators.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())

    owner: Mapped[Facilitator] = relationship()
    organisers: Mapped[list[Facilitator]] = relationship(
        secondary="consultation_organisers", order_by="Facilitator.id"
    )

    @property
    def theme_list(self) -> list[str]:
        return [line for line in (self.themes or "").split("\n") if line.strip()]


class ConsultationOrganiser(db.Model):
    """A facilitator who may organise a consultation: its owner and the co-organisers invited."""

    __tablename__ = "consultation_organisers"

    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), primary_key=True
    )
    facilitator_id: Mapped[int] = mapped_column(
        ForeignKey("facilitators.id", ondelete="CASCADE"), primary_key=True
    )


class Vote(db.Model):
    """The dot-vote on a consultation's published stories (one per consultation): opened, then closed for
    good.

    Each voter spreads `dots` dots over the stories (`VoteDot`), through their one `Ballot`."""

    __tablename__ = "consultation_votes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), unique=True
    )
    dots: Mapped[int] = mapped_column(Integer)
    readers: Mapped[bool] = mapped_column(Boolean, default=False)  # readers may vote too
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Ballot(db.Model):
    """One voter's place in a vote: a participant (`p:<id>`) or a reader's browser (`r:<hmac>`), once."""

    __tablename__ = "vote_ballots"
    __table_args__ = (UniqueConstraint("vote_id", "voter", name="uq_vote_ballots_vote_id_voter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("consultation_votes.id", ondelete="CASCADE"))
    voter: Mapped[str] = mapped_column(String(80))
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participants.id", ondelete="CASCADE"), index=True
    )
    revision: Mapped[int] = mapped_column(Integer, default=0)  # bumped by each allocation: its row lock


class VoteDot(db.Model):
    """The dots a ballot puts on one story (one row per ballot and story)."""

    __tablename__ = "vote_dots"
    __table_args__ = (CheckConstraint("dots > 0", name="positive"),)

    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("vote_ballots.id", ondelete="CASCADE"), primary_key=True
    )
    story_id: Mapped[int] = mapped_column(
        ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    dots: Mapped[int] = mapped_column(Integer)
