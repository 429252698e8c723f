"""Deleting a workshop with everything it holds, in one transaction (issue 26).

Its phases, groups, participants, stories (their live log, kept log, snapshots, checkpoints, client ids,
themes, readers' reactions), comments, chat, facilitators' rights and the workshop itself go. A published
story may first be kept, as an anonymous story: it leaves the workshop (no workshop, no group), its credits,
its "how it was written" summary and its whole writing history go, its rendered text, title, summary,
themes and readers' reactions stay, so that its public URL, the gallery, search, feeds, exports and the API
still serve it, without anyone's name.

Its participants leave the consultation's vote as an erased participant does
(`consultations.vote.forget_voters`): a ballot in an open vote goes, one in a closed vote keeps its dots,
counted in the public results, no longer tied to anyone; dots on its deleted stories go with them (a kept
story keeps its dots).

`delete_workshop` flushes; the caller commits (`core.unit_of_work.committed`). Once committed, the
participants' sockets are told and closed on every worker (the presence store names them), the facilitators'
consoles are revoked (the access watcher of each worker sees the workshop gone), and on SQLite the
write-ahead log is checkpointed, so that no deleted row lingers in the files (`erasure.sqlite`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, delete, func, or_, select

from consultations import vote as votes
from consultations import vote_live
from core import rendering
from core.events import ParticipantRemoved, WorkshopRevoked
from core.language import in_language
from core.outbox import emit_on_commit, on_commit
from core.realtime import workshop_room
from erasure import sqlite
from extensions import db
from feedback.models import ChatMessage, Comment
from stories.models import (
    Reaction,
    Story,
    StoryCheckpoint,
    StoryClient,
    StoryLogEntry,
    StorySnapshot,
    StoryTheme,
    StoryUpdate,
)
from stories.reading.search import fold
from workshops import presence, rooms
from workshops.models import AuditEntry, Group, Participant, Phase, Workshop, WorkshopFacilitator

# Rows of a story that only its writing made: they go with every story, kept ones included.
WRITING = (StoryUpdate, StoryLogEntry, StorySnapshot, StoryClient, StoryCheckpoint)


@dataclass(frozen=True)
class Contents:
    """What deleting a workshop takes away (the confirmation names it)."""

    groups: int
    participants: int
    stories: int  # stories with something written
    published: int


def contents(workshop: Workshop) -> Contents:
    """Count what the workshop holds: its groups, everyone who joined, written and published stories."""

    def count(statement: Select[tuple[int]]) -> int:
        return db.session.scalar(statement) or 0

    written = select(StoryUpdate.story_id).where(StoryUpdate.story_id == Story.id).exists()
    return Contents(
        groups=count(select(func.count(Group.id)).where(Group.workshop_id == workshop.id)),
        participants=count(select(func.count(Participant.id)).where(Participant.workshop_id == workshop.id)),
        stories=count(select(func.count(Story.id)).where(Story.workshop_id == workshop.id, written)),
        published=count(
            select(func.count(Story.id)).where(
                Story.workshop_id == workshop.id, Story.published_at.is_not(None)
            )
        ),
    )


def _ids(statement: Select[tuple[int]]) -> list[int]:
    return list(db.session.scalars(statement))


def _search_texts(workshop_id: int) -> dict[int, str]:
    """The search text of each published story of the workshop without its authors' names (rendered, so
    before the transaction's first write: rendering gives way to the loop)."""
    published = db.session.scalars(
        select(Story).where(Story.workshop_id == workshop_id, Story.published_at.is_not(None))
    )
    return {
        story.id: fold(
            " ".join(
                [
                    story.title,
                    *(theme.label for theme in story.themes),
                    story.summary,
                    rendering.plain_text(story.published_markdown),
                ]
            )
        )
        for story in published
    }


def _keep(stories: Iterable[Story], language: str, search_texts: dict[int, str]) -> None:
    """Detach published stories from their workshop as anonymous stories: no group, no names, no history."""
    for story in stories:
        story.workshop_id = None  # type: ignore[assignment]  # see `Story.workshop_id`
        story.group_id = None  # type: ignore[assignment]
        story.kept_language = language
        story.credits = ""
        story.credit_anonymous = True
        story.show_history = False
        story.history_summary = ""
        story.length = 0
        story.last_activity_at = None
        story.search_text = search_texts[story.id]


