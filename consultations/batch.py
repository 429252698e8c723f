"""Many workshops of a consultation at once ("20 workshops of 4 groups", or a CSV file's rows), made in short
transactions with the event loop given back between them.

One gevent worker serves every workshop, and SQLite holds the loop while it writes: a hundred workshops of
twenty groups in one transaction would stop every socket of every workshop for as long. So the workshops
are made `CHUNK` at a time, each chunk in a transaction of its own (committed before anything yields, the
rule of `core.transactions`), then the loop gets a turn (`time.sleep(0)`, cooperative under gevent).

All or nothing still holds: every row is checked before the first chunk (`Spec`s come checked, the
consultation's cap and its titles are checked here), each chunk checks the cap and the titles again under
its own transaction (another organiser may be adding workshops meanwhile), and when a chunk fails, the
workshops of the chunks already committed are deleted again (`_undo`): nobody has joined them yet.

This module commits: call it outside a unit of work (`core.unit_of_work.committed`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import delete, func, select

from accounts.models import Facilitator
from consultations import operations as ops
from consultations.models import Consultation
from core.unit_of_work import committed
from extensions import db
from stories.models import Story
from workshops import management
from workshops.models import Group, Phase, Workshop, WorkshopFacilitator

log = logging.getLogger(__name__)

CHUNK = 5  # workshops per transaction: a few milliseconds of writing on SQLite


@dataclass(frozen=True)
class Spec:
    """One workshop to make: its title and groups (checked), who runs it besides the organiser, when."""

    title: str
    groups: int
    facilitator_id: int | None = None
    scheduled_at: datetime | None = None


def titles_taken(consultation_id: int) -> set[str]:
    """The titles of the consultation's workshops, case and spacing aside (a title is used once)."""
    rows = db.session.scalars(select(Workshop.title).where(Workshop.consultation_id == consultation_id))
    return {title_key(title) for title in rows}


def title_key(title: str) -> str:
    return " ".join(title.casefold().split())


def _count(consultation_id: int) -> int:
    statement = select(func.count(Workshop.id)).where(Workshop.consultation_id == consultation_id)
    return db.session.scalar(statement) or 0


def check_room(consultation_id: int, adding: int) -> None:
    """Refuse `adding` more workshops when the consultation would hold more than `ops.MAX_WORKSHOPS`."""
    if _count(consultation_id) + adding > ops.MAX_WORKSHOPS:
        raise ops.ConsultationError(
            "too_many", _("A consultation has at most %(count)d workshops.", count=ops.MAX_WORKSHOPS)
        )


def batch_specs(consultation: Consultation, count: int, groups: int) -> list[Spec]:
    """The `Spec`s of "`count` workshops of `groups` groups", titled "<title> n" after those it has."""
    count, groups = ops.clean_batch_count(count), ops.clean_batch_groups(groups)
    check_room(consultation.id, count)
    taken = titles_taken(consultation.id)
    specs: list[Spec] = []
    number = _count(consultation.id)
    while len(specs) < count:
        number += 1
        title = f"{consultation.title} {number}"[: ops.MAX_TITLE]
        if title_key(title) not in taken:
            specs.append(Spec(title=title, groups=groups))
    return specs


def create(consultation_id: int, organiser_id: int, specs: Sequence[Spec]) -> list[int]:
    """Make the workshops of `specs` in the consultation, owned by the organiser (who then opens their
    consoles) and run also by each spec's facilitator; all or none. Returns their ids, in order."""
    made: list[int] = []
    try:
        for start in range(0, len(specs), CHUNK):
            chunk = specs[start : start + CHUNK]
            with committed():
                made.extend(_make(consultation_id, organiser_id, chunk))
            time.sleep(0)  # the loop's turn, between two transactions (never inside one)
    except BaseException:
        db.session.rollback()
        if made:
            _undo(made)
        raise
    return made


def _make(consultation_id: int, organiser_id: int, chunk: Sequence[Spec]) -> list[int]:
    consultation = db.session.get(Consultation, consultation_id)
    organiser = db.session.get(Facilitator, organiser_id)
    if consultation is None or organiser is None:
        raise ops.ConsultationError("not_found", _("This consultation does not exist any more."))
    check_room(consultation_id, len(chunk))
    taken = titles_taken(consultation_id)
    ids = []
    for spec in chunk:
        if title_key(spec.title) in taken:
            raise ops.ConsultationError(
                "duplicate_title",
                _("The consultation already has a workshop titled “%(title)s”.", title=spec.title),
            )
        taken.add(title_key(spec.title))
        workshop = management.create_workshop(
            organiser,
            spec.title,
            consultation.question,
            language=consultation.language,
            groups=spec.groups,
            template=consultation.template,
        )
        workshop.consultation_id = consultation_id
        workshop.scheduled_at = spec.scheduled_at
        if spec.facilitator_id is not None and spec.facilitator_id != organiser_id:
            db.session.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=spec.facilitator_id))
        ids.append(workshop.id)
    db.session.flush()
    return ids


def _undo(ids: list[int]) -> None:
    """Delete the workshops made by the chunks already committed (fresh: their groups, blank stories,
    agenda and facilitators' rights only), in one transaction."""
    try:
        with committed():
            db.session.execute(delete(Story).where(Story.workshop_id.in_(ids)))
            db.session.execute(delete(Group).where(Group.workshop_id.in_(ids)))
            db.session.execute(delete(Phase).where(Phase.workshop_id.in_(ids)))
            db.session.execute(delete(WorkshopFacilitator).where(WorkshopFacilitator.workshop_id.in_(ids)))
            db.session.execute(delete(Workshop).where(Workshop.id.in_(ids)))
    except Exception:
        log.exception("could not undo the workshops %s of a failed batch", ids)
        raise
