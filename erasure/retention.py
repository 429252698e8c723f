"""Retention (issue 26): some days after a workshop ended, what it holds about people goes.

A workshop ended when its last phase finished or it was archived (`workshops.people.ended_at`). Its
retention period is its own (`Workshop.retention_days`, set by its facilitators on its edit page) or the
instance's (`PLUME_RETENTION_DAYS`). Once it is over, the sweep erases every participant with the erase of
`erasure.participants` (what they wrote in published stories stays, as "a participant's"), deletes the
chat and the comments, and empties the drafts of the stories that were not published (text, update log,
checkpoints, replay snapshots, title, summary, credits, themes). Published stories stay as published.

Every worker runs :func:`run` every `PLUME_RETENTION_SWEEP_SECONDS`; `flask retention run [--dry-run]`
runs it by hand. Each workshop is swept exactly once: a worker first claims it with a conditional UPDATE
of `retention_swept_at` in a transaction of its own (of two workers, or a worker and the command, exactly
one UPDATE lands; the other finds it claimed and skips it), then erases each participant in the erase's
own transaction (under the workshop's lock, refusing a participant already erased), then the rest, with
an entry in the workshop's audit log. A sweep that fails halfway gives its claim back, so the next pass
finishes it; what it had erased stays erased.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask
from sqlalchemy import Select, delete, func, or_, select, update

from core import runtime, settings
from core.dates import aware
from core.unit_of_work import committed
from erasure import participants, sqlite
from erasure.workshops import WRITING
from extensions import db
from feedback.models import ChatMessage, Comment
from stories.models import Story, StoryTheme
from workshops import audit, live
from workshops.models import Participant, Workshop
from workshops.people import ended_at
from workshops.retention import days_of, due_at

log = logging.getLogger(__name__)

ENDED = or_(Workshop.finished_at.is_not(None), Workshop.archived_at.is_not(None))
"""A workshop that ended (`workshops.people.ended_at`): reopened since, it is not swept."""


def is_due(workshop: Workshop, now: datetime) -> bool:
    moment = due_at(workshop)
    return workshop.retention_swept_at is None and moment is not None and moment <= aware(now)


@dataclass(frozen=True)
class Sweep:
    """What the sweep of one workshop erases (or would erase)."""

    workshop_id: int
    title: str
    ended_at: datetime
    days: int
    participants: int  # not erased yet
    chat_messages: int
    comments: int
    drafts: int  # unpublished stories with something in their draft

    def describe(self) -> str:
        return (
            f"workshop {self.workshop_id} “{self.title}” (ended {self.ended_at:%Y-%m-%d}, kept {self.days} "
            f"days): participants: {self.participants}, chat messages: {self.chat_messages}, "
            f"comments: {self.comments}, unpublished drafts: {self.drafts}"
        )


def _count(statement: Select[tuple[int]]) -> int:
    return db.session.scalar(statement) or 0


def _unpublished(workshop_id: int) -> Select[tuple[int]]:
    return select(Story.id).where(Story.workshop_id == workshop_id, Story.published_at.is_(None))


def _stories(workshop_id: int) -> Select[tuple[int]]:
    return select(Story.id).where(Story.workshop_id == workshop_id)


def _to_erase(workshop_id: int) -> list[int]:
    """The workshop's participants not erased yet."""
    return list(
        db.session.scalars(
            select(Participant.id)
            .where(Participant.workshop_id == workshop_id, Participant.erased_at.is_(None))
            .order_by(Participant.id)
        )
    )


def contents(workshop: Workshop) -> Sweep:
    """Count what sweeping the workshop erases."""
    unpublished, stories = _unpublished(workshop.id), _stories(workshop.id)
    chat = select(func.count(ChatMessage.id)).where(ChatMessage.workshop_id == workshop.id)
    written = or_(
        Story.length > 0,
        Story.title != "",
        Story.credits != "",
        *(select(model.story_id).where(model.story_id == Story.id).exists() for model in WRITING),
    )
    return Sweep(
        workshop_id=workshop.id,
        title=workshop.title,
        ended_at=ended_at(workshop) or aware(datetime.now(UTC)),
        days=days_of(workshop),
        participants=len(_to_erase(workshop.id)),
        chat_messages=_count(chat),
        comments=_count(select(func.count(Comment.id)).where(Comment.story_id.in_(stories))),
        drafts=_count(select(func.count(Story.id)).where(Story.id.in_(unpublished), written)),
    )