def sockets_of(workshop_ids: Iterable[int]) -> dict[int, list[str]]:
    """The participants' sockets of these workshops, on every worker (Redis: ask before the first write)."""
    return {workshop_id: presence.store().sids_in(workshop_id) for workshop_id in workshop_ids}


def delete_workshop(
    workshop: Workshop, *, keep_published: bool = False, sockets: list[str] | None = None
) -> Contents:
    """Delete the workshop and every row it holds (flushes; the caller commits). With `keep_published`, its
    published stories stay public as anonymous stories first. `sockets`: its participants' sockets, read
    before the transaction's first write (`sockets_of`) when it deletes more than this. Returns what went."""
    workshop_id, language = workshop.id, workshop.language
    gone = contents(workshop)
    sids = sockets if sockets is not None else sockets_of([workshop_id])[workshop_id]
    search_texts = _search_texts(workshop_id) if keep_published else {}
    message = in_language(language, lambda: _("This workshop has been deleted by its facilitator."))
    # Lock the workshop's and its stories' rows (PostgreSQL), as the writer does: no update lands after.
    db.session.scalar(select(Workshop.id).where(Workshop.id == workshop_id).with_for_update())
    stories = list(
        db.session.scalars(
            select(Story).where(Story.workshop_id == workshop_id).order_by(Story.id).with_for_update()
        )
    )
    story_ids = [story.id for story in stories]
    group_ids = _ids(select(Group.id).where(Group.workshop_id == workshop_id))
    people = _ids(select(Participant.id).where(Participant.workshop_id == workshop_id))
    kept = [story for story in stories if keep_published and story.published_at is not None]
    dropped = [story_id for story_id in story_ids if story_id not in {story.id for story in kept}]

    for model in WRITING:
        db.session.execute(delete(model).where(model.story_id.in_(story_ids)))
    db.session.execute(
        delete(Comment).where(
            or_(
                Comment.story_id.in_(story_ids),
                Comment.author_id.in_(people),
                Comment.author_group_id.in_(group_ids),
            )
        )
    )
    db.session.execute(
        delete(ChatMessage).where(
            or_(
                ChatMessage.workshop_id == workshop_id,
                ChatMessage.group_id.in_(group_ids),
                ChatMessage.author_id.in_(people),
            )
        )
    )
    _keep(kept, language, search_texts)
    db.session.flush()
    db.session.execute(delete(Reaction).where(Reaction.story_id.in_(dropped)))
    db.session.execute(delete(StoryTheme).where(StoryTheme.story_id.in_(dropped)))
    db.session.execute(delete(Story).where(Story.id.in_(dropped)))
    db.session.execute(delete(AuditEntry).where(AuditEntry.workshop_id == workshop_id))
    for consultation_id in votes.forget_voters(people):
        on_commit(lambda c=consultation_id: vote_live.changed(c))
    db.session.execute(delete(Participant).where(Participant.workshop_id == workshop_id))
    db.session.execute(delete(Group).where(Group.workshop_id == workshop_id))
    db.session.execute(delete(Phase).where(Phase.workshop_id == workshop_id))
    db.session.execute(delete(WorkshopFacilitator).where(WorkshopFacilitator.workshop_id == workshop_id))
    db.session.execute(delete(Workshop).where(Workshop.id == workshop_id))
    db.session.flush()

    on_commit(lambda: rooms.close(sids, ParticipantRemoved(message=message)))
    emit_on_commit(WorkshopRevoked(workshop_id=workshop_id), to=workshop_room(workshop_id))
    sqlite.checkpoint_on_commit()
    return gone


def delete_kept_story(story: Story) -> None:
    """Delete an anonymous story kept from a deleted workshop, with its themes and readers' reactions (a
    story of a live workshop is unpublished from its review page, or goes with its workshop)."""
    if not story.detached:
        raise ValueError("only a story kept from a deleted workshop is deleted on its own")
    db.session.execute(delete(Reaction).where(Reaction.story_id == story.id))
    db.session.execute(delete(StoryTheme).where(StoryTheme.story_id == story.id))
    db.session.execute(delete(Story).where(Story.id == story.id))
    db.session.flush()
    sqlite.checkpoint_on_commit()
