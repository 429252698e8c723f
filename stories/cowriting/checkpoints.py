"""Phase-end checkpoints: every story's text and who wrote what, as it stood when a phase ended."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping

from flask import Flask
from sqlalchemy import func, select

from core import background
from extensions import db
from stories.cowriting import history, persistence
from stories.models import Story, StoryCheckpoint, StoryUpdate

log = logging.getLogger(__name__)


def tips(workshop_id: int) -> dict[int, int]:
    """{story id: its log's last seq} for the workshop's stories, read on a connection of its own, so that
    the caller's session (a facilitator's command, just committed) is left as it was."""
    query = (
        select(Story.id, func.coalesce(func.max(StoryUpdate.seq), 0))
        .outerjoin(StoryUpdate, StoryUpdate.story_id == Story.id)
        .where(Story.workshop_id == workshop_id)
        .group_by(Story.id)
    )
    with db.engine.connect() as connection:
        return {story_id: seq for story_id, seq in connection.execute(query)}


def checkpoint_workshop(
    workshop_id: int, phase_position: int, phase_title: str, upto: Mapping[int, int] | None = None
) -> None:
    """Save a `StoryCheckpoint` of each of the workshop's stories, commit, then compact their logs.

    `upto` ({story id: seq}, `tips` as the phase ended) keeps what was typed since out of the checkpoint,
    however late this runs; a story not in it (or no `upto`) is taken as it stands.

    Runs in the background when a phase ends (`on_phase_ended`), after the facilitation code's own commit:
    this commits the session. Text and authorship come from the database log, never from a cache, replayed
    as the history page replays it (`history.figures`: in the worker's CPU process, with no transaction
    open meanwhile).
    """
    story_ids = db.session.scalars(
        select(Story.id).where(Story.workshop_id == workshop_id).order_by(Story.id)
    ).all()
    upto = upto or {}
    found = {story_id: history.figures(story_id, upto.get(story_id)) for story_id in story_ids}  # off-loop
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
    """Receiver of `core.signals.phase_ended`: note where each story's log stands (`tips`, one statement),
    then take the checkpoints at those seqs in the background, so that neither the facilitator's command nor
    the next phase waits for them (a failure is logged there), and what is typed meanwhile is not in them."""
    upto = tips(workshop_id)
    background.worker(app).submit(
        lambda: checkpoint_workshop(workshop_id, position, title, upto),
        f"checkpoints of workshop {workshop_id} at the end of phase {position}",
    )
