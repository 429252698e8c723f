"""Retention: forget a story's keystrokes older than a cutoff, keeping its state at each phase end.

For the kept log rows written before the cutoff, `prune` first stores a replay snapshot at every checkpoint
seq among them and at the last of them, then deletes those rows and the other snapshots below. Replay stays
exact at each phase end and everywhere from the last pruned seq on (docs/history.md). Nothing runs this by
default: `flask history-prune --days N` does, for every story.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import delete, func, select

from extensions import db
from stories.cowriting import history
from stories.models import Story, StoryCheckpoint, StoryLogEntry, StorySnapshot


def _store(story_id: int, seq: int) -> None:
    if db.session.get(StorySnapshot, (story_id, seq)) is not None:
        return
    replay = history.seek(story_id, seq)
    db.session.add(
        StorySnapshot(
            story_id=story_id,
            seq=seq,
            state=replay.doc.get_update(),
            authors=json.dumps(history.runs_of(replay.owners)),
            written=json.dumps({str(k): v for k, v in replay.written.items() if k is not None}),
        )
    )
    db.session.flush()


def prune(story_id: int, before: datetime) -> int:
    """Forget the kept log rows of the story written before `before`, as above; commits; rows deleted."""
    cutoff = db.session.scalar(
        select(func.max(StoryLogEntry.seq)).where(
            StoryLogEntry.story_id == story_id, StoryLogEntry.created_at < before
        )
    )
    if not cutoff:
        db.session.rollback()
        return 0
    ends = db.session.scalars(
        select(StoryCheckpoint.seq).where(
            StoryCheckpoint.story_id == story_id,
            StoryCheckpoint.seq.is_not(None),
            StoryCheckpoint.seq <= cutoff,
        )
    ).all()
    kept: set[int] = {cutoff, *(seq for seq in ends if seq > 0)}  # type: ignore[operator,arg-type]  # seq IS NOT NULL
    for seq in sorted(kept):  # from the log while it is still whole
        _store(story_id, seq)
    gone: int = db.session.execute(  # type: ignore[attr-defined]  # a DELETE's result is a CursorResult
        delete(StoryLogEntry).where(StoryLogEntry.story_id == story_id, StoryLogEntry.seq <= cutoff)
    ).rowcount
    db.session.execute(
        delete(StorySnapshot).where(
            StorySnapshot.story_id == story_id, StorySnapshot.seq < cutoff, StorySnapshot.seq.not_in(kept)
        )
    )
    db.session.commit()
    return gone or 0


@click.command("history-prune")
@click.option(
    "--days", type=click.IntRange(min=1), required=True, help="Keep the keystrokes of the last N days."
)
@with_appcontext
def prune_command(days: int) -> None:
    """Forget keystrokes older than N days, keeping each story's text and authors at every phase end."""
    before = datetime.now(UTC) - timedelta(days=days)
    total = 0
    for story_id in db.session.scalars(select(Story.id).order_by(Story.id)).all():
        total += prune(story_id, before)
    click.echo(f"{total} log rows forgotten")


def register(app: Flask) -> None:
    app.cli.add_command(prune_command)