def due(now: datetime) -> list[Workshop]:
    """The workshops whose retention period is over and that were not swept yet, oldest first."""
    ended = db.session.scalars(
        select(Workshop)
        .where(
            Workshop.retention_swept_at.is_(None),
            ENDED,
        )
        .order_by(Workshop.id)
    )
    return [workshop for workshop in ended if is_due(workshop, now)]


def erase_the_rest(workshop: Workshop) -> None:
    """Delete the workshop's chat and comments and empty its unpublished stories' drafts, and log it
    (flushes; the caller commits). Its participants are erased first (`sweep`)."""
    unpublished = list(db.session.scalars(_unpublished(workshop.id).with_for_update()))
    db.session.execute(delete(ChatMessage).where(ChatMessage.workshop_id == workshop.id))
    db.session.execute(delete(Comment).where(Comment.story_id.in_(_stories(workshop.id))))
    for model in WRITING:
        db.session.execute(delete(model).where(model.story_id.in_(unpublished)))
    db.session.execute(delete(StoryTheme).where(StoryTheme.story_id.in_(unpublished)))
    db.session.execute(
        update(Story)
        .where(Story.id.in_(unpublished))
        .values(title="", summary="", credits="", length=0, last_activity_at=None, history_summary="")
        .execution_options(synchronize_session=False)
    )
    audit.record(workshop.id, "retention", by=None)
    db.session.flush()


def _claim(workshop_id: int, now: datetime) -> bool:
    """Mark the workshop swept, if no one did: True for the one caller whose UPDATE landed. A transaction
    of its own whose first statement is the write (SQLite takes its write lock at once, PostgreSQL waits
    for the other writer's row lock, then sees its mark)."""
    with committed():
        claimed = db.session.execute(
            update(Workshop)
            .where(Workshop.id == workshop_id, Workshop.retention_swept_at.is_(None), ENDED)
            .values(retention_swept_at=now)
            .execution_options(synchronize_session=False)
        )
    return bool(claimed.rowcount)


def _give_back(workshop_id: int) -> None:
    with committed():
        db.session.execute(
            update(Workshop)
            .where(Workshop.id == workshop_id)
            .values(retention_swept_at=None)
            .execution_options(synchronize_session=False)
        )


def sweep(workshop_id: int, now: datetime) -> Sweep | None:
    """Erase what the workshop holds past its retention, once: None when it is not due, or another
    worker claimed it first. Each step commits (`core.unit_of_work.committed`)."""
    with committed():  # read only
        workshop = db.session.get(Workshop, workshop_id, populate_existing=True)
        if workshop is None or not is_due(workshop, now):
            return None
        found = contents(workshop)
    if not _claim(workshop_id, now):
        return None
    try:
        with committed():  # read only
            people = _to_erase(workshop_id)
        for participant_id in people:
            try:
                participants.erase(workshop_id, participant_id, now, by=None, action="retention_erase")
            except live.CommandError:  # erased meanwhile (by a facilitator)
                log.info("retention: participant %s was erased meanwhile", participant_id)
        with live.locked_workshop(workshop_id), committed():
            erase_the_rest(live.load_for_update(workshop_id))
            sqlite.checkpoint_on_commit()
    except Exception:
        _give_back(workshop_id)
        raise
    log.info("retention: erased %s", found.describe())
    return found


def run(now: datetime | None = None) -> list[Sweep]:
    """Sweep every workshop whose retention period is over; what this call erased. A workshop whose sweep
    fails is logged and left for the next pass; the others are swept all the same."""
    now = now or datetime.now(UTC)
    with committed():  # read only
        ids = [workshop.id for workshop in due(now)]
    done = []
    for workshop_id in ids:
        try:
            swept = sweep(workshop_id, now)
        except Exception:
            db.session.rollback()
            log.exception("retention: sweeping workshop %s failed; the next pass tries again", workshop_id)
            continue
        if swept is not None:
            done.append(swept)
    return done


def plan(now: datetime | None = None) -> list[Sweep]:
    """What :func:`run` would erase now (nothing is written)."""
    now = now or datetime.now(UTC)
    with committed():  # read only
        return [contents(workshop) for workshop in due(now)]


def register(app: Flask) -> None:
    """Run :func:`run` every `PLUME_RETENTION_SWEEP_SECONDS` in each worker, spread a little."""
    seconds = settings.of(app).retention_sweep_seconds
    runtime.of(app).every(float(seconds), run, "retention", jitter=0.1)
