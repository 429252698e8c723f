"""What readers see of a consultation: its published stories across its workshops and its figures.

Stories come through `stories.reading.catalog` and `stories.reading.search`, so the one rule of what is
public ("a story is public when it is published") holds here too.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from consultations import operations as ops
from consultations.models import Consultation
from extensions import db
from stories.models import Story
from stories.reading import catalog
from workshops.models import Participant, Workshop


@dataclass(frozen=True)
class Figures:
    """The consultation's figures shown to readers."""

    workshops: int
    participants: int
    stories: int


def by_slug(slug: str) -> Consultation | None:
    """The consultation at `/c/<slug>`; None for an unknown or malformed slug (a 404)."""
    if not ops.is_slug(slug):
        return None
    return db.session.scalar(select(Consultation).where(Consultation.slug == slug))


def workshop_ids(consultation: Consultation) -> list[int]:
    statement = select(Workshop.id).where(Workshop.consultation_id == consultation.id)
    return list(db.session.scalars(statement))


def figures(ids: list[int]) -> Figures:
    """How many workshops, participants (not removed) and published stories these workshops hold."""
    if not ids:
        return Figures(0, 0, 0)
    participants = db.session.scalar(
        select(func.count(Participant.id)).where(
            Participant.workshop_id.in_(ids), Participant.removed_at.is_(None)
        )
    )
    stories = db.session.scalar(
        select(func.count(Story.id)).where(Story.workshop_id.in_(ids), catalog.is_published())
    )
    return Figures(len(ids), participants or 0, stories or 0)
