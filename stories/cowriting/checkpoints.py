"""Phase-end checkpoints: every story's text and who wrote what, as it stood when a phase ended."""

from __future__ import annotations

import json
import logging

from flask import Flask
from sqlalchemy import select

from core import background
from extensions import db
from stories.cowriting import history, persistence
from stories.models import Story, StoryCheckpoint

log = logging.getLogger(__name__)


def checkpoint_workshop(workshop_id: int, phase_position: int, phase_title: str) -> None:
    """Save a `StoryCheckpoint` of each of the workshop's stories, commit, then compact their logs.

    Runs in the background when a phase ends (`on_phase_ended`), after the facilitation code's own commit:
    this commits the session. Text and authorship come from the database log, never from a cache, replayed
    as the history page replays it (`history.figures`: in the worker's CPU process, with no transaction
    open meanwhile).
    """
    story_ids = db.session.scalars(
        select(Story.id).where(Story.workshop_id == workshop_id).order_by(Story.id)
    ).all()
    found = {story_id: history.figures(story_id) for story_id in story_ids}  # replayed off the loop
    for story_id, figures in found.items():
        db.session.add(
            StoryCheckpoint(
                story_id=story_id,
                phase_position=phase_position,
                phase_title=phase_title[:200],
                seq=figures.seq,
                text=figures.text,
                authorship=json.dumps(history.by_name(figures.present), ensure_ascii=False, sort_keys=True),
            )
        )
    db.session.commit()
    for story_id in story_ids:
        try:
            persistence.compact(story_id)
        except Exception:  # the checkpoint is saved; a compaction that failed will run again later
            db.session.rollback()
            log.exception("compaction of story %s after a checkpoint failed", story_id)


def on_phase_ended(app: Flask, *, workshop_id: int, position: int, title: str) -> None:
    """Receiver of `core.signals.phase_ended`: take the checkpoints in the background, so that neither the
    facilitator's command nor the next phase waits for them (a failure is logged there)."""
    background.worker(app).submit(
        lambda: checkpoint_workshop(workshop_id, position, title),
        f"checkpoints of workshop {workshop_id} at the end of phase {position}",
    )
